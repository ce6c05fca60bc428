"""Group kept lines into paragraphs and headings, with their kinds and raw spans.

Web pages put one paragraph per line; hard-wrapped (PDF) text needs reflow: a new
paragraph starts at a heading, a bullet, an indented line, or after a line that ends a
sentence well short of the text width. Everything is polars expressions per shard.
"""

from __future__ import annotations

import polars as pl

from taikong.clean.lines import BULLET_RE
from taikong.dedup.boilerplate import DATE_RE

STRUCTURE_VERSION = "structure_v1"

# A line ending a sentence this far short of the text width ends its paragraph.
SHORT_LINE_RATIO = 0.8

HEADING_PATTERNS = {
    # style: (regex with ordinal group 1 and heading group 2, style rank)
    "roman": (r"^([IVXLC]{1,6})\.\s+([A-Z].*)$", 1),
    "arabic": (r"^(\d{1,2})\.\s+([A-Z].*)$", 2),
    "paren": (r"^(\(\d{1,2}\))\s+([A-Z].*)$", 3),
    "dash": (r"^([-–])\s+([A-Z].*)$", 4),
}
UNNUMBERED_RANK = 1
MAX_HEADING_WORDS = 12
CAPTION_RE = r"(?i)^(?:pic|picture|photo|fig|figure|image|img)\.?\s*\d+\b"
ATTACHMENT_RE = r"(?i)^\S.{0,200}\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|csv)$"
_LONE_BULLET_RE = r"^[•●▪◦‣∙·*]$"


def _heading_style() -> pl.Expr:
    text = pl.col("text")
    short = (pl.col("n_words") <= MAX_HEADING_WORDS) & text.str.contains(r"[.;,:!?]$").not_()
    expr = pl.lit(None, dtype=pl.String)
    for style, (pattern, _) in reversed(HEADING_PATTERNS.items()):
        expr = pl.when(short & text.str.contains(pattern)).then(pl.lit(style)).otherwise(expr)
    return expr


def _by_doc(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="line_no")


def segment(lines: pl.DataFrame) -> pl.DataFrame:
    """Kept, non-blank lines with `block_kind` (heading/title/text) and `para_no`.

    Input: lines labelled by the boilerplate stage (bp_reason null = kept).
    """
    kept = lines.filter(pl.col("is_blank").not_() & pl.col("bp_reason").is_null())
    text = pl.col("text")
    prev = lambda c: _by_doc(pl.col(c).shift(1))  # noqa: E731
    nxt = lambda c: _by_doc(pl.col(c).shift(-1))  # noqa: E731
    # Was there a blank line (or removed furniture) just before this kept line?
    gap_before = (pl.col("line_no") - prev("line_no")).fill_null(1) > 1

    kept = kept.with_columns(_heading_style().alias("heading_style"))
    # Unnumbered headings ("Preamble", "Conclusion") exist only in wrapped text, as a
    # short standalone line between a finished sentence and a capitalised line.
    unnumbered = (
        pl.col("wrapped")
        & pl.col("heading_style").is_null()
        & (pl.col("n_words") <= 4)
        & pl.col("starts_upper")
        & pl.col("ends_sentence").not_()
        & pl.col("is_bullet").not_()
        & prev("ends_sentence").fill_null(True)
        & nxt("starts_upper").fill_null(False)
    )
    # A dash line is a heading only when it stands alone (not in a run of dash items).
    dash_run = (pl.col("heading_style") == "dash") & (
        prev("heading_style").eq("dash").fill_null(False)
        | nxt("heading_style").eq("dash").fill_null(False)
    )
    kept = kept.with_columns(
        pl.when(unnumbered)
        .then(pl.lit("unnumbered"))
        .when(dash_run)
        .then(None)
        .otherwise(pl.col("heading_style"))
        .alias("heading_style")
    )
    is_heading = pl.col("heading_style").is_not_null()
    # Title: the first kept line of a web page when it is short and not a sentence.
    first = _by_doc(pl.int_range(pl.len())) == 0
    is_title = (
        first
        & pl.col("wrapped").not_()
        & is_heading.not_()
        & (pl.col("n_words") <= 30)
        & (text.str.contains(r"[.!?;:]$").not_() | text.str.ends_with("..."))
    )
    lone_bullet = text.str.contains(_LONE_BULLET_RE)
    kept = kept.with_columns(
        pl.when(is_heading)
        .then(pl.lit("heading"))
        .when(is_title)
        .then(pl.lit("title"))
        .when(lone_bullet)
        .then(pl.lit("bullet_marker"))
        .otherwise(pl.lit("text"))
        .alias("block_kind"),
    )

    width = pl.col("line_width_p90").cast(pl.Float64)
    prev_short_end = prev("ends_sentence").fill_null(True) & (
        _by_doc(text.str.len_chars().shift(1)).fill_null(0) < SHORT_LINE_RATIO * width
    )
    starts_new = (
        (pl.col("block_kind") != "text")
        | prev("block_kind").ne("text").fill_null(True)
        | pl.col("is_bullet")
        | pl.col("wrapped").not_()
        | pl.col("indented")
        | prev_short_end
        | (gap_before & prev("ends_sentence").fill_null(True))
    )
    kept = kept.with_columns(starts_new.alias("_new")).with_columns(
        _by_doc(pl.col("_new").cast(pl.Int32).cum_sum()).alias("para_no")
    )
    return kept.drop("_new")


