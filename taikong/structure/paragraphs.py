"""Group kept lines into paragraphs and headings, with their kinds and raw spans.

Web pages put one paragraph per line; hard-wrapped (PDF) text needs reflow. A new
paragraph starts at a heading, a bullet, an indented capitalised line, after a line that
ends a sentence well short of the text width, or after a line that ends a sentence
although the next line's first word (capitalised) would have fitted on it: a typesetter
fills every line of a paragraph but its last. Line widths are counted in characters, so
"would have fitted" allows FIT_TOLERANCE for proportional fonts.

Joining the lines of a paragraph decides each line-end hyphen (taikong.clean.hyphens):
a split word is rejoined ("plat-" + "form" -> "platform") and recorded as an edit; a
hyphenated compound keeps its hyphen. Everything is polars expressions per shard except
those decisions, which only look at the few line-end hyphens.
"""

from __future__ import annotations

import re

import polars as pl

from taikong.clean.hyphens import MERGED_LINE_RATIO, line_end_hyphens
from taikong.clean.lines import BULLET_RE
from taikong.frames import on_rows
from taikong.text import (
    CONTENTS_LABEL_RE,
    FRONT_MATTER_HEADING_RE,
    SHORT_LINE_WORDS,
    dateline_or_page,
    issuing_body,
)

STRUCTURE_VERSION = "structure_v7"

# A line ending a sentence ends its paragraph when the next line's first word would have
# fitted on it: its length + 1 + that word <= FIT_TOLERANCE * the fullest lines' width.
FIT_TOLERANCE = 1.05
# A line ending a sentence this far short of the text width ends its paragraph whatever
# follows it.
SHORT_LINE_RATIO = 0.8

