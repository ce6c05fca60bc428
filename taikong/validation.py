"""Audit a release: contracts (pandera), cross-table checks, schema evolution, GX suites.

Write-audit-publish: the release flow audits the staged release and publishes unless a
`critical` check failed. Contracts, relations, keys and schema evolution are critical;
the Great Expectations data suites are `warning` unless the project says otherwise
(`taikong.audit_settings`): a release with warnings is published and says what it saw.
Invalid rows are never dropped: pandera's failure cases go to
`validation/failure_cases/<table>.parquet` next to the report, and documents whose rows
alone broke a contract are quarantined whole (`taikong.quarantine`).

Report files (under a release, or any directory for `taikong validate`):
    validation/report.json          full detail: every check and its failure examples
    validation/summary.json         status per check family, table and suite; findings
    validation/failure_cases/*.parquet
    validation/gx/index.html        Great Expectations Data Docs (renders offline)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandera.errors
import polars as pl

from contracts import TABLES
from contracts.relations import RELATION_CHECKS, check_relations
from taikong.audit_settings import AuditSettings
from taikong.io import MANIFEST, ReleaseDir, spilled_buckets
from taikong.records import (
    AuditReport,
    AuditSummary,
    ContractResult,
    FailedCheck,
    Finding,
    QuarantinedDocument,
    RelationResult,
    SchemaProblem,
    TablesFacts,
)
from taikong.vocabulary import Severity

if TYPE_CHECKING:
    from taikong.report.expectations import ViewsOnDemand

MAX_FAILURE_CASES = 50
MAX_EXAMPLES = 5
# Raw characters per bucket of documents for the per-document relation checks: a
# bucket's rows of every table are held at once (~4 bytes per raw character), and the
# text-comparing joins take about as much again.
RELATION_BUCKET_CHARS = 16_000_000
# Rows of the largest table per bucket of key hashes for the key checks (unique keys,
# foreign keys): a bucket's keys are held in a join or group-by (~60 bytes per row).
RELATION_BUCKET_ROWS = 1_000_000
REPORT = "validation/report.json"
SUMMARY = "validation/summary.json"
DATA_DOCS = "validation/gx/index.html"
CRITICAL, WARNING = Severity.CRITICAL, Severity.WARNING

# pandera checks that compare rows with each other or the file's shape with the
# contract: a failure is the table's, not one document's.
TABLE_WIDE_CHECKS = ("field_uniqueness", "multiple_fields_uniqueness", "dtype", "column_in_")


@dataclass
class ContractResults:
    """Pandera and cross-table results of one pass over a release."""

    pandera: list[ContractResult]
    relations: list[RelationResult]
    cases: dict[str, pl.DataFrame] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def failed_checks(self) -> list[FailedCheck]:
        """Every failed contract or relation check: name, documents, table-wide?"""
        failed = [c for t in self.pandera for c in t["failed_checks"]]
        failed += [
            {
                "check": r["check"],
                "table": r["table"],
                "failed_rows": r["n_failed"],
                "doc_ids": r["doc_ids"],
                "table_wide": r["table_wide"],
            }
            for r in self.relations
            if not r["passed"]
        ]
        return failed


def validate_table(release: ReleaseDir, table: str) -> tuple[ContractResult, pl.DataFrame]:
    """Contract check of one table in bounded batches: (result, all failure cases).

    Each failure case carries the doc_id of its row (null for a failure of the table as
    a whole, such as a wrong dtype), so that a failure confined to a few documents can
    quarantine them instead of the release.
    """
    cases, rows = validate_batches(table, release.iter_table_batches(table))
    return contract_result(table, rows, cases), cases


def validate_batches(table: str, batches: Iterable[pl.DataFrame]) -> tuple[pl.DataFrame, int]:
    """(failure cases, rows) of the table's contract over `batches`; a case's `index` is
    its row's position over all the batches."""
    model = TABLES[table]
    failures: list[pl.DataFrame] = []
    rows = 0
    for batch in batches:
        try:
            model.validate(batch, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            failures.append(_with_doc_ids(exc.failure_cases, batch, rows))
        except pandera.errors.SchemaError as exc:
            failures.append(
                pl.DataFrame(
                    {"check": [str(exc.check)], "failure_case": [str(exc)]},
                    schema={"check": pl.String, "failure_case": pl.String},
                )
            )
        rows += batch.height
    return (pl.concat(failures, how="diagonal") if failures else pl.DataFrame()), rows


def contract_result(table: str, rows: int, cases: pl.DataFrame) -> ContractResult:
    model = TABLES[table]
    return {
        "table": table,
        "contract": model.__name__,
        "schema_version": model.__schema_version__,
        "rows": rows,
        "passed": cases.height == 0,
        "n_failure_cases": cases.height,
        "failed_checks": _failed_checks(table, cases),
        "failure_cases": cases.head(MAX_FAILURE_CASES).to_dicts(),
    }


def _with_doc_ids(cases: pl.DataFrame, batch: pl.DataFrame, offset: int) -> pl.DataFrame:
    cases = cases.with_columns(pl.all().cast(pl.String))
    if "index" not in cases.columns or "doc_id" not in batch.columns:
        return cases
    index = cases["index"].cast(pl.Int64)
    in_batch = index.is_not_null() & (index < batch.height)
    doc_ids = [
        batch["doc_id"][i] if ok else None
        for i, ok in zip(index.fill_null(0).to_list(), in_batch.to_list(), strict=True)
    ]
    return cases.with_columns(
        pl.Series("doc_id", doc_ids, dtype=pl.String),
        (index + offset).cast(pl.String).alias("index"),
    )


def _failed_checks(table: str, cases: pl.DataFrame) -> list[FailedCheck]:
    if cases.height == 0:
        return []
    if "column" not in cases.columns:
        cases = cases.with_columns(pl.lit(None, pl.String).alias("column"))
    if "doc_id" not in cases.columns:
        cases = cases.with_columns(pl.lit(None, pl.String).alias("doc_id"))
    if "schema_context" not in cases.columns:
        cases = cases.with_columns(pl.lit(None, pl.String).alias("schema_context"))
    # A check of the whole frame names the model in `column`: its name is the check's.
    cases = cases.with_columns(
        pl.when(pl.col("schema_context") == "DataFrameSchema")
        .then(None)
        .otherwise(pl.col("column"))
        .alias("column")
    )
    out: list[FailedCheck] = []
    for (column, check), group in cases.group_by("column", "check", maintain_order=True):
        name = f"{column}: {check}" if column else str(check)
        table_wide = str(check).startswith(TABLE_WIDE_CHECKS) or group["doc_id"].is_null().any()
        out.append(
            {
                "check": f"{table}.{name}",
                "table": table,
                "failed_rows": group.height,
                "doc_ids": sorted(group["doc_id"].drop_nulls().unique().to_list()),
                "table_wide": bool(table_wide),
                "examples": group.head(MAX_EXAMPLES).to_dicts(),
            }
        )
    return out


def _unreadable(table: str, exc: Exception) -> ContractResult:
    return {
        "table": table,
        "contract": TABLES[table].__name__,
        "schema_version": TABLES[table].__schema_version__,
        "rows": 0,
        "passed": False,
        "n_failure_cases": 1,
        "failed_checks": [
            {
                "check": f"{table}.readable_parquet",
                "table": table,
                "failed_rows": 0,
                "doc_ids": [],
                "table_wide": True,
                "examples": [],
            }
        ],
        "failure_cases": [
            {"check": "readable_parquet", "failure_case": f"{type(exc).__name__}: {exc}"}
        ],
    }


def relations_of(release: ReleaseDir, per_document: bool = True) -> list[RelationResult]:
    """Every relation check on the staged files, or with `per_document=False` only those
    across documents (the rest made per shard: taikong.shard_audit)."""
    tables = release.scan_tables(TABLES)
    rows = max(frame.select(pl.len()).collect().item() for frame in tables.values())
    key_buckets = max(1, -(-rows // RELATION_BUCKET_ROWS))
    raw_chars = 0
    if per_document:
        raw_chars = tables["documents"].select(pl.col("n_chars_raw").sum()).collect().item() or 0
    buckets = max(1, -(-raw_chars // RELATION_BUCKET_CHARS))
    if buckets == 1:
        results = check_relations(tables, key_buckets=key_buckets, per_document=per_document)
    else:
        # Split once on disk: filtering the tables per bucket would read them all again
        # for every bucket.
        # by document; a table across documents (templates) is given whole to every bucket.
        by_doc = [t for t in TABLES if "doc_id" in tables[t].collect_schema().names()]
        whole = {t: tables[t] for t in TABLES if t not in by_doc}
        with spilled_buckets(release, by_doc, "doc_id", buckets) as spilled:
            results = check_relations(
                tables,
                buckets=buckets,
                key_buckets=key_buckets,
                bucket_tables=lambda b: spilled(b) | whole,
            )
    return mark_table_wide(results)


def mark_table_wide(results: list[RelationResult]) -> list[RelationResult]:
    """A failure of a check that compares rows within one document belongs to the
    documents its rows are in; one across documents (a key) belongs to the table."""
    per_document = {c.name for c in RELATION_CHECKS if c.per_document}
    for r in results:
        r["table_wide"] = r["check"] not in per_document or not r["doc_ids"]
    return results


def check_contracts(release: ReleaseDir, report_dir: ReleaseDir | None = None) -> ContractResults:
    """Every pandera contract and cross-table check; failure cases written if asked."""
    pandera_results, cases, unreadable = [], {}, []
    for table in TABLES:
        try:
            result, table_cases = validate_table(release, table)
        except (OSError, pl.exceptions.PolarsError, ValueError) as exc:
            # pyarrow's ArrowInvalid is a ValueError: a truncated or foreign file.
            unreadable.append(table)
            result, table_cases = _unreadable(table, exc), pl.DataFrame()
        pandera_results.append(result)
        if table_cases.height:
            cases[table] = table_cases
            if report_dir is not None:
                report_dir.put_frame(f"validation/failure_cases/{table}.parquet", table_cases)
    relations = [] if unreadable else relations_of(release)
    return ContractResults(pandera_results, relations, cases, unreadable)


def _major(version: str) -> int:
    return int(version.split(".")[0])


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


# Type changes that only widen what a column can hold: readers of the old file keep working.
_WIDENINGS = {("int32", "int64"), ("float", "double"), ("int32", "double"), ("int64", "double")}


def schema_changes(previous: TablesFacts | None, current: TablesFacts) -> list[SchemaProblem]:
    """Compare each table's columns with the previous release's manifest.

    An added column (or a widened type) needs at least a minor version bump; a removed,
    renamed, narrowed or reordered column fails unless the contract's major version was
    raised.
    Returns one dict per problem (table, change, detail); empty means compatible.
    """
    problems: list[SchemaProblem] = []
    if not previous:
        return problems
    for table, prev in previous.items():
        if table not in current:
            problems.append({"table": table, "change": "table_removed", "detail": "table is gone"})
            continue
        if "columns" not in prev:
            continue  # releases before schema tracking carry no column list
        cur = current[table]
        old_cols = {c[0]: c for c in prev["columns"]}
        new_cols = {c[0]: c for c in cur["columns"]}
        breaking, additive = [], []
        for name, (_, old_type, old_null) in old_cols.items():
            if name not in new_cols:
                breaking.append(f"column {name} removed or renamed")
                continue
            _, new_type, new_null = new_cols[name]
            if old_type != new_type:
                target = additive if (old_type, new_type) in _WIDENINGS else breaking
                target.append(f"column {name} type {old_type} -> {new_type}")
            if old_null and not new_null:
                additive.append(f"column {name} no longer nullable")
            elif not old_null and new_null:
                breaking.append(f"column {name} became nullable")
        additive += [f"column {n} added" for n in new_cols if n not in old_cols]
        # Column order is part of the published schema (readers may select by position).
        kept_old = [n for n in old_cols if n in new_cols]
        kept_new = [n for n in new_cols if n in old_cols]
        if kept_old != kept_new:
            breaking.append(f"columns reordered ({', '.join(kept_new)})")
        old_v, new_v = prev.get("schema_version", "1.0.0"), cur["schema_version"]
        if breaking and _major(new_v) <= _major(old_v):
            problems.append(
                {
                    "table": table,
                    "change": "breaking",
                    "detail": f"{'; '.join(breaking)} without a major version bump "
                    f"({old_v} -> {new_v})",
                }
            )
        elif additive and not breaking and _version_tuple(new_v) <= _version_tuple(old_v):
            problems.append(
                {
                    "table": table,
                    "change": "additive",
                    "detail": f"{'; '.join(additive)} without a minor version bump "
                    f"({old_v} -> {new_v})",
                }
            )
    return problems


def audit_release(
    release: ReleaseDir,
    report_dir: ReleaseDir,
    tables_facts: TablesFacts,
    previous: ReleaseDir | None,
    run_name: str,
    settings: AuditSettings | None = None,
    contracts: ContractResults | None = None,
    quarantined: list[QuarantinedDocument] | None = None,
    blocking: list[str] | None = None,
    run_gx: bool = True,
) -> AuditReport:
    """Run every audit on `release`; write reports under `report_dir`; return the report.

    `previous` is the release this one follows (schema evolution, row counts for the
    same documents); `contracts` the pandera and relation results if already computed
    (the quarantine pass computes them); `quarantined` the documents that pass removed.
    The report passes unless a critical check failed.
    """
    settings = settings or AuditSettings()
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    if contracts is None:
        contracts = check_contracts(release, report_dir)
    else:
        for table, cases in contracts.cases.items():
            report_dir.put_frame(f"validation/failure_cases/{table}.parquet", cases)
    seconds["contracts"] = round(time.perf_counter() - clock, 3)
    previous_manifest = previous.read_json(MANIFEST) if previous else None
    schema = schema_changes((previous_manifest or {}).get("tables"), tables_facts)

    names = _document_names(release, quarantined or [])
    gx_summary: dict = {"passed": True, "skipped": True, "suites": {}}
    if run_gx and not contracts.unreadable:
        gx_summary = _run_gx(release, report_dir, previous, contracts, run_name, settings)
    report: AuditReport = {  # findings, passed and max_severity follow from the rest
        "passed": False,
        "run": run_name,
        "settings": settings.record(),
        "pandera": contracts.pandera,
        "relations": contracts.relations,
        "schema_changes": schema,
        "quarantined": quarantined or [],
        "blocking": blocking or [],
        "gx": gx_summary,
        "seconds": {**seconds, **{f"gx_{k}": v for k, v in gx_summary.get("seconds", {}).items()}},
        "findings": [],
        "max_severity": None,
    }
    report["findings"] = findings(report, names, settings)
    report["passed"] = not any(f["severity"] == CRITICAL for f in report["findings"])
    report["max_severity"] = (
        CRITICAL if not report["passed"] else (WARNING if report["findings"] else None)
    )
    write_reports(report_dir, report)
    return report


def write_reports(report_dir: ReleaseDir, report: AuditReport) -> None:
    from taikong.report.gx_audit import jsonable

    # Strict JSON (no NaN): the files must parse.
    report_dir.put_json(REPORT, jsonable(report))
    report_dir.put_json(SUMMARY, jsonable(summarize_audit(report)))


def _run_gx(
    release: ReleaseDir,
    report_dir: ReleaseDir,
    previous: ReleaseDir | None,
    contracts: ContractResults,
    run_name: str,
    settings: AuditSettings,
) -> dict:
    from taikong.report.gx_audit import run_gx_audit  # GX costs ~6 s to import

    previous_documents = previous.scan_tables(["documents"])["documents"] if previous else None
    batches, suites = gx_batches(
        release.scan_tables(TABLES),
        previous_documents,
        contracts,
        settings,
        read=lambda table, columns: release.iter_table_batches(table, columns=columns),
    )
    return run_gx_audit(
        batches,
        suites,
        report_dir.root / "validation" / "gx",
        run_name=run_name,
        title=f"Taikong audit · run {run_name}",
    )


def gx_batches(
    frames: dict[str, pl.DataFrame | pl.LazyFrame],
    previous_documents: pl.LazyFrame | None,
    contracts: ContractResults | None,
    settings: AuditSettings,
    read: Callable[[str, list[str]], Iterable[pl.DataFrame]] | None = None,
) -> tuple[ViewsOnDemand, dict[str, list]]:
    """What GX validates: each suite's batch (a projection of a table, a derived view,
    or a table of contract results) and the suites, graded by the project settings.
    A batch is built when it is read (`ViewsOnDemand`), one at a time.

    `read(table, columns)`: the table's columns in bounded batches (a release's files),
    so that a view derived from text holds the text a batch at a time."""
    from taikong.report.expectations import (
        RELATIONS_EXPECTATION,
        ViewsOnDemand,
        contract_expectation,
        data_suites,
        document_quality,
        gx_view,
        gx_view_batches,
        row_counts,
    )

    lazy = {t: f.lazy() for t, f in frames.items()}
    suites = data_suites(settings.severity_of)

    def table_view(t: str) -> Callable[[], Iterable[pl.DataFrame]]:
        if read is None:
            return lambda: [gx_view(lazy[t], t)]
        schema = lazy[t].collect_schema()
        return lambda: gx_view_batches(lambda columns: read(t, columns), schema, t)

    builders: dict[str, Callable[[], Iterable[pl.DataFrame]]] = {
        t: table_view(t) for t in suites if t in lazy
    }
    builders["document_quality"] = lambda: [
        gx_view(
            document_quality(lazy["documents"], lazy["paragraphs"], lazy["boilerplate"]),
            "document_quality",
        )
    ]
    builders["row_counts"] = lambda: [row_counts(lazy["documents"], previous_documents)]
    if contracts is not None:
        for t in contracts.pandera:
            suites[f"contract.{t['table']}"] = [contract_expectation(t["table"])]
            builders[f"contract.{t['table']}"] = lambda t=t: [contract_view(t)]
        suites["relations"] = [RELATIONS_EXPECTATION]

        def relations() -> list[pl.DataFrame]:
            docs = lazy["documents"].select("doc_id", "source_path").collect()
            return [relations_view(contracts.relations, dict(docs.iter_rows()))]

        builders["relations"] = relations
    batches = ViewsOnDemand(builders)
    return batches, {name: suite for name, suite in suites.items() if name in batches}


def contract_view(result: ContractResult) -> pl.DataFrame:
    """One row per check of a table's pandera contract: its name, failing rows and a few
    failure examples (escaped for the Data Docs by gx_audit.escape_stored_results)."""

    model = TABLES[result["table"]]
    schema = model.to_schema()
    names: list[str] = []
    for column, spec in schema.columns.items():
        names.append(f"{column}: dtype('{spec.dtype}')")
        if not spec.nullable:
            names.append(f"{column}: not_nullable")
        if spec.unique:
            names.append(f"{column}: field_uniqueness")
        names += [f"{column}: {check.name}" for check in spec.checks]
    names += [str(check.name) for check in schema.checks]

    # pandera names a failed check with its arguments ("isin([...])"): match on the name.
    def key(name: str) -> str:
        return name.split("(")[0]

    failed = {key(c["check"].split(".", 1)[1]): c for c in result["failed_checks"]}
    declared = {key(n): n for n in names}
    rows = []
    for k in dict.fromkeys([*declared, *failed]):  # declared checks, then any other failure
        hit = failed.get(k)
        examples = "; ".join(
            str(e.get("failure_case"))[:120] for e in (hit or {}).get("examples", [])
        )
        rows.append(
            {
                "check": declared.get(k) or hit["check"].split(".", 1)[1],
                "failed_rows": hit["failed_rows"] if hit else 0,
                "examples": examples,
            }
        )
    return pl.DataFrame(rows, schema=_CHECK_VIEW_SCHEMA)


_CHECK_VIEW_SCHEMA = {"check": pl.String, "failed_rows": pl.Int64, "examples": pl.String}


# The columns that locate a failing row: its ids and its spans.
_LOCATING = ("_id", "raw_start", "raw_end", "char_start", "char_end", "line_no", "seq")


def _located(row: dict) -> str:
    keep = {k: v for k, v in row.items() if k.endswith(_LOCATING) and v is not None}
    return ", ".join(f"{k}={v}" for k, v in keep.items())


def relations_view(relations: list[RelationResult], names: dict[str, str]) -> pl.DataFrame:
    """One row per cross-table check: failing rows, their documents by source_path and
    where a few of them are (escaped: see contract_view)."""

    rows = [
        {
            "check": r["check"],
            "failed_rows": r["n_failed"],
            "documents": ", ".join(_paths(r["doc_ids"], names)),
            "examples": "; ".join(_located(e) for e in r["examples"][:3]),
        }
        for r in relations
    ]
    return pl.DataFrame(
        rows,
        schema={
            "check": pl.String,
            "failed_rows": pl.Int64,
            "documents": pl.String,
            "examples": pl.String,
        },
    )


def _document_names(release: ReleaseDir, quarantined: list[QuarantinedDocument]) -> dict[str, str]:
    """doc_id -> source_path, for naming the documents behind a finding."""
    try:
        docs = release.read_table("documents", columns=["doc_id", "source_path"])
        names = dict(zip(docs["doc_id"].to_list(), docs["source_path"].to_list(), strict=True))
    except (OSError, pl.exceptions.PolarsError, ValueError):
        names = {}
    names.update({q["doc_id"]: q["source_path"] for q in quarantined})
    return names


def _paths(doc_ids, names: dict[str, str]) -> list[str]:
    seen = list(dict.fromkeys(names.get(d, d) for d in doc_ids if d))
    return seen[:MAX_EXAMPLES]


def _listing(paths: list[str], total: int) -> str:
    if not paths:
        return ""
    more = f" and {total - len(paths)} more" if total > len(paths) else ""
    return ": " + ", ".join(paths) + more


def findings(report: AuditReport, names: dict[str, str], settings: AuditSettings) -> list[Finding]:
    """Every failed or warned check, with what was seen: the observed value, the counts
    behind it and up to five documents by source_path. Critical findings block."""
    out: list[Finding] = []

    def add(check, severity, message, **facts):
        out.append({"check": check, "severity": severity, "message": message, **facts})

    def in_documents(doc_ids: list[str], paths: list[str]) -> str:
        return f" in {len(doc_ids)} document(s){_listing(paths, len(doc_ids))}"

    for t in report["pandera"]:
        for c in t["failed_checks"]:
            paths = _paths(c["doc_ids"], names)
            where = in_documents(c["doc_ids"], paths) if c["doc_ids"] else " (the table as a whole)"
            add(
                c["check"],
                CRITICAL,
                f"contract {c['check']}: {c['failed_rows']} of {t['rows']} row(s) fail{where}",
                failed_rows=c["failed_rows"],
                rows=t["rows"],
                documents=paths,
            )
    for r in report["relations"]:
        if not r["passed"]:
            paths = _paths(r["doc_ids"], names)
            add(
                r["check"],
                CRITICAL,
                f"{r['check']}: {r['n_failed']} row(s) violate '{r['description']}'"
                + (in_documents(r["doc_ids"], paths) if r["doc_ids"] else ""),
                failed_rows=r["n_failed"],
                documents=paths,
            )
    for s in report["schema_changes"]:
        add(f"schema.{s['table']}", CRITICAL, f"schema of {s['table']}: {s['detail']}")
    for reason in report.get("blocking", []):
        add("quarantine.too_many_documents", CRITICAL, reason)
    for q in report["quarantined"]:
        add(
            "quarantine.failed_contract",
            WARNING,
            f"quarantined {q['source_path']}: {q['reason']} (its rows alone broke the "
            f"contract; failure cases in {q['failure_cases']})",
            documents=[q["source_path"]],
        )
    for suite, result in report["gx"].get("suites", {}).items():
        if suite == "relations" or suite.startswith("contract."):
            continue  # reported above from the pandera and relation results themselves
        for check in result["checks"]:
            if not check["success"]:
                add(
                    check["id"],
                    check["severity"],
                    describe_expectation(suite, check, names, settings),
                    observed=check["observed"],
                    evaluated=_sample(check),
                    unexpected=check["unexpected_count"],
                    documents=_paths(
                        [e.get("doc_id") for e in check["examples"] if isinstance(e, dict)], names
                    ),
                )
    return out


def _sample(check: dict) -> int | None:
    n = check.get("element_count")
    if n is None:
        return None
    return n - (check.get("missing_count") or 0)


def describe_expectation(suite: str, check: dict, names: dict[str, str], settings) -> str:
    """`documents.title_present (warning): title is null in 2 of 5 documents (40 %;
    expected: at least 80 % of documents have a title) — small sample: …: a.txt, b.txt`."""
    from taikong.report.expectations import ROW_NOUNS

    noun = ROW_NOUNS.get(suite, "rows")
    head = f"{check['id']} ({check['severity']})"
    n, bad = _sample(check), check.get("unexpected_count")
    if suite == "row_counts":
        tables = ", ".join(str(e.get("table")) for e in check["examples"] if isinstance(e, dict))
        return (
            f"{head}: rows changed beyond the band for the same documents in {tables} "
            f"(expected: {check['says']}; see row_counts in the report)"
        )
    if n is not None and bad is not None:
        share = f"{100 * bad / n:.0f} %" if n else "n/a"
        text = (
            f"{head}: {check['failing']} in {bad} of {n} {noun} "
            f"({share}; expected: {check['says']})"
        )
        if check["is_rate"] and n < settings.small_sample:
            text += f" — small sample ({n} {noun}): the share is indicative only"
        doc_ids = [e.get("doc_id") for e in check["examples"] if isinstance(e, dict)]
        paths = _paths(doc_ids, names)
        return text + _listing(
            paths, bad if suite in ("documents", "document_quality") else len(paths)
        )
    return f"{head}: {check['failing']} is {check['observed']} (expected: {check['says']})"


def summarize_audit(report: AuditReport) -> AuditSummary:
    """The machine-readable summary: one status per check family, table and suite, and
    every finding with what was seen."""
    return {
        "passed": report["passed"],
        "max_severity": report.get("max_severity"),
        "run": report.get("run"),
        "problems": failure_summary(report),
        "warnings": warning_summary(report),
        "findings": report.get("findings", []),
        "settings": report.get("settings"),
        "pandera": {
            t["table"]: {
                "passed": t["passed"],
                "rows": t["rows"],
                "failure_cases": t["n_failure_cases"],
            }
            for t in report["pandera"]
        },
        "relations": {
            r["check"]: {"passed": r["passed"], "failed_rows": r["n_failed"]}
            for r in report["relations"]
        },
        "schema_changes": report["schema_changes"],
        "quarantined": report.get("quarantined", []),
        "gx": {
            name: {
                "status": s["status"],
                "passed": s["passed"],
                "evaluated": s["evaluated"],
                "successful": s["successful"],
            }
            for name, s in report["gx"].get("suites", {}).items()
        },
        "data_docs": DATA_DOCS if report["gx"].get("suites") else None,
        "report": REPORT,
    }


def failure_summary(report: AuditReport | dict) -> list[str]:
    """One line per critical finding: why the release was (or would be) rejected."""
    return [f["message"] for f in report.get("findings", []) if f["severity"] == CRITICAL]


def warning_summary(report: AuditReport | dict) -> list[str]:
    """One line per warning: published, but worth a look."""
    return [f["message"] for f in report.get("findings", []) if f["severity"] == WARNING]
