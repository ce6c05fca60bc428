"""Quantities stated in paragraphs: a number with a unit, or a count of something.

A number is digits ("1,731", "2.5", "50" in "50Gbps") or English number words ("seven",
"one hundred", "twenty-one"), optionally scaled ("100 million"). It is a quantity when
it is followed by a unit of measure (`unit`, normalised: "kilometres" -> "km",
"years" -> "year") or counts something (`counted`: the words up to the first plural
noun, "launch missions", "major and catastrophic natural disasters"); a bare number in
digits ("exceeded 400") is a quantity too. A qualifier right before it ("over", "more
than", "nearly") goes in `qualifier`.

Not quantities: list numbers opening a paragraph ("2. The second reason"), years
(1800-2100 with neither unit nor count), dates ("May 28",
"28 May"), ordinals ("13th"), numbers glued to letters or joined by a hyphen or slash to
other characters ("Tianwen-1", "Space2030", "4K", "2016-2025"), numbers with a leading
zero ("Satellite 02") or right after a capitalised word ("Group 20", "Vision 2030"), which
name things, and number words that count nothing ("one of").

Speed: NUMBER_RE is tried only where a number can start (each digit run, each place a
number word's first letters occur: `str.find`), found in chunks of paragraphs joined and
then matched within each paragraph; the output is the plain `finditer` scan's (tested).
"""

from __future__ import annotations

import re

import polars as pl

from taikong.text import CAPITALISED_MONTH_RE, CAPITALISED_MONTHS


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


QUANTITIES_VERSION = "quantities_v2"

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
UNITS = {
    # length
    "mm": "mm", "cm": "cm", "m": "m", "km": "km", "metre": "m", "metres": "m", "meter": "m",
    "meters": "m", "kilometre": "km", "kilometres": "km", "kilometer": "km",
    "kilometers": "km", "mile": "mi", "miles": "mi", "light-years": "ly", "light-year": "ly",
    # mass
    "g": "g", "kg": "kg", "t": "t", "gram": "g", "grams": "g", "kilogram": "kg",
    "kilograms": "kg", "tonne": "t", "tonnes": "t", "ton": "t", "tons": "t",
    # time
    "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
    "hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week",
    "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
    # rates, frequencies, power, force, shares, money
    "bps": "bps", "kbps": "kbps", "Mbps": "Mbps", "Gbps": "Gbps", "Tbps": "Tbps",
    "Hz": "Hz", "kHz": "kHz", "MHz": "MHz", "GHz": "GHz", "kW": "kW", "MW": "MW", "kN": "kN",
    "km/s": "km/s", "m/s": "m/s", "km/h": "km/h", "%": "%", "percent": "%", "per cent": "%",
    "yuan": "CNY", "dollars": "USD", "US dollars": "USD", "euros": "EUR", "degrees": "degree",
}  # fmt: skip
_GLUED_UNITS = ("%", "km/s", "m/s", "km/h", "Gbps", "Mbps", "kbps", "Tbps", "GHz", "MHz",
                "kHz", "Hz", "kW", "MW", "kN", "km", "kg", "mm", "cm", "m", "g", "t")  # fmt: skip
QUALIFIERS = (
    "more than", "less than", "fewer than", "at least", "at most", "up to", "over", "under",
    "nearly", "almost", "about", "around", "approximately", "roughly", "some", "only",
)  # fmt: skip
# Words that end a counted phrase (and, right before a number, are no name).
_STOP = _wordset(
    "a an the of in on at by for from to with and or but as that which who whom "
    "whose is are was were be been being has have had will would can could may might "
    "shall should do does did not no than into onto over under about around across "
    "per each including such this these those its their it they he she we our his "
    "her during after before while where when through since until between among "
    "within without so also more less most least another other both all some any "
    "only than "
)
_IRREGULAR_PLURALS = _wordset(
    "people children men women staff personnel data media crew police cattle "
)

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDNUM = (
    r"(?:(?:" + "|".join(_SMALL) + r")(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
    r"(?:\s+hundred)?|hundred|thousand)"
)
NUMBER_RE = re.compile(
    rf"(?<![\w.,/&'’-])(?:(?P<digits>{_DIGITS})(?P<glued>"
    + "|".join(re.escape(u) for u in _GLUED_UNITS)
    + rf")?|\b(?=[a-zA-Z])(?P<words>(?i:{_WORDNUM})))"
    r"(?P<scale>\s+(?:thousand|million|billion))?"
    r"(?![\w/]|[.,:]\d|-\d)"
)
_SPACED_UNIT_RE = re.compile(
    r"\s+(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")(?![\w/-])"
)
_QUALIFIER_RE = re.compile(r"(?i)\b(" + "|".join(QUALIFIERS) + r")\s+$")
_COMPOUND_RE = re.compile(r"-(?P<word>[a-z]+)(?![\w-])")
_WORD_RE = re.compile(r"\s+(?P<word>[a-z][a-z'’-]*|[A-Z]{2,5})(?![\w])")