def assemble(kept: pl.DataFrame) -> pl.DataFrame:
    """One row per paragraph-or-heading block: joined text, kind, raw span, first line."""
    # Join wrapped lines: a line ending in a hyphen after a letter continues the word.
    joiner = (
        pl.when(_by_doc(pl.col("text").shift(1)).over("doc_id", "para_no").str.contains(r"\w-$"))
        .then(pl.lit(""))
        .otherwise(pl.lit(" "))
    )
    with_sep = kept.with_columns(
        pl.when(_by_doc(pl.int_range(pl.len())).over("doc_id", "para_no") == 0)
        .then(pl.col("text"))
        .otherwise(pl.concat_str([joiner, pl.col("text")]))
        .alias("_piece")
    )
    blocks = (
        with_sep.group_by("doc_id", "para_no", maintain_order=True)
        .agg(
            pl.col("_piece").sort_by("line_no").str.join("").alias("text"),
            pl.col("block_kind").first(),
            pl.col("heading_style").first(),
            pl.col("is_bullet").first(),
            pl.col("raw_start").min(),
            pl.col("raw_end").max(),
            pl.col("line_no").min().alias("first_line"),
            pl.col("line_no").max().alias("last_line"),
        )
        .sort("doc_id", "para_no")
    )
    # A run of lone bullet markers belongs to the items that follow: the nth text block
    # after a run of n markers is a list item.
    marker = pl.col("block_kind") == "bullet_marker"
    run_id = _by_doc_block((marker != marker.shift(1)).cum_sum())
    blocks = blocks.with_columns(run_id.alias("_run"))
    markers_in_run = (
        blocks.filter(marker).group_by("doc_id", "_run").agg(pl.len().alias("_n_markers"))
    )
    blocks = (
        blocks.join(
            markers_in_run.with_columns(pl.col("_run") + 1),
            on=["doc_id", "_run"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            (
                pl.col("_n_markers").is_not_null()
                & (
                    pl.int_range(pl.len()).over(["doc_id", "_run"], order_by="para_no")
                    < pl.col("_n_markers")
                )
                & (pl.col("block_kind") == "text")
            ).alias("_reattached")
        )
        .filter(pl.col("block_kind") != "bullet_marker")
    )
    kind = (
        pl.when(pl.col("block_kind") == "title")
        .then(pl.lit("title"))
        .when(pl.col("block_kind") == "heading")
        .then(pl.lit("heading"))
        .when(pl.col("is_bullet") | pl.col("_reattached"))
        .then(pl.lit("list_item"))
        .when(pl.col("text").str.contains(CAPTION_RE))
        .then(pl.lit("caption"))
        .when(pl.col("text").str.contains(ATTACHMENT_RE))
        .then(pl.lit("attachment"))
        .otherwise(pl.lit("paragraph"))
    )
    return (
        blocks.with_columns(kind.alias("kind"))
        .with_columns(
            pl.when(pl.col("is_bullet") & (pl.col("kind") == "list_item"))
            .then(pl.col("text").str.replace(BULLET_RE + r"\s*", ""))
            .otherwise(pl.col("text"))
            .alias("text"),
        )
        .select(
            "doc_id",
            "para_no",
            "kind",
            "heading_style",
            "text",
            "raw_start",
            "raw_end",
            "first_line",
        )
        .sort("doc_id", "para_no")
    )


def _by_doc_block(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="para_no")


def published_dates(lines: pl.DataFrame) -> pl.DataFrame:
    """First full date on a short line (a dateline), furniture included: doc_id, date_text."""
    return (
        lines.filter((pl.col("n_words") <= 12) & pl.col("text").str.contains(DATE_RE))
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").str.extract(f"(?i)({DATE_RE[4:]})", 1).first().alias("date_text"))
    )
