"""End-to-end: the Prefect release flow on the seeds and on invented corpora."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, news_page, replace_stage

from contracts import TABLES
from flows.release import ValidationFailed, release
from taikong.dedup.boilerplate import BOILERPLATE_VERSION
from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.shards import DEFAULT_SHARD_BYTES, list_inputs, plan_shards
from taikong.io import ReleaseStore

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    """(datasets, result, flow run id) of one release of the seeds."""
    datasets = tmp_path_factory.mktemp("datasets")
    state = release(seeds_dir=str(SEEDS), datasets_dir=str(datasets), return_state=True)
    result = state.result()
    assert result["status"] == "published"
    return datasets, result, state.state_details.flow_run_id


@pytest.fixture(scope="module")
def seeds_release(seeds_run):
    datasets, result, _ = seeds_run
    return datasets, result


def _seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def _read(datasets: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(datasets / "latest" / table / "*.parquet")


def test_duckdb_joins_paragraphs_to_documents_over_latest(seeds_release):
    datasets, _ = seeds_release
    latest = datasets / "latest"
    rows = duckdb.sql(
        f"SELECT d.source_path, count(*) AS n FROM '{latest}/paragraphs/*.parquet' p "
        f"JOIN '{latest}/documents/*.parquet' d USING (doc_id) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in rows] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all(n > 0 for _, n in rows)


def _cas_pages() -> list[Path]:
    return [p for p in SEEDS.glob("*.txt") if "Contact Us" in p.read_text()]


def test_no_cas_furniture_in_paragraphs_and_every_body_sentence_kept(seeds_release):
    datasets, _ = seeds_release
    paragraphs = _read(datasets, "paragraphs")
    all_text = "\n".join(paragraphs["text"].to_list())
    pages = _cas_pages()
    assert len(pages) == 2
    for page in pages:
        doc_id = hashlib.sha256(page.read_bytes()).hexdigest()[:16]
        own = "\n".join(paragraphs.filter(pl.col("doc_id") == doc_id)["text"].to_list())
        lines = [" ".join(line.split()) for line in page.read_text().splitlines()]
        widget = next(i for i, line in enumerate(lines) if "PrintText Size" in line)
        teaser = lines.index("CAS Institutes")
        furniture = [
            line for line in lines[:2] + lines[widget : widget + 1] + lines[teaser:] if line
        ]
        for line in furniture:
            assert line not in own, line
            assert line not in paragraphs["text"].to_list(), line
        body = [line for line in lines[widget + 1 : teaser] if line]
        assert body
        for line in body:
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                assert sentence in own, sentence
    # The CSU page's footer (address, phone, copyright) is gone from every paragraph too.
    for fragment in ("FAX:", "TEL:", "Copyright", "Postcode", "E-mail:", ">> more"):
        assert fragment not in all_text, fragment


def test_white_paper_parts_and_numbered_subsections(seeds_release):
    datasets, _ = seeds_release
    docs = _read(datasets, "documents")
    paper = docs.filter(pl.col("source_path") == _seed("003").name).row(0, named=True)
    sections = _read(datasets, "sections").filter(pl.col("doc_id") == paper["doc_id"]).sort("seq")
    top = sections.filter(pl.col("level") == 1)
    assert top["heading"].to_list()[0] == "Preamble"
    assert top["heading"].to_list()[-1] == "Conclusion"
    assert top["ordinal"].to_list()[1:-1] == ["I", "II", "III", "IV", "V", "VI"]
    part_two = top.filter(pl.col("ordinal") == "II")["section_id"][0]
    children = sections.filter(pl.col("parent_id") == part_two)
    assert children["ordinal"].to_list() == ["1", "2", "3", "4", "5", "6", "7"]
    assert paper["title"] == "China's Space Program: A 2021 Perspective"  # from the catalog
    assert "title" in paper["catalog_fields"]


def test_manifest_describes_inputs_tables_and_versions(seeds_release):
    datasets, result = seeds_release
    manifest = json.loads((datasets / "latest" / "manifest.json").read_text())
    assert manifest["release_id"] == result["release_id"]
    assert {i["fate"] for i in manifest["inputs"]} == {"published"}
    assert set(manifest["tables"]) == set(TABLES)
    for name, info in manifest["tables"].items():
        frame = _read(datasets, name)
        assert info["rows"] == frame.height
    assert manifest["heuristics"]["boilerplate"] == BOILERPLATE_VERSION
    assert (
        sum(manifest["summary"]["boilerplate_by_reason"].values())
        == _read(datasets, "boilerplate").height
    )
    assert (datasets / "latest" / "validation" / "report.json").exists()


def test_same_inputs_again_is_unchanged(seeds_release):
    datasets, result = seeds_release
    again = release(seeds_dir=str(SEEDS), datasets_dir=str(datasets))
    assert again["status"] == "unchanged"
    assert again["release_id"] == result["release_id"]
    assert ReleaseStore(datasets).releases() == [result["release_id"]]


def test_changed_content_on_the_same_day_gets_a_new_id(tmp_path):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    seeds.mkdir()
    (seeds / "a.txt").write_text(news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY))
    first = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    (seeds / "b.txt").write_text(news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY))
    second = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert second["status"] == "published"
    assert second["release_id"] == first["release_id"] + ".2"
    assert (datasets / "latest").resolve().name == second["release_id"]
    # The first release is untouched.
    assert pl.read_parquet(datasets / first["release_id"] / "documents" / "*.parquet").height == 1


def test_empty_and_binary_inputs_are_quarantined_and_the_rest_releases(tmp_path):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    shutil.copytree(SEEDS, seeds)
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "scan.txt").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert result["status"] == "published"
    quarantined = {q["source_path"]: q["reason"] for q in result["summary"]["quarantined"]}
    assert set(quarantined) == {"empty.txt", "scan.txt"}
    assert quarantined["empty.txt"].startswith("empty")
    assert quarantined["scan.txt"].startswith("binary")
    manifest = json.loads((datasets / "latest" / "manifest.json").read_text())
    fates = [i["fate"] for i in manifest["inputs"]]
    n_docs = pl.read_parquet(datasets / "latest" / "documents" / "*.parquet").height
    assert len(fates) == n_docs + fates.count("quarantined") == len(list(seeds.glob("*.txt")))


def test_validation_failure_publishes_nothing_and_keeps_the_report(tmp_path, monkeypatch):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    seeds.mkdir()
    (seeds / "a.txt").write_text(news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY))
    good = release(seeds_dir=str(seeds), datasets_dir=str(datasets))

    # A bug that produces a span pointing past the document.
    replace_stage(
        monkeypatch,
        "mark-duplicates",
        lambda paragraphs: paragraphs.with_columns(pl.col("raw_end") + 10_000_000),
    )
    (seeds / "b.txt").write_text(news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY))
    with pytest.raises(ValidationFailed) as failure:
        release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert ReleaseStore(datasets).releases() == [good["release_id"]]
    assert (datasets / "latest").resolve().name == good["release_id"]
    report_line = next(p for p in failure.value.result["problems"] if p.startswith("report: "))
    report = json.loads(Path(report_line.removeprefix("report: ")).read_text())
    assert report["passed"] is False
    failed = {r["check"] for r in report["relations"] if not r["passed"]}
    assert "paragraphs.span_inside_document" in failed


def _task_run_names(flow_run_id) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return [r.name for r in runs]


def _progress_artifacts(flow_run_id) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )


def test_shard_size_changes_task_runs_not_results(tmp_path, capfd):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "x1.txt").write_text(news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY))
    (seeds / "x2.txt").write_text(news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY))
    n_inputs = len(list(seeds.glob("*.txt")))  # 7 documents

    outputs = {}
    for shard_docs in (1000, 2):
        datasets = tmp_path / f"datasets-{shard_docs}"
        state = release(
            seeds_dir=str(seeds),
            datasets_dir=str(datasets),
            shard_docs=shard_docs,
            progress_bar=shard_docs == 2,
            return_state=True,
        )
        names = _task_run_names(state.state_details.flow_run_id)
        n_shards = len(
            plan_shards(list_inputs(seeds), shard_docs, DEFAULT_SHARD_BYTES, DEFAULT_MAX_BYTES)
        )
        assert n_shards == (1 if shard_docs == 1000 else n_inputs)  # target: a quarter
        progress = [
            a for a in _progress_artifacts(state.state_details.flow_run_id) if a.type == "progress"
        ]
        assert [a.data for a in progress] == [100.0]
        release_id = state.result()["release_id"]
        assert progress[0].description == f"published: {release_id}"
        assert sum(n.startswith("ingest-") for n in names) == n_shards
        assert sum(n.startswith("structure-") for n in names) == n_shards
        outputs[shard_docs] = {
            t: pl.read_parquet(datasets / "latest" / t / "*.parquet")
            for t in ("documents", "sections", "paragraphs", "boilerplate")
        }
    for table, frame in outputs[1000].items():
        assert frame.equals(outputs[2][table]), table
    # Only the second run asked for the terminal bar: one per stage, ending at every document.
    bars = capfd.readouterr().err.replace("\r", "\n")
    for stage in ("ingest", "structure", "mark-duplicates"):
        assert re.search(rf"{stage} 100%\|.*{n_inputs}/{n_inputs} docs\]", bars), stage
    assert bars.count(f"{n_inputs}/{n_inputs} docs]") >= 7


def _readme_block(language: str) -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    return re.search(rf"```{language}\n(.*?)```", readme, re.S)[1]


def test_readme_examples_run_on_a_release(seeds_release):
    datasets, _ = seeds_release
    latest = str(datasets / "latest")
    sql = _readme_block("sql").replace("datasets/latest", latest)
    rows = duckdb.sql(sql.rstrip().rstrip(";")).fetchall()
    assert (
        len(rows)
        == _read(datasets, "paragraphs")
        .filter((pl.col("kind") == "paragraph") & pl.col("duplicate_of").is_null())
        .height
    )
    namespace: dict = {}
    exec(_readme_block("python").replace("datasets/latest", latest), namespace)  # noqa: S102
    outline = namespace["outline"]
    assert outline.height == _read(datasets, "paragraphs")["section_id"].drop_nulls().n_unique()


# ---- audit, reports, verify (write-audit-publish) -----------------------------------------
def test_release_carries_reports_card_and_metadata_files(seeds_release):
    datasets, _ = seeds_release
    latest = datasets / "latest"
    for rel in (
        "validation/report.json",
        "validation/summary.json",
        "validation/gx/index.html",
        "README.md",
        "croissant.json",
        "datapackage.json",
    ):
        assert (latest / rel).is_file(), rel
    summary = json.loads((latest / "validation" / "summary.json").read_text())
    assert summary["passed"] is True
    assert set(summary["pandera"]) == set(TABLES)
    assert set(summary["gx"]) >= {"documents", "paragraphs", "document_quality"}
    manifest = json.loads((latest / "manifest.json").read_text())
    assert "croissant.json" in manifest["files"] and "validation/gx/index.html" in manifest["files"]
    for name, info in manifest["tables"].items():
        assert info["columns"] and info["schema_version"], name


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "taikong_cli", *args], capture_output=True, text=True, timeout=300
    )


def test_verify_accepts_the_release_and_catches_tampering(seeds_release, tmp_path):
    datasets, result = seeds_release
    ok = _cli("verify", "latest", "--datasets", str(datasets))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    copy = tmp_path / result["release_id"]
    shutil.copytree(datasets / result["release_id"], copy)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    table = copy / "boilerplate" / "part-00000.parquet"
    table.write_bytes(table.read_bytes()[:-64])  # truncated
    (copy / "croissant.json").write_text(
        (copy / "croissant.json").read_text().replace("Taikong", "Taikonq", 1)
    )
    bad = _cli("verify", str(copy))
    assert bad.returncode == 1
    assert "boilerplate/part-00000.parquet: size" in bad.stdout
    assert "croissant.json: sha256 differs" in bad.stdout


def test_validate_reruns_the_audit_on_a_published_release(seeds_release, tmp_path):
    datasets, _ = seeds_release
    out = tmp_path / "revalidation"
    run = _cli("validate", "latest", "--datasets", str(datasets), "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads((out / "validation" / "summary.json").read_text())
    assert summary["passed"] is True and summary["gx"]
    assert (out / "validation" / "gx" / "index.html").exists()


def test_artifacts_summarize_each_run(seeds_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    datasets, result, flow_run_id = seeds_run
    release_dir = Path(result["path"])
    report = json.loads((release_dir / "validation" / "report.json").read_text())
    manifest = json.loads((release_dir / "manifest.json").read_text())

    def this_run(key: str):
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[key]),
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                )
            )
        assert len(found) == 1, found
        return found[0].data

    status = "passed with warnings" if report["max_severity"] else "passed"
    assert report["passed"] is True
    relations = report["relations"]
    assert all(r["passed"] for r in relations)
    expected = [
        f"# Taikong release audit: {status}",
        "",
        f"Report: `{release_dir}/validation/report.json` · "
        f"Data Docs: [validation/gx/index.html](file://{release_dir}/validation/gx/index.html)",
        "",
        "| check | table / suite | result |",
        "| --- | --- | --- |",
        *[f"| pandera | {name} | pass |" for name in TABLES],
        f"| relations | {len(relations)} checks | pass |",
        *[
            f"| great expectations | {name} | {s['successful']}/{s['evaluated']} {s['status']} |"
            for name, s in report["gx"]["suites"].items()
        ],
    ]
    warnings = [f["message"] for f in report["findings"] if f["severity"] == "warning"]
    if warnings:
        expected += ["", "## Warnings (published)", *[f"- {w}" for w in warnings]]
    assert this_run("taikong-audit") == "\n".join(expected)

    counts = this_run("taikong-table-counts")
    counts = json.loads(counts) if isinstance(counts, str) else counts
    assert counts == [
        {
            "table": name,
            "rows": info["rows"],
            "bytes": info["bytes"],
            "schema_version": info["schema_version"],
        }
        for name, info in manifest["tables"].items()
    ]
    assert [row["table"] for row in counts] == list(TABLES)


def test_final_state_says_what_happened(tmp_path):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    seeds.mkdir()
    (seeds / "a.txt").write_text(news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY))
    first = release(seeds_dir=str(seeds), datasets_dir=str(datasets), return_state=True)
    assert first.is_completed()
    result = first.result()
    assert first.message == f"published release {result['release_id']}"
    second = release(seeds_dir=str(seeds), datasets_dir=str(datasets), return_state=True)
    assert (
        second.is_completed() and second.message == f"unchanged: latest is {result['release_id']}"
    )


def test_an_empty_seeds_directory_is_a_clear_error(tmp_path):
    (tmp_path / "seeds").mkdir()
    with pytest.raises(FileNotFoundError, match="no input files in the seeds directory"):
        release(seeds_dir=str(tmp_path / "seeds"), datasets_dir=str(tmp_path / "datasets"))
    assert not (tmp_path / "datasets" / "latest").exists()