HEADING_PATTERNS = {
    # style: (regex with ordinal group 1 and heading group 2, style rank)
    "roman": (r"^([IVXLC]{1,6})\.\s+([A-Z].*)$", 1),
    # "3. Missions"; "3 MISSIONS" (no dot) only where the numbering supports it.
    "arabic": (r"^(\d{1,2})\.?\s+([A-Z].*)$", 2),
    # "2.1 Launch sites": nests under "2." (one step deeper per level, DECIMAL_LEVEL_STEP),
    # above "(1)"; a heading only where the document's numbering supports it.
    "decimal": (r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+([A-Z].*)$", 2.1),
    "paren": (r"^(\(\d{1,2}\))\s+([A-Z].*)$", 3),
    "dash": (r"^([-–])\s+([A-Z].*)$", 4),
}
UNNUMBERED_RANK = 1
# A decimal heading's rank grows by this per level below the first ("2.1" -> "2.1.1").
DECIMAL_LEVEL_STEP = 0.1
# A line that starts with a section number ("1.", "1 INTRODUCTION", "2.1 Sites"): group 1.
_SECTION_NUMBER_RE = r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+\p{Lu}"
# Headings the source marks up: wikitext "== History ==" (level by the number of "="),
# a rendered wiki page's "History[edit]". Group 1: the heading text.
MARKUP_HEADING_RES = (r"^={2,6}\s*([^=].*?)\s*={2,6}$", r"^(\S.{0,80}?)\s*\[edit\]$")
# A markup heading's rank: UNNUMBERED_RANK for "==" (and "[edit]"), one deeper per "=".
MARKUP_BASE_LEVEL = 2
_LEADERS_RE = r"(?:\s*\.{3,}|\s)\s*\d{1,4}$"
# An entry's key: its text without ordinal, leaders, page number, markup, case.
_ENTRY_ORDINAL_RE = r"^(?:[IVXLC]{1,6}\.|\d{1,2}(?:\.\d{1,2})*\.?|\(\d{1,2}\))\s+"
# A contents list has at least this many entries.
MIN_CONTENTS_ENTRIES = 2
# A web page's unnumbered subheading has at most this many words.
WEB_SUBHEADING_WORDS = 8
# A heading is a short line.
MAX_HEADING_WORDS = SHORT_LINE_WORDS
CAPTION_RE = r"(?i)^(?:pic|picture|photo|fig|figure|image|img)\.?\s*\d+\b"
ATTACHMENT_RE = r"(?i)^\S.{0,200}\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|csv)$"
_LONE_BULLET_RE = r"^[•●▪◦‣∙·*]$"
# A line ending in a hyphen after a letter, and the word part before it.
_LINE_END_HYPHEN = r"([A-Za-z]+)-$"
# Words after which a line-end hyphen is a suspended one ("space- and ground-based").
_SUSPENDED_BEFORE = ("and", "or", "nor", "to")


def _heading_style() -> pl.Expr:
    text = pl.col("text")
    short = (pl.col("n_words") <= MAX_HEADING_WORDS) & text.str.contains(r"[.;,:!?]$").not_()
    expr = pl.lit(None, dtype=pl.String)
    for style, (pattern, _) in reversed(HEADING_PATTERNS.items()):
        expr = pl.when(short & text.str.contains(pattern)).then(pl.lit(style)).otherwise(expr)
    markup = pl.any_horizontal(text.str.contains(p) for p in MARKUP_HEADING_RES)
    return (
        pl.when(_html_heading())
        .then(pl.lit("markup"))
        .when(short & markup)
        .then(pl.lit("markup"))
        .otherwise(expr)
    )


def _html_heading() -> pl.Expr:
    """The line is a heading element of an HTML page (clean's `markup_level`, from the
    element's span): the source's own markup says so, whatever its shape ("What next?"),
    unless it reads as body text (a long sentence set in a heading element)."""
    body_text = (pl.col("n_words") > MAX_HEADING_WORDS) & pl.col("ends_sentence")
    return pl.col("markup_level").is_not_null() & body_text.not_()


def markup_heading(text: str, level: int | None = None) -> tuple[str, int]:
    """A markup heading's text and its rank: UNNUMBERED_RANK for "== H ==", "H[edit]"
    and an HTML <h2> (or <h1>), one deeper per level below. `level` is the HTML
    element's level, when the line is one."""
    heading, depth = text, 0
    for pattern in MARKUP_HEADING_RES:
        if m := re.match(pattern, text):
            equals = len(text) - len(text.lstrip("="))
            heading, depth = m[1].strip(), max(equals - MARKUP_BASE_LEVEL, 0) if equals else 0
            break
    if level is not None:
        depth = max(level - MARKUP_BASE_LEVEL, 0)
    return heading, UNNUMBERED_RANK + depth


def _entry_key(text: pl.Expr) -> pl.Expr:
    """What a contents entry and the heading it names have in common."""
    return (
        text.str.replace(MARKUP_HEADING_RES[0], "$1")
        .str.replace(r"\s*\[edit\]$", "")
        .str.replace(_LEADERS_RE, "")
        .str.replace(_ENTRY_ORDINAL_RE, "")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" .")
    )


def _contents_lists(kept: pl.DataFrame) -> pl.DataFrame:
    """Add `_contents`: the line is a contents list's label or one of its entries.

    After a "Contents" label, the run of lines each of which ends in leaders and a page
    number or names a line that comes later in the document (the heading it lists); the
    first line that does neither ends the list. Only documents with such a label have
    one, so the lists are looked for in those alone.
    """
    labelled = pl.col("text").str.contains(CONTENTS_LABEL_RE).any().over("doc_id")
    return on_rows(kept, labelled, _contents_in_labelled, {"_contents": False})


