"""Line templates: a line with digits, month names, case and punctuation masked.

"Copyright 2002-2013" and "Copyright 2002-2014" are one template. Boilerplate counts
templates across documents; the title finder compares a report's lines with its running
header through them.
"""

from __future__ import annotations

import hashlib

import polars as pl

from taikong.text import DATE_RE, MONTH_RE

_MONTH_WORD_RE = rf"\b{MONTH_RE}\b"


def template_key(text: pl.Expr) -> pl.Expr:
    """Masked form of a line: case, digits, month names and punctuation removed."""
    key = (
        text.str.to_lowercase()
        # Whole dates first, so "Mar 3, 2024" and "14th April 2023" mask alike.
        .str.replace_all(DATE_RE, " d ")
        .str.replace_all(r"\(c\)", " ")
        .str.replace_all(_MONTH_WORD_RE, " m ")
        .str.replace_all(r"\d+", " # ")
        .str.replace_all(r"[^a-z#]+", " ")
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
