"""Great Expectations suites, checkpoint and offline Data Docs on invented documents."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page, run_in_memory

from taikong.report.expectations import document_quality, gx_view, suite_for
from taikong.report.gx_audit import run_gx_audit


@pytest.fixture(scope="module")
def tables():
    out, _ = run_in_memory(
        {
            "a.txt": news_page("Rocket Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY),
            "b.txt": news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY),
            "c.txt": news_page("Astronauts Complete Spacewalk", "Mar 9, 2024", STATION_BODY),
        }
    )
    return {
        "documents": out.documents,
        "sections": out.sections,
        "paragraphs": out.paragraphs,
        "boilerplate": out.boilerplate,
    }


def test_row_count_band_follows_the_previous_release():
    assert suite_for("paragraphs", None)[0] == ("ExpectTableRowCountToBeBetween", {"min_value": 0})
    name, kwargs = suite_for("paragraphs", {"paragraphs": 100})[0]
    assert kwargs == {"min_value": 0, "max_value": 250}
    _, kwargs = suite_for("paragraphs", {"paragraphs": 1000})[0]
    assert kwargs == {"min_value": 450, "max_value": 2050}


def test_document_quality_view(tables):
    view = document_quality(tables["documents"], tables["paragraphs"], tables["boilerplate"])
    assert view.height == 3
    assert view["has_paragraphs"].all()
    shares = view["boilerplate_share"].to_list()
    assert all(0.2 < s < 0.7 for s in shares), shares  # these pages carry heavy furniture
    assert view["sectioned_share"].null_count() == 3  # news pages have no sections


def test_audit_passes_and_data_docs_render_offline(tables, tmp_path):
    site = tmp_path / "gx"
    summary = run_gx_audit(tables, site, previous_rows=None, run_name="unit")
    assert summary["passed"], json.dumps(summary, indent=1)
    assert set(summary["suites"]) == {*tables, "document_quality"}
    pages = list(site.rglob("*.html"))
    assert (site / "index.html") in pages
    fetched = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=[\"']https?://", re.I)
    for page in pages:
        assert not fetched.search(page.read_text()), page
    assert (site / "static" / "vendor" / "jquery.min.js").exists()


def test_row_count_far_below_the_previous_release_fails(tables, tmp_path):
    summary = run_gx_audit(
        tables, tmp_path / "gx", previous_rows={"paragraphs": 5000}, run_name="unit"
    )
    assert not summary["passed"]
    failed = summary["suites"]["paragraphs"]["failed"]
    assert [f["expectation"] for f in failed] == ["expect_table_row_count_to_be_between"]
    assert failed[0]["observed"] == tables["paragraphs"].height
    assert summary["suites"]["documents"]["passed"]


def test_gx_reads_a_projection_with_text_proxies(tables):
    view = gx_view(tables["paragraphs"].lazy(), "paragraphs")
    assert "text" not in view.columns
    assert {"text_length", "text_hash", "n_chars", "duplicate_of", "kind"} <= set(view.columns)
    assert view["text_length"].to_list() == tables["paragraphs"]["text"].str.len_chars().to_list()
    assert view["text_hash"].n_unique() == tables["paragraphs"]["text"].n_unique()
    # documents' raw text is read by no expectation, so it never reaches pandas
    assert "raw_text" not in gx_view(tables["documents"], "documents").columns


def test_an_overlong_paragraph_fails_through_its_length_proxy(tables, tmp_path):
    long = tables["paragraphs"].with_columns(
        pl.when(pl.int_range(pl.len()) < 2)
        .then(pl.col("text").repeat_by(200).list.join(""))  # far above 5000 characters
        .otherwise(pl.col("text"))
        .alias("text")
    )
    summary = run_gx_audit({**tables, "paragraphs": long}, tmp_path / "gx", run_name="unit")
    failed = summary["suites"]["paragraphs"]["failed"]
    assert [f["kwargs"]["column"] for f in failed] == ["text_length"]


def test_a_table_no_column_check_reads_keeps_its_row_count(tables, tmp_path):
    mentions = pl.DataFrame({"mention_id": [f"m{i}" for i in range(4)]})
    assert gx_view(mentions.lazy(), "mentions").height == 4
    assert gx_view(mentions.head(0), "mentions").height == 0
    summary = run_gx_audit(
        {**tables, "mentions": mentions},
        tmp_path / "gx",
        previous_rows={"mentions": 400},
        run_name="unit",
    )
    failed = summary["suites"]["mentions"]["failed"]
    assert [f["observed"] for f in failed] == [4]  # far below the previous 400: caught
