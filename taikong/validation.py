"""Audit a release: contracts (pandera), cross-table checks, schema evolution, GX suites.

Write-audit-publish: the release flow audits the staged release and publishes only if
every part passed. Invalid rows are never dropped: pandera's failure cases go to
`validation/failure_cases/<table>.parquet` next to the report.

Report files (under a release, or any directory for `taikong validate`):
    validation/report.json          full detail: every check and its failure examples
    validation/summary.json         machine-readable pass/fail per check family and table
    validation/failure_cases/*.parquet
    validation/gx/index.html        Great Expectations Data Docs (renders offline)
"""

from __future__ import annotations

import time

import pandera.errors
import polars as pl

from contracts import TABLES
from contracts.relations import check_relations
from taikong.io.store import ReleaseDir, Staging

MAX_FAILURE_CASES = 50
# Raw characters per bucket of documents for the text-comparing relation checks: their
# joins hold a bucket's document and paragraph texts (~4 bytes per character in all).
RELATION_BUCKET_CHARS = 128_000_000
REPORT = "validation/report.json"
SUMMARY = "validation/summary.json"
DATA_DOCS = "validation/gx/index.html"


def validate_table(release: ReleaseDir, table: str) -> tuple[dict, pl.DataFrame]:
    """Contract check of one table in bounded batches: (result, all failure cases)."""
    model = TABLES[table]
    failures: list[pl.DataFrame] = []
    rows = 0
    for batch in release.iter_table_batches(table):
        rows += batch.height
        try:
            model.validate(batch, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            failures.append(exc.failure_cases.with_columns(pl.all().cast(pl.String)))
        except pandera.errors.SchemaError as exc:
            failures.append(pl.DataFrame({"check": [str(exc.check)], "failure_case": [str(exc)]}))
    cases = pl.concat(failures, how="diagonal") if failures else pl.DataFrame()
    result = {
        "table": table,
        "contract": model.__name__,
        "schema_version": model.__schema_version__,
        "rows": rows,
        "passed": cases.height == 0,
        "n_failure_cases": cases.height,
        "failure_cases": cases.head(MAX_FAILURE_CASES).to_dicts(),
    }
    return result, cases


def _unreadable(table: str, exc: Exception) -> dict:
    return {
        "table": table,
        "contract": TABLES[table].__name__,
        "schema_version": TABLES[table].__schema_version__,
        "rows": 0,
        "passed": False,
        "n_failure_cases": 1,
        "failure_cases": [
            {"check": "readable_parquet", "failure_case": f"{type(exc).__name__}: {exc}"}
        ],
    }


def _relations(release: ReleaseDir) -> list[dict]:
    tables = release.scan_tables(TABLES)
    raw_chars = tables["documents"].select(pl.col("n_chars_raw").sum()).collect().item() or 0
    return check_relations(tables, buckets=max(1, -(-raw_chars // RELATION_BUCKET_CHARS)))


def validate_staged(staging: Staging) -> dict:
    """Contracts and cross-table checks only (no GX, no report files)."""
    tables = [validate_table(staging.release, t)[0] for t in TABLES]
    relations = _relations(staging.release)
    passed = all(t["passed"] for t in tables) and all(r["passed"] for r in relations)
    return {"passed": passed, "pandera": tables, "relations": relations}


def _major(version: str) -> int:
    return int(version.split(".")[0])


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


# Type changes that only widen what a column can hold: readers of the old file keep working.
_WIDENINGS = {("int32", "int64"), ("float", "double"), ("int32", "double"), ("int64", "double")}


def schema_changes(previous: dict | None, current: dict) -> list[dict]:
    """Compare each table's columns with the previous release's manifest.

    An added column (or a widened type) needs at least a minor version bump; a removed,
    renamed or narrowed column fails unless the contract's major version was raised.
    Returns one dict per problem (table, change, detail); empty means compatible.
    """
    problems: list[dict] = []
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
    tables_facts: dict,
    previous_manifest: dict | None,
    run_name: str,
    input_bytes: int | None = None,
    run_gx: bool = True,
) -> dict:
    """Run every audit on `release`; write reports under `report_dir`; return the summary."""
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    pandera_results = []
    unreadable = []
    for table in TABLES:
        try:
            result, cases = validate_table(release, table)
        except (OSError, pl.exceptions.PolarsError, ValueError) as exc:
            # pyarrow's ArrowInvalid is a ValueError: a truncated or foreign file.
            unreadable.append(table)
            result, cases = _unreadable(table, exc), pl.DataFrame()
        pandera_results.append(result)
        if cases.height:
            report_dir.write_parquet(f"validation/failure_cases/{table}.parquet", cases)
    seconds["pandera"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    relations = [] if unreadable else _relations(release)
    seconds["relations"] = round(time.perf_counter() - clock, 3)
    previous_tables = (previous_manifest or {}).get("tables")
    schema = schema_changes(previous_tables, tables_facts)

    gx_summary: dict = {"passed": not unreadable, "skipped": True, "suites": {}}
    if run_gx and not unreadable:
        from taikong.report.expectations import expected_rows
        from taikong.report.gx_audit import run_gx_audit  # GX costs ~6 s to import

        frames = release.scan_tables(TABLES)  # GX reads a projection (see gx_view)
        previous_rows = expected_rows(
            {t: info["rows"] for t, info in (previous_tables or {}).items()},
            published_input_bytes(previous_manifest),
            input_bytes,
        )
        gx_summary = run_gx_audit(
            frames, report_dir.root / "validation" / "gx", previous_rows, run_name=run_name
        )

    passed = (
        all(t["passed"] for t in pandera_results)
        and all(r["passed"] for r in relations)
        and not schema
        and gx_summary["passed"]
    )
    report = {
        "passed": passed,
        "pandera": pandera_results,
        "relations": relations,
        "schema_changes": schema,
        "gx": gx_summary,
        "seconds": {**seconds, **{f"gx_{k}": v for k, v in gx_summary.get("seconds", {}).items()}},
    }
    report_dir.write_json(REPORT, report)
    summary = summarize_audit(report)
    report_dir.write_json(SUMMARY, summary)
    return report


def published_input_bytes(manifest: dict | None) -> int | None:
    if not manifest:
        return None
    return sum(i["n_bytes"] or 0 for i in manifest.get("inputs", []) if i["fate"] == "published")


def summarize_audit(report: dict) -> dict:
    """The machine-readable summary: one status per check family, table and suite."""
    return {
        "passed": report["passed"],
        "problems": failure_summary(report),
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
        "gx": {
            name: {
                "passed": s["passed"],
                "evaluated": s["evaluated"],
                "successful": s["successful"],
            }
            for name, s in report["gx"].get("suites", {}).items()
        },
        "data_docs": DATA_DOCS if report["gx"].get("suites") else None,
        "report": REPORT,
    }


def failure_summary(report: dict) -> list[str]:
    """Human-readable lines naming each failed contract, relation, schema or GX check."""
    lines = []
    for t in report["pandera"]:
        if not t["passed"]:
            checks = sorted({str(c.get("check")) for c in t["failure_cases"]})
            lines.append(
                f"{t['table']}: {t['n_failure_cases']} failure case(s) in {', '.join(checks)}"
            )
    for r in report["relations"]:
        if not r["passed"]:
            lines.append(f"{r['check']}: {r['n_failed']} row(s) violate '{r['description']}'")
    for s in report.get("schema_changes", []):
        lines.append(f"schema of {s['table']}: {s['detail']}")
    for name, suite in report.get("gx", {}).get("suites", {}).items():
        for f in suite["failed"]:
            lines.append(f"gx {name}: {f['expectation']} {f['kwargs']} observed {f['observed']}")
    return lines
