"""Assemble the staged tables, write the manifest, and publish or quarantine the release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from contracts import TABLES
from contracts.arrow import arrow_schema, schema_hash, type_name
from contracts.changelog import Changelog
from taikong.changelog import counts as changelog_counts
from taikong.changelog import diff_releases, summary_markdown
from taikong.io.store import LAYOUT_VERSION, MANIFEST, ReleaseStore, Staging, WorkArea
from taikong.validation import DATA_DOCS, REPORT, SUMMARY, failure_summary
from taikong.versions import HEURISTICS, code_version

CHANGES_FILE = "CHANGES.md"


@dataclass
class ReleaseOutcome:
    status: str  # "published", "unchanged" or "failed"
    release_id: str | None
    path: Path | str | None
    summary: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _table_frames(work: WorkArea, table: str) -> Iterator[pl.DataFrame]:
    for shard in work.shards(f"t_{table}"):
        yield work.read(f"t_{table}", shard)


def write_tables(staging: Staging) -> dict:
    """Stream every table's shards into its part files; returns per-table file facts."""
    facts = {}
    for name, model in TABLES.items():
        schema = arrow_schema(model)
        info = staging.write_table(name, _table_frames(staging.work, name), schema)
        info["schema_hash"] = schema_hash(schema)
        info["schema_version"] = model.__schema_version__
        info["grain"] = schema.metadata[b"taikong.grain"].decode()
        info["columns"] = [[f.name, type_name(f.type), f.nullable] for f in schema]
        facts[name] = info
    return facts


def summarize(inputs: pl.DataFrame, tables: dict, boilerplate_by_reason: dict) -> dict:
    quarantined = inputs.filter(pl.col("fate") == "quarantined")
    return {
        "inputs": inputs.height,
        "documents": tables["documents"]["rows"],
        "sections": tables["sections"]["rows"],
        "paragraphs": tables["paragraphs"]["rows"],
        "boilerplate_by_reason": boilerplate_by_reason,
        "quarantined": quarantined.select("source_path", "reason").to_dicts(),
    }


def build_manifest(
    release_id: str,
    fingerprint: str,
    predecessor: str | None,
    inputs: pl.DataFrame,
    tables: dict,
    summary: dict,
    validation: dict,
    options: dict,
    catalog_sha: str | None,
) -> dict:
    return {
        "release_id": release_id,
        "layout_version": LAYOUT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fingerprint": fingerprint,
        "predecessor": predecessor,
        "code_version": code_version(),
        "heuristics": HEURISTICS,
        "options": options,
        "catalog_sha256": catalog_sha,
        "inputs": inputs.to_dicts(),
        "tables": tables,
        "summary": summary,
        "validation": {
            "passed": validation["passed"],
            "report": REPORT,
            "summary": SUMMARY,
            "data_docs": DATA_DOCS if validation["gx"].get("suites") else None,
        },
    }


def boilerplate_counts(staging: Staging) -> dict:
    counts = (
        staging.release.scan_table("boilerplate").group_by("reason").len().sort("reason").collect()
    )
    return dict(counts.iter_rows())


def finish_release(
    store: ReleaseStore,
    staging: Staging,
    inputs: pl.DataFrame,
    tables: dict,
    audit: dict,
    fingerprint: str,
    options: dict,
    catalog_sha: str | None,
    today: dt.date,
) -> ReleaseOutcome:
    """Publish an audited staging area, or move it to quarantine if the audit failed."""
    summary = summarize(inputs, tables, boilerplate_counts(staging))
    if not audit["passed"]:
        problems = failure_summary(audit)
        staging.write_json(
            "QUARANTINED.json",
            {
                "run_id": staging.run_id,
                "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "reasons": problems,
                "report": REPORT,
                "data_docs": DATA_DOCS if audit["gx"].get("suites") else None,
            },
        )
        failed = store.keep_failed(staging)
        return ReleaseOutcome(
            "failed", None, failed, summary, [f"report: {failed / REPORT}", *problems]
        )
    with store.lock():
        latest = store.latest_id()
        if latest and store.manifest(latest).get("fingerprint") == fingerprint:
            store.discard(staging)
            return ReleaseOutcome("unchanged", latest, store.location(latest), summary)
        release_id = store.next_release_id(today)
        manifest = build_manifest(
            release_id, fingerprint, latest, inputs, tables, summary, audit, options, catalog_sha
        )
        # Row-level changelog against the predecessor, by each table's stable id.
        changelog = diff_releases(store.release(latest) if latest else None, staging.release)
        written = staging.release.write_table("changelog", [changelog], arrow_schema(Changelog))
        staging.release.write_text(CHANGES_FILE, summary_markdown(changelog, latest, release_id))
        manifest["changelog"] = {
            "dir": written["dir"],
            "files": written["files"],
            "summary": CHANGES_FILE,
            "counts": changelog_counts(changelog),
        }
        # Imported here: only a publish needs the card writers.
        from taikong.report.release_card import write_release_metadata

        write_release_metadata(staging.release_dir, manifest)
        manifest["files"] = staging.release.inventory()
        # The manifest is written last: a release directory with a manifest is complete.
        staging.write_json(MANIFEST, manifest)
        path = store.publish(staging, release_id)
    return ReleaseOutcome("published", release_id, path, summary)
