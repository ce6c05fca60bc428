"""Hyphens that PDF extraction left at line ends or lost when it merged two lines.

Two repairs, each recorded as an edit (what the text said, what it says now, why):

* **Line-end hyphens** (`line_end_hyphens`). A line ending in "plat-" followed by a line
  starting "form" is a word the typesetter split: the paragraph gets "platform". A line
  ending in "heavy-" followed by "lift" is a hyphenated compound that happens to end a
  line: it stays "heavy-lift". The evidence, in order: how the document itself writes the
  pair elsewhere, a hyphenated dictionary entry ("well-known"), a closed dictionary word
  ("platform"); with no evidence the hyphen is kept (removing a real hyphen loses more
  than keeping a typesetter's one).
* **Lost hyphens** (`restore_lost_hyphens`). Some extractors join a line that ended in a
  hyphen to the next line and drop both the hyphen and the line break: the result is a
  line about twice the text width with a glued word ("newgeneration", "Shenzhou11")
  where the first line ended. Only such over-long lines of hard-wrapped documents are
  searched, and only near one text width from the line start. A glued word there gets
  its hyphen back when the document writes the same pair with a hyphen elsewhere
  ("new-generation"), when the same stem carries a hyphenated number elsewhere
  ("Shenzhou-12") or the document always hyphenates "name-number" designations, when
  the document hyphenates the same prefix before a capitalised word ("Sino-Russian"), or
  when it is a lower-case hyphenated dictionary entry ("x-ray"), or two dictionary words
  one of which the document uses in other hyphenated compounds ("spectrum|resolution"
  beside "high-resolution"), unless the first part is a prefix English writes closed
  ("hyper", "socio", ...). A glued word that is a dictionary word ("socioeconomic") or
  that the document writes glued elsewhere is left alone, and so is a capitalised one
  without such evidence: a proper name written as one word ("Starlink").

Typesetters never split a word leaving fewer than two letters before or three after the
break, and never split digits: such a junction ("e|commerce", "SRSS|1") was a real hyphen.

Everything that scans whole documents is a polars expression; Python only runs on the
candidates (line-end hyphens and over-long lines), which are few.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import polars as pl

from taikong.vocabulary import EditKind

HYPHENS_VERSION = "hyphens_v1"

# A line of a hard-wrapped document this much longer than the text width (p90 of line
# lengths) is two physical lines merged by the extractor.
MERGED_LINE_RATIO = 1.2
# Where the lost line end may lie, as a share of the text width from the line start.
JUNCTION_WINDOW = (0.7, 1.1)
# Prefixes English writes closed ("hyperspectral", "socioeconomic", "cooperation").
CLOSED_PREFIXES = frozenset(
    [
        "anti",
        "astro",
        "auto",
        "bio",
        "co",
        "cyber",
        "de",
        "electro",
        "geo",
        "hydro",
        "hyper",
        "hypo",
        "infra",
        "inter",
        "intra",
        "macro",
        "mega",
        "micro",
        "mini",
        "mono",
        "multi",
        "non",
        "over",
        "photo",
        "poly",
        "post",
        "pre",
        "pro",
        "re",
        "semi",
        "socio",
        "sub",
        "super",
        "tele",
        "thermo",
        "trans",
        "ultra",
        "un",
        "under",
    ]
)
# The document "always" hyphenates name-number designations: at least this many
# hyphenated ones, and more than this many times the glued ones.
DESIGNATION_MIN = 3
DESIGNATION_RATIO = 3

TOKEN_RE = r"[A-Za-z0-9][A-Za-z0-9'’]*(?:-[A-Za-z0-9][A-Za-z0-9'’]*)*"
_TOKEN = re.compile(TOKEN_RE)
_GLUED_DESIGNATION = r"^[a-z]{2,}\d+[a-z]?$"

EDIT_STRUCT = pl.Struct(
    {
        "start": pl.Int32,  # offset of `after` in the edited line text
        "before": pl.String,
        "after": pl.String,
        "kind": pl.String,
        "rule": pl.String,
        # The exact raw span, when the edit knows it (a repaired reference or mojibake);
        # otherwise it is found by aligning the clean line with its raw line.
        "raw_start": pl.Int64,
        "raw_end": pl.Int64,
    }
)
HYPHEN_KINDS = (EditKind.DEHYPHENATE, EditKind.RESTORE_HYPHEN)


# ---- lexicon ------------------------------------------------------------------------------
def _plain(word: str) -> str:
    if word.isascii():  # nearly every entry: skip the decomposition (lexicon load 5x faster)
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """(closed words, hyphenated words) of the English word lists, lower case."""
    from english_words import get_english_words_set

    closed: set[str] = set()
    hyphenated: set[str] = set()
    for source in ("web2", "gcide"):
        for word in get_english_words_set([source], lower=True, alpha=False):
            word = _plain(word)
            if word.isalpha():
                closed.add(word)
            elif word.count("-") == 1 and word.replace("-", "").isalpha():
                hyphenated.add(word)
    return frozenset(closed), frozenset(hyphenated)


def is_word(word: str) -> bool:
    """A closed dictionary word, allowing for regular inflections (the lists lack most)."""
    closed, _ = lexicon()
    w = word.lower()
    if w in closed:
        return True
    candidates = []
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ings", ""),
        ("ly", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            candidates.append(w[: len(w) - len(suffix)] + repl)
    return any(c in closed for c in candidates)


def is_hyphenated_word(left: str, right: str) -> bool:
    _, hyphenated = lexicon()
    return f"{left}-{right}".lower() in hyphenated


# ---- how a document writes its words -------------------------------------------------------
def form_counts(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per document: (closed word counts, hyphenated pair counts), all lower case.

    closed: doc_id, form, n  -- every hyphen-free token and every part of a hyphenated one.
    pairs:  doc_id, left, right, n  -- adjacent parts of hyphenated tokens.
    """
    tokens = (
        lines.select("doc_id", pl.col("text").str.to_lowercase().str.extract_all(TOKEN_RE))
        .explode("text")
        .drop_nulls("text")
        .select("doc_id", pl.col("text").str.split("-").alias("parts"))
    )
    closed = (
        tokens.explode("parts")
        .group_by("doc_id", pl.col("parts").alias("form"))
        .agg(pl.len().cast(pl.Int32).alias("n"))
    )
    hyphenated = tokens.filter(pl.col("parts").list.len() > 1)
    pairs = (
        hyphenated.select(
            "doc_id",
            pl.col("parts").list.slice(0, pl.col("parts").list.len() - 1).alias("left"),
            pl.col("parts").list.slice(1).alias("right"),
        )
        .explode("left", "right")
        .group_by("doc_id", "left", "right")
        .agg(pl.len().cast(pl.Int32).alias("n"))
    )
    return closed, pairs


