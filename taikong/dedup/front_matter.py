"""Each document's title, decided with its boilerplate labels: the one owner of both.

`label_boilerplate` (taikong.dedup.boilerplate) finds the furniture candidates from
repetition and shape, then `mark_titles` here decides what the head of each document
holds: its title (content, even when other documents share its words) and, above a
report's title, its first-page running header (furniture like its repeats further down).
The labels it returns (`bp_reason`, `is_title`) are final: structure reads them and never
relabels. Changing a rule here changes the labels: bump BOILERPLATE_VERSION.

Web pages: the title is the first line after a breadcrumb trail at the head of the page,
else the first kept line if it is title-shaped. Hard-wrapped reports: the first block of
lines set off by blank lines before the body, skipping what dates the document or names
the organisation its running header names; one to MAX_TITLE_LINES lines. Furniture of
any other kind (footers, running headers) is never a title.
"""

from __future__ import annotations

import polars as pl

from taikong.dedup.templates import template_key
from taikong.text import (
    CONTACT_RE,
    COPYRIGHT_RE,
    ORDINAL_RE,
    SHORT_LINE_WORDS,
    dateline_or_page,
)

# A breadcrumb or menu trail: two or more short items joined by ">", "|", "/", "»" or "›"
# ("Home > News > Space", "/ Home / Newsroom", "Current Location: Home > News").
_CRUMB_SEP = r"[>|/»›→]"
_CRUMB_ITEM = r"[A-Za-z][^\s>|/»›→:]*(?:\s+[^\s>|/»›→:]+){0,4}"
BREADCRUMB_RE = (
    rf"^(?:[A-Z][A-Za-z ]{{0,30}}:\s*)?(?:{_CRUMB_SEP}\s*)?{_CRUMB_ITEM}"
    rf"(?:\s*{_CRUMB_SEP}\s*{_CRUMB_ITEM})+\s*{_CRUMB_SEP}?$"
)
# A title is a short line that is not a sentence (a cut title ends in "...").
MAX_TITLE_WORDS = 30
# A report's title may wrap over this many lines.
MAX_TITLE_LINES = 3
# An organisation name followed by its acronym in parentheses: "Institute of X (IX)".
_TRAILING_ACRONYM = r"\s*\([A-Z][A-Za-z&.-]{1,11}\)$"

_TEXT = pl.col("text")
_REASON = pl.col("bp_reason")
# Does not end a sentence (a cut title ending in "..." does not either).
_NOT_SENTENCE = _TEXT.str.contains(r"[.!?;:]$").not_() | _TEXT.str.contains(r"(?:\.\.\.|…)$")


def _by_doc(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="line_no")


def breadcrumb(text: pl.Expr) -> pl.Expr:
    """A trail, not a headline with one slash or bar in it ("Earth / Moon Transfer"): it
    has a label, an arrow, or two separators or more."""
    return text.str.contains(BREADCRUMB_RE) & (
        (text.str.count_matches(_CRUMB_SEP) >= 2)
        | text.str.contains(r"[>»›→]")
        | text.str.contains(r"^[A-Z][A-Za-z ]{0,30}:")
    )


def _title_shaped(text: pl.Expr) -> pl.Expr:
    """A line that could be (part of) a title: short, capitalised, no furniture marks."""
    return (
        pl.col("n_words").is_between(1, MAX_TITLE_WORDS)
        & pl.col("starts_upper")
        & pl.col("is_bullet").not_()
        & text.str.contains(ORDINAL_RE).not_()
        & breadcrumb(text).not_()
        & text.str.contains(CONTACT_RE).not_()
        & text.str.contains(COPYRIGHT_RE).not_()
        & dateline_or_page().not_()
    )


