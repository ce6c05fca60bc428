"""Split decoded documents into lines with raw offsets, and normalize each line's text.

Everything here is a polars expression over the whole shard: no per-line Python.
A line keeps `raw_start`/`raw_end`, the span of its non-blank content in the decoded
raw text, so every later row can point back at the exact source characters.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left

import polars as pl

from taikong.clean.hyphens import EDIT_STRUCT, MERGED_LINE_RATIO, restore_lost_hyphens
from taikong.structure.offsets import align

CLEAN_VERSION = "clean_v6"
# A full-width line is at least this share of the text width (the 90th percentile length).
FULL_LINE_RATIO = 0.6
# Hard-wrapped text cuts at least this share of its full-width lines mid-sentence (a
# paragraph's last line often fills the width too); a web page's long lines are
# paragraphs, which end a sentence.
OPEN_FULL_LINES_SHARE = 0.2
# ... and at least this share runs on into a next line that starts in lower case (a
# sentence cut by the line break); a web page's paragraph never does.
RUN_ON_FULL_LINES_SHARE = 0.1

# Characters that render as (or should be) a plain space.
_SPACE_LIKE = "[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]"
# Invisible characters that only break matching: zero-width spaces/joiners, BOM, soft hyphen.
_INVISIBLE = "[\u200b-\u200d\u2060\ufeff\u00ad]"
# C0/C1 controls (NUL included) that survived decoding; newline/CR are already split off.
_CONTROL = "[\u0000-\u0008\u000e-\u001f\u007f-\u009f]"
# Remnants of HTML that scraping left behind: whole tags, and the tail of a cut
# attribute such as `Email">` (a quote closing an attribute, then the tag end).
_HTML_TAG = r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?/?>"
_ATTR_TAIL = r"\"\s*/?>"
# Every HTML character reference, named (all of HTML5's) or numeric, with its ';': a
# scraped page's "&#8217;", "&mdash;" and "&eacute;" are the characters they stand for.
# Without the ';' ("AT&T", "R&D") the text is left alone.
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_ENTITY_RE = re.compile(_ENTITY)
# UTF-8 read as Windows-1252 ("â€™" for "’", "Ã©" for "é"): the tell-tale lead characters.
_MOJIBAKE_HINT = (
    "[ÂÃâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
)


def reference_repairs(text: str) -> list[tuple[int, int, str, str, str]]:
    """The repairs of `text`: (start, end, replacement, kind, rule), in order, disjoint.

    Mojibake: each run of characters of UTF-8 read as Windows-1252 (or Latin-1) that ftfy
    judges bad and fixes, run by run as ftfy's own `decode_inconsistent_utf8` does, so
    each repair has its exact span (a whole-line `fix_encoding` would not say where it
    changed what). References: every named or numeric HTML reference. Runs are non-ASCII
    and references ASCII, so the two never overlap and repairing one never creates the
    other.
    """
    import ftfy
    from ftfy.badness import is_bad
    from ftfy.chardata import UTF8_DETECTOR_RE

    repairs = []
    for m in UTF8_DETECTOR_RE.finditer(text):
        if is_bad(m.group()):
            fixed = ftfy.fix_encoding(m.group())
            if fixed and fixed != m.group():
                # C1 controls and none of Windows-1252's own characters (€, ’, ...): the
                # bytes were read as Latin-1.
                latin1 = any("\x80" <= c <= "\x9f" for c in m.group()) and all(
                    c <= "\xff" for c in m.group()
                )
                rule = "utf8_as_latin1" if latin1 else "utf8_as_cp1252"
                repairs.append((m.start(), m.end(), fixed, "repair_mojibake", rule))
    for m in _ENTITY_RE.finditer(text):
        char = html.unescape(m.group())
        if char != m.group():
            rule = "numeric_reference" if m.group()[1] == "#" else "named_reference"
            repairs.append((m.start(), m.end(), char, "unescape_reference", rule))
    return sorted(repairs)


def apply_repairs(text: str, repairs: list[tuple[int, int, str, str, str]]) -> tuple[str, list]:
    """(repaired text, [(start in the repaired text, repair)]) for `reference_repairs`."""
    out, placed, pos, length = [], [], 0, 0
    for repair in repairs:
        start, end, after = repair[:3]
        out.append(text[pos:start])
        length += start - pos
        placed.append((length, repair))
        out.append(after)
        length += len(after)
        pos = end
    out.append(text[pos:])
    return "".join(out), placed


_REPAIR_STRUCT = pl.Struct(
    {
        "at": pl.Int64,  # start of the replacement in the repaired line
        "line_raw_start": pl.Int64,  # the raw characters, in the raw line
        "line_raw_end": pl.Int64,
        "after": pl.String,
        "kind": pl.String,
        "rule": pl.String,
    }
)

_BULLET_CHARS = "•●▪◦‣∙·*"
BULLET_RE = rf"^(?:[{_BULLET_CHARS}]|[-–—](?:\s|$))"


def repair_references(lines: pl.DataFrame, column: str) -> pl.DataFrame:
    """`_repaired` (`column` with mojibake repaired and references unescaped) and
    `_repairs` (for those lines only: each repair's start in `_repaired`, its raw span
    in `column`, replacement, kind and rule).

    Python runs only on the few lines that hold a reference or mojibake's tell-tale pair;
    every other line is passed through by polars.
    """
    col = pl.col(column)
    suspect = col.str.contains(_MOJIBAKE_HINT) | col.str.contains(_ENTITY)
    rows = lines.select(pl.int_range(pl.len()).alias("_i"), col, suspect.alias("_s"))
    todo = rows.filter(pl.col("_s"))
    fixed, repairs = [], []
    for text in todo[column].to_list():
        repaired, placed = apply_repairs(text, reference_repairs(text))
        fixed.append(repaired)
        repairs.append(
            [
                {
                    "at": at,
                    "line_raw_start": start,
                    "line_raw_end": end,
                    "after": after,
                    "kind": kind,
                    "rule": rule,
                }
                for at, (start, end, after, kind, rule) in placed
            ]
            or None
        )
    patch = pl.DataFrame(
        {"_i": todo["_i"], "_fixed": fixed, "_repairs": repairs},
        schema={"_i": pl.Int64, "_fixed": pl.String, "_repairs": pl.List(_REPAIR_STRUCT)},
    )
    return rows.join(patch, on="_i", how="left", maintain_order="left").select(
        pl.coalesce("_fixed", column).alias("_repaired"), "_repairs"
    )


def place_repairs(lines: pl.DataFrame) -> pl.Series:
    """The `line_edits` (list of EDIT_STRUCT) of each line's repairs, placed in its clean text.

    Cleaning after the repair may move a repaired character (collapsed spaces, removed
    markup) or change it (a no-break space becomes a space): each repair is found in the
    clean text by aligning it with the repaired text, and `after` is what the clean text
    says there. A repair whose characters cleaning removed (a soft hyphen, a zero-width
    space, markup) is no edit, as the same character in the raw text would not be one.
    `raw_start`/`raw_end` are the repair's exact span in the document's raw text.
    """
    todo = lines.select(
        pl.int_range(pl.len()).alias("_i"), "text", "_repaired", "_repairs", "_line_start"
    ).filter(pl.col("_repairs").is_not_null())
    out = []
    for _, text, repaired, repairs, line_start in todo.iter_rows():
        # Monotone (cleaning keeps the order of characters): bisect for each repair.
        mapping = align(text, repaired)
        edits = []
        for r in repairs:
            first = bisect_left(mapping, r["at"])
            last = bisect_left(mapping, r["at"] + len(r["after"]))
            if first >= last:
                continue
            edits.append(
                {
                    "start": first,
                    "before": None,  # set from the raw text when the table is built
                    "after": text[first:last],
                    "kind": r["kind"],
                    "rule": r["rule"],
                    "raw_start": line_start + r["line_raw_start"],
                    "raw_end": line_start + r["line_raw_end"],
                }
            )
        out.append(edits)
    patch = pl.DataFrame(
        {"_i": todo["_i"], "_edits": out},
        schema={"_i": pl.Int64, "_edits": pl.List(EDIT_STRUCT)},
    )
    placed = (
        lines.select(pl.int_range(pl.len()).alias("_i"))
        .join(patch, on="_i", how="left", maintain_order="left")["_edits"]
        .fill_null(pl.lit([], dtype=pl.List(EDIT_STRUCT)))
    )
    return placed.alias("line_edits")


def normalize_text(expr: pl.Expr) -> pl.Expr:
    """Unicode NFC, markup remnants, odd spaces and controls, collapsed whitespace.

    Character references and mojibake are repaired before (`repair_references`).
    """
    out = expr.str.normalize("NFC")
    return (
        out.str.replace_all(_HTML_TAG, " ")
        .str.replace_all(_ATTR_TAIL, " ")
        .str.replace_all(_INVISIBLE, "")
        .str.replace_all(_CONTROL, "")
        .str.replace_all(_SPACE_LIKE, " ")
        .str.replace_all(r" {2,}", " ")
        .str.strip_chars()
    )


def split_lines(docs: pl.DataFrame) -> pl.DataFrame:
    """One row per physical line of each document, with its raw span and clean text.

    Input columns: doc_id, raw_text. Output: doc_id, line_no, raw_start, raw_end,
    text (normalized), is_blank, indented, line_edits (the references and mojibake
    repaired, see `place_repairs`). Lone CR and CRLF line ends are handled by replacing
    them with same-length stand-ins before splitting, so offsets stay exact.
    """
    split_view = (
        pl.col("raw_text")
        .str.replace_all("\r\n", " \n", literal=True)
        .str.replace_all("\r", "\n", literal=True)
        .str.split("\n")
        .alias("raw_line")
    )
    exploded = docs.select("doc_id", split_view).explode("raw_line")
    exploded = pl.concat([exploded, repair_references(exploded, "raw_line")], how="horizontal")
    lines = (
        exploded.with_columns(
            pl.int_range(pl.len()).over("doc_id").cast(pl.Int32).alias("line_no"),
            pl.col("raw_line").str.len_chars().cast(pl.Int64).alias("_len"),
        )
        .with_columns(
            ((pl.col("_len") + 1).cum_sum().over("doc_id") - (pl.col("_len") + 1)).alias(
                "_line_start"
            ),
            # Python's and Rust's whitespace sets agree on the characters that matter here.
            pl.col("raw_line")
            .str.strip_chars_start()
            .str.len_chars()
            .cast(pl.Int64)
            .alias("_after_lead"),
            pl.col("raw_line")
            .str.strip_chars_end()
            .str.len_chars()
            .cast(pl.Int64)
            .alias("_before_trail"),
        )
        .with_columns(
            (pl.col("_line_start") + pl.col("_len") - pl.col("_after_lead")).alias("raw_start"),
            (pl.col("_line_start") + pl.col("_before_trail")).alias("raw_end"),
            normalize_text(pl.col("_repaired")).alias("text"),
        )
        .with_columns(
            # A blank line's span is empty, placed at its start.
            pl.when(pl.col("raw_end") < pl.col("raw_start"))
            .then(pl.col("_line_start"))
            .otherwise(pl.col("raw_start"))
            .alias("raw_start"),
            pl.max_horizontal("raw_end", "_line_start").alias("raw_end"),
            (pl.col("text").str.len_chars() == 0).alias("is_blank"),
            # Leading spaces in extracted PDF text mark a paragraph's first line.
            (pl.col("_after_lead") < pl.col("_len")).alias("indented"),
        )
    )
    lines = lines.with_columns(place_repairs(lines)).with_columns(
        # A repaired run may end in what looked like trailing whitespace ("Ã\xa0" is
        # "à"): the line's content runs to the end of its last repair.
        pl.max_horizontal(
            "raw_end",
            pl.col("line_edits").list.eval(pl.element().struct.field("raw_end")).list.max(),
        ).alias("raw_end")
    )
    return lines.select(
        "doc_id", "line_no", "raw_start", "raw_end", "text", "is_blank", "indented", "line_edits"
    )


def line_features(lines: pl.DataFrame) -> pl.DataFrame:
    """Add per-line shape features that later stages share (words, bullet, punctuation)."""
    text = pl.col("text")
    return lines.with_columns(
        text.str.count_matches(r"\S+").cast(pl.Int32).alias("n_words"),
        text.str.contains(BULLET_RE).alias("is_bullet"),
        text.str.contains(r"[.!?;:…]['\"”’)\]]*$").alias("ends_sentence"),
        text.str.contains(r"^[\"“‘'(\[]*[A-Z0-9]").alias("starts_upper"),
    )


def document_layout(lines: pl.DataFrame) -> pl.DataFrame:
    """Per document: is the text hard-wrapped (PDF-style) or one paragraph per line (web)?

    Web pages separate paragraphs with blank lines; extracted PDF text runs line after
    line. A document is `wrapped` when most non-blank lines are directly followed by
    another non-blank line and many of its full-width lines (at least FULL_LINE_RATIO of
    the text width) do not end a sentence, some running on into a lower-case line. Short
    lines are left out of that count: a web page that gives one paragraph per line
    without blank lines also has runs of short menu and metadata lines, which end no
    sentence, but its long lines are paragraphs, which do; a typesetter cuts a
    paragraph's full lines mid-sentence.

    `line_width_p90` is the text width; `line_width_p95` the width of the fullest lines,
    not counting lines the extractor merged (over MERGED_LINE_RATIO times the width).
    """
    nb = pl.col("is_blank").not_()
    next_nb = pl.col("is_blank").shift(-1).over("doc_id").not_().fill_null(False)
    length = pl.col("text").str.len_chars()
    p90 = length.filter(nb).quantile(0.9)
    full = nb & (length >= FULL_LINE_RATIO * p90)
    next_lower = pl.col("text").shift(-1).over("doc_id").str.contains(r"^\p{Ll}").fill_null(False)
    return (
        lines.group_by("doc_id")
        .agg(
            nb.sum().alias("n_lines"),
            (nb & next_nb).sum().alias("n_followed"),
            full.sum().alias("n_full"),
            (full & pl.col("ends_sentence").not_()).sum().alias("n_open"),
            (full & next_nb & next_lower).sum().alias("n_run_on"),
            p90.alias("line_width_p90"),
            length.filter(nb & (length <= MERGED_LINE_RATIO * p90))
            .quantile(0.95)
            .alias("line_width_p95"),
        )
        .with_columns(
            (
                (pl.col("n_lines") >= 8)
                & (pl.col("n_followed") >= 0.6 * pl.col("n_lines"))
                & (pl.col("n_open") >= OPEN_FULL_LINES_SHARE * pl.col("n_full"))
                & (pl.col("n_run_on") >= 1)
                & (pl.col("n_run_on") >= RUN_ON_FULL_LINES_SHARE * pl.col("n_full"))
            ).alias("wrapped"),
            pl.col("line_width_p90").fill_null(0).cast(pl.Int32),
            pl.col("line_width_p95").fill_null(0).cast(pl.Int32),
        )
        .select("doc_id", "wrapped", "line_width_p90", "line_width_p95")
    )


def markup_heading_levels(lines: pl.DataFrame, docs: pl.DataFrame) -> pl.DataFrame:
    """Add `markup_level`: the level (1 for <h1>) of the heading element whose span in the
    raw text (docs.markup_headings, HTML inputs only) holds the line's content; null for
    a line no heading element holds, or that shares its line with other text (a heading
    in a table cell)."""
    spans_schema = {"doc_id": pl.String, "_start": pl.Int64, "_end": pl.Int64, "level": pl.Int8}
    spans = (
        docs.select("doc_id", pl.col("markup_headings").alias("_h"))
        .explode("_h")
        .drop_nulls("_h")
        .unnest("_h")
        .select("doc_id", pl.col("start").alias("_start"), pl.col("end").alias("_end"), "level")
        if "markup_headings" in docs.columns
        else pl.DataFrame(schema=spans_schema)
    )
    if spans.is_empty():
        return lines.with_columns(pl.lit(None, dtype=pl.Int8).alias("markup_level"))
    # Spans do not overlap: the one starting last at or before the line is the only one
    # that can hold it (a join as of the line's start, linear in lines + spans).
    held = (
        lines.filter(pl.col("is_blank").not_())
        .select("doc_id", "line_no", "raw_start", "raw_end")
        .sort("raw_start")
        .join_asof(
            spans.sort("_start"),
            left_on="raw_start",
            right_on="_start",
            by="doc_id",
            check_sortedness=False,  # sorted as a whole, so within each document
        )
        .filter(pl.col("raw_end") <= pl.col("_end"))
        .select("doc_id", "line_no", pl.col("level").alias("markup_level"))
    )
    return lines.join(held, on=["doc_id", "line_no"], how="left", maintain_order="left")


def clean_shard(docs: pl.DataFrame) -> pl.DataFrame:
    """The clean stage for one shard: lines with clean text, features and doc layout,
    and the headings the source's markup shows."""
    lines = markup_heading_levels(line_features(split_lines(docs)), docs)
    lines = lines.join(document_layout(lines), on="doc_id", how="left", maintain_order="left")
    # PDF repair that needs no paragraph context: hyphens lost when the extractor merged
    # two lines, each change recorded in `line_edits`. Line-end hyphens and bullet
    # reattachment need the paragraphs, so structure does them.
    return restore_lost_hyphens(lines).sort("doc_id", "line_no")
