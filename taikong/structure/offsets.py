"""Map character offsets in a paragraph's text back to offsets in the raw document.

A paragraph's text is its lines' clean text joined by spaces (or nothing, after a
line-end hyphen). `pieces` (from `assemble_blocks`) say where each line starts in the
paragraph text. Most lines' clean text has the length of their raw span and maps
character for character; the others (collapsed spaces, removed markup, a restored
hyphen, a repaired reference or mojibake) are aligned character by character, in
Python, only when a span falls in them. A repair carries its exact raw span: the
alignment reads the raw line with the repairs made, and maps back through them.
"""

from __future__ import annotations

import polars as pl

# How far ahead in the raw line a character of the clean text is looked for.
LOOKAHEAD = 24


def align(clean: str, raw: str) -> list[int]:
    """For each character of `clean`, the index of its source character in `raw`.

    Cleaning deletes (markup, extra spaces, invisible characters), replaces (odd spaces,
    composed characters) and inserts (a restored hyphen): a character that matches, or a
    space facing raw whitespace, is its source; a run of raw whitespace before a matching
    character was deleted whatever its length; otherwise the raw characters up to the
    next match within LOOKAHEAD were deleted, a '-' with no '-' ahead was inserted (it
    maps to the next raw character), and anything else replaced the raw character.
    """
    mapping = []
    j = 0
    for i, c in enumerate(clean):
        if j < len(raw) and (raw[j] == c or (c == " " and raw[j].isspace())):
            mapping.append(j)
            j += 1
            continue
        if c != " " and j < len(raw) and raw[j].isspace():
            # A run of raw whitespace that cleaning collapsed (right-aligned page numbers
            # in PDF text): deleted whole, however long, when c follows it.
            k = j
            while k < len(raw) and raw[k].isspace():
                k += 1
            if k < len(raw) and raw[k] == c:
                mapping.append(k)
                j = k + 1
                continue
        ahead = raw.find(c, j, j + LOOKAHEAD) if c != " " else -1
        if c == " " and j < len(raw):
            ahead = next(
                (k for k in range(j, min(len(raw), j + LOOKAHEAD)) if raw[k].isspace()), -1
            )
        if ahead >= 0 and not (c == "-" and i + 1 < len(clean) and raw[j : j + 1] == clean[i + 1]):
            mapping.append(ahead)
            j = ahead + 1
        elif c == "-":
            mapping.append(min(j, max(len(raw) - 1, 0)))  # inserted: no source of its own
        else:
            mapping.append(min(j, max(len(raw) - 1, 0)))
            j += 1
    return mapping


def repaired_view(raw: str, offset: int, edits: list[dict] | None) -> tuple[str, list, list]:
    """(`raw` with each repaired reference or mojibake replaced by what the clean text
    reads, first raw index, last raw index of each of its characters).

    `offset` is where `raw` starts in the document; edits with a raw span of their own
    (repairs) are the ones replaced. Aligning the clean text with this view instead of
    the raw line keeps "&mdash;" from throwing the alignment off.
    """
    known = sorted(
        (e["raw_start"] - offset, e["raw_end"] - offset, e["after"])
        for e in edits or []
        if e.get("raw_start") is not None
        and offset <= e["raw_start"]
        and e["raw_end"] - offset <= len(raw)
    )
    if not known:
        index = list(range(len(raw)))
        return raw, index, index
    out, first, last, pos = [], [], [], 0
    for start, end, after in known:
        if start < pos:
            continue
        out.append(raw[pos:start])
        first.extend(range(pos, start))
        last.extend(range(pos, start))
        out.append(after)
        first.extend([start] * len(after))
        last.extend([end - 1] * len(after))
        pos = end
    out.append(raw[pos:])
    first.extend(range(pos, len(raw)))
    last.extend(range(pos, len(raw)))
    return "".join(out), first, last


def _locate(
    positions: pl.DataFrame,
    pieces: pl.DataFrame,
    raw_texts: dict[str, str],
    *,
    last: bool = False,
) -> pl.Series:
    """Raw offset of each (doc_id, para_no, pos) character of a paragraph's text.

    last: the offset of the last raw character the text character stands for (for span
    ends: "&mdash;" ends at its ';').
    """
    indexed = positions.with_row_index("_row").sort("pos")
    located = indexed.join_asof(
        pieces.sort("text_start"),
        left_on="pos",
        right_on="text_start",
        by=["doc_id", "para_no"],
        strategy="backward",
        check_sortedness=False,  # both sides are sorted on the key just above
    ).with_columns(
        (pl.col("pos") - pl.col("text_start")).alias("_col"),
        (
            (pl.col("text").str.len_chars() == pl.col("raw_end") - pl.col("raw_start"))
            & (pl.col("line_edits").list.len().fill_null(0) == 0)
        ).alias("_same_length"),
    )
    located = located.with_columns(
        pl.when(pl.col("_same_length"))
        .then(pl.col("raw_start") + pl.min_horizontal("_col", pl.col("raw_end") - 1))
        .otherwise(None)
        .alias("_raw")
    )
    slow = located.filter(pl.col("_raw").is_null())
    if slow.height:
        cache: dict[tuple[str, int], tuple[list[int], list[int], list[int]]] = {}
        fixed = []
        for row in slow.iter_rows(named=True):
            key = (row["doc_id"], row["raw_start"])
            if key not in cache:
                raw_line = raw_texts[row["doc_id"]][row["raw_start"] : row["raw_end"]]
                view, firsts, lasts = repaired_view(raw_line, row["raw_start"], row["line_edits"])
                cache[key] = (align(row["text"], view), firsts, lasts)
            mapping, firsts, lasts = cache[key]
            col = min(max(row["_col"], 0), len(mapping) - 1)
            back = lasts if last else firsts
            at = back[mapping[col]] if mapping and mapping[col] < len(back) else mapping[col]
            fixed.append(
                (row["_row"], row["raw_start"] + min(at, row["raw_end"] - 1 - row["raw_start"]))
            )
        patch = pl.DataFrame(fixed, schema={"_row": pl.UInt32, "_fixed": pl.Int64}, orient="row")
        located = located.join(patch, on="_row", how="left").with_columns(
            pl.coalesce("_raw", "_fixed").alias("_raw")
        )
    return located.sort("_row")["_raw"].cast(pl.Int64)


def to_raw_spans(
    spans: pl.DataFrame, pieces: pl.DataFrame, raw_texts: dict[str, str]
) -> pl.DataFrame:
    """Add raw_start/raw_end to spans (doc_id, para_no, char_start, char_end)."""
    if spans.height == 0:
        return spans.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("raw_start"),
            pl.lit(None, dtype=pl.Int64).alias("raw_end"),
        )
    if "line_edits" not in pieces.columns:
        pieces = pieces.with_columns(pl.lit(None, dtype=pl.List(pl.Null)).alias("line_edits"))
    pieces = pieces.select(
        "doc_id", "para_no", "text_start", "raw_start", "raw_end", "text", "line_edits"
    )
    starts = spans.select("doc_id", "para_no", pl.col("char_start").alias("pos"))
    ends = spans.select("doc_id", "para_no", (pl.col("char_end") - 1).alias("pos"))
    return spans.with_columns(
        _locate(starts, pieces, raw_texts).alias("raw_start"),
        (_locate(ends, pieces, raw_texts, last=True) + 1).alias("raw_end"),
    )
