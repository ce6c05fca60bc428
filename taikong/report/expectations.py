"""Great Expectations suites: the dataset-level checks beyond the pandera contracts.

The contracts already pin every column's dtype, nullability, ranges and value sets, so
these suites do not restate them. They check what a data engineer watches from
release to release: row counts against the previous release, null and uniqueness
rates, value mixes, text length distributions, boilerplate share per document and
foreign-key coverage. Declared here, run by `taikong.report.gx_audit`.

Each suite is a list of (expectation class name, kwargs); GX is only imported by the
runner, so declaring suites costs nothing.
"""

from __future__ import annotations

import math
from typing import TypeVar

import polars as pl

GX_SUITES_VERSION = "gx_suites_v1"

# Row counts are compared with the previous release scaled by the change in input size:
# a table may shrink to half or grow to double that expectation (plus an absolute slack,
# as small corpora move in steps: one new site makes all its furniture "repeated").
ROW_BAND_LOW, ROW_BAND_HIGH, ROW_BAND_SLACK = 0.5, 2.0, 50

Expectation = tuple[str, dict]
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def expected_rows(
    previous_rows: dict[str, int], previous_input_bytes: int | None, input_bytes: int | None
) -> dict[str, float]:
    """Previous row counts scaled by how much the published input grew or shrank."""
    ratio = 1.0
    if previous_input_bytes and input_bytes:
        ratio = input_bytes / previous_input_bytes
    return {table: rows * ratio for table, rows in previous_rows.items()}


def row_count_band(table: str, previous_rows: dict[str, float] | None) -> Expectation:
    prev = (previous_rows or {}).get(table)
    if prev is None:
        return ("ExpectTableRowCountToBeBetween", {"min_value": 0})
    return (
        "ExpectTableRowCountToBeBetween",
        {
            "min_value": max(0, math.floor(prev * ROW_BAND_LOW) - ROW_BAND_SLACK),
            "max_value": math.ceil(prev * ROW_BAND_HIGH) + ROW_BAND_SLACK,
        },
    )


_TABLE_CHECKS: dict[str, list[Expectation]] = {
    "documents": [
        ("ExpectColumnValuesToNotBeNull", {"column": "title", "mostly": 0.8}),
        ("ExpectColumnValuesToNotBeNull", {"column": "published_date", "mostly": 0.5}),
        ("ExpectColumnValuesToNotBeNull", {"column": "publisher", "mostly": 0.5}),
        ("ExpectColumnProportionOfUniqueValuesToBeBetween", {"column": "title", "min_value": 0.8}),
        # The corpus is English: other languages are allowed but should stay rare.
        ("ExpectColumnValuesToBeInSet", {"column": "language", "value_set": ["en"], "mostly": 0.9}),
        # Most documents are original, not re-published copies.
        ("ExpectColumnValuesToBeNull", {"column": "near_duplicate_of", "mostly": 0.7}),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "n_chars_clean", "min_value": 200, "mostly": 0.9},
        ),
    ],
    "sections": [
        (
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "heading", "min_value": 2, "max_value": 150, "mostly": 0.99},
        ),
        ("ExpectColumnValuesToBeBetween", {"column": "level", "max_value": 4, "mostly": 0.99}),
    ],
    "paragraphs": [
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "text_length", "min_value": 2, "max_value": 5000, "mostly": 0.99},
        ),
        (
            "ExpectColumnMedianToBeBetween",
            {"column": "n_chars", "min_value": 40, "max_value": 2000},
        ),
        (
            "ExpectColumnProportionOfUniqueValuesToBeBetween",
            {"column": "text_hash", "min_value": 0.8},
        ),
        ("ExpectColumnValuesToBeNull", {"column": "duplicate_of", "mostly": 0.8}),
        ("ExpectColumnDistinctValuesToContainSet", {"column": "kind", "value_set": ["paragraph"]}),
    ],
    "boilerplate": [
        # Furniture is a line or a short block, never a whole article.
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "text_length", "max_value": 2000, "mostly": 0.99},
        ),
    ],
    # A view derived from the tables (see `document_quality`), one row per document.
    "document_quality": [
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "boilerplate_share", "min_value": 0.0, "max_value": 0.75, "mostly": 0.9},
        ),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "kept_share", "min_value": 0.2, "max_value": 1.0, "mostly": 0.9},
        ),
        # Foreign-key coverage: documents that produced paragraphs, report paragraphs in a section.
        ("ExpectColumnValuesToBeInSet", {"column": "has_paragraphs", "value_set": [True]}),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "sectioned_share", "min_value": 0.8, "max_value": 1.0, "mostly": 0.9},
        ),
    ],
}

# GX validates pandas frames, which hold every string as a Python object: a 1 GB corpus
# would need many GB. So each table reaches GX as a projection of the columns its
# expectations read, with a long text column replaced by what is checked about it:
# its length in characters and a 64-bit hash (for the share of distinct values).
TEXT_PROXIES = {
    "text_length": lambda text: text.str.len_chars(),
    # A null text stays null (hashing would give every null one shared value).
    "text_hash": lambda text: pl.when(text.is_not_null()).then(text.hash()),
}


def gx_view(frame: pl.DataFrame | pl.LazyFrame, table: str) -> pl.DataFrame:
    """The columns of `table` that its suite reads (text proxies derived), collected."""
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    wanted = {kwargs["column"] for _, kwargs in suite_for(table, None) if "column" in kwargs}
    columns = [pl.col(c) for c in names if c in wanted]
    columns += [
        proxy(pl.col("text")).alias(name)
        for name, proxy in TEXT_PROXIES.items()
        if name in wanted and "text" in names
    ]
    # The row count is checked too, so a table whose suite reads no column keeps its
    # rows: a row number (a literal alone would collapse the frame to a single row).
    if not columns:
        columns = [pl.int_range(pl.len()).alias("row")]
    return lazy.select(columns).collect(engine="streaming")


def suite_for(table: str, previous_rows: dict[str, int] | None) -> list[Expectation]:
    """Every table gets a row-count band; known tables get their own checks too."""
    return [row_count_band(table, previous_rows), *_TABLE_CHECKS.get(table, [])]


def document_quality(documents: FrameT, paragraphs: FrameT, boilerplate: FrameT) -> FrameT:
    """One row per document: share of its raw text that was furniture or kept, coverage."""
    bp_chars = boilerplate.group_by("doc_id").agg(
        (pl.col("raw_end") - pl.col("raw_start")).sum().alias("bp_chars")
    )
    sectioned = paragraphs.group_by("doc_id").agg(
        pl.col("section_id").is_not_null().mean().alias("sectioned_share")
    )
    return (
        documents.select("doc_id", "doc_type", "n_chars_raw", "n_chars_clean", "n_paragraphs")
        .join(bp_chars, on="doc_id", how="left", maintain_order="left")
        .join(sectioned, on="doc_id", how="left", maintain_order="left")
        .select(
            "doc_id",
            (pl.col("bp_chars").fill_null(0) / pl.col("n_chars_raw")).alias("boilerplate_share"),
            (pl.col("n_chars_clean") / pl.col("n_chars_raw")).alias("kept_share"),
            (pl.col("n_paragraphs") > 0).alias("has_paragraphs"),
            # Only hard-wrapped reports are expected to have sections.
            pl.when(pl.col("doc_type") == "report")
            .then(pl.col("sectioned_share"))
            .otherwise(None)
            .alias("sectioned_share"),
        )
    )
