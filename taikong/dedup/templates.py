"""Line templates: a line with digits, month names, case and punctuation masked.

"Copyright 2002-2013" and "Copyright 2002-2014" are one template. Boilerplate counts
templates across documents; the title finder compares a report's lines with its running
header through them.

A mask may merge lines only where what it masks does not change what the line says. A
year that stamps the page (in a date, "May 2024", a range "1995-2026", after a copyright
sign) is masked. Any other year in a title- or heading-shaped line (short, no sentence
end) is content: "China's Space Activities in 2006" and "... in 2011" are two documents'
titles, not one template, so such a year stays in the key. In running text a year is
masked like any number: a site's teaser that says "by the end of 2015" one year and "of
2016" the next is the same teaser.
"""

from __future__ import annotations

import hashlib

import polars as pl

from taikong.text import DATE_PATTERN, MONTH_RE

_MONTH_WORD_RE = rf"\b{MONTH_RE}\b"
# Years that stamp the page, not its subject, masked in one pass: a month's year ("May
# 2024", "2026-February"), a copyright's year or years ("© 2024", "Copyright 1995-2026"),
# a range ("2015 - 2024").
_RANGE = r"\d{4}\s*[-–—]\s*\d{2,4}"
_STAMP_YEAR_RE = (
    rf"\b(?:{MONTH_RE}\.?,?\s+\d{{4}}|\d{{4}}[-/ ]{MONTH_RE})\b"
    rf"|(?:©|\(c\)|copyright)\s*(?:©|\(c\))?\s*(?:{_RANGE}|\d{{4}})\b"
    rf"|\b{_RANGE}\b"
)
# One pass (the text is lower case by then): a full date is tried first where both match.
_DATE_OR_STAMP_RE = f"{DATE_PATTERN}|{_STAMP_YEAR_RE}"
# Digits left after the stamps: in a heading-shaped line a year among them is content
# and stays (as "2006#"), any other number is masked ("#"). One pass: a year is tried
# first where a number starts.
_NUMBER_RE = r"\b((?:19|20)\d{2})\b|\d+"
# Title- or heading-shaped: at most this many words and no sentence end.
HEADING_MAX_WORDS = 12


def template_key(text: pl.Expr) -> pl.Expr:
    """Masked form of a line: case, digits (not a year that is a heading's content), month
    names and punctuation removed."""
    masked = (
        text.str.to_lowercase()
        # Whole dates first, so "Mar 3, 2024" and "14th April 2023" mask alike, and
        # the years that stamp the page with them.
        .str.replace_all(_DATE_OR_STAMP_RE, " d ")
        .str.replace_all(r"\(c\)", " ")
        .str.replace_all(_MONTH_WORD_RE, " m ")
    )
    heading_shaped = (text.str.count_matches(r"\S+") <= HEADING_MAX_WORDS) & text.str.contains(
        r"[.!?;:]\W*$"
    ).not_()
    key = (
        pl.when(heading_shaped)
        .then(masked.str.replace_all(_NUMBER_RE, " ${1}# "))
        .otherwise(masked.str.replace_all(r"\d+", " # "))
        .str.replace_all(r"[^a-z0-9#]+", " ")
        .str.strip_chars()
    )
    # Lines with no letters left (lone bullets, bare numbers) carry no site signal.
    return pl.when(key.str.contains("[a-z]{2}")).then(key).otherwise(None)


def template_hash(text: pl.Expr) -> pl.Expr:
    """Hash of a line's template key (null when the line has no template)."""
    return key_hash(template_key(text))


def key_hash(key: pl.Expr) -> pl.Expr:
    # A null key (no letters: "2024", "- 7 -") has no template; hashing it would give
    # every such line one shared value and make them all "repeated" across documents.
    return pl.when(key.is_not_null()).then(key.hash(seed=7))


def template_id(key: str | None) -> str | None:
    """Stable id of a line template: a hash of its masked key (None: the line has none).

    Derived from the key alone, so a template keeps its id across releases and runs."""
    if key is None:
        return None
    return "tpl_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
