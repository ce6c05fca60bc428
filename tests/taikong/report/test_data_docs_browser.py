"""Open the Data Docs in headless Chromium, with every network lookup refused, and read
each suite's status from the rendered page (the table is built by JavaScript)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, news_page, run_in_memory

from taikong.audit_settings import AuditSettings
from taikong.report.gx_audit import run_gx_audit
from taikong.validation import gx_batches

CHROMIUM = shutil.which("chromium")

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install Debian's chromium (see .ci/run)", pytrace=False)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


def rendered_dom(page: Path, profile: Path) -> str:
    """The DOM after scripts ran, with DNS answering nothing: an offline browser."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def status_rows(dom: str) -> dict[str, str]:
    """Suite name -> 'passed'/'warning'/'failed' from the rendered validation results table."""
    rows = {}
    for match in re.finditer(r"<tr[^>]*data-index[^>]*>(.*?)</tr>", dom, re.S):
        cells = match.group(1)
        link = re.search(r'href="expectations/([\w.-]+)\.html"', cells)
        if link is None or "ge-index-page-table-validation-links-item" not in cells:
            continue
        if "fa-check-circle" in cells:
            rows[link.group(1)] = "passed"
        elif "fa-exclamation-triangle" in cells:
            rows[link.group(1)] = "warning"
        elif "fa-times" in cells:
            rows[link.group(1)] = "failed"
    return rows


def test_every_suite_is_listed_with_its_status(tmp_path):
    tables, _ = run_in_memory(
        {
            "a.txt": news_page("Rocket Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY),
            "b.txt": news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY),
        }
    )
    frames = {
        "documents": tables.documents,
        "sections": tables.sections,
        "paragraphs": tables.paragraphs,
        "boilerplate": tables.boilerplate,
    }
    # The previous release had twice the paragraphs for the same documents (a warning),
    # and the project made short texts blocking (a critical failure).
    previous = frames["documents"].with_columns(pl.col("n_paragraphs") * 2)
    settings = AuditSettings(severity={"documents.enough_text": "critical"})
    short = frames["documents"].with_columns(n_chars_clean=pl.lit(10, pl.Int64))
    batches, suites = gx_batches({**frames, "documents": short}, previous.lazy(), None, settings)
    summary = run_gx_audit(
        batches, suites, tmp_path / "gx", run_name="browser", title="Taikong release X"
    )
    expected = {name: s["status"] for name, s in summary["suites"].items()}
    assert expected["row_counts"] == "warning" and expected["documents"] == "failed"
    assert expected["paragraphs"] == "passed"

    # The index lists 10 suites per page: show them all.
    index = tmp_path / "gx" / "index.html"
    index.write_text(index.read_text().replace("'pagination': 'true'", "'pagination': 'false'"))
    dom = rendered_dom(index, tmp_path / "profile")
    assert status_rows(dom) == expected
    assert "Taikong release X" in dom
    # The page's own stylesheet and icon font were loaded from the vendored copies.
    assert "bootstrap-table" in dom and "fixed-table-body" in dom
