"""Prefect artifacts of a release run: the audit's results and the rows per table."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from taikong.records import AuditReport, TablesFacts
from taikong.validation import failure_summary, warning_summary


def record_artifacts(report: AuditReport, tables: TablesFacts, report_dir: str) -> None:
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