def _contents_in_labelled(kept: pl.DataFrame) -> pl.DataFrame:
    text = pl.col("text")
    key = _entry_key(text)
    kept = kept.with_columns(
        key.alias("_key"), text.str.contains(CONTENTS_LABEL_RE).alias("_label")
    )
    last_seen = kept.group_by("doc_id", "_key").agg(pl.col("line_no").max().alias("_last_seen"))
    kept = kept.join(last_seen, on=["doc_id", "_key"], how="left", maintain_order="left")
    entry = (
        (pl.col("n_words") <= MAX_HEADING_WORDS + 4)
        & pl.col("_label").not_()
        & (
            text.str.contains(r"\.{3,}\s*\d{1,4}$")
            | ((pl.col("_last_seen") > pl.col("line_no")) & (pl.col("_key").str.len_chars() > 0))
        )
    )
    after_label = _by_doc(pl.col("_label").cast(pl.Int32).cum_sum())
    kept = kept.with_columns(entry.alias("_entry"), after_label.alias("_list"))
    broken = (
        (pl.col("_entry") | pl.col("_label"))
        .not_()
        .cast(pl.Int32)
        .cum_sum()
        .over("doc_id", "_list", order_by="line_no")
    )
    kept = kept.with_columns(
        ((pl.col("_list") > 0) & (broken == 0) & pl.col("_entry")).alias("_in_list")
    )
    n_entries = pl.col("_in_list").sum().over("doc_id", "_list")
    return kept.with_columns(
        (
            (pl.col("_in_list") | pl.col("_label"))
            & (pl.col("_list") > 0)
            & (n_entries >= MIN_CONTENTS_ENTRIES)
        ).alias("_contents")
    ).drop("_key", "_label", "_last_seen", "_entry", "_list", "_in_list")


def _by_doc(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="line_no")


def _prev(column: str) -> pl.Expr:
    return _by_doc(pl.col(column).shift(1))


def _next(column: str) -> pl.Expr:
    return _by_doc(pl.col(column).shift(-1))


# Was there a blank line (or removed furniture) just before this kept line?
_GAP_BEFORE = (pl.col("line_no") - _prev("line_no")).fill_null(1) > 1
_STARTS_LOWER = pl.col("text").str.contains(r"^[a-z]")
# "1.5 tonnes of fuel": a number and a lower-case word open a quantity, not a heading.
_QUANTITY_FIRST = pl.col("text").str.contains(r"^\d[\d.,]*\s+\p{Ll}")


def segment(lines: pl.DataFrame) -> pl.DataFrame:
    """Kept, non-blank lines with `block_kind` (heading/title/text) and `para_no`.

    Input: lines labelled by the boilerplate stage (bp_reason null = kept, is_title),
    read as they are: structure never relabels a line.
    """
    kept = lines.filter(pl.col("is_blank").not_() & pl.col("bp_reason").is_null())
    kept = _block_kinds(_heading_styles(_contents_lists(kept)))
    kept = _paragraph_numbers(_first_item_after_colon(kept))
    return kept.drop("_new", "_len", "_lower", "_colon_item", "_contents")


