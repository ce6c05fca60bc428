"""Great Expectations suites: every check of the audit, declared with its severity.

Two kinds of suite, run side by side by `taikong.report.gx_audit`:

- **data suites** over the tables and two derived views (`document_quality`, one row per
  document; `row_counts`, one row per table, comparing the documents shared with the
  previous release): rates, value mixes, text lengths, boilerplate share, row counts.
  They are `warning` by default: unusual data is published and reported. A project can
  make any of them blocking or switch it off (`taikong.audit_settings`).
- **contract suites** over the pandera and cross-table results (`contract.<table>`,
  `relations`), one row per check: always `critical`, so that the Data Docs show every
  check that decides whether a release is published, not only the statistical ones.

The contracts already pin every column's dtype, nullability, ranges and value sets, so
the data suites do not restate them. GX is only imported by the runner: declaring
suites costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

import polars as pl

from taikong.vocabulary import Severity

GX_SUITES_VERSION = "gx_suites_v2"
CRITICAL, WARNING, OFF = Severity.CRITICAL, Severity.WARNING, Severity.OFF

# Same documents, same code: a table's rows for them should not halve or double.
ROW_RATIO_LOW, ROW_RATIO_HIGH = 0.6, 1 / 0.6

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


@dataclass(frozen=True)
class Expect:
    """One expectation: its stable id (used in settings and reports), the GX class and
    arguments, what passing means and what a failing row is, in words."""

    id: str
    gx: str
    kwargs: dict
    says: str
    failing: str
    severity: str = WARNING

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def is_rate(self) -> bool:
        """A share of rows is judged: on a small sample the share is only indicative."""
        return "mostly" in self.kwargs


def _expect(view: str, name: str, gx: str, says: str, failing: str, **kwargs) -> Expect:
    return Expect(f"{view}.{name}", gx, kwargs, says, failing)


DATA_SUITES: dict[str, list[Expect]] = {
    "documents": [
        _expect(
            "documents",
            "title_present",
            "ExpectColumnValuesToNotBeNull",
            "at least 80 % of documents have a title",
            "title is null",
            column="title_hash",
            mostly=0.8,
        ),
        _expect(
            "documents",
            "published_date_present",
            "ExpectColumnValuesToNotBeNull",
            "at least half of the documents have a publication date",
            "published_date is null",
            column="published_date",
            mostly=0.5,
        ),
        _expect(
            "documents",
            "publisher_present",
            "ExpectColumnValuesToNotBeNull",
            "at least half of the documents name a publisher",
            "publisher is null",
            column="publisher",
            mostly=0.5,
        ),
        _expect(
            "documents",
            "titles_mostly_unique",
            "ExpectColumnProportionOfUniqueValuesToBeBetween",
            "at least 80 % of titles are distinct",
            "share of distinct titles",
            column="title_hash",
            min_value=0.8,
        ),
        # The corpus is English: other languages are allowed but should stay rare.
        _expect(
            "documents",
            "mostly_english",
            "ExpectColumnValuesToBeInSet",
            "at least 90 % of documents are in English",
            "language is not en",
            column="language",
            value_set=["en"],
            mostly=0.9,
        ),
        # Most documents are original, not re-published copies.
        _expect(
            "documents",
            "mostly_original",
            "ExpectColumnValuesToBeNull",
            "at most 30 % of documents are near-duplicates of another",
            "is a near-duplicate of another document",
            column="near_duplicate_of",
            mostly=0.7,
        ),
        _expect(
            "documents",
            "enough_text",
            "ExpectColumnValuesToBeBetween",
            "at least 90 % of documents keep 200 characters of text or more",
            "keeps fewer than 200 characters",
            column="n_chars_clean",
            min_value=200,
            mostly=0.9,
        ),
    ],
    "sections": [
        _expect(
            "sections",
            "heading_length",
            "ExpectColumnValuesToBeBetween",
            "99 % of headings are 2-150 characters long",
            "heading is shorter than 2 or longer than 150 characters",
            column="heading_length",
            min_value=2,
            max_value=150,
            mostly=0.99,
        ),
        _expect(
            "sections",
            "level_at_most_4",
            "ExpectColumnValuesToBeBetween",
            "99 % of sections are at most 4 levels deep",
            "level is deeper than 4",
            column="level",
            max_value=4,
            mostly=0.99,
        ),
    ],
    "paragraphs": [
        _expect(
            "paragraphs",
            "text_length",
            "ExpectColumnValuesToBeBetween",
            "99 % of paragraphs are 2-5,000 characters long",
            "text is shorter than 2 or longer than 5,000 characters",
            column="text_length",
            min_value=2,
            max_value=5000,
            mostly=0.99,
        ),
        _expect(
            "paragraphs",
            "median_length",
            "ExpectColumnMedianToBeBetween",
            "the median paragraph is 40-2,000 characters long",
            "median paragraph length (characters)",
            column="n_chars",
            min_value=40,
            max_value=2000,
        ),
        _expect(
            "paragraphs",
            "mostly_unique",
            "ExpectColumnProportionOfUniqueValuesToBeBetween",
            "at least 80 % of paragraph texts are distinct",
            "share of distinct paragraph texts",
            column="text_hash",
            min_value=0.8,
        ),
        _expect(
            "paragraphs",
            "mostly_not_duplicates",
            "ExpectColumnValuesToBeNull",
            "at most 20 % of paragraphs repeat an earlier one",
            "is a duplicate of an earlier paragraph",
            column="duplicate_of",
            mostly=0.8,
        ),
        _expect(
            "paragraphs",
            "has_body_paragraphs",
            "ExpectColumnDistinctValuesToContainSet",
            "the release has body paragraphs (kind 'paragraph')",
            "paragraph kinds present",
            column="kind",
            value_set=["paragraph"],
        ),
    ],
    "boilerplate": [
        # Furniture is a line or a short block, never a whole article.
        _expect(
            "boilerplate",
            "line_length",
            "ExpectColumnValuesToBeBetween",
            "99 % of removed furniture lines are at most 2,000 characters long",
            "removed line is longer than 2,000 characters",
            column="text_length",
            max_value=2000,
            mostly=0.99,
        ),
    ],
    "document_quality": [
        _expect(
            "document_quality",
            "boilerplate_share",
            "ExpectColumnValuesToBeBetween",
            "in 90 % of documents furniture is at most 75 % of the text",
            "furniture is more than 75 % of the text",
            column="boilerplate_share",
            min_value=0.0,
            max_value=0.75,
            mostly=0.9,
        ),
        _expect(
            "document_quality",
            "kept_share",
            "ExpectColumnValuesToBeBetween",
            "90 % of documents keep at least 20 % of their text",
            "keeps less than 20 % of its text",
            column="kept_share",
            min_value=0.2,
            max_value=1.0,
            mostly=0.9,
        ),
        _expect(
            "document_quality",
            "has_paragraphs",
            "ExpectColumnValuesToBeInSet",
            "every document has at least one paragraph",
            "has no paragraph",
            column="has_paragraphs",
            value_set=[True],
        ),
        _expect(
            "document_quality",
            "reports_sectioned",
            "ExpectColumnValuesToBeBetween",
            "in 90 % of reports at least 80 % of paragraphs sit in a section",
            "report has fewer than 80 % of its paragraphs in a section",
            column="sectioned_share",
            min_value=0.8,
            max_value=1.0,
            mostly=0.9,
        ),
    ],
    "row_counts": [
        _expect(
            "row_counts",
            "same_documents_same_rows",
            "ExpectColumnValuesToBeBetween",
            f"for the documents the previous release also had, each table keeps "
            f"{ROW_RATIO_LOW:.2f}-{ROW_RATIO_HIGH:.2f} times its rows",
            "rows changed beyond the band for the same documents",
            column="ratio",
            min_value=ROW_RATIO_LOW,
            max_value=ROW_RATIO_HIGH,
        ),
    ],
}

# Which column identifies a failing row in each view (GX reports up to 20 of them).
INDEX_COLUMNS: dict[str, list[str]] = {
    "documents": ["doc_id"],
    "sections": ["doc_id"],
    "paragraphs": ["doc_id"],
    "boilerplate": ["doc_id"],
    "document_quality": ["doc_id"],
    "row_counts": ["table"],
    "relations": ["check", "documents", "examples"],
}
CONTRACT_INDEX = ["check", "examples"]

# What one row of each view is, for messages ("title is null in 2 of 5 documents").
ROW_NOUNS = {
    "documents": "documents",
    "sections": "sections",
    "paragraphs": "paragraphs",
    "boilerplate": "furniture lines",
    "document_quality": "documents",
    "row_counts": "tables",
    "relations": "checks",
}


def contract_expectation(table: str) -> Expect:
    return Expect(
        f"contract.{table}.passes",
        "ExpectColumnValuesToBeBetween",
        {"column": "failed_rows", "max_value": 0},
        f"every row of {table} passes each check of its pandera contract",
        "contract check failed",
        CRITICAL,
    )


RELATIONS_EXPECTATION = Expect(
    "relations.pass",
    "ExpectColumnValuesToBeBetween",
    {"column": "failed_rows", "max_value": 0},
    "every cross-table check holds (keys resolve, spans lie in their documents and "
    "paragraphs, texts match the raw text at their offsets, counts agree)",
    "cross-table check failed",
    CRITICAL,
)

DATA_CHECK_IDS = {e.id for suite in DATA_SUITES.values() for e in suite}


def data_suites(severity_of) -> dict[str, list[Expect]]:
    """The data suites with each expectation's severity as the project sets it
    (`severity_of(id, default)`); expectations switched off are left out."""
    suites = {}
    for view, expects in DATA_SUITES.items():
        graded = [replace(e, severity=severity_of(e.id, e.severity)) for e in expects]
        suites[view] = [e for e in graded if e.severity != OFF]
    return suites


# GX validates pandas frames, which hold every string as a Python object: a 1 GB corpus
# would need many GB. So each table reaches GX as a projection of the columns its
# expectations read, with a text column replaced by what is checked about it: its
# length in characters and a 64-bit hash (for the share of distinct values). Document
# text never reaches GX, so none of it can be rendered (unescaped) into the Data Docs.
TEXT_PROXIES = {
    "text_length": ("text", lambda text: text.str.len_chars()),
    # A null text stays null (hashing would give every null one shared value).
    "text_hash": ("text", lambda text: pl.when(text.is_not_null()).then(text.hash())),
    "heading_length": ("heading", lambda text: text.str.len_chars()),
    "title_hash": ("title", lambda text: pl.when(text.is_not_null()).then(text.hash())),
}


def gx_view(frame: pl.DataFrame | pl.LazyFrame, table: str) -> pl.DataFrame:
    """The columns of `table` that its suite reads (text proxies derived) and the row
    key that names failing rows (doc_id, as a categorical: one copy per document)."""
    lazy = frame.lazy()
    columns = _view_columns(lazy.collect_schema(), table)
    # A table whose suite reads no column keeps its rows: a row number (a literal alone
    # would collapse the frame to a single row).
    if not columns:
        columns = [pl.int_range(pl.len()).alias("row")]
    return lazy.select(columns).collect(engine="streaming")


def gx_view_batches(
    read: Callable[[list[str]], Iterable[pl.DataFrame]], schema: pl.Schema, table: str
) -> Iterator[pl.DataFrame]:
    """`gx_view` of a table read by `read(columns)` in batches, a batch at a time, only
    the columns the view needs: the text a proxy is derived from is held a batch at a
    time, and so is the view when its consumer streams it (GX's SQLite tables)."""
    columns = _view_columns(schema, table)
    names = schema.names()
    if not columns:
        start = 0
        for batch in read(names[:1]):
            yield pl.DataFrame({"row": pl.int_range(start, start + batch.height, eager=True)})
            start += batch.height
        return
    sources = view_sources(table)
    needed = [c for c in names if c in sources]
    empty = True
    for batch in read(needed):
        empty = False
        yield batch.select(columns)
    if empty:
        raise ValueError(f"{table}: no rows and no schema to read")


def gx_view_of_batches(
    read: Callable[[list[str]], Iterable[pl.DataFrame]], schema: pl.Schema, table: str
) -> pl.DataFrame:
    """`gx_view_batches` as one frame."""
    parts = list(gx_view_batches(read, schema, table))
    return pl.concat(parts, how="vertical")


class ViewsOnDemand(Mapping[str, pl.DataFrame]):
    """GX's views by suite name, each built when it is read and not kept: the audit
    holds one view at a time (at 1 GB all of them together took ~400 MB), or, read with
    `batches(name)`, one batch of it.

    `builders[name]()` gives the view's batches."""

    def __init__(self, builders: dict[str, Callable[[], Iterable[pl.DataFrame]]]) -> None:
        self._builders = builders

    def batches(self, name: str) -> Iterator[pl.DataFrame]:
        return iter(self._builders[name]())

    def __getitem__(self, name: str) -> pl.DataFrame:
        return pl.concat(list(self.batches(name)), how="vertical")

    def __contains__(self, name: object) -> bool:  # Mapping's own would build the view
        return name in self._builders

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


def _suite_columns(table: str) -> set[str]:
    """The columns `table`'s suite checks (stored, or text proxies)."""
    return {e.column for e in DATA_SUITES.get(table, []) if e.column}


def view_sources(table: str) -> set[str]:
    """The stored columns `gx_view` reads of `table`."""
    wanted = _suite_columns(table)
    return (
        wanted
        | {source for name, (source, _) in TEXT_PROXIES.items() if name in wanted}
        | {"doc_id"}
    )


def _view_columns(schema: pl.Schema, table: str) -> list[pl.Expr]:
    names = schema.names()
    dtypes = dict(schema)
    wanted = _suite_columns(table)
    # Strings as categoricals: GX reads pandas, where a string column is one Python
    # object per row (paragraphs.kind at 1 GB: ~140 MB as objects, a few MB as codes).
    columns = [
        pl.col(c).cast(pl.Categorical) if dtypes[c] == pl.String else pl.col(c)
        for c in names
        if c in wanted
    ]
    columns += [
        proxy(pl.col(source)).alias(name)
        for name, (source, proxy) in TEXT_PROXIES.items()
        if name in wanted and source in names
    ]
    if "doc_id" in names:
        columns.append(pl.col("doc_id").cast(pl.Categorical))
    return columns


def document_quality(documents: FrameT, paragraphs: FrameT, boilerplate: FrameT) -> FrameT:
    """One row per document: share of its raw text that was furniture or kept, coverage."""
    bp_chars = boilerplate.group_by("doc_id").agg(
        (pl.col("raw_end") - pl.col("raw_start")).sum().alias("bp_chars")
    )
    # A title and a contents list stand before the first section by nature.
    sectioned = (
        paragraphs.filter(pl.col("kind").is_in(["title", "contents"]).not_())
        .group_by("doc_id")
        .agg(pl.col("section_id").is_not_null().mean().alias("sectioned_share"))
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


# documents.n_<table> counts each document's rows in <table> (a contract relation checks
# it), so row counts per document come from the documents tables alone.
COUNTED_TABLES = {
    "sections": "n_sections",
    "paragraphs": "n_paragraphs",
    "boilerplate": "n_boilerplate",
    "edits": "n_edits",
    "mentions": "n_mentions",
    "quantities": "n_quantities",
}
ROW_COUNTS_SCHEMA = {
    "table": pl.String,
    "shared_documents": pl.Int64,
    "previous_rows": pl.Int64,
    "current_rows": pl.Int64,
    "ratio": pl.Float64,
}


def row_counts(current: pl.LazyFrame, previous: pl.LazyFrame | None) -> pl.DataFrame:
    """One row per table: its rows for the documents (same bytes, same doc_id) that the
    previous release also published, now and then. Empty without a previous release.

    The ratio is null where the previous release had no rows for them (nothing to
    compare against); GX skips null values.
    """
    if previous is None:
        return pl.DataFrame(schema=ROW_COUNTS_SCHEMA)
    cols = list(COUNTED_TABLES.values())
    shared = (
        current.select("doc_id", *cols)
        .join(previous.select("doc_id", *cols), on="doc_id", how="inner", suffix="_prev")
        .select(
            pl.len().alias("shared_documents"),
            *[pl.col(c).cast(pl.Int64).sum().alias(c) for c in cols],
            *[pl.col(f"{c}_prev").cast(pl.Int64).sum().alias(f"{c}_prev") for c in cols],
        )
        .collect()
        .row(0, named=True)
    )
    if not shared["shared_documents"]:
        return pl.DataFrame(schema=ROW_COUNTS_SCHEMA)
    rows = []
    for table, col in COUNTED_TABLES.items():
        now, before = shared[col] or 0, shared[f"{col}_prev"] or 0
        ratio = now / before if before else (1.0 if now == 0 else None)
        rows.append(
            {
                "table": table,
                "shared_documents": shared["shared_documents"],
                "previous_rows": before,
                "current_rows": now,
                "ratio": ratio,
            }
        )
    return pl.DataFrame(rows, schema=ROW_COUNTS_SCHEMA)