_WORD_PARTS = re.compile(r"[\s-]+")
_PREVIOUS_WORD_RE = re.compile(r"([\w'’.]+)\s+$")
_MONTH_AFTER_RE = re.compile(rf"\s+{CAPITALISED_MONTH_RE}\b")
_NOT_NAME_WORDS = _STOP | frozenset(QUALIFIERS)
# Where a number word can begin, lower case: each number word starts with one of these,
# so a document is searched with a few `str.find` scans, not a regex at every position.
_NUMBER_WORD_STARTS = ("zero", "one", "two", "thr", "four", "five", "six", "seven", "eight",
                       "nine", "ten", "eleven", "twelve", "thirt", "fift", "twent", "fort",
                       "dozen", "hundred", "thousand")  # fmt: skip
_DIGIT_RUN = re.compile(r"\d+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# After a number that opens a paragraph: "." or ")" and a capitalised word.
_LIST_MARKER_RE = re.compile(r"[.)]\s+[\"“(]?[A-Z]")


def _word_value(words: str) -> float:
    total = 0
    for part in _WORD_PARTS.split(words.lower()):
        if part in _SMALL:
            total += _SMALL[part]
        elif part == "hundred":
            total = (total or 1) * 100
        elif part == "thousand":
            total = (total or 1) * 1000
    return float(total)


def _is_plural(word: str) -> bool:
    w = word.lower()
    if w in _IRREGULAR_PLURALS:
        return True
    return w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3


def _counted(text: str, pos: int) -> tuple[str | None, int]:
    """The counted phrase after `pos` (up to its first plural noun) and where it ends."""
    words: list[str] = []
    end = pos
    while len(words) < 5:
        m = _WORD_RE.match(text, end)
        if not m:
            break
        word = m.group("word")
        if word.lower() in ("and", "or") and words:
            nxt = _WORD_RE.match(text, m.end())
            # "one pad and one crew": a number after "and" starts a count of its own.
            if (
                nxt
                and nxt.group("word").lower() not in _STOP
                and nxt.group("word").lower() not in _SMALL
                and not nxt.group("word")[:1].isdigit()
            ):
                words.append(word)
                end = m.end()
                continue
            break
        if word.lower() in _STOP:
            break
        words.append(word)
        end = m.end()
        if _is_plural(word):
            return " ".join(words), end
    return None, pos


def _previous_word(text: str, start: int) -> str:
    m = _PREVIOUS_WORD_RE.search(text, max(0, start - 40), start)
    return m.group(1) if m else ""