def _heading_styles(kept: pl.DataFrame) -> pl.DataFrame:
    """Add `heading_style` (roman/arabic/decimal/paren/dash/unnumbered/markup, null for
    no heading) and `_lower` (the line starts in lower case)."""
    prev, nxt = _prev, _next
    kept = _numbering_support(
        kept.with_columns(_heading_style().alias("heading_style"), _STARTS_LOWER.alias("_lower"))
    )
    # "2.1 Sites" and "2 SITES" (no dot) are numbered headings only where the numbering
    # supports them; an unsupported "2 SITES" may still be an unnumbered heading below,
    # an unsupported "2.1 Sites" is none.
    undotted = (pl.col("heading_style") == "arabic") & pl.col("text").str.contains(r"^\d{1,2}\s")
    kept = kept.with_columns(
        pl.when(undotted & pl.col("_numbered_ok").not_())
        .then(None)
        .otherwise(pl.col("heading_style"))
        .alias("heading_style")
    )
    # A numbered line whose sentence runs on into a lower-case line is not a heading.
    runs_on = nxt("_lower").fill_null(False)
    # Unnumbered headings ("Preamble", "Conclusion") exist only in wrapped text, as a
    # short standalone line between a finished sentence and a capitalised line.
    unnumbered = (
        pl.col("wrapped")
        & pl.col("heading_style").is_null()
        & (pl.col("n_words") <= 4)
        & pl.col("starts_upper")
        & _QUANTITY_FIRST.not_()
        & pl.col("ends_sentence").not_()
        & pl.col("is_bullet").not_()
        & dateline_or_page().not_()
        # The issuing body on a title page is no heading.
        & issuing_body(pl.col("text")).not_()
        # After a finished sentence, or set off by a blank line from a short line before
        # it (front matter such as a date), not from a line cut by a page break.
        & (prev("ends_sentence").fill_null(True) | (_GAP_BEFORE & (prev("n_words") <= 8)))
        & nxt("starts_upper").fill_null(False)
    )
    # In one-paragraph-per-line text, a subheading is a short capitalised line that ends
    # no sentence, between two body paragraphs (long lines that end a sentence).
    body = (pl.col("n_words") > SHORT_LINE_WORDS) & pl.col("ends_sentence")
    web_subheading = (
        pl.col("wrapped").not_()
        & pl.col("heading_style").is_null()
        & pl.col("n_words").is_between(2, WEB_SUBHEADING_WORDS)
        & pl.col("starts_upper")
        & pl.col("text").str.contains(r"\p{Ll}")
        & pl.col("text").str.contains(r"[.,;:!?…'\"”’)\]]$").not_()
        & pl.col("text").str.contains(CAPTION_RE).not_()
        & pl.col("text").str.contains(ATTACHMENT_RE).not_()
        & pl.col("is_bullet").not_()
        & dateline_or_page().not_()
        & _by_doc(body.shift(1)).fill_null(False)
        & _by_doc(body.shift(-1)).fill_null(False)
    )
    # A dash line is a heading only in wrapped text and when it stands alone (not in a
    # run of dash items).
    dash = pl.col("heading_style") == "dash"
    dash_item = dash & (
        pl.col("wrapped").not_()
        | prev("heading_style").eq("dash").fill_null(False)
        | nxt("heading_style").eq("dash").fill_null(False)
    )
    front_matter = pl.col("text").str.contains(FRONT_MATTER_HEADING_RE) & pl.col("is_title").not_()
    unsupported = (pl.col("heading_style") == "decimal") & pl.col("_numbered_ok").not_()
    # A page whose markup marks its headings (besides its title) marks them all: a line
    # no heading element holds is no heading there, whatever its shape.
    marked_up = (_html_heading() & pl.col("is_title").not_()).any().over("doc_id")
    return kept.with_columns(
        pl.when(pl.col("_contents"))
        .then(None)
        .when(pl.col("heading_style") == "markup")
        .then(pl.col("heading_style"))
        .when(marked_up)
        .then(None)
        .when(unnumbered | front_matter | web_subheading)
        .then(pl.lit("unnumbered"))
        .when(dash_item | runs_on | unsupported)
        .then(None)
        .otherwise(pl.col("heading_style"))
        .alias("heading_style")
    ).drop("_numbered_ok")


def _numbering_support(kept: pl.DataFrame) -> pl.DataFrame:
    """Add `_numbered_ok`: the document's numbering supports the line's section number
    ("2.1 Launch sites", "2 LAUNCH SITES"): its parent ("2." or "2 LAUNCH") starts an
    earlier line, a sibling ("2.2 ...", "3 ...") starts another, or a child ("2.1 ...")
    a later one; and no sibling is the line just before or after it (a run of numbered
    lines is a list). Quantities ("1.5 tonnes of fuel") start in lower case and never
    get here. Contents entries do not count."""
    number = pl.col("text").str.extract(_SECTION_NUMBER_RE, 1)
    kept = kept.with_columns(
        pl.when(pl.col("_contents").not_()).then(number).alias("_number"),
    ).with_columns(
        pl.col("_number").str.extract(r"^(.*)\.\d{1,2}$", 1).alias("_parent"),
        pl.col("_number").str.extract(r"(\d{1,2})$", 1).cast(pl.Int32).alias("_last"),
    )
    first_seen = (
        kept.drop_nulls("_number")
        .group_by("doc_id", "_number")
        .agg(pl.col("line_no").min().alias("_seen_at"))
    )
    prefix = (
        pl.when(pl.col("_parent").is_not_null()).then(pl.col("_parent") + ".").otherwise(pl.lit(""))
    )
    keys = {
        "_parent": pl.col("_parent"),
        "_prev_sib": prefix + (pl.col("_last") - 1).cast(pl.String),
        "_next_sib": prefix + (pl.col("_last") + 1).cast(pl.String),
        "_child": pl.col("_number") + ".1",
    }
    kept = kept.with_columns(**keys)
    for key in keys:
        kept = kept.join(
            first_seen.rename({"_number": key, "_seen_at": f"{key}_at"}),
            on=["doc_id", key],
            how="left",
            maintain_order="left",
        )
    parent = (pl.col("_parent_at") < pl.col("line_no")).fill_null(False)
    child = (pl.col("_child_at") > pl.col("line_no")).fill_null(False)
    siblings = pl.col("_prev_sib_at").is_not_null() | pl.col("_next_sib_at").is_not_null()
    in_a_run = _next("_number").eq(pl.col("_next_sib")).fill_null(False) | _prev("_number").eq(
        pl.col("_prev_sib")
    ).fill_null(False)
    ok = (parent | child | siblings) & in_a_run.not_() & pl.col("_number").is_not_null()
    return kept.with_columns(ok.fill_null(False).alias("_numbered_ok")).drop(
        "_number", "_last", *keys, *(f"{key}_at" for key in keys)
    )