def mark_titles(lines: pl.DataFrame) -> pl.DataFrame:
    """Add `is_title` to every line, and set the labels the title's place shows.

    A title line is kept even if it was labelled a repeated template (other documents
    share its words; the title slot says it is content). A report's first-page running
    header, above the title, is labelled `running_header` like its repeats further down.
    """
    roles = front_matter_roles(lines)
    return (
        lines.drop("is_title", strict=False)
        .join(roles, on=["doc_id", "line_no"], how="left", maintain_order="left")
        .with_columns(
            (pl.col("role") == "title").fill_null(False).alias("is_title"),
            pl.when(pl.col("role") == "title")
            .then(pl.lit(None, dtype=pl.String))
            .when(pl.col("role") == "running_header")
            .then(pl.lit("running_header"))
            .otherwise(pl.col("bp_reason"))
            .alias("bp_reason"),
        )
        .drop("role")
    )


def front_matter_roles(lines: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no, role) of the lines holding each document's title (role "title")
    and of a report's first-page running header (role "running_header")."""
    nb = lines.filter(pl.col("is_blank").not_()).select(
        "doc_id",
        "line_no",
        "text",
        "n_words",
        "starts_upper",
        "is_bullet",
        "ends_sentence",
        "wrapped",
        "bp_reason",
        pl.len().over("doc_id", "text").alias("_text_count"),
    )
    # A running header repeats; a line the boilerplate stage took for one only because
    # it sits next to a page mark (a short title under the first page's header) does not.
    reclaimable = (
        _REASON.is_null()
        | (_REASON == "repeated_template")
        | ((_REASON == "running_header") & (pl.col("_text_count") == 1) & dateline_or_page().not_())
    )
    header_keys = _running_header_keys(nb.filter(reclaimable.not_()))
    head = _document_heads(nb).with_columns(reclaimable.alias("_reclaimable"))
    content = _report_front_matter(head, header_keys)
    first_blocks = _first_front_matter_blocks(content)
    titles = pl.concat([_web_titles(head), _report_titles(content, first_blocks)]).with_columns(
        pl.lit("title").alias("role")
    )
    return pl.concat([titles, _first_page_headers(content, first_blocks)])


def _running_header_keys(unreclaimable: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, _key): the masked text of each document's true running headers."""
    return (
        unreclaimable.filter(_REASON == "running_header")
        .select("doc_id", template_key(_TEXT).alias("_key"))
        .drop_nulls()
        .unique()
    )


def _document_heads(nb: pl.DataFrame) -> pl.DataFrame:
    """The head of each document, which alone can hold its title: the lines up to the
    first kept sentence of body length, with their (regex) features computed on those
    alone."""
    body_mark = (
        _REASON.is_null()
        & (pl.col("n_words") > SHORT_LINE_WORDS)
        & pl.col("ends_sentence")
        & _TEXT.str.ends_with(":").not_()
    ).cast(pl.Int32)
    return nb.filter((_by_doc(body_mark.cum_sum()) - body_mark) == 0).with_columns(
        breadcrumb(_TEXT).alias("_crumb"),
        _title_shaped(_TEXT).alias("_shaped"),
        dateline_or_page().alias("_dated"),
    )