def find_quantities(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """One row per quantity: doc_id, para_no, text, value, unit, counted, qualifier,
    char_start, char_end. Input: paragraphs with doc_id, para_no, text."""
    schema = {
        "doc_id": pl.String,
        "para_no": pl.Int32,
        "text": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
        "counted": pl.String,
        "qualifier": pl.String,
        "char_start": pl.Int32,
        "char_end": pl.Int32,
    }
    columns: dict[str, list] = {name: [] for name in schema}
    doc_ids = paragraphs["doc_id"].to_list()
    para_nos = paragraphs["para_no"].to_list()
    texts = paragraphs["text"].to_list()
    # Candidates are looked for in chunks of paragraphs joined (few, long scans), each
    # then matched in its own paragraph, so nothing reads across a paragraph break.
    chunk = 256
    for lo in range(0, len(texts), chunk):
        block = texts[lo : lo + chunk]
        for i, found in _quantities_of_paragraphs(block):
            for row in found:
                columns["doc_id"].append(doc_ids[lo + i])
                columns["para_no"].append(para_nos[lo + i])
                for key, value in row.items():
                    columns[key].append(value)
    return pl.DataFrame(columns, schema=schema)


def _candidate_starts(text: str) -> list[int]:
    """Every position where NUMBER_RE can match (and more): the start of each digit run
    and of each number word. NUMBER_RE never starts inside a digit run (its look-behind
    excludes word characters) and a number word starts with one of _NUMBER_WORD_STARTS."""
    starts = [m.start() for m in _DIGIT_RUN.finditer(text)]
    lower = text.translate(_ASCII_LOWER)  # same length: offsets stay put
    for needle in _NUMBER_WORD_STARTS:
        pos = lower.find(needle)
        while pos >= 0:
            starts.append(pos)
            pos = lower.find(needle, pos + 1)
    starts.sort()
    return starts


def _number_matches(text: str, starts: list[int]):
    """NUMBER_RE.finditer(text), tried only at `starts` (sorted, a superset of the
    positions where a match can begin)."""
    end = 0
    for pos in starts:
        if pos < end:
            continue
        if m := NUMBER_RE.match(text, pos):
            yield m
            end = m.end()


def _quantities_of_paragraphs(texts: list[str]):
    """(index, quantities) of each paragraph with any."""
    joined = "\n\n".join(texts)
    starts = _candidate_starts(joined)
    k = 0
    offset = 0
    for i, text in enumerate(texts):
        stop = offset + len(text)
        mine = []
        while k < len(starts) and starts[k] < stop:
            if starts[k] >= offset:
                mine.append(starts[k] - offset)
            k += 1
        if mine:
            found = _quantities(text, mine)
            if found:
                yield i, found
        offset = stop + 2


def _quantities(text: str, starts: list[int] | None = None) -> list[dict]:
    out = []
    matches = NUMBER_RE.finditer(text) if starts is None else _number_matches(text, starts)
    for m in matches:
        digits, words = m.group("digits"), m.group("words")
        before = _previous_word(text, m.start())
        if before.rstrip(".,") in CAPITALISED_MONTHS:
            continue  # a date: "May 28", "December 2021"
        if before[:1].isupper() and before.lower() not in _NOT_NAME_WORDS:
            continue  # a name: "Group 20", "Vision 2030", "Satellite 02"
        if digits and len(digits) > 1 and digits.startswith("0") and "." not in digits:
            continue
        if _MONTH_AFTER_RE.match(text, m.end()):
            continue  # "28 May 2018"
        if digits and not text[: m.start()].strip() and _LIST_MARKER_RE.match(text, m.end()):
            continue  # "2. The second reason": the number of a list item, not a quantity
        value = float(digits.replace(",", "")) if digits else _word_value(words)
        if m.group("scale"):
            value *= _SCALE[m.group("scale").strip().lower()]
        end = m.end()
        unit = counted = None
        if m.group("glued"):
            unit = UNITS[m.group("glued")]
        elif u := _SPACED_UNIT_RE.match(text, end):
            unit, end = UNITS[u.group("unit")], u.end()
        elif digits and (c := _COMPOUND_RE.match(text, end)):
            counted, end = c.group("word"), c.end()
        else:
            counted, end = _counted(text, end)
            end = max(end, m.end())
        if unit is None and counted is None:
            if words:
                continue  # "one of the", "Four 4K channels": counts nothing we can name
            is_year = digits.isdigit() and 1800 <= value <= 2100
            if is_year:
                continue
        start = m.start()
        qualifier = None
        head = max(0, m.start() - 20)
        # On the slice: its start counts as a word boundary for `\b`.
        if q := _QUALIFIER_RE.search(text[head : m.start()]):
            qualifier, start = q.group(1).lower(), head + q.start()
        out.append(
            {
                "text": text[start:end],
                "value": value,
                "unit": unit,
                "counted": counted,
                "qualifier": qualifier,
                "char_start": start,
                "char_end": end,
            }
        )
    return out
