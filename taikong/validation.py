"""Audit a staged release: every table against its contract, then the cross-table checks.

Invalid rows are never dropped: failure cases go into the report next to the data.
"""

from __future__ import annotations

import pandera.errors
import polars as pl

from contracts import TABLES
from contracts.relations import check_relations
from taikong.io.store import Staging

MAX_FAILURE_CASES = 50


def validate_table(staging: Staging, table: str) -> dict:
    model = TABLES[table]
    failures: list[pl.DataFrame] = []
    rows = 0
    for batch in staging.iter_table_batches(table):
        rows += batch.height
        try:
            model.validate(batch, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            failures.append(exc.failure_cases.with_columns(pl.all().cast(pl.String)))
        except pandera.errors.SchemaError as exc:
            failures.append(pl.DataFrame({"check": [str(exc.check)], "failure_case": [str(exc)]}))
    cases = pl.concat(failures, how="diagonal") if failures else pl.DataFrame()
    return {
        "table": table,
        "contract": model.__name__,
        "rows": rows,
        "passed": cases.height == 0,
        "n_failure_cases": cases.height,
        "failure_cases": cases.head(MAX_FAILURE_CASES).to_dicts(),
    }


def validate_staged(staging: Staging) -> dict:
    tables = [validate_table(staging, t) for t in TABLES]
    relations = check_relations(staging.scan_tables(TABLES))
    passed = all(t["passed"] for t in tables) and all(r["passed"] for r in relations)
    return {"passed": passed, "pandera": tables, "relations": relations}


def failure_summary(report: dict) -> list[str]:
    """Human-readable lines naming each failed contract or relation check."""
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
    return lines
