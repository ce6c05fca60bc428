"""Invented documents for tests, and an in-memory run of the pipeline (no Prefect).

None of this text comes from the seeds: every heuristic is exercised on documents
written here, shaped like the kinds of sources Taikong meets (a news site with its
own furniture, a PDF-extracted report).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from taikong import pipeline
from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
from taikong.io.memory import MemoryWorkArea
from taikong.pipeline import TABLE_DATASETS, stages_after, table_grain
from taikong.runner import InlineExecutor, run_pipeline
from taikong.stages import RunSpec
from taikong.structure.tables import ShardTables

NBSP = "\u00a0"


def news_page(title: str, date: str, body: list[str], year: int = 2024, site: str = "orbit") -> str:
    """A page of an invented news site, with its navigation, share widget and footer."""
    if site == "orbit":
        header = [
            f"Home{NBSP * 3}|{NBSP * 3}News{NBSP * 3}|{NBSP * 3}Launches",
            "",
            title,
            "",
            f'{date}{NBSP * 4}Share">{NBSP}Print Font Size',
            "",
        ]
        footer = [
            "",
            "Related Stories",
            "",
            "More coverage of rockets and probes in our archive.",
            "",
            "About Us",
            "",
            "Orbital News Network",
            "",
            "Address: 12 Star Road, Xi'an 710000",
            "",
            "Tel: 029-5550123",
            "",
            f"Copyright © 2015 - {year} Orbital News Network",
        ]
    else:
        header = ["Skyline Daily > Science > Space", "", title, "", date, ""]
        footer = [
            "",
            "Subscribe to the Skyline newsletter",
            "",
            "Contact: newsroom@skyline.example",
            f"© {year} Skyline Media Group",
        ]
    lines = []
    for para in body:
        lines += [para, ""]
    return "\n".join(header + lines + footer) + "\n"


LAUNCH_BODY = [
    "A new solid-fuel rocket lifted off from a coastal launch pad on Tuesday morning, carrying three small weather satellites into a sun-synchronous orbit.",
    "The launch was the fourth of the year for the rocket family, which its builder says can be readied for flight within a week of an order.",
    "Engineers said the satellites had unfolded their solar panels and were sending telemetry back to a ground station in the northwest.",
]
PROBE_BODY = [
    "A lunar probe completed its third orbit correction on Sunday, lowering its path to a circle about one hundred kilometres above the surface.",
    "Mission controllers plan to release a small rover from the lander after touchdown, which is expected within the next ten days.",
    "The probe carries a ground-penetrating radar and a camera built by a university team that joined the mission two years ago.",
]
STATION_BODY = [
    "Two astronauts stepped outside the orbiting laboratory for six hours to install a new handrail and replace a faulty camera.",
    "It was the second spacewalk of the current crew, who arrived at the station in the spring and will stay until late autumn.",
    "Flight directors said the crew would next test a robotic arm that can move between modules without help from the ground.",
]


# A PDF-style report whose page break (running header "Institute ... / 17") falls in the
# middle of a sentence.
REPORT_WITH_PAGE_BREAK = (
    "\n".join(
        [
            " Introduction",
            "The national space program has grown quickly over the last decade, with new launch",
            "vehicles, a permanent crewed station in low earth orbit and a series of robotic probes",
            "sent to the moon and to Mars. This report reviews the main results and sets out the",
            "plans for the coming five years in each of the major areas of activity, from the",
            "",
            "Institute for Orbital Policy Studies",
            "",
            "17",
            "",
            "infrastructure on the ground to the science carried out in space by research teams.",
            "It also describes the cooperation with other countries and international bodies.",
            " I. Launch Vehicles",
            "The launch vehicle family now covers small, medium and heavy payloads, and several",
            "commercial companies have flown their own rockets for the first time.",
        ]
    )
    + "\n"
)


# Two pages of one news site, for tests that publish releases.
LAUNCH_PAGE = news_page("Rocket Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY)
PROBE_PAGE = news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY)

# Four pages of two sites, two of them telling one story: for tests that compare runners
# (several shards, templates and a near-duplicate pair to agree on).
TWO_SITES_PAGES = {
    "a.txt": news_page("Booster Lands", "Mar 3, 2024", LAUNCH_BODY),
    "b.txt": news_page("Probe Wakes", "Mar 5, 2024", PROBE_BODY),
    "c.txt": news_page("Crew Rotates", "Mar 9, 2024", STATION_BODY, site="skyline"),
    "d.txt": news_page("Booster Lands Again", "Mar 4, 2024", LAUNCH_BODY, site="skyline"),
}


def write_seeds(seeds: Path, pages: dict[str, str]) -> Path:
    """A seeds directory holding `pages` (name -> text)."""
    seeds.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (seeds / name).write_text(text)
    return seeds


def docs_frame(texts: dict[str, str]) -> pl.DataFrame:
    rows = []
    for path, text in texts.items():
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        rows.append(
            {
                "doc_id": digest[:16],
                "source_path": path,
                "raw_text": text,
                "raw_sha256": digest,
                "n_bytes": len(data),
                "encoding": "utf-8",
                "encoding_evidence": "valid UTF-8",
                "n_replaced": 0,
            }
        )
    return pl.DataFrame(rows)


def run_spec(texts: dict[str, str], catalog: dict | None = None) -> RunSpec:
    """The run of one in-memory shard holding `texts` (no files: ingest is not run)."""
    return RunSpec(
        seeds_dir=Path("."),
        shard_paths=(tuple(texts),),
        max_bytes=0,
        near_duplicate_threshold=DEFAULT_THRESHOLD,
        catalog=catalog or {},
        input_shas={},
    )


def run_in_memory(
    texts: dict[str, str], catalog: dict | None = None
) -> tuple[ShardTables, pl.DataFrame]:
    """The declared pipeline after ingest, on one in-memory shard of `texts`:
    (tables, boilerplate-labelled lines)."""
    work = MemoryWorkArea()
    work.write("docs", docs_frame(texts), 0)
    run = run_spec(texts, catalog)
    run_pipeline(InlineExecutor(), work, run, stage_list=stages_after("docs"))
    return ShardTables(**read_tables(work)), work.read("labelled_lines", 0)


def read_tables(work) -> dict[str, pl.DataFrame]:
    """Every release table of a one-shard run, read from its work area."""
    return {t: work.read(name, _shard(t)) for t, name in TABLE_DATASETS.items()}


def _shard(table: str) -> int | None:
    """Where one shard's table lives in a work area: shard 0 for a table written per
    shard, the run's one file (None) for a table across documents."""
    return 0 if table_grain(table) == "shard" else None


