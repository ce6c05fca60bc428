"""The shapes of the records the pipeline passes around and writes as JSON.

TypedDicts, not classes: each record is written to JSON as it is (the manifest,
`validation/report.json`, `validation/summary.json`), so a dict keeps those files
exactly as they were, while its keys and their types are declared once, here. A leaf
module (typing only), importable from the contracts and from every stage.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired from evaluated
# annotations (Python 3.11), so the required keys stay right.
from typing import Any, NotRequired, TypedDict


# ---- table facts: what writing a table records (the manifest's `tables`) ---------------------
class PartFile(TypedDict):
    file: str  # relative to the release directory
    rows: int
    bytes: int
    sha256: str


class TableFiles(TypedDict):
    """What a release directory's `write_table` returns."""

    dir: str
    files: list[str]
    rows: int
    bytes: int
    parts: list[PartFile]


class TableFacts(TableFiles):
    """A published table's files and schema, as the manifest records them."""

    schema_hash: str
    schema_version: str
    grain: str
    columns: list[list[Any]]  # [name, type, nullable] in contract order


TablesFacts = dict[str, TableFacts]


# ---- the audit report (`validation/report.json`) ---------------------------------------------
class FailedCheck(TypedDict):
    check: str  # "<table>.<check>"
    table: str
    failed_rows: int
    doc_ids: list[str]  # the documents the failing rows belong to
    table_wide: bool  # a failure of the table as a whole (blocks; never quarantined)
    examples: NotRequired[list[dict]]  # pandera failure cases (contract checks only)


class ContractResult(TypedDict):
    """One table's pandera contract check."""

    table: str
    contract: str
    schema_version: str
    rows: int
    passed: bool
    n_failure_cases: int
    failed_checks: list[FailedCheck]
    failure_cases: list[dict]


class RelationResult(TypedDict):
    """One cross-table check (`contracts.relations`)."""

    check: str
    table: str
    description: str
    passed: bool
    n_failed: int
    doc_ids: list[str]
    examples: list[dict]
    table_wide: NotRequired[bool]  # set by the audit: per-document checks are not


class SchemaProblem(TypedDict):
    table: str
    change: str  # "breaking", "additive" or "table_removed"
    detail: str


class QuarantinedDocument(TypedDict):
    doc_id: str
    source_path: str
    reason: str  # "failed_contract: <first check>"
    checks: list[str]
    failure_cases: str  # directory of its failing rows, in the release


class Finding(TypedDict):
    """A failed or warned check, with what was seen; critical findings block."""

    check: str
    severity: str  # a taikong.vocabulary.Severity
    message: str
    failed_rows: NotRequired[int]
    rows: NotRequired[int]
    documents: NotRequired[list[str]]  # up to five, by source_path
    observed: NotRequired[Any]
    evaluated: NotRequired[int | None]
    unexpected: NotRequired[int | None]


class AuditReport(TypedDict):
    passed: bool
    run: str
    settings: dict  # AuditSettings.record()
    pandera: list[ContractResult]
    relations: list[RelationResult]
    schema_changes: list[SchemaProblem]
    quarantined: list[QuarantinedDocument]
    blocking: list[str]
    gx: dict  # taikong.report.gx_audit.run_gx_audit's summary
    seconds: dict[str, float]
    findings: list[Finding]
    max_severity: str | None


class AuditSummary(TypedDict):
    """`validation/summary.json`: one status per check family, table and suite."""

    passed: bool
    max_severity: str | None
    run: str | None
    problems: list[str]
    warnings: list[str]
    findings: list[Finding]
    settings: dict | None
    pandera: dict[str, dict]
    relations: dict[str, dict]
    schema_changes: list[SchemaProblem]
    quarantined: list[QuarantinedDocument]
    gx: dict[str, dict]
    data_docs: str | None
    report: str


# ---- the manifest (`manifest.json`) ----------------------------------------------------------
class ManifestValidation(TypedDict):
    passed: bool
    max_severity: str | None
    warnings: list[str]
    quarantined: list[str]  # source paths
    settings: dict | None
    report: str
    summary: str
    data_docs: str | None


class ManifestChangelog(TypedDict):
    dir: str
    files: list[str]
    summary: str  # CHANGES.md
    counts: dict[str, dict[str, int]]


class Manifest(TypedDict):
    release_id: str
    layout_version: str
    created_at: str
    fingerprint: str
    predecessor: str | None
    predecessor_manifest_sha256: str | None
    code_version: dict[str, str]  # package version, hash of the source
    heuristics: dict[str, str]
    options: dict
    catalog_sha256: str | None
    inputs: list[dict]
    tables: TablesFacts
    summary: dict
    validation: ManifestValidation
    # Added once the release is assembled, before the manifest is written.
    changelog: NotRequired[ManifestChangelog]
    files: NotRequired[dict[str, dict]]
    # Per shard stage: documents built anew rather than taken from the cache, and why
    # (taikong.runner.rebuild_record); None when the release was assembled without a run.
    rebuilt: NotRequired[dict | None]
