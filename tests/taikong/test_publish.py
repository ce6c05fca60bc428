"""`taikong.publish` without Prefect: what a published release holds on disk, what a
rejected one leaves behind, and what publish refuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
import subprocess
from pathlib import Path

import polars as pl
import pytest
from corpus import (
    LAUNCH_PAGE,
    PROBE_PAGE,
    copy_datasets,
    doc_id_of,
    publish_in_memory,
    run_in_memory,
    stage_tables,
)

from taikong.io import CHECKSUMS, MANIFEST, RELEASES_LOG, ReleaseStore, sha256_file
from taikong.publish import IncompleteRelease, finish_release, write_tables
from taikong.validation import audit_release, failure_summary


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_a_published_release_is_read_only_and_its_inventory_is_the_disk(two_releases):
    datasets, _, second, _ = two_releases
    release_dir = datasets / second.release_id
    assert second.status == "published" and second.path == str(release_dir)
    assert os.readlink(datasets / "latest") == second.release_id
    for path in [release_dir, *release_dir.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o555 if path.is_dir() else 0o444), (path, oct(mode))
    manifest = json.loads((release_dir / MANIFEST).read_text())
    assert set(manifest["files"]) == _files(release_dir) - {MANIFEST, CHECKSUMS}
    for rel, facts in manifest["files"].items():
        path = release_dir / rel
        assert facts == {"bytes": path.stat().st_size, "sha256": sha256_file(path)}, rel
    assert not list((datasets / ".staging").iterdir())


def test_the_checksums_pass_sha256sum_and_cover_every_other_file(two_releases):
    datasets, _, second, _ = two_releases
    release_dir = datasets / second.release_id
    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", CHECKSUMS],
        cwd=release_dir,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = {line.split("  ", 1)[1] for line in (release_dir / CHECKSUMS).read_text().splitlines()}
    assert listed == _files(release_dir) - {CHECKSUMS}


def test_the_manifest_records_each_table_as_staged_and_links_its_predecessor(two_releases):
    datasets, first, second, tables = two_releases
    manifest = json.loads((datasets / second.release_id / MANIFEST).read_text())
    assert manifest["release_id"] == second.release_id == "2026-12-01.2"
    assert first.release_id == "2026-12-01"
    assert manifest["predecessor"] == first.release_id
    assert manifest["predecessor_manifest_sha256"] == sha256_file(
        datasets / first.release_id / MANIFEST
    )
    for name in tables.NAMES:
        assert manifest["tables"][name]["rows"] == getattr(tables, name).height, name
    assert manifest["summary"]["documents"] == 2 == tables.documents.height
    assert manifest["summary"]["paragraphs"] == tables.paragraphs.height
    counts = tables.boilerplate.group_by("reason").len()
    assert manifest["summary"]["boilerplate_by_reason"] == dict(counts.iter_rows())
    # b.txt is new; a.txt's row changes too (b shows a's site furniture is a template).
    assert manifest["changelog"]["counts"]["documents"] == {"added": 1, "removed": 0, "changed": 1}
    changelog = pl.read_parquet(datasets / second.release_id / "changelog" / "*.parquet")
    added = changelog.filter((pl.col("table") == "documents") & (pl.col("change") == "added"))
    assert added["key"].to_list() == [doc_id_of(PROBE_PAGE)]


def test_the_releases_log_records_each_manifest_as_published(two_releases):
    datasets, first, second, _ = two_releases
    events = [json.loads(line) for line in (datasets / RELEASES_LOG).read_text().splitlines()]
    for event in events:
        assert dt.datetime.fromisoformat(event.pop("at")).tzinfo is not None
    assert events == [
        {
            "event": "published",
            "release_id": outcome.release_id,
            "manifest_sha256": sha256_file(datasets / outcome.release_id / MANIFEST),
            "predecessor": predecessor,
        }
        for outcome, predecessor in ((first, None), (second, first.release_id))
    ]


def test_quarantined_documents_are_left_out_of_every_table(tmp_path):
    tables, _ = run_in_memory({"a.txt": LAUNCH_PAGE, "b.txt": PROBE_PAGE})
    store = ReleaseStore(tmp_path / "datasets")
    staging = store.begin("run-x")
    stage_tables(staging.work, tables)
    gone = doc_id_of(PROBE_PAGE)
    facts = write_tables(staging, exclude=frozenset({gone}))
    for name in tables.NAMES:
        staged = staging.release.read_table(name)
        if name == "templates":  # across documents: counted with every document
            assert staged.equals(tables.templates)
            continue
        expected = getattr(tables, name).filter(pl.col("doc_id") != gone).height
        assert staged.height == expected == facts[name]["rows"], name
        assert gone not in staged["doc_id"].to_list(), name
    assert facts["documents"]["rows"] == 1


def test_a_failed_audit_publishes_nothing_and_keeps_the_run_with_its_reasons(
    two_releases, tmp_path
):
    datasets = copy_datasets(two_releases[0], tmp_path)
    good, tables = two_releases[2], two_releases[3]
    # A paragraph of a document that is not in the release: a broken foreign key.
    orphan = tables.paragraphs.head(1).with_columns(pl.lit("f" * 16).alias("doc_id"))
    broken = dataclasses.replace(tables, paragraphs=pl.concat([tables.paragraphs, orphan]))
    log_before = (datasets / RELEASES_LOG).read_text()

    outcome, report, _ = publish_in_memory(
        {"a.txt": LAUNCH_PAGE, "b.txt": PROBE_PAGE}, datasets, "run-3", tables=broken
    )
    assert report["passed"] is False
    assert outcome.status == "failed" and outcome.release_id is None
    assert outcome.path == datasets / ".failed" / "run-3"
    reasons = failure_summary(report)
    assert (
        "paragraphs.doc_id_resolves: 1 row(s) violate 'every paragraphs.doc_id is in "
        "documents' in 1 document(s): ffffffffffffffff"
    ) in reasons
    assert outcome.problems == [f"report: {outcome.path / 'validation' / 'report.json'}", *reasons]
    quarantined = json.loads((outcome.path / "QUARANTINED.json").read_text())
    assert quarantined["run_id"] == "run-3"
    assert quarantined["reasons"] == reasons
    assert [i["source_path"] for i in quarantined["inputs"]] == ["a.txt", "b.txt"]
    assert os.readlink(datasets / "latest") == good.release_id
    assert sorted(p.name for p in datasets.iterdir() if not p.name.startswith(".")) == [
        two_releases[1].release_id,
        good.release_id,
        "latest",
        RELEASES_LOG,
    ]
    assert (datasets / RELEASES_LOG).read_text() == log_before


def test_the_same_inputs_published_meanwhile_are_unchanged_and_discard_staging(
    two_releases, tmp_path
):
    datasets = copy_datasets(two_releases[0], tmp_path)
    latest = two_releases[2].release_id
    # Same texts, hence the same fingerprint as `latest`.
    again, _, _ = publish_in_memory({"a.txt": LAUNCH_PAGE, "b.txt": PROBE_PAGE}, datasets, "run-3")
    assert (again.status, again.release_id) == ("unchanged", latest)
    assert not list((datasets / ".staging").iterdir())
    assert ReleaseStore(datasets).releases() == [two_releases[1].release_id, latest]


def test_an_empty_directory_left_by_a_writer_is_an_incomplete_release(tmp_path):
    tables, _ = run_in_memory({"a.txt": LAUNCH_PAGE})
    store = ReleaseStore(tmp_path / "datasets")
    staging = store.begin("run-1")
    stage_tables(staging.work, tables)
    facts = write_tables(staging)
    report = audit_release(staging.release, staging.release, facts, None, "run-1", run_gx=False)
    (staging.release_dir / "validation" / "gx").mkdir(parents=True)  # a writer that gave up
    inputs = pl.DataFrame({"source_path": ["a.txt"], "fate": ["published"], "reason": [None]})
    with pytest.raises(IncompleteRelease, match=r"empty directories \['validation/gx'\]"):
        finish_release(store, staging, inputs, facts, report, "fp", {}, None, dt.date(2026, 12, 1))
    assert store.releases() == []
    assert not (store.root / "latest").exists()
