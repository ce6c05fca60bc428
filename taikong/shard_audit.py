"""The audit checks one shard can make alone, run as a pipeline stage (`audit-shard`).

Every per-row contract check and every relation check that compares rows within one
document (`RelationCheck.per_document`) needs only the rows of the documents it looks
at. The `audit-shard` stage makes them on each shard's table rows, typed as the
published files hold them (`contracts.arrow.as_arrow`, the writer's own cast), on the
worker that built the shard; like every stage cached by content, a shard whose rows did
not change is served from the cache, so an added document costs the audit of its shard.

The lead (`contracts_of_shards`) gathers the shards' findings, checks that the staged
files hold exactly the rows the shards audited, and makes only what needs the whole
release: the contract of the tables across documents (templates) and the relation
checks that join on a key across documents (unique keys, foreign keys), on key columns.
The result is the same `ContractResults` a whole-release pass (`check_contracts`) gives.
"""

from __future__ import annotations

import json
from collections import defaultdict

import polars as pl

from contracts import TABLES
from contracts.arrow import arrow_schema, as_arrow
from contracts.relations import RELATION_CHECKS, result_of
from taikong.io import ReleaseDir
from taikong.records import TablesFacts
from taikong.validation import (
    ContractResults,
    contract_result,
    mark_table_wide,
    relations_of,
    validate_batches,
    validate_table,
)

# The tables with one row set per document (the others, templates, span documents).
SHARD_TABLES = tuple(t for t, m in TABLES.items() if "doc_id" in m.to_schema().columns)
CASE_SCHEMA = {
    c: pl.String
    for c in (
        "table",
        "schema_context",
        "column",
        "check",
        "check_number",
        "failure_case",
        "index",
        "doc_id",
    )
}
FAILURE_SCHEMA = {"check": pl.String, "doc_id": pl.String, "row": pl.String}
ROWS_SCHEMA = {"table": pl.String, "rows": pl.Int64}
# The check that the staged files hold the rows the shards audited.
ROWS_AUDITED = "rows_audited"


def audit_shard(
    tables: dict[str, pl.DataFrame],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(contract failure cases, per-document relation violations, rows per table) of one
    shard's table rows; a case's `index` is its row's position in the shard's rows."""
    typed = {t: pl.from_arrow(as_arrow(tables[t], arrow_schema(TABLES[t]))) for t in SHARD_TABLES}
    cases, rows = [], []
    for table, frame in typed.items():
        found, n = validate_batches(table, [frame])
        rows.append({"table": table, "rows": n})
        if found.height:
            cases.append(_case_rows(table, found))
    lazy = {t: f.lazy() for t, f in typed.items()}
    failures = []
    for check in RELATION_CHECKS:
        if check.per_document:
            bad = check.violations(lazy).collect()
            if bad.height:
                failures.append(_failure_rows(check.name, bad))
    return (
        pl.concat(cases, how="vertical") if cases else pl.DataFrame(schema=CASE_SCHEMA),
        pl.concat(failures, how="vertical") if failures else pl.DataFrame(schema=FAILURE_SCHEMA),
        pl.DataFrame(rows, schema=ROWS_SCHEMA),
    )


def _case_rows(table: str, cases: pl.DataFrame) -> pl.DataFrame:
    cases = cases.with_columns(pl.lit(table).alias("table"))
    return cases.select(
        pl.col(c).cast(pl.String) if c in cases.columns else pl.lit(None, pl.String).alias(c)
        for c in CASE_SCHEMA
    )


def _failure_rows(check: str, bad: pl.DataFrame) -> pl.DataFrame:
    """One row per violating row: its document and the row itself as JSON (the report's
    examples), raw text left out."""
    doc_ids = bad["doc_id"] if "doc_id" in bad.columns else pl.Series([None] * bad.height)
    rows = [json.dumps(r, default=str) for r in bad.drop("raw_text", strict=False).to_dicts()]
    return pl.DataFrame(
        {"check": [check] * bad.height, "doc_id": doc_ids.cast(pl.String), "row": rows},
        schema=FAILURE_SCHEMA,
    )


def contracts_of_shards(
    release: ReleaseDir, work, shards: list[int], tables_facts: TablesFacts
) -> ContractResults | None:
    """The release's contract and relation results from its shards' audits (see the
    module docstring) plus the checks across documents, on the staged files; None if a
    staged file cannot be read (the whole-release pass reports it)."""
    offsets: dict[str, int] = defaultdict(int)
    cases: dict[str, list[pl.DataFrame]] = defaultdict(list)
    failures = []
    for shard in shards:
        shard_cases = work.read("contract_cases", shard)
        for table in SHARD_TABLES:
            mine = shard_cases.filter(pl.col("table") == table).drop("table")
            if mine.height:
                index = pl.col("index").cast(pl.Int64) + offsets[table]
                cases[table].append(mine.with_columns(index.cast(pl.String)))
        for table, n in work.read("audit_rows", shard).iter_rows():
            offsets[table] += n
        failures.append(work.read("relation_failures", shard))
    pandera, all_cases = [], {}
    for table in TABLES:
        if table in SHARD_TABLES:
            found = pl.concat(cases[table], how="vertical") if cases[table] else pl.DataFrame()
            staged = tables_facts[table]["rows"]
            if staged != offsets[table]:
                found = pl.concat([found, _rows_mismatch(staged, offsets[table])], how="diagonal")
            result = contract_result(table, offsets[table], found)
        else:
            try:
                result, found = validate_table(release, table)
            except (OSError, pl.exceptions.PolarsError, ValueError):
                return None  # unreadable: the whole-release pass says how
        pandera.append(result)
        if found.height:
            all_cases[table] = found
    per_document = pl.concat(failures, how="vertical")
    try:
        by_name = {r["check"]: r for r in relations_of(release, per_document=False)}
    except (OSError, pl.exceptions.PolarsError, ValueError):
        return None
    for check in RELATION_CHECKS:
        if check.per_document:
            mine = per_document.filter(pl.col("check") == check.name)
            examples = [json.loads(r) for r in mine.sort("row")["row"].head(5)]
            by_name[check.name] = result_of(check, mine["doc_id"], mine.height, examples)
    relations = mark_table_wide([by_name[c.name] for c in RELATION_CHECKS])
    return ContractResults(pandera, relations, all_cases)


def _rows_mismatch(staged: int, audited: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "check": [ROWS_AUDITED],
            "failure_case": [f"{staged} rows staged, {audited} audited by the shards"],
        }
    )
