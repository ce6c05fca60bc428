"""Release lifecycle and safety: changelogs, list/show/diff/prune, crashes, concurrency,
readers during a publish, write errors, and downstream readers."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, doc_id_of, news_page

from contracts import TABLES
from flows.release import release
from taikong import runner
from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.shards import DEFAULT_SHARD_BYTES, list_inputs, plan_shards
from taikong.io import RELEASE_ID_RE, ReleaseStore
from taikong.io import release_dir as release_dir_module
from taikong.pipeline import STAGE_BY_NAME, STAGES

ROOT = Path(__file__).resolve().parents[2]

PAGE_A = news_page("Rocket Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY)
PAGE_B = news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY)
# Another site's page: shares no furniture with the first two, so it changes none of their rows.
PAGE_C = news_page("Astronauts Complete Spacewalk", "Mar 9, 2024", STATION_BODY, site="skyline")


def _corpus(tmp_path: Path, pages: dict[str, str]) -> tuple[Path, Path]:
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    seeds.mkdir(exist_ok=True)
    for name, text in pages.items():
        (seeds / name).write_text(text)
    return seeds, datasets


def _changelog(datasets: Path, release_id: str) -> pl.DataFrame:
    return pl.read_parquet(datasets / release_id / "changelog" / "*.parquet")


def test_added_document_gives_a_changelog_and_keeps_other_rows(tmp_path):
    seeds, datasets = _corpus(tmp_path, {"a.txt": PAGE_A, "b.txt": PAGE_B})
    first = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    (seeds / "c.txt").write_text(PAGE_C)
    second = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    manifest = json.loads((datasets / second["release_id"] / "manifest.json").read_text())
    assert manifest["predecessor"] == first["release_id"]

    log = _changelog(datasets, second["release_id"])
    new_doc = doc_id_of(PAGE_C)
    assert set(log["change"]) == {"added"}
    assert log.filter(pl.col("table") == "documents")["key"].to_list() == [new_doc]
    new_paragraphs = pl.read_parquet(
        datasets / second["release_id"] / "paragraphs" / "*.parquet"
    ).filter(pl.col("doc_id") == new_doc)
    assert sorted(log.filter(pl.col("table") == "paragraphs")["key"]) == sorted(
        new_paragraphs["paragraph_id"]
    )
    # The unchanged documents keep their ids and rows exactly.
    for table in ("documents", "paragraphs", "sections", "boilerplate"):
        old = pl.read_parquet(datasets / first["release_id"] / table / "*.parquet")
        new = pl.read_parquet(datasets / second["release_id"] / table / "*.parquet")
        assert new.filter(pl.col("doc_id") != new_doc).equals(old), table
    changes_md = (datasets / second["release_id"] / "CHANGES.md").read_text()
    assert f"Compared with {first['release_id']}" in changes_md

    (seeds / "a.txt").unlink()
    third = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    removed = _changelog(datasets, third["release_id"]).filter(pl.col("change") == "removed")
    assert doc_id_of(PAGE_A) in removed.filter(pl.col("table") == "documents")["key"].to_list()


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "taikong_cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_list_show_diff_and_prune(tmp_path):
    seeds, datasets = _corpus(tmp_path, {"a.txt": PAGE_A})
    ids = [release(seeds_dir=str(seeds), datasets_dir=str(datasets))["release_id"]]
    for name, page in (("b.txt", PAGE_B), ("c.txt", PAGE_C)):
        (seeds / name).write_text(page)
        ids.append(release(seeds_dir=str(seeds), datasets_dir=str(datasets))["release_id"])

    listing = _cli("list", "--datasets", str(datasets)).stdout
    assert [line.split()[0] for line in listing.splitlines()[1:]] == ids
    assert "<- latest" in listing.splitlines()[-1]

    shown = _cli("show", ids[1], "--datasets", str(datasets)).stdout
    assert f"predecessor: {ids[0]}" in shown and "documents" in shown

    out = tmp_path / "diff.parquet"
    diff = _cli("diff", ids[0], ids[2], "--datasets", str(datasets), "--out", str(out))
    assert diff.returncode == 0, diff.stderr
    assert "documents    +2 -0 " in diff.stdout  # a.txt itself changed: it gained a sibling page
    added = pl.read_parquet(out).filter(
        (pl.col("table") == "documents") & (pl.col("change") == "added")
    )
    assert added.height == 2

    # Point latest back at the oldest: prune must keep it, and the newest, whatever --keep says.
    store = ReleaseStore(datasets)
    store._point_latest(ids[0])
    pruned = _cli("prune", "--keep", "1", "--datasets", str(datasets))
    assert pruned.returncode == 0, pruned.stderr
    assert store.releases() == [ids[0], ids[2]]
    assert _cli("prune", "--keep", "0", "--datasets", str(datasets)).returncode == 2


# ---- crashes -------------------------------------------------------------------------------
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from taikong.io import ReleaseDir, ReleaseStore

    mode, seeds, datasets = sys.argv[1:4]
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    if mode == "during-table-writes":
        real = ReleaseDir.write_table
        def write_then_die(self, table, frames, schema):
            if table == "paragraphs":
                path = self.table_dir(table) / "part-00000.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"PAR1 half a file")
                die()
            return real(self, table, frames, schema)
        ReleaseDir.write_table = write_then_die
    elif mode == "before-pointer-switch":
        ReleaseStore._point_latest = die
    from taikong_cli.main import main
    sys.exit(main(["release", "--seeds", seeds, "--datasets", datasets]))
    """
)