def _block_kinds(kept: pl.DataFrame) -> pl.DataFrame:
    """Add `block_kind` (title/heading/bullet_marker/text) and `_len` (characters)."""
    text = pl.col("text")
    # The title (decided with the boilerplate labels) wins over the heading shapes: a
    # short title line on a report's first page looks like an unnumbered heading.
    is_heading = pl.col("heading_style").is_not_null() & pl.col("is_title").not_()
    lone_bullet = text.str.contains(_LONE_BULLET_RE)
    return kept.with_columns(
        pl.when(pl.col("is_title"))
        .then(pl.lit("title"))
        .when(pl.col("_contents"))
        .then(pl.lit("contents"))
        .when(is_heading)
        .then(pl.lit("heading"))
        .when(lone_bullet)
        .then(pl.lit("bullet_marker"))
        .otherwise(pl.lit("text"))
        .alias("block_kind"),
        text.str.len_chars().alias("_len"),
    )


def _paragraph_numbers(kept: pl.DataFrame) -> pl.DataFrame:
    """Add `para_no`: where a new block starts (`_new`), counted per document."""
    prev = _prev
    text = pl.col("text")
    # What is left of a merged line after its first physical line.
    last_physical = (
        pl.when(pl.col("_len") > MERGED_LINE_RATIO * pl.col("line_width_p90"))
        .then(pl.col("_len") - pl.col("line_width_p90"))
        .otherwise(pl.col("_len"))
    )
    first_word = text.str.extract(r"^(\S+)", 1).str.len_chars().fill_null(0)
    would_have_fitted = _by_doc(last_physical.shift(1)).fill_null(
        0
    ) + 1 + first_word <= FIT_TOLERANCE * pl.col("line_width_p95").cast(pl.Float64)
    prev_ends = prev("ends_sentence").fill_null(True)
    prev_short = _by_doc(pl.col("_len").shift(1)).fill_null(0) < SHORT_LINE_RATIO * pl.col(
        "line_width_p90"
    )
    kind_changes = prev("block_kind").ne(pl.col("block_kind")).fill_null(True)
    # Each heading is a block; the lines of a title (a report's may wrap) are one.
    starts_new = (
        pl.when(pl.col("block_kind") == "title")
        .then(kind_changes)
        .otherwise(
            pl.col("block_kind").is_in(["heading", "bullet_marker", "contents"])
            | kind_changes
            | pl.col("is_bullet")
            | pl.col("wrapped").not_()
            | (pl.col("indented") & _STARTS_LOWER.not_())
            # A lower-case line after a ';' or 'etc.' continues unless that line was short.
            | (prev_ends & would_have_fitted & _STARTS_LOWER.not_())
            | (prev_ends & prev_short)
            # A blank line after a finished sentence or a short line (front matter); a page
            # break cuts a full line, which continues.
            | (_GAP_BEFORE & (prev_ends | prev_short))
            | pl.col("_colon_item")
        )
    )
    return kept.with_columns(starts_new.alias("_new")).with_columns(
        _by_doc(pl.col("_new").cast(pl.Int32).cum_sum()).alias("para_no")
    )


