"""Text from the inputs leaves as text: escaped in Markdown cards and in Data Docs pages."""

from __future__ import annotations

import re

import polars as pl
import pytest
from corpus import LAUNCH_BODY, news_page, run_in_memory

from taikong.audit_settings import AuditSettings
from taikong.report.escape import escape_markdown
from taikong.report.gx_audit import run_gx_audit
from taikong.validation import gx_batches

SCRIPT = "<script>alert(1)</script>"
HANDLER = "<svg/onload=alert(1)>"
IMG = '<img src=x onerror="alert(1)">'
MARKDOWN = (
    "| broken | cell |\n---\nkey: [value\n# Heading `code` *bold* [link](javascript:alert(1))"
)
# The payloads as markup: Data Docs pages have script tags of their own, ours must not be.
RAW_PAYLOADS = re.compile(r"<script>alert|<svg/onload|<img src=x onerror", re.I)


@pytest.mark.parametrize("payload", [SCRIPT, HANDLER, IMG, MARKDOWN])
def test_escape_markdown_leaves_no_markup_and_one_line(payload):
    out = escape_markdown(payload)
    assert "\n" not in out
    assert "<" not in out and ">" not in out
    assert not re.search(r"(?<!\\)[|`*\[\]]", out)  # every table/emphasis/link char escaped


def test_escape_markdown_exact():
    assert escape_markdown("a_b|c <b>&") == r"a\_b\|c &lt;b&gt;&amp;"
    assert escape_markdown(" two\n lines ") == "two lines"


@pytest.mark.slow
def test_data_docs_pages_show_document_text_escaped(tmp_path):
    heading = "Chapter " + HANDLER + " " + "x" * 200  # too long: listed as unexpected
    text = news_page(f"Rocket {SCRIPT} Puts", "Mar 3, 2024", LAUNCH_BODY)
    out, _ = run_in_memory({f"a{IMG}.txt": text})
    sections = pl.DataFrame(
        {
            "section_id": ["s1"],
            "doc_id": [out.documents["doc_id"][0]],
            "heading": [heading],
            "level": [1],
        }
    )
    tables = {
        # Values the suites list when they fail: language codes and a long heading.
        "documents": out.documents.with_columns(pl.lit(HANDLER).alias("language")),
        "sections": sections,
        "paragraphs": out.paragraphs,
        "boilerplate": out.boilerplate,
    }
    site = tmp_path / "gx"
    batches, suites = gx_batches(tables, None, None, AuditSettings())
    # Headings and titles reach GX only as lengths and hashes (gx_view); the language
    # codes are listed as they are when their check fails, so they must be escaped.
    assert "heading" not in batches["sections"].columns
    summary = run_gx_audit(batches, suites, site, run_name="unit")
    assert summary["max_severity"] == "warning"
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    shown = [p for p, html in pages.items() if "&lt;svg/onload=alert(1)&gt;" in html]
    assert shown, "the failing values are listed on a page, escaped"
    for page, html in pages.items():
        assert not RAW_PAYLOADS.search(html), page