def _run_and_kill(
    mode: str, seeds: Path, datasets: Path, tmp_path: Path
) -> subprocess.CompletedProcess:
    from prefect.settings import PREFECT_API_URL

    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    # Use the test session's Prefect server: the killed process then leaves no
    # temporary server of its own behind.
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(script), mode, str(seeds), str(datasets)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _visible_releases(datasets: Path) -> list[str]:
    ids = [p.name for p in datasets.iterdir() if RELEASE_ID_RE.match(p.name)]
    for rid in ids:  # anything that looks like a release must be a complete one
        assert (datasets / rid / "manifest.json").exists(), f"partial release {rid} is visible"
    return sorted(ids)


@pytest.mark.parametrize("mode", ["during-table-writes", "before-pointer-switch"])
def test_sigkill_leaves_latest_on_the_previous_release_and_the_next_run_recovers(tmp_path, mode):
    seeds, datasets = _corpus(tmp_path, {"a.txt": PAGE_A})
    good = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    (seeds / "b.txt").write_text(PAGE_B)

    killed = _run_and_kill(mode, seeds, datasets, tmp_path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert os.readlink(datasets / "latest") == good["release_id"]
    assert pl.read_parquet(datasets / "latest" / "documents" / "*.parquet").height == 1
    visible = _visible_releases(datasets)
    assert list((datasets / ".staging").iterdir())  # the dead run's leftovers

    after = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert after["status"] in {"published", "unchanged"}
    assert pl.read_parquet(datasets / "latest" / "documents" / "*.parquet").height == 2
    assert not list((datasets / ".staging").iterdir())  # cleaned up
    if mode == "during-table-writes":
        assert visible == [good["release_id"]]
        assert after["status"] == "published"
    else:
        # The killed run had moved a complete release into place: it is adopted.
        assert len(visible) == 2 and after["status"] == "unchanged"


def test_two_runs_at_once_publish_exactly_one_release(tmp_path):
    from prefect.settings import PREFECT_API_URL

    seeds, datasets = _corpus(tmp_path, {"a.txt": PAGE_A, "b.txt": PAGE_B})
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "taikong_cli",
                "release",
                "--seeds",
                str(seeds),
                "--datasets",
                str(datasets),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [o[1][-1500:] for o in outputs]
    statuses = sorted(
        "published" if "published release" in out else "unchanged" if "unchanged" in out else out
        for out, _ in outputs
    )
    assert statuses == ["published", "unchanged"]
    assert len(_visible_releases(datasets)) == 1
    assert not list((datasets / ".staging").iterdir())


def _paragraph_rows(release_dir: Path) -> int:
    return sum(pq.read_metadata(p).num_rows for p in (release_dir / "paragraphs").iterdir())


def test_reader_during_publish_always_sees_one_whole_release(tmp_path):
    seeds, datasets = _corpus(tmp_path, {"a.txt": PAGE_A})
    release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    old_rows = _paragraph_rows(datasets / "latest")
    for name, page in (("b.txt", PAGE_B), ("c.txt", PAGE_C)):
        (seeds / name).write_text(page)

    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_loop():
        con = duckdb.connect()
        while not stop.is_set():
            try:
                seen.append(
                    con.sql(
                        f"SELECT count(*) FROM '{datasets}/latest/paragraphs/*.parquet'"
                    ).fetchall()[0][0]
                )
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    finally:
        stop.set()
        reader.join(timeout=60)
    new_rows = _paragraph_rows(datasets / "latest")
    assert not errors, errors[:3]
    assert len(seen) > 10
    assert set(seen) <= {old_rows, new_rows}
    assert seen[-1] == new_rows


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_write_error_is_clear_and_the_previous_release_intact(tmp_path, monkeypatch, code):
    seeds, datasets = _corpus(tmp_path, {"a.txt": PAGE_A})
    good = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    before = (datasets / good["release_id"] / "manifest.json").read_bytes()
    (seeds / "b.txt").write_text(PAGE_B)

    def fail(self, table, frames, schema):
        raise OSError(code, os.strerror(code), str(self.table_dir(table) / "part-00000.parquet"))

    monkeypatch.setattr(release_dir_module.ReleaseDir, "write_table", fail)
    with pytest.raises(OSError) as failure:
        release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert failure.value.errno == code and "documents/part-00000.parquet" in str(failure.value)
    assert ReleaseStore(datasets).releases() == [good["release_id"]]
    assert os.readlink(datasets / "latest") == good["release_id"]
    assert (datasets / good["release_id"] / "manifest.json").read_bytes() == before
    assert not list((datasets / ".staging").iterdir())


# Downstream readers (DuckDB, polars, pandas, Hugging Face, the README's examples):
# tests/flows/test_readers.py.

CACHED_STAGES = [s.name for s in STAGES if s.cached_by is not None]


def test_incremental_run_reuses_cached_shards_and_gives_the_same_tables(tmp_path):
    paragraphs = LAUNCH_BODY + PROBE_BODY + STATION_BODY
    titles = [
        "Booster Lands",
        "Probe Wakes",
        "Crew Rotates",
        "Telescope Opens",
        "Pad Rebuilt",
        "Orbit Raised",
    ]
    desks = ["science", "launch", "station", "astronomy", "industry", "policy"]
    pages = {
        f"{i}.txt": news_page(
            titles[i],
            f"Mar {i + 1}, 2024",
            [
                paragraphs[i],
                f"The {desks[i]} desk filed this update after a long night of checks on the flight data.",
            ],
        )
        for i in range(6)
    }
    seeds, datasets = _corpus(tmp_path, pages)
    # shard_docs=2 targets one file a shard (a quarter of the limit): six shards.
    first = release(seeds_dir=str(seeds), datasets_dir=str(datasets), shard_docs=2)
    assert first["summary"]["cache_hits"] == dict.fromkeys(CACHED_STAGES, 0) | {"shards": 6}

    (seeds / "5.txt").write_text(pages["5.txt"].replace("Orbit Raised", "Orbit Raised Again"))
    second = release(seeds_dir=str(seeds), datasets_dir=str(datasets), shard_docs=2)
    # Only the shard of 5.txt changed, and only in a line no other page has: every stage
    # serves the other five from the cache, the stages after the run-level ones included.
    assert second["summary"]["cache_hits"] == dict.fromkeys(CACHED_STAGES, 5) | {"shards": 6}

    fresh = tmp_path / "fresh"
    scratch = release(seeds_dir=str(seeds), datasets_dir=str(fresh), shard_docs=2)
    assert scratch["summary"]["cache_hits"]["ingest"] == 0
    for table in ("documents", "sections", "paragraphs", "boilerplate"):
        cached = pl.read_parquet(datasets / "latest" / table / "*.parquet")
        assert cached.equals(pl.read_parquet(fresh / "latest" / table / "*.parquet")), table
    # Entries of the replaced version of 5.txt were swept.
    entries = list((datasets / ".cache").rglob("*.parquet"))
    # 6 shards x every output of every cached stage
    assert len(entries) == 6 * sum(len(STAGE_BY_NAME[name].outputs) for name in CACHED_STAGES)


def test_a_run_after_adding_a_file_rebuilds_only_its_shard(tmp_path):
    bodies = LAUNCH_BODY + PROBE_BODY + STATION_BODY
    pages = {
        f"news-{i:02d}.txt": news_page(
            f"Story number {i}",
            f"Mar {i + 1}, 2024",
            [f"{bodies[i % len(bodies)]} Filed as item {i} by the {i}th desk of the newsroom."],
        )
        for i in range(16)
    }
    seeds, datasets = _corpus(tmp_path, pages)
    limits = {"shard_docs": 8}  # a target of two files a shard
    before = plan_shards(list_inputs(seeds), 8, DEFAULT_SHARD_BYTES, DEFAULT_MAX_BYTES)
    release(seeds_dir=str(seeds), datasets_dir=str(datasets), **limits)

    # A page of another site, with its own furniture and text: no template, paragraph or
    # near-duplicate it shares with the others, so only its own shard changes.
    added = "news-07b.txt"
    (seeds / added).write_text(
        news_page(
            "Quiet Week", "Apr 9, 2024", ["Nothing flew this week; crews rested."], site="comet"
        )
    )
    after = plan_shards(list_inputs(seeds), 8, DEFAULT_SHARD_BYTES, DEFAULT_MAX_BYTES)
    kept = [s for s in after if s in before]
    assert len(after) - len(kept) in (1, 2) and len(before) - len(kept) == 1
    first_manifest = json.loads((datasets / "latest" / "manifest.json").read_text())
    assert first_manifest["rebuilt"]["stages"]["structure"] == {
        "shards_rebuilt": len(before),
        "documents_rebuilt": 16,
        "why": {runner.REBUILT_NO_PREDECESSOR: 16},
    }
    second = release(seeds_dir=str(seeds), datasets_dir=str(datasets), **limits)
    assert second["summary"]["cache_hits"] == dict.fromkeys(CACHED_STAGES, len(kept)) | {
        "shards": len(after)
    }
    # The manifest says how many documents each stage built anew and why: the added page's
    # shard for its new document; a shard split off it holds old documents only.
    rebuilt = json.loads((datasets / "latest" / "manifest.json").read_text())["rebuilt"]
    changed = [s for s in after if s not in before]
    with_added = next(len(s) for s in changed if added in s)
    without = sum(len(s) for s in changed if added not in s)
    expected_why = {runner.REBUILT_NEW_DOCUMENTS: with_added} | (
        {runner.REBUILT_UPSTREAM: without} if without else {}
    )
    assert rebuilt["documents"] == 17 and rebuilt["shards"] == len(after)
    for name in CACHED_STAGES:
        expected = {
            "shards_rebuilt": len(changed),
            "documents_rebuilt": with_added + without,
            "why": expected_why,
        }
        if STAGE_BY_NAME[name].document_local:
            # the other documents of a rebuilt shard: their rows taken from the cache
            expected |= {"documents_rebuilt": 1, "why": {runner.REBUILT_NEW_DOCUMENTS: 1}}
        assert rebuilt["stages"][name] == expected, name
    assert rebuilt["stages"]["select-documents"]["why"] == {runner.REBUILT_NOT_CACHED: 17}

    fresh = tmp_path / "fresh"
    release(seeds_dir=str(seeds), datasets_dir=str(fresh), shard_docs=1000)  # one shard
    for table in TABLES:
        cached = pl.read_parquet(datasets / "latest" / table / "*.parquet")
        assert cached.equals(pl.read_parquet(fresh / "latest" / table / "*.parquet")), table