def _first_item_after_colon(kept: pl.DataFrame) -> pl.DataFrame:
    """Add `_colon_item`: the line starts the first item of a list whose bullets were lost.

    "... including:" / "launching services;" / "technical cooperation ...": in wrapped
    text, a lower-case line after a line ending in ':' starts an item when its clause (up
    to the next line ending a sentence) ends in ';' on a line well short of the text
    width and the next line starts in lower case again (the next item). An ordinary
    sentence running on after a colon ends in '.' or fills its last line.
    """
    line_ends = pl.col("ends_sentence")
    ends_item = (
        line_ends
        & pl.col("text").str.ends_with(";")
        & (pl.col("_len") < SHORT_LINE_RATIO * pl.col("line_width_p90"))
        & _by_doc(pl.col("_lower").shift(-1)).fill_null(False)
    )
    return (
        kept.with_columns(
            _by_doc(line_ends.shift(1).fill_null(True).cast(pl.Int32).cum_sum()).alias("_clause"),
            ends_item.alias("_ends_item"),
        )
        .with_columns(
            (
                pl.col("wrapped")
                & pl.col("_lower")
                & _by_doc(pl.col("text").shift(1)).str.ends_with(":").fill_null(False)
                & pl.col("_ends_item").any().over("doc_id", "_clause")
            ).alias("_colon_item")
        )
        .drop("_clause", "_ends_item")
    )


