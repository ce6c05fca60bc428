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
from taikong.changelog import ChangeTally, release_changes, summary_markdown
from taikong.io import (
    CHECKSUMS,
    LAYOUT_VERSION,
    MANIFEST,
    ReleaseStoreProtocol,
    Staging,
    WorkArea,
    empty_directories,
    ensure_writable,
    sha256_file,
)
from taikong.io.files import files_under
from taikong.pipeline import TABLE_DATASETS, table_grain
from taikong.plan import KnownRelease, known_release, unchanged_summary
from taikong.quarantine import without_documents
from taikong.records import AuditReport, Manifest, TableFacts, TablesFacts
from taikong.validation import DATA_DOCS, REPORT, SUMMARY, failure_summary, warning_summary
from taikong.versions import HEURISTICS, code_version

CHANGES_FILE = "CHANGES.md"


class IncompleteRelease(RuntimeError):
    """The staged release is not whole although no write raised (exit status 4)."""


@dataclass
class ReleaseOutcome:
    status: str  # "published", "unchanged" or "failed"
    release_id: str | None
    # Published or unchanged: the release's location (a path, or a URL for object
    # storage); failed: the local directory the rejected run was kept in.
    path: Path | str | None
    summary: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def unchanged_outcome(store: ReleaseStoreProtocol, known: KnownRelease) -> ReleaseOutcome:
    """Nothing to publish: `latest` has this run's fingerprint, or a withdrawn release has
    it (publishing it again would undo the operator's withdrawal)."""
    latest, summary = unchanged_summary(store, known)
    return ReleaseOutcome("unchanged", latest, store.location(latest) if latest else None, summary)


def checksums_text(release_dir: Path) -> str:
    """`sha256sum` format for every file of a release, for `sha256sum -c SHA256SUMS`."""
    lines = []
    for path in files_under(release_dir):
        rel = path.relative_to(release_dir).as_posix()
        if rel != CHECKSUMS:
            lines.append(f"{sha256_file(path)}  {rel}")
    return "\n".join(lines) + "\n"


def _table_frames(
    work: WorkArea, table: str, exclude: frozenset[str] = frozenset()
) -> Iterator[pl.DataFrame]:
    dataset = TABLE_DATASETS[table]
    shards = work.shards(dataset) if table_grain(table) == "shard" else [None]
    for shard in shards:
        yield without_documents(work.read(dataset, shard), table, exclude)


def write_tables(staging: Staging, exclude: frozenset[str] = frozenset()) -> TablesFacts:
    """Stream every table's shards into its part files; returns per-table file facts.

    `exclude`: doc_ids of quarantined documents, left out of every table.
    """
    facts = {}
    for name, model in TABLES.items():
        schema = arrow_schema(model)
        files = staging.write_table(name, _table_frames(staging.work, name, exclude), schema)
        facts[name] = TableFacts(
            **files,
            schema_hash=schema_hash(schema),
            schema_version=model.__schema_version__,
            grain=schema.metadata[b"taikong.grain"].decode(),
            columns=[[f.name, type_name(f.type), f.nullable] for f in schema],
        )
    return facts


