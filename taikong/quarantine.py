"""One bad document does not stop a release: contract failures confined to a few
documents quarantine those documents, and the rest is audited again and published.

A failed contract or relation check whose failing rows all belong to identified
documents is *document-local* (a span past its document's end, a value outside its
vocabulary); one that is about the table as a whole (a dtype, a key shared across
documents, an unreadable file) is *table-wide* and blocks the release. So does a
document-local failure that touches more documents than the project allows
(`max_quarantine_share` of the documents, and always at least one document).

Quarantined documents keep their failure cases under the release's
`validation/quarantined/` and are listed in the manifest's inputs with the reason
`failed_contract: <check>`. Their rows are left out of every table; a pointer to them
from another document (`near_duplicate_of`, `duplicate_of`) is cleared, since what it
pointed to is not published.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from contracts import TABLES
from contracts.relations import RELATION_CHECKS, rows_of_documents
from taikong.audit_settings import AuditSettings
from taikong.io import ReleaseDir, Staging
from taikong.records import AuditReport, QuarantinedDocument, TablesFacts
from taikong.shard_audit import contracts_of_shards
from taikong.validation import ContractResults, audit_release, check_contracts

QUARANTINE_DIR = "validation/quarantined"
REASON_PREFIX = "failed_contract: "


@dataclass(frozen=True)
class Triage:
    # doc_id -> the checks its rows failed (first one names the reason)
    quarantine: dict[str, list[str]]
    # why quarantining is not enough, beyond the failed checks themselves (too many
    # documents); a table-wide failure blocks through its own critical finding
    blocking: list[str]
    table_wide: bool = False


def triage(contracts: ContractResults, n_documents: int, settings: AuditSettings) -> Triage:
    """Which documents to quarantine, or why the failures block the whole release."""
    quarantine: dict[str, list[str]] = {}
    table_wide = False
    for failed in contracts.failed_checks():
        if failed["table_wide"]:
            table_wide = True
            continue
        for doc_id in failed["doc_ids"]:
            quarantine.setdefault(doc_id, []).append(failed["check"])
    blocking = []
    allowed = max(1, math.floor(settings.max_quarantine_share * n_documents))
    if len(quarantine) > allowed:
        blocking.append(
            f"contract failures in {len(quarantine)} of {n_documents} documents, more than "
            f"the {allowed} that may be quarantined (max_quarantine_share "
            f"{settings.max_quarantine_share}): nothing was quarantined"
        )
    if table_wide or blocking:
        return Triage({}, blocking, table_wide)
    return Triage(quarantine, blocking, table_wide)


def audit_staged(
    staging: Staging,
    inputs: pl.DataFrame,
    tables: TablesFacts,
    previous: ReleaseDir | None,
    run_name: str,
    settings: AuditSettings,
    rewrite_tables: Callable[[frozenset[str]], TablesFacts],
) -> tuple[AuditReport, pl.DataFrame, TablesFacts]:
    """Audit the staged release, quarantining documents whose rows alone broke a contract.

    `rewrite_tables(exclude)` writes the staged tables again without the documents in
    `exclude` and returns their file facts. Returns (report, inputs with their fates,
    table facts) for the release as it will be published.
    """
    release = staging.release
    # The shards' own audits (taikong.shard_audit) plus the checks across documents;
    # the whole-release pass where a staged file is unreadable, and after a quarantine.
    work = staging.work
    contracts = contracts_of_shards(release, work, work.shards("audit_rows"), tables)
    if contracts is None:
        contracts = check_contracts(release)
    n_documents = next(t["rows"] for t in contracts.pandera if t["table"] == "documents")
    decision = triage(contracts, n_documents, settings)
    quarantined: list[QuarantinedDocument] = []
    if decision.quarantine:
        paths = dict(
            inputs.filter(pl.col("doc_id").is_in(list(decision.quarantine)))
            .select("doc_id", "source_path")
            .iter_rows()
        )
        keep_failure_cases(release, contracts, list(decision.quarantine))
        quarantined = [
            {
                "doc_id": doc_id,
                "source_path": paths.get(doc_id, doc_id),
                "reason": REASON_PREFIX + checks[0],
                "checks": checks,
                "failure_cases": QUARANTINE_DIR,
            }
            for doc_id, checks in sorted(decision.quarantine.items())
        ]
        reasons = {q["doc_id"]: q["reason"] for q in quarantined}
        inputs = inputs.with_columns(
            pl.when(pl.col("doc_id").is_in(list(reasons)))
            .then(pl.lit("quarantined"))
            .otherwise(pl.col("fate"))
            .alias("fate"),
            pl.col("doc_id").replace_strict(reasons, default=pl.col("reason")).alias("reason"),
        )
        tables = rewrite_tables(frozenset(decision.quarantine))
        contracts = check_contracts(release)  # a second pass: what is left must pass
    report = audit_release(
        release,
        release,
        tables,
        previous,
        run_name,
        settings=settings,
        contracts=contracts,
        quarantined=quarantined,
        blocking=decision.blocking,
    )
    return report, inputs, tables


def keep_failure_cases(release: ReleaseDir, contracts: ContractResults, doc_ids: list[str]) -> None:
    """Write the quarantined documents' failing rows under QUARANTINE_DIR: pandera's
    failure cases per table, and each failed relation check's violating rows (found
    again on just these documents, so all of them, not only the report's examples)."""
    for table, cases in contracts.cases.items():
        mine = cases.filter(pl.col("doc_id").is_in(doc_ids))
        if mine.height:
            release.put_frame(f"{QUARANTINE_DIR}/{table}.parquet", mine)
    failed = {r["check"] for r in contracts.relations if not r["passed"]}
    subset = rows_of_documents(release.scan_tables(TABLES), pl.col("doc_id").is_in(doc_ids))
    for check in RELATION_CHECKS:
        if check.name in failed:
            rows = check.violations(subset).collect().drop("raw_text", strict=False)
            if rows.height:
                release.put_frame(f"{QUARANTINE_DIR}/relations/{check.name}.parquet", rows)


def without_documents(frame: pl.DataFrame, table: str, exclude: frozenset[str]) -> pl.DataFrame:
    """A staged table's rows without the excluded documents, and without pointers to them."""
    if not exclude or frame.height == 0:
        return frame
    if "doc_id" not in frame.columns:
        # A table across documents (templates) keeps its rows: its counts are those the
        # labels were decided with, quarantined documents included.
        return frame
    ids = list(exclude)
    frame = frame.filter(~pl.col("doc_id").is_in(ids))
    if table == "documents":
        gone = pl.col("near_duplicate_of").is_in(ids)
        frame = frame.with_columns(
            pl.when(gone).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("near_duplicate_of", "near_duplicate_similarity")
        )
    elif table == "paragraphs":
        # paragraph ids start with their document's id ("<doc_id>-p0001").
        gone = pl.col("duplicate_of").str.slice(0, 16).is_in(ids)
        frame = frame.with_columns(
            pl.when(gone).then(None).otherwise(pl.col("duplicate_of")).alias("duplicate_of")
        )
    return frame