class DocumentForms:
    """Look-ups into one document's word forms (built from `form_counts`)."""

    def __init__(
        self,
        closed: dict[str, int],
        pairs: dict[tuple[str, str], int],
        glued_designations: int | None = None,
    ):
        self.closed = closed
        self.pairs = pairs
        self.prefixes: dict[str, int] = {}
        self.suffixes: dict[str, int] = {}
        self.stems: set[str] = set()
        hyphenated_designations = 0
        for (left, right), n in pairs.items():
            self.prefixes[left] = self.prefixes.get(left, 0) + n
            self.suffixes[right] = self.suffixes.get(right, 0) + n
            if left[-1:].isalpha() and right[:1].isdigit():
                hyphenated_designations += n
                self.stems.add(left)
        glued = glued_designations
        if glued is None:
            glued = sum(n for form, n in closed.items() if re.match(_GLUED_DESIGNATION, form))
        self.hyphenates_designations = (
            hyphenated_designations >= DESIGNATION_MIN
            and hyphenated_designations > DESIGNATION_RATIO * glued
        )

    def n_closed(self, left: str, right: str) -> int:
        return self.closed.get((left + right).lower(), 0)

    def n_hyphenated(self, left: str, right: str) -> int:
        return self.pairs.get((left.lower(), right.lower()), 0)


def document_forms(lines: pl.DataFrame, doc_ids: list[str]) -> dict[str, DocumentForms]:
    if not doc_ids:
        return {}
    subset = lines.filter(pl.col("doc_id").is_in(doc_ids) & pl.col("is_blank").not_())
    closed, pairs = form_counts(subset)
    glued = dict(
        closed.filter(pl.col("form").str.contains(_GLUED_DESIGNATION))
        .group_by("doc_id")
        .agg(pl.col("n").sum())
        .iter_rows()
    )
    closed_by_doc = {
        d: dict(zip(f["form"].to_list(), f["n"].to_list(), strict=True))
        for (d,), f in closed.partition_by("doc_id", as_dict=True).items()
    }
    pairs_by_doc = {
        d: dict(
            zip(
                zip(f["left"].to_list(), f["right"].to_list(), strict=True),
                f["n"].to_list(),
                strict=True,
            )
        )
        for (d,), f in pairs.partition_by("doc_id", as_dict=True).items()
    }
    return {
        d: DocumentForms(closed_by_doc.get(d, {}), pairs_by_doc.get(d, {}), glued.get(d, 0))
        for d in doc_ids
    }


