"""Designation mentions: a capitalised name, a hyphen and a serial ("Long March-5B")."""

from __future__ import annotations

import re

from taikong.enrich.mentions.common import (
    FUNCTION_WORDS,
    NAME,
    SERIAL,
    Mention,
    form_matches,
    normalised,
)
from taikong.enrich.mentions.lexicon import words

# Names before a hyphen-serial that are not craft.
NOT_CRAFT = words("not_craft")
# Words that open a sentence or headline before a name ("Before Tianzhou-1 docks",
# "After Vantor-2"): prepositions, conjunctions and adverbs, a closed class of English,
# never the first word of a craft's name (unlike "Long" in "Long March-5").
_SENTENCE_OPENERS = words("sentence_openers")
DESIGNATION_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>(?:{NAME} )?{NAME}(?:-{NAME})*)-(?P<serial>{SERIAL})(?![\w/-])"
)
_SPACED_SERIAL = re.compile(rf" (?P<serial>{SERIAL})(?![\w/-])")
_SERIAL_HYPHEN = re.compile(r"[A-Za-z'’]-\d")


def _designation_matches(text: str):
    """DESIGNATION_RE matches, searched only around a letter-hyphen-digit (fast)."""
    end = 0
    for hit in _SERIAL_HYPHEN.finditer(text):
        if hit.start() < end:
            continue
        window = max(end, hit.start() - 60)
        for m in DESIGNATION_RE.finditer(text, window, min(len(text), hit.end() + 30)):
            if m.start() <= hit.start() < m.end():
                yield m
                end = m.end()
                break


def find_designations(text: str, series: set[str], norm: str | None = None) -> list[Mention]:
    return hyphenated_designations(text) + series_designations(text, series, norm)


def hyphenated_designations(text: str) -> list[Mention]:
    """The designations written with a hyphen ("Long March-5B"), in text order. None
    spans a line break, so the ones inside a block of text are the same whatever stands
    around the block."""
    out = []
    for m in _designation_matches(text):
        start = m.start("name")
        name = m.group("name")
        first, _, rest = name.partition(" ")
        if rest and (
            first.lower() in FUNCTION_WORDS
            or first.lower() in _SENTENCE_OPENERS
            or first.endswith(("'s", "’s"))
        ):
            start += len(first) + 1
            name = rest
        if name.lower() in NOT_CRAFT or name.split("-")[0].lower() in NOT_CRAFT:
            continue
        name = name.replace("’", "'")
        out.append(Mention("designation", start, m.end(), name, m.group("serial")))
    return out


def series_designations(text: str, series: set[str], norm: str | None = None) -> list[Mention]:
    """Names of `series` followed by a space and a serial ("Chang'e 4")."""
    out = []
    if series:
        norm = normalised(text) if norm is None else norm
        for start, stop, m in form_matches(text, norm, series, _SPACED_SERIAL):
            name = text[start:stop].replace("’", "'")
            out.append(Mention("designation", start, m.end(), name, m.group("serial")))
    return out


def designation_series(text: str) -> set[str]:
    return {m.name for m in hyphenated_designations(text)}


def serial_parts(serial: str) -> list[tuple[int, int, str]]:
    """'4A/4B' -> [(0, 2, '4A'), (3, 5, '4B')]; '4A/B' -> [..., (2, 4, '4B')]: each part's
    span in the serial (a one-letter part keeps its slash) and its full serial."""
    parts = []
    pos = 0
    digits = ""
    for piece in serial.split("/"):
        start, end = pos, pos + len(piece)
        pos = end + 1
        if not piece:
            continue
        lead = re.match(r"\d*", piece).group()
        if lead:
            digits = lead
        full = piece if lead else digits + piece
        if end - start < 2 and start > 0:
            start -= 1
        parts.append((start, end, full))
    return parts
