"""Great Expectations suites, severities, checkpoint and offline Data Docs on invented
documents (no Prefect)."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page, run_in_memory

from taikong.audit_settings import AuditSettings
from taikong.report.expectations import (
    DATA_SUITES,
    ROW_RATIO_LOW,
    document_quality,
    gx_view,
    gx_view_of_batches,
    row_counts,
    view_sources,
)
from taikong.report.gx_audit import jsonable, run_gx_audit
from taikong.validation import gx_batches

# Great Expectations takes ~8 s to import and ~1 s per audit.
pytestmark = pytest.mark.slow


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


def audit(tables, site, settings=None, previous_documents=None):
    batches, suites = gx_batches(tables, previous_documents, None, settings or AuditSettings())
    return run_gx_audit(batches, suites, site, run_name="unit", title="unit <run>")


def check(summary, check_id):
    suite = check_id.split(".")[0]
    return next(c for c in summary["suites"][suite]["checks"] if c["id"] == check_id)


def test_document_quality_view(tables):
    view = document_quality(tables["documents"], tables["paragraphs"], tables["boilerplate"])
    assert view.height == 3
    assert view["has_paragraphs"].all()
    shares = view["boilerplate_share"].to_list()
    assert all(0.2 < s < 0.7 for s in shares), shares  # these pages carry heavy furniture
    assert view["sectioned_share"].null_count() == 3  # news pages have no sections


def test_audit_passes_and_data_docs_render_offline(tables, tmp_path):
    site = tmp_path / "gx"
    summary = audit(tables, site)
    assert summary["passed"] and summary["max_severity"] is None, json.dumps(summary, indent=1)
    assert set(summary["suites"]) == {*tables, "document_quality", "row_counts"}
    pages = list(site.rglob("*.html"))
    assert (site / "index.html") in pages
    fetched = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=[\"']https?://", re.I)
    for page in pages:
        text = page.read_text()
        assert not fetched.search(text), page
        # GX's newsletter and community banners are not part of a release report.
        assert "Stay current on everything GX" not in text and 'ge-cta-footer"' not in text
    assert (site / "static" / "vendor" / "jquery.min.js").exists()
    index = (site / "index.html").read_text()
    assert "unit &lt;run&gt;" in index  # the run is named, escaped


def test_every_data_check_has_a_severity_and_a_stable_id(tables, tmp_path):
    summary = audit(tables, tmp_path / "gx")
    ids = [c["id"] for s in summary["suites"].values() for c in s["checks"]]
    assert len(ids) == len(set(ids)) == sum(len(v) for v in DATA_SUITES.values())
    assert {c["severity"] for s in summary["suites"].values() for c in s["checks"]} == {"warning"}


def test_a_rate_below_its_bound_warns_names_the_documents_and_says_the_sample_is_small(
    tables, tmp_path
):
    untitled = {
        **tables,
        "documents": tables["documents"].with_columns(
            pl.when(pl.col("source_path") != "b.txt")
            .then(None)
            .otherwise(pl.lit("T"))
            .alias("title")
        ),
    }
    summary = audit(untitled, tmp_path / "gx")
    assert summary["passed"] and summary["max_severity"] == "warning"
    assert summary["suites"]["documents"]["status"] == "warning"
    title = check(summary, "documents.title_present")
    assert not title["success"]
    assert (title["element_count"], title["unexpected_count"]) == (3, 2)
    names = dict(tables["documents"].select("doc_id", "source_path").iter_rows())
    assert sorted(names[e["doc_id"]] for e in title["examples"]) == ["a.txt", "c.txt"]
    # The page shows the failure as a warning, not as a red cross.
    page = next((tmp_path / "gx" / "validations" / "documents").rglob("*.html")).read_text()
    assert "Passed with warnings" in page and "fa-exclamation-triangle" in page


def test_a_project_can_make_a_warning_blocking_or_switch_it_off(tables, tmp_path):
    untitled = {
        **tables,
        "documents": tables["documents"].with_columns(title=pl.lit(None, pl.String)),
    }
    blocking = AuditSettings(severity={"documents.title_present": "critical"})
    summary = audit(untitled, tmp_path / "a", blocking)
    assert not summary["passed"] and summary["suites"]["documents"]["status"] == "failed"
    off = AuditSettings(severity={"documents.title_present": "off"})
    summary = audit(untitled, tmp_path / "b", off)
    assert summary["passed"]
    assert "documents.title_present" not in {
        c["id"] for c in summary["suites"]["documents"]["checks"]
    }


def test_rows_for_the_same_documents_halving_is_caught_even_on_three_documents(tables, tmp_path):
    documents = tables["documents"]
    doubled = documents.with_columns(pl.col("n_paragraphs") * 2)  # the previous release had twice
    view = row_counts(documents.lazy(), doubled.lazy())
    paragraphs = view.filter(pl.col("table") == "paragraphs").row(0, named=True)
    assert paragraphs["shared_documents"] == 3
    assert paragraphs["ratio"] == pytest.approx(0.5) and paragraphs["ratio"] < ROW_RATIO_LOW
    summary = audit(tables, tmp_path / "gx", previous_documents=doubled.lazy())
    counts = check(summary, "row_counts.same_documents_same_rows")
    assert not counts["success"] and summary["max_severity"] == "warning"
    assert [e["table"] for e in counts["examples"]] == ["paragraphs"]
    # Same rows for the same documents: nothing to report.
    assert audit(tables, tmp_path / "same", previous_documents=documents.lazy())["passed"]
    assert check(
        audit(tables, tmp_path / "same2", previous_documents=documents.lazy()),
        "row_counts.same_documents_same_rows",
    )["success"]


def test_without_a_previous_release_row_counts_compare_nothing(tables):
    assert row_counts(tables["documents"].lazy(), None).height == 0
    new_docs = tables["documents"].with_columns(pl.col("doc_id").str.reverse())
    assert row_counts(tables["documents"].lazy(), new_docs.lazy()).height == 0


def test_gx_reads_a_projection_with_text_proxies(tables):
    view = gx_view(tables["paragraphs"].lazy(), "paragraphs")
    assert "text" not in view.columns
    assert {"text_length", "text_hash", "n_chars", "duplicate_of", "kind"} <= set(view.columns)
    assert view["text_length"].to_list() == tables["paragraphs"]["text"].str.len_chars().to_list()
    assert view["text_hash"].n_unique() == tables["paragraphs"]["text"].n_unique()
    # No document text reaches GX (it would be rendered unescaped into the Data Docs).
    docs = gx_view(tables["documents"], "documents")
    assert "raw_text" not in docs.columns and "title" not in docs.columns
    assert "heading" not in gx_view(tables["sections"], "sections").columns


@pytest.mark.parametrize("table", ["documents", "sections", "paragraphs", "boilerplate"])
def test_a_view_built_batch_by_batch_equals_the_view_of_the_whole_table(tables, table):
    """The audit builds views from a release read in batches, only the columns a view
    needs: the same frame as the view of the table held whole."""
    frame = tables[table]
    asked = []

    def read(columns):
        asked.append(columns)
        part = frame.select(columns)
        return [part.slice(0, 2), part.slice(2, 3), part.slice(5)]

    built = gx_view_of_batches(read, frame.schema, table)
    assert asked and set(asked[0]) <= view_sources(table)
    whole = gx_view(frame, table)
    assert built.schema == whole.schema
    assert built.with_columns(pl.col(pl.Categorical).cast(pl.String)).equals(
        whole.with_columns(pl.col(pl.Categorical).cast(pl.String))
    )
    # Strings reach GX as categoricals (pandas codes, not a Python object per row).
    assert pl.String not in built.schema.dtypes()


def test_an_overlong_paragraph_fails_through_its_length_proxy(tables, tmp_path):
    long = tables["paragraphs"].with_columns(
        pl.when(pl.int_range(pl.len()) < 2)
        .then(pl.col("text").repeat_by(200).list.join(""))  # far above 5000 characters
        .otherwise(pl.col("text"))
        .alias("text")
    )
    summary = audit({**tables, "paragraphs": long}, tmp_path / "gx")
    failed = [c for c in summary["suites"]["paragraphs"]["checks"] if not c["success"]]
    assert [c["kwargs"]["column"] for c in failed] == ["text_length"]


def test_results_are_strict_json():
    assert jsonable(float("nan")) is None and jsonable(float("inf")) is None
    assert json.dumps(jsonable({"a": [1.5, float("nan")]}), allow_nan=False) == '{"a": [1.5, null]}'


def test_views_built_when_read_and_let_go_after_their_suite(tables, tmp_path, monkeypatch):
    """A view is built when its suite runs, not when gx_batches returns; a data view
    reaches GX batch by batch through a scratch SQLite table, never as one pandas frame,
    and nothing of a view outlives the audit (GX keeps its context, and with it every
    batch its pandas datasource loaded, after run_gx_audit returns)."""
    import gc

    import pandas as pd

    built: list[str] = []

    def read(table, columns):
        built.append(table)
        frame = tables[table].select(columns)
        yield from (frame.slice(0, 3), frame.slice(3))

    converted: list[int] = []
    to_pandas = pl.DataFrame.to_pandas

    def recording_to_pandas(self, *args, **kwargs):
        converted.append(self.height)
        return to_pandas(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "to_pandas", recording_to_pandas)
    batches, suites = gx_batches(tables, None, None, AuditSettings(), read=read)
    assert "paragraphs" in batches and built == []  # `in` builds nothing
    summary = run_gx_audit(batches, suites, tmp_path / "gx", run_name="unit")
    assert sorted(built) == sorted(t for t in tables if t in DATA_SUITES), built
    assert summary["suites"]["paragraphs"]["status"] == "passed"
    assert summary["suites"]["paragraphs"]["rows"] == tables["paragraphs"].height
    rows = tables["paragraphs"].height
    assert rows not in converted, "the paragraphs view reached GX as a pandas frame"
    del batches
    gc.collect()
    held = [
        o
        for o in gc.get_objects()
        if isinstance(o, pd.DataFrame) and len(o) == rows and "text_length" in o.columns
    ]
    assert held == [], f"{len(held)} pandas copies of the paragraphs view still held"