# ---- line-end hyphens ----------------------------------------------------------------------
def line_end_decision(left: str, right: str, forms: DocumentForms) -> tuple[bool, str]:
    """(join without the hyphen?, rule) for "left-" at a line end followed by "right"."""
    hyphenated = forms.n_hyphenated(left, right)
    closed = forms.n_closed(left, right)
    if hyphenated > closed:
        return False, "document_form"
    if closed > hyphenated:
        return True, "document_form"
    if not right[:1].islower():
        return False, "not_a_word_split"
    if is_hyphenated_word(left, right):
        return False, "dictionary"
    if is_word(left + right):
        return True, "dictionary"
    return False, "no_evidence"


def line_end_hyphens(pairs: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Decide each line-end hyphen. `pairs`: doc_id, line_no, left, right (word parts).

    Returns the same rows with `join` (drop the hyphen) and `rule`.
    """
    schema = {**pairs.schema, "join": pl.Boolean, "rule": pl.String}
    if pairs.height == 0:
        return pl.DataFrame(schema=schema)
    forms = document_forms(lines, pairs["doc_id"].unique().to_list())
    rows = []
    for row in pairs.iter_rows(named=True):
        join, rule = line_end_decision(row["left"], row["right"], forms[row["doc_id"]])
        rows.append({**row, "join": join, "rule": rule})
    return pl.DataFrame(rows, schema=schema)


# ---- lost hyphens --------------------------------------------------------------------------
def junction_decision(left: str, right: str, forms: DocumentForms) -> str | None:
    """The rule that restores a hyphen between `left` and `right`, or None to keep glued."""
    glued_elsewhere = forms.n_closed(left, right) - 1  # the glued word itself is counted
    if forms.n_hyphenated(left, right) > glued_elsewhere:
        return "document_form"
    if glued_elsewhere > 0 or is_word(left + right):
        return None
    if right[:1].isdigit():
        stem_hyphenated = left.lower() in forms.stems or forms.hyphenates_designations
        return "designation" if left[-1:].isalpha() and stem_hyphenated else None
    if not (left.isalpha() and right.isalpha()):
        return None
    if left[:1].isupper():
        # Capitalised: a proper name ("Starlink") unless the document hyphenates this
        # prefix before capitalised words ("Sino-Russian" -> "SinoEuropean").
        if left.istitle() and right.istitle() and forms.prefixes.get(left.lower(), 0):
            return "document_prefix"
        return None
    if not right.islower() or left in CLOSED_PREFIXES:
        return None
    if is_hyphenated_word(left, right):
        return "dictionary"
    if len(left) == 1 and len(right) >= 4 and is_word(right):
        return "dictionary"  # "e|commerce": no typesetter leaves one letter before a break
    # Two dictionary words, one of which the document uses in hyphenated compounds.
    if (
        len(left) >= 2
        and len(right) >= 3
        and is_word(left)
        and is_word(right)
        and (forms.prefixes.get(left, 0) or forms.suffixes.get(right, 0))
    ):
        return "document_part"
    return None


_RULE_RANK = {
    "document_form": 0,
    "designation": 1,
    "document_prefix": 2,
    "dictionary": 3,
    "document_part": 4,
}


def _junction_candidates(text: str, width: float, forms: DocumentForms) -> list[dict]:
    """The best glued word per text width of an over-long line, as edits of `text`."""
    lo, hi = JUNCTION_WINDOW
    edits = []
    line_start = 0
    while len(text) - line_start > MERGED_LINE_RATIO * width:
        best = None
        for m in _TOKEN.finditer(text, max(0, line_start + int(lo * width) - 60)):
            if m.start() - line_start > hi * width:
                break
            part_start = m.start()
            for part in m.group().split("-"):
                for k in range(1, len(part)):
                    left, right = part[:k], part[k:]
                    first_line = part_start + k + 1 - line_start  # with its hyphen
                    if not (lo * width <= first_line <= hi * width):
                        continue
                    if not (left[-1].isalnum() and right[0].isalnum()):
                        continue
                    rule = junction_decision(left, right, forms)
                    if rule is None:
                        continue
                    key = (_RULE_RANK[rule], abs(first_line - width))
                    if best is None or key < best[0]:
                        best = (key, part_start, part, k, rule)
                part_start += len(part) + 1
        if best is None:
            line_start += int(width)
            continue
        _, start, part, k, rule = best
        edits.append(
            {
                "start": start,
                "before": part,
                "after": f"{part[:k]}-{part[k:]}",
                "kind": "restore_hyphen",
                "rule": rule,
            }
        )
        line_start = start + k
    return edits


def restore_lost_hyphens(lines: pl.DataFrame) -> pl.DataFrame:
    """Put lost hyphens back into `text`, each recorded in `line_edits` (EDIT_STRUCT), and
    keep what such a line said before in `extracted_text` (null on every other line).

    The repaired text is what every later stage reads; a line whose role shows it as
    extracted (a heading, furniture) takes `extracted_text` (see `as_extracted`), so the
    decision is made once, here, and never undone.

    Input: lines with doc_id, line_no, text, is_blank, wrapped, line_width_p90 and
    line_edits (the clean stage's repairs; added empty when missing). Edit starts are
    offsets into the edited text: earlier edits of a line move with the hyphens put in.
    """
    no_edits = pl.lit([], dtype=pl.List(EDIT_STRUCT))
    if "line_edits" not in lines.columns:
        lines = lines.with_columns(no_edits.alias("line_edits"))
    lines = lines.with_columns(pl.lit(None, dtype=pl.String).alias("extracted_text"))
    merged = (
        pl.col("wrapped")
        & pl.col("is_blank").not_()
        & (pl.col("text").str.len_chars() > MERGED_LINE_RATIO * pl.col("line_width_p90"))
    )
    candidates = lines.filter(merged).select(
        "doc_id", "line_no", "text", "line_width_p90", "line_edits"
    )
    if candidates.height == 0:
        return lines
    forms = document_forms(lines, candidates["doc_id"].unique().to_list())
    fixed = []
    for row in candidates.iter_rows(named=True):
        edits = _junction_candidates(row["text"], row["line_width_p90"], forms[row["doc_id"]])
        if not edits:
            continue
        text, shift, placed = row["text"], 0, []
        earlier = [dict(e) for e in row["line_edits"]]
        for edit in sorted(edits, key=lambda e: e["start"]):
            start = edit["start"] + shift
            text = text[:start] + edit["after"] + text[start + len(edit["before"]) :]
            grown = len(edit["after"]) - len(edit["before"])
            hyphen_at = start + edit["after"].index("-")
            for e in earlier:
                if e["start"] >= hyphen_at:
                    e["start"] += grown
            placed.append({**edit, "start": start, "raw_start": None, "raw_end": None})
            shift += grown
        fixed.append(
            {
                "doc_id": row["doc_id"],
                "line_no": row["line_no"],
                "_text": text,
                "_extracted": row["text"],
                "_edits": sorted(earlier + placed, key=lambda e: e["start"]),
            }
        )
    if not fixed:
        return lines
    patch = pl.DataFrame(
        fixed,
        schema={
            "doc_id": pl.String,
            "line_no": pl.Int32,
            "_text": pl.String,
            "_extracted": pl.String,
            "_edits": pl.List(EDIT_STRUCT),
        },
    )
    return (
        lines.join(patch, on=["doc_id", "line_no"], how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("_text", "text").alias("text"),
            pl.col("_extracted").alias("extracted_text"),
            pl.coalesce("_edits", "line_edits").alias("line_edits"),
        )
        .drop("_text", "_extracted", "_edits")
    )


def as_extracted(lines: pl.DataFrame, where: pl.Expr) -> pl.DataFrame:
    """The lines matching `where` (headings, furniture) show their text as extracted:
    `extracted_text` where clean restored a lost hyphen, and no edits.

    Their other repairs (references and mojibake) stay in the text, unrecorded: only
    paragraphs carry edits.
    """
    if "extracted_text" not in lines.columns:
        return lines
    return lines.with_columns(
        pl.when(where & pl.col("extracted_text").is_not_null())
        .then(pl.col("extracted_text"))
        .otherwise(pl.col("text"))
        .alias("text"),
        pl.when(where & (pl.col("line_edits").list.len() > 0))
        .then(pl.lit([], dtype=pl.List(EDIT_STRUCT)))
        .otherwise(pl.col("line_edits"))
        .alias("line_edits"),
    )