def stage_tables(work, tables: ShardTables) -> None:
    """Write `tables` into a work area as the pipeline would."""
    for name in ShardTables.NAMES:
        work.write(TABLE_DATASETS[name], getattr(tables, name), shard=_shard(name))


def doc_id_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def replace_stage(monkeypatch, name: str, change) -> None:
    """Run stage `name` with `change` applied to its (one) output: a bug injected into the
    declared pipeline, for tests of what the audit does with broken tables."""
    stage = pipeline.STAGE_BY_NAME[name]

    def changed(ctx, **frames):
        return change(stage.fn(ctx, **frames))

    monkeypatch.setitem(pipeline.STAGE_BY_NAME, name, dataclasses.replace(stage, fn=changed))


def publish_in_memory(
    texts: dict[str, str],
    datasets: Path,
    run_id: str,
    today: dt.date = dt.date(2026, 12, 1),
    fingerprint: str | None = None,
    tables: ShardTables | None = None,
):
    """Publish `texts` (or ready-made `tables`) into `datasets` without Prefect: the
    in-memory transforms, the staged tables, the audit without Great Expectations, and
    `finish_release`. Returns (outcome, audit report, tables)."""
    from taikong.io import ReleaseStore
    from taikong.publish import finish_release, write_tables
    from taikong.validation import audit_release

    if tables is None:
        tables, _ = run_in_memory(texts)
    store = ReleaseStore(datasets)
    latest = store.latest_id()
    staging = store.begin(run_id)
    stage_tables(staging.work, tables)
    facts = write_tables(staging)
    previous = store.release(latest) if latest else None
    report = audit_release(staging.release, staging.release, facts, previous, run_id, run_gx=False)
    inputs = pl.DataFrame(
        {"source_path": list(texts), "fate": ["published"] * len(texts)},
        schema={"source_path": pl.String, "fate": pl.String},
    ).with_columns(pl.lit(None, dtype=pl.String).alias("reason"))
    outcome = finish_release(
        store,
        staging,
        inputs,
        facts,
        report,
        fingerprint or hashlib.sha256(repr(sorted(texts.items())).encode()).hexdigest(),
        {},
        None,
        today,
    )
    return outcome, report, tables


def copy_datasets(datasets: Path, tmp_path: Path) -> Path:
    """A copy of a datasets directory under `tmp_path` (modes and symlinks as they are)."""
    target = tmp_path / "datasets"
    shutil.copytree(datasets, target, symlinks=True)
    return target


def unlock_release(release_dir: Path) -> None:
    for path in [release_dir, *release_dir.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def relock_release(release_dir: Path) -> None:
    """Permissions as published (files 0444, directories 0555)."""
    for path in sorted(release_dir.rglob("*"), key=lambda p: -len(p.parts)):
        if not path.is_symlink():
            path.chmod(0o555 if path.is_dir() else 0o444)
    release_dir.chmod(0o555)


@contextlib.contextmanager
def editing_release(release_dir: Path) -> Iterator[Path]:
    """Unlock a published release for a forger's edit, then lock it as published again,
    so that only the edit is a finding."""
    unlock_release(release_dir)
    try:
        yield release_dir
    finally:
        relock_release(release_dir)