def summarize(
    inputs: pl.DataFrame,
    tables: TablesFacts,
    boilerplate_by_reason: dict,
    audit: AuditReport | None = None,
) -> dict:
    quarantined = inputs.filter(pl.col("fate") == "quarantined")
    audit = audit or {}
    return {
        "warnings": warning_summary(audit),
        "problems": failure_summary(audit),
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
    tables: TablesFacts,
    summary: dict,
    validation: AuditReport,
    options: dict,
    catalog_sha: str | None,
    predecessor_manifest_sha256: str | None = None,
) -> Manifest:
    return {
        "release_id": release_id,
        "layout_version": LAYOUT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fingerprint": fingerprint,
        "predecessor": predecessor,
        # The predecessor's manifest as published: editing it later breaks this record.
        "predecessor_manifest_sha256": predecessor_manifest_sha256,
        "code_version": code_version(),
        "heuristics": HEURISTICS,
        "options": options,
        "catalog_sha256": catalog_sha,
        "inputs": inputs.to_dicts(),
        "tables": tables,
        "summary": summary,
        "validation": {
            "passed": validation["passed"],
            "max_severity": validation.get("max_severity"),
            "warnings": warning_summary(validation),
            "quarantined": [q["source_path"] for q in validation.get("quarantined", [])],
            # The audit settings this release was judged by ([tool.taikong.audit]).
            "settings": validation.get("settings"),
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
    store: ReleaseStoreProtocol,
    staging: Staging,
    inputs: pl.DataFrame,
    tables: TablesFacts,
    audit: AuditReport,
    fingerprint: str,
    options: dict,
    catalog_sha: str | None,
    today: dt.date,
    rebuilt: dict | None = None,
) -> ReleaseOutcome:
    """Publish an audited staging area, or move it to quarantine if the audit failed."""
    summary = summarize(inputs, tables, boilerplate_counts(staging), audit)
    site = staging.release_dir / "validation" / "gx"
    if not audit["passed"]:
        _name_data_docs(
            site, f"Taikong run {staging.run_id}: rejected by its audit, nothing published"
        )
        problems = failure_summary(audit)
        staging.put_json(
            "QUARANTINED.json",
            {
                "run_id": staging.run_id,
                "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "reasons": problems,
                # Every input with its fate (published / quarantined and why) in this run.
                "inputs": inputs.to_dicts(),
                "summary": summary,
                "report": REPORT,
                "data_docs": DATA_DOCS if audit["gx"].get("suites") else None,
            },
        )
        failed = store.keep_failed(staging)
        return ReleaseOutcome(
            "failed", None, failed, summary, [f"report: {failed / REPORT}", *problems]
        )
    with store.lock():
        known = known_release(store, fingerprint)
        if known is not None:  # another run published the same content meanwhile
            store.discard(staging)
            outcome = unchanged_outcome(store, known)
            outcome.summary = {**summary, **outcome.summary}
            return outcome
        latest = store.latest_id()
        release_id = store.next_release_id(today)
        manifest = build_manifest(
            release_id,
            fingerprint,
            latest,
            inputs,
            tables,
            summary,
            audit,
            options,
            catalog_sha,
            store.manifest_sha256(latest) if latest else None,
        )
        # What this run built anew rather than took from the cache, and why.
        manifest["rebuilt"] = rebuilt
        # Row-level changelog against the predecessor, by each table's stable id.
        # Written table by table as it is computed (a first release lists every row).
        tally = ChangeTally()
        changes = release_changes(store.release(latest) if latest else None, staging.release)
        written = staging.release.write_table(
            "changelog", tally.watch(changes), arrow_schema(Changelog)
        )
        staging.release.put_text(CHANGES_FILE, summary_markdown(tally, latest, release_id))
        manifest["changelog"] = {
            "dir": written["dir"],
            "files": written["files"],
            "summary": CHANGES_FILE,
            "counts": tally.counts,
        }
        # A writer that swallowed its error (GX logs a failed Data Docs write and goes
        # on) leaves a full disk or empty directories behind: never publish that.
        ensure_writable(staging.release_dir)
        if empty := empty_directories(staging.release_dir):
            raise IncompleteRelease(
                f"{staging.release_dir}: empty directories {empty[:3]} after the audit; "
                "a writer failed without raising"
            )
        # Imported here: only a publish needs the card writers.
        from taikong.report.release_card import write_release_metadata

        _name_data_docs(site, f"Taikong release {release_id} · run {staging.run_id}")
        write_release_metadata(staging.release_dir, manifest)
        manifest["files"] = staging.release.inventory()
        # The manifest is written last: a release directory with a manifest is complete.
        # SHA256SUMS (which covers it) follows; `verify` checks both.
        staging.put_json(MANIFEST, manifest)
        staging.release.put_text(CHECKSUMS, checksums_text(staging.release_dir))
        location = store.publish(staging, release_id)
    return ReleaseOutcome("published", release_id, location, summary)


def _name_data_docs(site: Path, title: str) -> None:
    if (site / "index.html").exists():
        from taikong.report.gx_audit import name_site

        name_site(site, title)