def _hyphen_joins(kept: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Per line continuing a paragraph after a line-end hyphen: `_hyphen` (join|keep|space).

    join: the previous line's hyphen splits a word and goes; keep: a compound, joined
    without a space; space: a suspended hyphen ("space- and"), joined with a space.
    Adds `_left`/`_right` (the word parts) and `_hyphen_rule`.
    """
    with_parts = kept.with_columns(
        _in_para(pl.col("text").shift(1)).str.extract(_LINE_END_HYPHEN, 1).alias("_left"),
        pl.col("text").str.extract(r"^([A-Za-z]+)", 1).alias("_right"),
    )
    pairs = with_parts.filter(pl.col("_left").is_not_null() & pl.col("_right").is_not_null())
    suspended = pairs.filter(pl.col("_right").is_in(_SUSPENDED_BEFORE))
    decided = line_end_hyphens(
        pairs.filter(pl.col("_right").is_in(_SUSPENDED_BEFORE).not_()).select(
            "doc_id", "line_no", pl.col("_left").alias("left"), pl.col("_right").alias("right")
        ),
        lines,
    )
    decisions = pl.concat(
        [
            decided.select(
                "doc_id",
                "line_no",
                pl.when(pl.col("join"))
                .then(pl.lit("join"))
                .otherwise(pl.lit("keep"))
                .alias("_hyphen"),
                pl.col("rule").alias("_hyphen_rule"),
            ),
            suspended.select(
                "doc_id",
                "line_no",
                pl.lit("space").alias("_hyphen"),
                pl.lit("suspended_hyphen").alias("_hyphen_rule"),
            ),
        ]
    )
    return with_parts.join(
        decisions, on=["doc_id", "line_no"], how="left", maintain_order="left"
    ).with_columns(
        pl.when(pl.col("_hyphen").is_null()).then(None).otherwise(pl.col("_left")).alias("_left"),
        pl.when(pl.col("_hyphen").is_null()).then(None).otherwise(pl.col("_right")).alias("_right"),
    )


def assemble(kept: pl.DataFrame, lines: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per paragraph-or-heading block: joined text, kind, raw span, first line."""
    return assemble_blocks(kept, lines)[0]


def assemble_blocks(
    kept: pl.DataFrame, lines: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(blocks, pieces, edits) of the segmented lines.

    blocks: one row per paragraph-or-heading block (doc_id, para_no, kind, heading_style,
    markup_level, text, raw_start, raw_end, first_line). pieces: one row per line of a block, with
    `text_start`, where the line's text starts in the block text (negative when a leading
    bullet was cut), and its `line_edits` (the repairs' exact raw spans), for mapping
    block offsets back to raw offsets. edits: one row per
    change to the text (doc_id, para_no, start in the block text, before, after, kind,
    rule, raw_start, raw_end): references and mojibake repaired and lost hyphens
    restored by clean (the repairs with their exact raw span), line-end hyphens dropped
    here.
    `lines` (all lines of the shard) give the document-wide evidence for line-end
    hyphens; by default the kept lines do.
    """
    joined = _joined_lines(_hyphen_joins(kept, kept if lines is None else lines))
    blocks = _classify(_blocks(joined))
    # Characters cut from the start of a block (a bullet) shift every offset in it.
    cut = blocks.select("doc_id", "para_no", "cut")
    pieces = (
        joined.join(cut, on=["doc_id", "para_no"], how="inner")
        .select(
            "doc_id",
            "para_no",
            "line_no",
            (pl.col("text_start") - pl.col("cut")).alias("text_start"),
            "raw_start",
            "raw_end",
            "text",
            "line_edits",
        )
        .sort("doc_id", "para_no", "line_no")
    )
    edits = (
        pl.concat([_line_edits(joined), _join_edits(joined)], how="diagonal_relaxed")
        .join(cut, on=["doc_id", "para_no"], how="inner")
        .select(
            "doc_id",
            "para_no",
            (pl.col("start") - pl.col("cut")).cast(pl.Int32).alias("start"),
            "before",
            "after",
            "kind",
            "rule",
            "raw_start",
            "raw_end",
        )
        # A repaired character in a cut bullet is not in the block text.
        .filter(pl.col("start") >= 0)
        .sort("doc_id", "para_no", "start")
    )
    return blocks.drop("cut", "is_bullet", "last_line", "block_kind"), pieces, edits


def _in_para(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", "para_no", order_by="line_no")


def _joined_lines(kept: pl.DataFrame) -> pl.DataFrame:
    """Each line as a piece of its block's text: `_joiner` (the space before it, if any),
    `_body` (its text, without a hyphen the next line rejoins), `_piece` and
    `text_start` (where its text starts in the block text)."""
    first_in_para = _in_para(pl.int_range(pl.len())) == 0
    joiner = (
        pl.when(first_in_para)
        .then(pl.lit(""))
        .when(pl.col("_hyphen").is_in(["join", "keep"]))
        .then(pl.lit(""))
        .otherwise(pl.lit(" "))
    )
    # The next line rejoins a word split by this line's hyphen: drop the hyphen.
    drops_hyphen = _in_para(pl.col("_hyphen").shift(-1)).eq("join").fill_null(False)
    body = (
        pl.when(drops_hyphen)
        .then(pl.col("text").str.slice(0, pl.col("text").str.len_chars() - 1))
        .otherwise(pl.col("text"))
    )
    return (
        kept.with_columns(joiner.alias("_joiner"), body.alias("_body"))
        .with_columns(pl.concat_str(["_joiner", "_body"]).alias("_piece"))
        .with_columns(
            (
                _in_para(pl.col("_piece").str.len_chars().cum_sum())
                - pl.col("_piece").str.len_chars()
                + pl.col("_joiner").str.len_chars()
            )
            .cast(pl.Int32)
            .alias("text_start")
        )
    )


def _blocks(joined: pl.DataFrame) -> pl.DataFrame:
    """One row per block: its text and span, first and last line."""
    return (
        joined.group_by("doc_id", "para_no", maintain_order=True)
        .agg(
            pl.col("_piece").sort_by("line_no").str.join("").alias("text"),
            pl.col("block_kind").first(),
            pl.col("heading_style").first(),
            pl.col("markup_level").first(),
            pl.col("is_bullet").first(),
            pl.col("raw_start").min(),
            pl.col("raw_end").max(),
            pl.col("line_no").min().alias("first_line"),
            pl.col("line_no").max().alias("last_line"),
        )
        .sort("doc_id", "para_no")
    )


def _line_edits(joined: pl.DataFrame) -> pl.DataFrame:
    """The lines' own repairs (clean's), placed in the block text."""
    return (
        joined.select("doc_id", "para_no", "line_no", "text_start", "_body", "line_edits")
        .explode("line_edits")
        .drop_nulls("line_edits")
        .unnest("line_edits")
        # A repaired character the join dropped (a line-end hyphen) is no longer there.
        .filter(
            pl.col("start") + pl.col("after").str.len_chars() <= pl.col("_body").str.len_chars()
        )
        .with_columns((pl.col("start") + pl.col("text_start")).cast(pl.Int32).alias("start"))
        .drop("_body")
    )


def _join_edits(joined: pl.DataFrame) -> pl.DataFrame:
    """The line-end hyphens dropped to rejoin a split word, placed in the block text."""
    # End of the previous line's text in the block.
    prev_end = _in_para((pl.col("text_start") + pl.col("_body").str.len_chars()).shift(1))
    return (
        joined.with_columns(
            (prev_end - pl.col("_left").str.len_chars()).cast(pl.Int32).alias("start")
        )
        .filter(pl.col("_hyphen") == "join")
        .select(
            "doc_id",
            "para_no",
            "line_no",
            "text_start",
            "start",
            pl.concat_str([pl.col("_left"), pl.lit("-"), pl.col("_right")]).alias("before"),
            pl.concat_str([pl.col("_left"), pl.col("_right")]).alias("after"),
            pl.lit("dehyphenate").alias("kind"),
            pl.col("_hyphen_rule").alias("rule"),
        )
    )


def _classify(blocks: pl.DataFrame) -> pl.DataFrame:
    """Reattach lone bullets, give each block its kind, cut list items' bullets."""
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
    blocks = blocks.with_columns(_lost_bullet_items().alias("_lost_bullet"))
    kind = (
        pl.when(pl.col("block_kind") == "title")
        .then(pl.lit("title"))
        .when(pl.col("block_kind") == "heading")
        .then(pl.lit("heading"))
        .when(pl.col("block_kind") == "contents")
        .then(pl.lit("contents"))
        .when(pl.col("is_bullet") | pl.col("_reattached") | pl.col("_lost_bullet"))
        .then(pl.lit("list_item"))
        .when(pl.col("text").str.contains(CAPTION_RE))
        .then(pl.lit("caption"))
        .when(pl.col("text").str.contains(ATTACHMENT_RE))
        .then(pl.lit("attachment"))
        .otherwise(pl.lit("paragraph"))
    )
    stripped = (
        pl.when(pl.col("is_bullet") & (pl.col("kind") == "list_item"))
        .then(pl.col("text").str.replace(BULLET_RE + r"\s*", ""))
        .otherwise(pl.col("text"))
    )
    return (
        blocks.with_columns(kind.alias("kind"))
        .with_columns(stripped.alias("_stripped"))
        .with_columns(
            (pl.col("text").str.len_chars() - pl.col("_stripped").str.len_chars())
            .cast(pl.Int32)
            .alias("cut"),
            pl.col("_stripped").alias("text"),
        )
        .select(
            "doc_id",
            "para_no",
            "kind",
            "heading_style",
            "markup_level",
            "text",
            "raw_start",
            "raw_end",
            "first_line",
            "cut",
            "is_bullet",
            "last_line",
            "block_kind",
        )
        .sort("doc_id", "para_no")
    )


def _lost_bullet_items() -> pl.Expr:
    """Blocks of a list whose bullets the extractor lost.

    A lead-in block ending in ':' followed by two or more blocks that start in lower
    case, each but the last ending in ';' ("including:" / "launching services;" /
    "technical ...").
    """
    text = pl.col("text")
    linked = (
        text.str.contains(r"^[a-z]")
        & _by_doc_block(text.shift(1)).str.contains(r"[:;]$").fill_null(False)
        & (pl.col("block_kind") == "text")
        & _by_doc_block(pl.col("block_kind").shift(1)).eq("text").fill_null(False)
    )
    chain = _by_doc_block(linked.not_().cum_sum())
    lead_in_colon = text.str.ends_with(":").first().over("doc_id", chain, order_by="para_no")
    # One lower-case block after a colon is a sentence that runs on ("He said:" / "we
    # will go."), not a list.
    n_items = linked.sum().over("doc_id", chain)
    return linked & lead_in_colon & (n_items >= 2)


def _by_doc_block(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="para_no")