def _web_titles(head: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no) of web pages' titles: one line, after a breadcrumb trail or the
    first of the kept lines."""
    body = (
        _REASON.is_null()
        & (
            (pl.col("n_words") > MAX_TITLE_WORDS)
            | (
                _TEXT.str.contains(r"[.!?]$")
                & _NOT_SENTENCE.not_()
                & (pl.col("n_words") > SHORT_LINE_WORDS)
            )
        )
    ).cast(pl.Int32)
    web = head.filter(pl.col("wrapped").not_()).with_columns(
        (_by_doc(body.cum_sum()) - body).alias("_body_before"),
        _by_doc(pl.col("_crumb").shift(1)).fill_null(False).alias("_after_crumb"),
    )
    slot = (
        (pl.col("_body_before") == 0)
        & pl.col("_after_crumb")
        & pl.col("_reclaimable")
        & pl.col("_shaped")
        & _NOT_SENTENCE
    )
    first_kept = (_REASON.is_null() & pl.col("_crumb").not_() & pl.col("_dated").not_()).cast(
        pl.Int32
    )
    web = web.with_columns(
        slot.alias("_slot"),
        (first_kept.cum_sum().over("doc_id", order_by="line_no") == 1)
        .and_(first_kept == 1)
        .alias("_first_kept"),
    ).with_columns(pl.col("_slot").any().over("doc_id").alias("_has_slot"))
    return web.filter(
        (pl.col("_slot") & (_by_doc(pl.col("_slot").cast(pl.Int32).cum_sum()) == 1))
        | (
            pl.col("_has_slot").not_()
            & pl.col("_first_kept")
            & pl.col("_shaped")
            & _NOT_SENTENCE
            & (pl.col("_body_before") == 0)
        )
    ).select("doc_id", "line_no")


def _report_front_matter(head: pl.DataFrame, header_keys: pl.DataFrame) -> pl.DataFrame:
    """The reclaimable head lines of hard-wrapped reports, cut into blocks (`_block`),
    with `_names_header` (names what the running header names, a trailing acronym aside)
    and `_is_header` (is the running header)."""
    stripped_key = template_key(_TEXT.str.replace(_TRAILING_ACRONYM, ""))
    content = (
        head.filter(pl.col("wrapped") & pl.col("_reclaimable"))
        .with_columns(stripped_key.alias("_key"), template_key(_TEXT).alias("_exact_key"))
        .join(
            header_keys.with_columns(pl.lit(True).alias("_names_header")),
            on=["doc_id", "_key"],
            how="left",
            maintain_order="left",
        )
        .join(
            header_keys.rename({"_key": "_exact_key"}).with_columns(
                pl.lit(True).alias("_is_header")
            ),
            on=["doc_id", "_exact_key"],
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("_names_header", "_is_header").fill_null(False))
    )
    # Blocks are runs of adjacent lines: a blank or furniture line, or a numbered
    # heading, starts a new one.
    gap = (pl.col("line_no") - _by_doc(pl.col("line_no").shift(1))).fill_null(2) > 1
    return content.with_columns(
        _by_doc((gap | _TEXT.str.contains(ORDINAL_RE)).cast(pl.Int32).cum_sum()).alias("_block")
    )


def _first_front_matter_blocks(content: pl.DataFrame) -> pl.DataFrame:
    """Per report, its first block that is not a date or the publisher, with its shape."""
    return (
        content.group_by("doc_id", "_block")
        .agg(
            pl.len().alias("_n"),
            pl.col("n_words").sum().alias("_words"),
            (pl.col("_names_header") | pl.col("_dated")).all().alias("_skip"),
            pl.col("_shaped").all().alias("_all_shaped"),
            # Only the last line may not end a clause; inner ones may end in ":" or ",".
            _TEXT.str.contains(r"[.!?;]$").any().alias("_sentence"),
            _TEXT.sort_by("line_no").last().str.contains(r"[:,]$").alias("_open_end"),
            pl.col("line_no").min().alias("_first"),
        )
        .filter(pl.col("_skip").not_())
        .sort("doc_id", "_first")
        .group_by("doc_id", maintain_order=True)
        .first()
    )


def _first_page_headers(content: pl.DataFrame, first_blocks: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no, role): the first page's running header, above everything else,
    is page furniture too."""
    return (
        content.join(
            first_blocks.select("doc_id", "_first"), on="doc_id", how="left", maintain_order="left"
        )
        .filter(
            pl.col("_is_header")
            & _REASON.is_null()
            & (pl.col("line_no") < pl.col("_first").fill_null(pl.col("line_no") + 1))
        )
        .select("doc_id", "line_no", pl.lit("running_header").alias("role"))
    )


def _report_titles(content: pl.DataFrame, first_blocks: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no) of reports' titles: the first front-matter block when it is
    title-shaped (a few short lines, no sentence, not left open)."""
    titled = first_blocks.filter(
        (pl.col("_n") <= MAX_TITLE_LINES)
        & (pl.col("_words") <= MAX_TITLE_WORDS)
        & pl.col("_all_shaped")
        & pl.col("_sentence").not_()
        & pl.col("_open_end").not_()
    )
    return content.join(
        titled.select("doc_id", "_block"), on=["doc_id", "_block"], how="inner"
    ).select("doc_id", "line_no")
