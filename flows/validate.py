"""Validate stage: write the staged tables, audit them (pandera, relations, schema, GX)
and record the results as Prefect artifacts."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows._common import TASK_DEFAULTS
from taikong.audit_settings import AuditSettings
from taikong.io import ReleaseDir, Staging
from taikong.publish import write_tables
from taikong.quarantine import audit_staged
from taikong.validation import failure_summary, warning_summary


@task(name="write-tables", **TASK_DEFAULTS)
def stage_tables(staging: Staging) -> dict:
    return write_tables(staging)


@task(name="audit-release", **TASK_DEFAULTS)
def audit(
    staging: Staging,
    inputs: pl.DataFrame,
    tables: dict,
    previous: ReleaseDir | None,
    run_name: str,
    settings: AuditSettings,
) -> tuple[dict, pl.DataFrame, dict]:
    """(report, inputs with their fates, table facts): documents whose rows alone broke
    a contract are quarantined and the tables rewritten without them."""
    return audit_staged(
        staging,
        inputs,
        tables,
        previous,
        run_name,
        settings,
        rewrite_tables=lambda exclude: write_tables(staging, exclude),
    )


def record_artifacts(report: dict, tables: dict, report_dir: str) -> None:
    """Keyed artifacts, so successive runs form a history in the Prefect UI."""
    status = (
        "FAILED"
        if not report["passed"]
        else ("passed with warnings" if report.get("max_severity") else "passed")
    )
    lines = [
        f"# Taikong release audit: {status}",
        "",
        f"Report: `{report_dir}/validation/report.json` · "
        f"Data Docs: [validation/gx/index.html](file://{report_dir}/validation/gx/index.html)",
        "",
        "| check | table / suite | result |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| pandera | {t['table']} | {'pass' if t['passed'] else 'FAIL'} |"
        for t in report["pandera"]
    ]
    failed_relations = [r for r in report["relations"] if not r["passed"]]
    lines.append(
        f"| relations | {len(report['relations'])} checks | "
        f"{'pass' if not failed_relations else f'{len(failed_relations)} FAIL'} |"
    )
    lines += [
        f"| great expectations | {name} | {s['successful']}/{s['evaluated']} {s['status']} |"
        for name, s in report["gx"].get("suites", {}).items()
    ]
    problems = failure_summary(report)
    if problems:
        lines += ["", "## Problems (critical: nothing published)", *[f"- {p}" for p in problems]]
    warnings = warning_summary(report)
    if warnings:
        lines += ["", "## Warnings (published)", *[f"- {w}" for w in warnings]]
    create_markdown_artifact(
        key="taikong-audit", markdown="\n".join(lines), description=f"Release audit: {status}"
    )
    create_table_artifact(
        key="taikong-table-counts",
        table=[
            {
                "table": name,
                "rows": info["rows"],
                "bytes": info["bytes"],
                "schema_version": info["schema_version"],
            }
            for name, info in tables.items()
        ],
        description="Rows per table in this run's release",
    )
