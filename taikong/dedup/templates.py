"""Line templates: a line with digits, month names, case and punctuation masked.

"Copyright 2002-2013" and "Copyright 2002-2014" are one template. Boilerplate counts
templates across documents; the title finder compares a report's lines with its running
header through them.

A mask may merge lines only where what it masks does not change what the line says. A
year that stamps the page (in a date, "May 2024", a range "1995-2026", after a copyright
sign) is masked; any other year is content ("China's Space Activities
in 2006" and "... in 2011" are two documents' titles, not one template) and stays in the
key.
"""

from __future__ import annotations

import hashlib

import polars as pl

from taikong.text import DATE_RE, MONTH_RE

_MONTH_WORD_RE = rf"\b{MONTH_RE}\b"
# Years that stamp the page, not its subject: a month's year ("May 2024", "2026-February"),
# a range ("2015 - 2024", masked before a copyright's year so that "Copyright 1995-2026"
# masks whole), a copyright's year ("© 2024").
_MONTH_YEAR_RE = rf"\b(?:{MONTH_RE}\.?,?\s+\d{{4}}|\d{{4}}[-/ ]{MONTH_RE})\b"
_RANGE_RE = r"\b\d{4}\s*[-–—]\s*\d{2,4}\b"
_COPYRIGHT_YEAR_RE = r"(?:©|\(c\)|copyright)\s*(?:©|\(c\))?\s*\d{4}\b"
_YEAR_RE = r"\b(?:19|20)\d{2}\b"


def template_key(text: pl.Expr) -> pl.Expr:
    """Masked form of a line: case, digits (not a year that is content), month names and
    punctuation removed."""
    stamped = (
        text.str.to_lowercase()
        # Whole dates first, so "Mar 3, 2024" and "14th April 2023" mask alike.
        .str.replace_all(DATE_RE, " d ")
        .str.replace_all(_MONTH_YEAR_RE, " m # ")
        .str.replace_all(_RANGE_RE, " # ")
        .str.replace_all(_COPYRIGHT_YEAR_RE, " # ")
    )
    key = (
        stamped.str.replace_all(r"\(c\)", " ")
        .str.replace_all(_MONTH_WORD_RE, " m ")
        .str.replace_all(r"\d+", " # ")
        .str.replace_all(r"[^a-z#]+", " ")
        .str.strip_chars()
    )
    # The years left are content: they stay in the key, after the masked text.
    years = stamped.str.extract_all(_YEAR_RE).list.join(" ")
    with_years = pl.when(years != "").then(pl.concat_str(key, pl.lit(" "), years)).otherwise(key)
    # Lines with no letters left (lone bullets, bare numbers) carry no site signal.
    return pl.when(key.str.contains("[a-z]{2}")).then(with_years).otherwise(None)


def template_hash(text: pl.Expr) -> pl.Expr:
    """Hash of a line's template key (null when the line has no template)."""
    return key_hash(template_key(text))


def key_hash(key: pl.Expr) -> pl.Expr:
    # A null key (no letters: "2024", "- 7 -") has no template; hashing it would give
    # every such line one shared value and make them all "repeated" across documents.
    return pl.when(key.is_not_null()).then(key.hash(seed=7))


def template_id(key: str | None, text: str) -> str:
    """Stable id of a boilerplate template (hash of its masked key, else of its text)."""
    basis = key if key else text
    return "tpl_" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:12]
