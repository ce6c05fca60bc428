"""End-to-end: what the audit blocks, what it publishes with warnings, and what it says.

Each test runs the real release flow (Prefect test harness) on a real corpus.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page, replace_stage
from shapes import mismatches

from flows.release import ValidationFailed, release
from taikong.io import ReleaseStore
from taikong.records import AuditReport, AuditSummary, Manifest
from taikong.report.escape import escape_markdown

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _strict_json(path: Path):
    def no_constant(name):
        raise ValueError(f"{path}: {name} is not JSON")

    return json.loads(path.read_text(), parse_constant=no_constant)


def _flow_run_artifact(state, key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
            )
        )
    assert len(found) == 1, found
    return str(found[0].data)


def test_seeds_without_catalog_publish_with_warnings_naming_the_untitled(tmp_path, monkeypatch):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    shutil.copytree(SEEDS, seeds)
    (seeds / "catalog.csv").unlink()
    monkeypatch.chdir(tmp_path)  # no project settings here: the defaults apply
    state = release(seeds_dir=str(seeds), datasets_dir=str(datasets), return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert result["status"] == "published"
    latest = datasets / "latest"
    untitled = sorted(
        pl.read_parquet(latest / "documents" / "*.parquet")
        .filter(pl.col("title").is_null())["source_path"]
        .to_list()
    )
    assert len(untitled) == 2  # the text of these two documents gives no title
    summary = _strict_json(latest / "validation" / "summary.json")
    assert summary["passed"] is True and summary["max_severity"] == "warning"
    title = next(f for f in summary["findings"] if f["check"] == "documents.title_present")
    assert title["severity"] == "warning"
    assert (title["evaluated"], title["unexpected"]) == (5, 2)
    assert sorted(title["documents"]) == untitled
    message = title["message"]
    assert "title is null in 2 of 5 documents" in message and "small sample" in message
    assert all(path in message for path in untitled) and "observed None" not in message
    # The same words everywhere a person looks: run result, card, manifest, Prefect artifact.
    assert message in result["summary"]["warnings"]
    assert escape_markdown(message) in (latest / "README.md").read_text()
    manifest = _strict_json(latest / "manifest.json")
    # The files have the shapes taikong.records declares.
    assert mismatches(manifest, Manifest) == []
    assert mismatches(summary, AuditSummary) == []
    assert mismatches(_strict_json(latest / "validation" / "report.json"), AuditReport) == []
    assert manifest["validation"]["warnings"] == summary["warnings"]
    assert manifest["validation"]["settings"]["max_quarantine_share"] == 0.2
    assert message in _flow_run_artifact(state, "taikong-audit")
    for path in latest.rglob("*.json"):
        _strict_json(path)  # every JSON file written is valid JSON (no NaN)
    # The Data Docs index names the release and the run; the contract suites are there.
    index = (latest / "validation" / "gx" / "index.html").read_text()
    assert f"Taikong release {result['release_id']}" in index
    assert "contract.paragraphs" in index and "'relations'" in index


def _corpus(seeds: Path) -> dict[str, str]:
    pages = {
        "a.txt": news_page("Rocket Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY),
        "b.txt": news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY),
        "c.txt": news_page("Astronauts Complete Spacewalk", "Mar 9, 2024", STATION_BODY),
        "d.txt": news_page("Rocket Flies Again", "Mar 12, 2024", LAUNCH_BODY[::-1]),
        "e.txt": news_page("Probe Sends First Images", "Mar 15, 2024", PROBE_BODY[::-1]),
    }
    seeds.mkdir()
    for name, text in pages.items():
        (seeds / name).write_text(text)
    return pages


def _corrupt_spans_of(monkeypatch, doc_ids: set[str]) -> None:
    """A bug that gives these documents' paragraphs spans past their document's end."""
    hit = pl.col("doc_id").is_in(list(doc_ids))
    replace_stage(
        monkeypatch,
        "mark-duplicates",
        lambda paragraphs: paragraphs.with_columns(
            pl.when(hit).then(pl.col("raw_end") + 10_000_000).otherwise(pl.col("raw_end"))
        ),
    )


def test_a_document_that_breaks_a_contract_is_quarantined_and_the_rest_published(
    tmp_path, monkeypatch
):
    from corpus import doc_id_of

    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    pages = _corpus(seeds)
    bad = doc_id_of(pages["b.txt"])
    _corrupt_spans_of(monkeypatch, {bad})
    result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert result["status"] == "published"
    latest = datasets / "latest"
    docs = pl.read_parquet(latest / "documents" / "*.parquet")
    assert sorted(docs["source_path"]) == ["a.txt", "c.txt", "d.txt", "e.txt"]
    for table in ("paragraphs", "sections", "boilerplate", "mentions", "quantities", "edits"):
        assert bad not in pl.read_parquet(latest / table / "*.parquet")["doc_id"].to_list()
    manifest = json.loads((latest / "manifest.json").read_text())
    fates = {i["source_path"]: (i["fate"], i["reason"]) for i in manifest["inputs"]}
    assert fates["b.txt"][0] == "quarantined"
    assert fates["b.txt"][1].startswith("failed_contract: ")
    assert len(fates) == len(list(seeds.iterdir()))  # every input published or quarantined
    assert [p for p, (fate, _) in fates.items() if fate == "published"] == sorted(
        docs["source_path"]
    )
    report = json.loads((latest / "validation" / "report.json").read_text())
    [quarantined] = report["quarantined"]
    assert quarantined["source_path"] == "b.txt"
    assert "paragraphs.span_inside_document" in quarantined["checks"]
    # Its failure cases are kept under the release's validation folder.
    cases = pl.read_parquet(
        latest
        / "validation"
        / "quarantined"
        / "relations"
        / "paragraphs.span_inside_document.parquet"
    )
    assert set(cases["doc_id"]) == {bad}
    assert manifest["validation"]["quarantined"] == ["b.txt"]
    assert any("quarantined b.txt" in w for w in result["summary"]["warnings"])
    assert {q["source_path"] for q in result["summary"]["quarantined"]} == {"b.txt"}


def test_a_contract_failure_in_many_documents_blocks_and_publishes_nothing(tmp_path, monkeypatch):
    from corpus import doc_id_of

    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    pages = _corpus(seeds)
    _corrupt_spans_of(monkeypatch, {doc_id_of(pages["a.txt"]), doc_id_of(pages["b.txt"])})
    with pytest.raises(ValidationFailed) as failure:
        release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert ReleaseStore(datasets).releases() == []
    assert not (datasets / "latest").exists()
    problems = failure.value.result["problems"]
    assert any(
        "in 2 of 5 documents, more than the 1 that may be quarantined" in p for p in problems
    )
    assert any(p.startswith("paragraphs.span_inside_document: ") and "a.txt" in p for p in problems)


def test_a_project_setting_makes_a_warning_block(tmp_path, monkeypatch):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    seeds.mkdir()
    # Pages that keep little text: a warning by default, blocking for this project.
    for i, title in enumerate(["Rocket Flies", "Probe Lands", "Crew Returns"]):
        (seeds / f"{i}.txt").write_text(news_page(title, "Mar 3, 2024", [LAUNCH_BODY[i][:60]]))
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.taikong.audit]\nseverity = { "documents.enough_text" = "critical" }\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationFailed) as failure:
        release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    [problem] = failure.value.result["problems"][1:]  # after the report path
    assert problem.startswith("documents.enough_text (critical): keeps fewer than 200 characters")
    assert "in 3 of 3 documents" in problem
    quarantine = Path(failure.value.result["path"])
    assert quarantine.parent == datasets / ".failed"
    record = json.loads((quarantine / "QUARANTINED.json").read_text())
    assert record["reasons"] == failure.value.result["problems"][1:]
    # The failed run keeps its story: every input with its fate.
    assert {(i["source_path"], i["fate"]) for i in record["inputs"]} == {
        (f"{i}.txt", "published") for i in range(3)
    }
    index = (quarantine / "validation" / "gx" / "index.html").read_text()
    assert "rejected by its audit, nothing published" in index
    # The same corpus publishes (with a warning) once the project switches the check off.
    config.write_text('[tool.taikong.audit]\nseverity = { "documents.enough_text" = "off" }\n')
    result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert result["status"] == "published"
    manifest = json.loads((datasets / "latest" / "manifest.json").read_text())
    assert manifest["validation"]["settings"]["severity"] == {"documents.enough_text": "off"}
    assert manifest["validation"]["settings"]["source"] == str(config)
