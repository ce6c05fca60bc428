"""Quantities stated in paragraphs: a number with a unit, or a count of something.

A number is digits ("1,731", "2.5", "121 000", "50" in "50Gbps") or English number words
("seven", "one hundred", "twenty-one"), optionally scaled ("100 million", "$5bn"). It is a
quantity when it is followed by a unit of measure (`unit`, normalised: "kilometres" ->
"km", "square kilometers" -> "km2", "metric tons" -> "t", "years" -> "year"), carries a
currency (a symbol or code before it, "$", "US$", "€", "RMB", or a currency word after
it, "yuan", "euros": the unit is the ISO code, "USD", "CNY") or counts something
(`counted`: the words up to the first plural noun, "launch missions"); a bare number in
digits ("exceeded 400") is a quantity too. A qualifier right before it ("over", "more
than", "nearly") goes in `qualifier`.

A range ("500-600 km", "500–600 km", "40 to 100 meters", "between 5 and 8 satellites",
"$5-6 billion") is one quantity: `value` is its lower bound, `value_max` its upper one
(null for a single number); a scale or unit stated once applies to both bounds. "from 20
to 30" after a verb of change ("rose", "grew") is a change, not a range. A hyphenated
pair that measures nothing ("2016-2025", "3-4") is no quantity, as before.

Thousands are grouped by "," or by a space (normal, thin, no-break) only where groups of
exactly three digits follow ("121 000" is 121000; "12 100" in "in 12 100 ..." too, the
price of the rule).

Not quantities: times of day ("16:30", "9:20 p.m.", "2 a.m.", "10 o'clock", "0830 GMT",
"8:00 Beijing time"), list numbers and section numbers opening a line ("2. The second
reason", "(2) fly", "1.2 Scope") or enumerating after ":" / ";" ("tasks: (1) build"),
years (1800-2100 with neither unit nor count, or after "in", "since", "by", ... even
with a count: "in 2024 launches rose"), periods ("2016-2025", "from 2016 to 2020"),
dates ("May 28", "28 May", "14-Jul-2026"; "2024-05-03" and "12/01/2026" are parts of
designations below), ordinals ("13th"), numbers glued to letters or joined by a hyphen or
slash to other characters ("Tianwen-1", "Space2030", "4K"), numbers with a leading zero
("Satellite 02") or right after a capitalised word ("Group 20", "Vision 2030"), which
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


QUANTITIES_VERSION = "quantities_v3"

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_SCALE = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
}  # fmt: skip
UNITS = {
    # length
    "mm": "mm", "cm": "cm", "m": "m", "km": "km", "metre": "m", "metres": "m", "meter": "m",
    "meters": "m", "kilometre": "km", "kilometres": "km", "kilometer": "km",
    "kilometers": "km", "centimetre": "cm", "centimetres": "cm", "centimeter": "cm",
    "centimeters": "cm", "millimetre": "mm", "millimetres": "mm", "millimeter": "mm",
    "millimeters": "mm", "micrometres": "µm", "micrometers": "µm", "microns": "µm",
    "nanometres": "nm", "nanometers": "nm", "mile": "mi", "miles": "mi", "nautical miles": "nmi",
    "feet": "ft", "foot": "ft", "ft": "ft", "light-years": "ly", "light-year": "ly",
    "light years": "ly", "astronomical units": "au", "AU": "au",
    # area, volume
    "square kilometres": "km2", "square kilometers": "km2", "square kilometre": "km2",
    "square kilometer": "km2", "sq km": "km2", "km2": "km2", "km²": "km2",
    "square metres": "m2", "square meters": "m2", "square metre": "m2", "square meter": "m2",
    "m2": "m2", "m²": "m2", "hectares": "ha", "cubic metres": "m3", "cubic meters": "m3",
    "m3": "m3", "m³": "m3", "litres": "l", "liters": "l",
    # mass
    "g": "g", "kg": "kg", "t": "t", "gram": "g", "grams": "g", "kilogram": "kg",
    "kilograms": "kg", "milligrams": "mg", "mg": "mg", "micrograms": "µg", "tonne": "t",
    "tonnes": "t",
    "ton": "t", "tons": "t", "metric tons": "t", "metric tonnes": "t", "metric ton": "t",
    "metric tonne": "t",
    # time
    "millisecond": "ms", "milliseconds": "ms", "ms": "ms",
    "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
    "hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week",
    "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
    "decade": "decade", "decades": "decade", "century": "century", "centuries": "century",
    # rates, frequencies, power, energy, force, data, temperature, angles, shares
    "bps": "bps", "kbps": "kbps", "Mbps": "Mbps", "Gbps": "Gbps", "Tbps": "Tbps",
    "Hz": "Hz", "kHz": "kHz", "MHz": "MHz", "GHz": "GHz", "W": "W", "watts": "W",
    "kW": "kW", "kilowatts": "kW", "MW": "MW", "megawatts": "MW", "kWh": "kWh",
    "kilowatt-hours": "kWh", "kN": "kN", "kilonewtons": "kN", "newtons": "N",
    "km/s": "km/s", "m/s": "m/s", "km/h": "km/h", "kilometres per second": "km/s",
    "kilometers per second": "km/s", "metres per second": "m/s", "meters per second": "m/s",
    "kilometres per hour": "km/h", "kilometers per hour": "km/h", "mph": "mph",
    "GB": "GB", "TB": "TB", "gigabytes": "GB", "terabytes": "TB", "petabytes": "PB",
    "degrees Celsius": "°C", "°C": "°C", "kelvin": "K", "degrees": "degree",
    "degree": "degree", "°": "degree",
    "%": "%", "percent": "%", "per cent": "%",
    # money (ISO 4217 codes)
    "yuan": "CNY", "renminbi": "CNY", "RMB": "CNY", "CNY": "CNY", "dollars": "USD",
    "US dollars": "USD", "U.S. dollars": "USD", "USD": "USD", "euros": "EUR", "euro": "EUR",
    "EUR": "EUR", "yen": "JPY", "rubles": "RUB", "roubles": "RUB",
}  # fmt: skip
CURRENCIES = frozenset({"CNY", "USD", "EUR", "JPY", "RUB", "GBP", "HKD", "AUD", "CAD", "TWD"})
# A currency written before the number: "$5", "US$ 5", "€3", "RMB 30", "USD 2".
# "$" alone is read as the US dollar (other dollars carry a prefix: HK$, A$, C$, NT$);
# "¥" as the yuan, the currency of the corpus this pipeline is for.
_CURRENCY_BEFORE = {
    "US$": "USD", "U.S.$": "USD", "HK$": "HKD", "A$": "AUD", "C$": "CAD", "NT$": "TWD",
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "CN¥": "CNY", "RMB": "CNY",
    "CNY": "CNY", "USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "HKD": "HKD",
}  # fmt: skip
_GLUED_UNITS = ("%", "km/s", "m/s", "km/h", "Gbps", "Mbps", "kbps", "Tbps", "GHz", "MHz",
                "kHz", "Hz", "kWh", "kW", "MW", "kN", "km²", "km2", "km", "kg", "mm", "cm",
                "m²", "m³", "°C", "°", "m", "g", "t")  # fmt: skip
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

# Thousands grouped by "," or by a space (normal, thin, narrow or no-break) only where
# groups of exactly three digits follow.
_DIGITS = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+(?![\d.,]\d)"
    r"|\d+(?:\.\d+)?"
)
_THOUSANDS_SEPARATORS = str.maketrans("", "", ", \u2009\u202f\u00a0")
_WORDNUM = (
    r"(?:(?:" + "|".join(_SMALL) + r")(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
    r"(?:\s+hundred)?|hundred|thousand)"
)
# The number itself, with a unit glued to digits ("50Gbps") and a scale ("5 billion",
# "5bn"); what may stand before it is checked by NUMBER_RE and by the range bound.
_NUMBER_BODY = (
    rf"(?:(?P<digits>{_DIGITS})(?P<glued>"
    + "|".join(re.escape(u) for u in _GLUED_UNITS)
    + rf")?|\b(?=[a-zA-Z])(?P<words>(?i:{_WORDNUM})))"
    r"(?P<scale>\s+(?:thousand|million|billion|trillion)|\s?(?:bn|mn))?"
    r"(?![\w/]|[.,:]\d)"
)
# A number followed by "-" and a digit is kept only as the lower bound of a range.
NUMBER_RE = re.compile(r"(?<![\w.,:/&'’=#-])" + _NUMBER_BODY)
_HYPHEN_DIGIT_RE = re.compile(r"-\d")
# The upper bound of a range, right after its separator (which NUMBER_RE's look-behind
# would refuse: "500-600"); it may repeat the currency ("$5 billion to $6 billion").
_UPPER_RE = re.compile(
    r"(?P<currency>"
    + "|".join(re.escape(c) for c in sorted(_CURRENCY_BEFORE, key=len, reverse=True))
    + r")?\s?"
    + _NUMBER_BODY
    + r"(?!-\d)"
)
_CURRENCY_LAST = frozenset(c[-1] for c in _CURRENCY_BEFORE)
_CURRENCY_BEFORE_RE = re.compile(
    r"(?<![\w$€£¥.])(?P<currency>"
    + "|".join(re.escape(c) for c in sorted(_CURRENCY_BEFORE, key=len, reverse=True))
    + r")\s?$"
)
# Between two bounds: a hyphen or dash (digits only, spaces allowed around a dash), "to"
# or, after "between", "and".
_RANGE_SEPARATOR_RE = re.compile(r"(?P<dash>\s?[-–—]\s?|\s[–—]\s)|\s+(?P<word>to|and)\s+")
_BETWEEN_RE = re.compile(r"(?i)\bbetween\s+$")
# "rose from 20 to 30": a change from one figure to another, not a range.
_CHANGE_FROM_RE = re.compile(
    r"(?i)\b(?:ris(?:e|es|en|ing)|rose|gr[eo]wn?|grows|growing|increas\w*|fell|fall\w*|"
    r"dropp?\w*|declin\w*|reduc\w*|cut|cuts|expand\w*|climb\w*|jump\w*|doubl\w*|tripl\w*|"
    r"shr[aiu]nk\w*|soar\w*|surg\w*|went|gone|go|goes|moved?|rais\w*|lower\w*|boost\w*)"
    r"(?:\s+[\w'’]+)?\s+from\s+$"
)
_SPACED_UNIT_RE = re.compile(
    r"\s+(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")(?![\w/-])"
)
_QUALIFIER_RE = re.compile(r"(?i)\b(" + "|".join(QUALIFIERS) + r")\s+$")
# "30-satellite", "30-day", and an age: "12-year-old" (12 years).
_COMPOUND_RE = re.compile(r"-(?P<word>[a-z]+)(?:-old)?(?![\w-])")
_WORD_RE = re.compile(r"\s+(?P<word>[a-z][a-z'’-]*|[A-Z]{2,5})(?![\w])")


_WORD_PARTS = re.compile(r"[\s-]+")
_PREVIOUS_WORD_RE = re.compile(r"([\w'’.]+)\s+$")
# "28 May", "14-Jul-2026"
_MONTH_AFTER_RE = re.compile(rf"(?:\s+|-){CAPITALISED_MONTH_RE}\b")
_NOT_NAME_WORDS = _STOP | frozenset(QUALIFIERS)
# A year stated with a preposition is a year even before a plural: "in 2024 launches".
# Not "by" or "from": "seen by 2000 visitors".
_YEAR_PREPOSITIONS = _wordset(
    "in since until till during before after through throughout circa c. early late mid "
    "spring summer autumn winter"
)
# A time of day, matched where the hour starts: "9:20 p.m.", "2 a.m.", "7:45 am", "10
# o'clock", "0830 GMT", "8:00 Beijing time", "16:30" (hh:mm(:ss) is always read as one).
_HOURS_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_CLOCK_RE = re.compile(
    rf"(?:\d{{1,2}}(?:[:.]\d{{2}}){{0,2}}|\d{{4}}|(?i:{_HOURS_WORDS}))\s?"
    r"(?:(?i:[ap]\.\s?m\b\.?|[ap]m\b)|o['’]clock\b"
    r"|(?:GMT|UTC|BJT|CST|EST|EDT|PST|PDT|CET|CEST|JST|HKT|MSK)\b"
    r"|\(?(?:Beijing|local|Moscow|Eastern|Pacific|Central)\s+[Tt]ime\b)"
    r"|\d{1,2}:\d{2}(?::\d{2})?(?!\d)"
)
# Where a number word can begin, lower case: each number word starts with one of these,
# so a document is searched with a few `str.find` scans, not a regex at every position.
_NUMBER_WORD_STARTS = ("zero", "one", "two", "thr", "four", "five", "six", "seven", "eight",
                       "nine", "ten", "eleven", "twelve", "thirt", "fift", "twent", "fort",
                       "dozen", "hundred", "thousand")  # fmt: skip
_DIGIT_RUN = re.compile(r"\d+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# A list number: "2. ", "2) ", "(2) ", "[2] " and then a word.
_LIST_MARKER_RE = re.compile(r"[.)\]]\s+[\"“(]?[^\W\d_]")
# A section number "1.2" (one to two digits each side) before a capitalised heading word.
_SECTION_NUMBER_RE = re.compile(r"\d{1,2}\.\d{1,2}")
_SECTION_HEADING_AFTER_RE = re.compile(r"\.?\s+[\"“(]?[A-Z]")
# Where an enumeration may start: the start of a line, or after ":" / ";" (an inline
# list "tasks: (1) build ...; (2) fly ...").
_ENUMERATION_BEFORE_RE = re.compile(r"(?:^|\n|[:;]\s*)[ \t]*[(\[]?$")
_ENUMERATION_MARKS = frozenset("\n:;")
_LINE_START_RE = re.compile(r"(?:^|\n)[ \t]*$")
# A bare number opening a line before a capitalised word ("1 Chinese scientists grow
# rice", "1 - Preamble") numbers a list item; one after a dot leader is a page number.
_BARE_LIST_AFTER_RE = re.compile(r"\s+(?:[-–—]\s+)?[\"“(]?[A-Z]")
_LEADER_BEFORE_RE = re.compile(r"(?:\.{3,}|…+|·{3,})\s*$")


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
    """`_PREVIOUS_WORD_RE.search(text, max(0, start - 40), start)`'s word, without a
    regex tried at 40 positions: the run of word characters, apostrophes and points
    right before the whitespace that ends the window (`\\s` is `str.isspace`, `\\w`
    `str.isalnum` or "_")."""
    low = max(0, start - 40)
    end = start
    while end > low and text[end - 1].isspace():
        end -= 1
    if end == start:
        return ""
    pos = end
    while pos > low and (text[pos - 1].isalnum() or text[pos - 1] in "_'’."):
        pos -= 1
    return text[pos:end]


def find_quantities(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """One row per quantity: doc_id, para_no, text, value, unit, counted, qualifier,
    char_start, char_end, value_max (a range's upper bound, else null). Input: paragraphs
    with doc_id, para_no, text."""
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
        "value_max": pl.Float64,
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


def _number_value(m: re.Match) -> tuple[float, float]:
    """(the number as written, its scale) of a NUMBER_RE or _UPPER_RE match."""
    digits, words = m.group("digits"), m.group("words")
    value = float(digits.translate(_THOUSANDS_SEPARATORS)) if digits else _word_value(words)
    scale = m.group("scale")
    return value, float(_SCALE[scale.strip().lower()]) if scale else 1.0


def _is_year(m: re.Match, value: float) -> bool:
    digits = m.group("digits")
    return bool(digits) and digits.isdigit() and len(digits) == 4 and 1800 <= value <= 2100


def _currency_before(text: str, start: int) -> tuple[str, int] | None:
    """The ISO code of a currency written right before `start`, and where it begins."""
    # A currency's last character is within three of `start` ("US$ 5", "RMB \\n5": `$`
    # may match before a final newline); most numbers have none there.
    if _CURRENCY_LAST.isdisjoint(text[max(0, start - 3) : start]):
        return None
    c = _CURRENCY_BEFORE_RE.search(text, max(0, start - 6), start)
    return (_CURRENCY_BEFORE[c.group("currency")], c.start()) if c else None


def _is_enumeration(text: str, m: re.Match) -> bool:
    """A list or section number: "2. The reason", "(2) fly", "1.2 Scope" where a line (or
    an inline list after ":" / ";") starts; not "2.5 tonnes reached orbit"."""
    digits = m.group("digits")
    if not digits or m.group("glued") or m.group("scale"):
        return False
    low = max(0, m.start() - 4)
    # The regex needs the text's start, a line break or ":" / ";" in its window.
    if low and _ENUMERATION_MARKS.isdisjoint(text[low : m.start()]):
        return False
    if not _ENUMERATION_BEFORE_RE.search(text, low, m.start()):
        return False
    if digits.isdigit() and len(digits) <= 3:
        return bool(_LIST_MARKER_RE.match(text, m.end()))
    if _SECTION_NUMBER_RE.fullmatch(digits) and _SECTION_HEADING_AFTER_RE.match(text, m.end()):
        return not _SPACED_UNIT_RE.match(text, m.end())
    return False


def _may_be_range(
    text: str,
    lower: re.Match,
    sep: re.Match,
    upper: re.Match,
    currency: tuple[str, int] | None,
    start: int,
    between: bool,
) -> bool:
    """Whether `lower`, `sep` and `upper` can read as one range (before its unit is seen)."""
    if (sep.group("word") == "and") != between:
        return False  # "and" joins bounds only after "between"; "between" needs "and"
    if sep.group("dash") and not (lower.group("digits") and upper.group("digits")):
        return False
    repeated = upper.group("currency")
    if repeated and (currency is None or _CURRENCY_BEFORE[repeated] != currency[0]):
        return False
    # "rose from 20 to 30" is a change, not a range
    return not (
        sep.group("word") == "to" and _CHANGE_FROM_RE.search(text, max(0, start - 40), start)
    )


def _is_bare_list_or_page_number(text: str, m: re.Match) -> bool:
    """A bare number that numbers a list item ("1 Chinese scientists grow rice" opening a
    line) or a page ("Summary ........ 1")."""
    window = max(0, m.start() - 8)
    if _LEADER_BEFORE_RE.search(text, window, m.start()):
        return True
    digits = m.group("digits")
    return bool(
        digits.isdigit()
        and len(digits) <= 3
        and not m.group("scale")
        and _LINE_START_RE.search(text, window, m.start())
        and _BARE_LIST_AFTER_RE.match(text, m.end())
    )


def _unit_or_count(text: str, m: re.Match, end: int) -> tuple[str | None, str | None, int]:
    """(unit, counted, end) of what follows the number `m` (which ends at `end`)."""
    if m.group("glued"):
        return UNITS[m.group("glued")], None, end
    if u := _SPACED_UNIT_RE.match(text, end):
        return UNITS[u.group("unit")], None, u.end()
    if m.group("digits") and (c := _COMPOUND_RE.match(text, end)):
        word = c.group("word")
        if len(word) > 1 and word in UNITS:
            return UNITS[word], None, c.end()  # "a 30-day mission", "a 500-km orbit"
        return None, word, c.end()
    counted, after = _counted(text, end)
    return None, counted, max(after, end)


def _quantities(text: str, starts: list[int] | None = None) -> list[dict]:
    out = []
    matches = NUMBER_RE.finditer(text) if starts is None else _number_matches(text, starts)
    taken = 0  # end of the last range: its upper bound is no quantity of its own
    for m in matches:
        if m.start() < taken:
            continue
        if _CLOCK_RE.match(text, m.start()):
            continue  # a time of day: "9:20 p.m.", "2 a.m.", "1630 GMT"
        digits, words = m.group("digits"), m.group("words")
        currency = _currency_before(text, m.start())
        before = _previous_word(text, m.start())
        if currency is None:
            if before.rstrip(".,") in CAPITALISED_MONTHS:
                continue  # a date: "May 28", "December 2021"
            if before[:1].isupper() and before.lower() not in _NOT_NAME_WORDS:
                continue  # a name: "Group 20", "Vision 2030", "Satellite 02"
        if digits and len(digits) > 1 and digits.startswith("0") and "." not in digits:
            continue
        if _MONTH_AFTER_RE.match(text, m.end()):
            continue  # "28 May 2018", "14-Jul-2026"
        if _is_enumeration(text, m):
            continue  # "2. The second reason", "(2) fly", "1.2 Scope": numbers of items
        value, scale = _number_value(m)
        start = currency[1] if currency else m.start()
        last, end = m, m.end()  # the number the unit follows: the upper bound of a range
        value_max = None
        unit, counted, unit_end = _unit_or_count(text, m, end)
        # A range: "500-600 km", "500 km to 600 km", "between 5 and 8", "$5-6 billion".
        sep_at = end if m.group("glued") is None else None
        if unit is not None and unit_end > end and not m.group("glued"):
            sep_at = unit_end  # "500 km to 600 km": the unit repeats after the upper bound
        sep = _RANGE_SEPARATOR_RE.match(text, sep_at) if sep_at is not None else None
        upper = _UPPER_RE.match(text, sep.end()) if sep else None
        between = _BETWEEN_RE.search(text, max(0, start - 12), start)
        if upper and not _may_be_range(text, m, sep, upper, currency, start, bool(between)):
            upper = None
        if upper:
            up_value, up_scale = _number_value(upper)
            if scale == 1.0 and up_scale != 1.0 and value < up_value:
                scale = up_scale  # "5-6 billion": the scale is stated once for both
            up_unit, up_counted, up_end = _unit_or_count(text, upper, upper.end())
            if sep_at != end and up_unit != unit:
                upper = None  # "500 km to 600 m": not one range
            elif _is_year(m, value) and _is_year(upper, up_value):
                taken = upper.end()
                continue  # a period: "2016-2025", "from 2016 to 2020"
            elif _MONTH_AFTER_RE.match(text, upper.end()):
                taken = upper.end()
                continue  # dates: "3 to 5 May"
            elif up_value * up_scale <= value * scale:
                upper = None  # "3-2", "version 5 to 1": no range from low to high
            elif up_unit is None and up_counted is None and not currency:
                if sep.group("dash"):
                    taken = upper.end()
                    continue  # "3-4", "pages 10-12": a hyphenated pair that measures nothing
                upper = None  # "from 5 to 8": two numbers
            else:
                last, value_max = upper, up_value * up_scale
                unit, counted, unit_end = up_unit, up_counted, up_end
                taken = upper.end()
        if value_max is None and _HYPHEN_DIGIT_RE.match(text, m.end()):
            continue  # "86-10-5550123", "2024-05-03": parts of a designation, no range
        value *= scale
        end = max(unit_end, last.end())
        if currency is not None:
            # "$5m" is five million dollars; a currency word repeating it is consumed.
            if last.group("glued") == "m" and not last.group("scale"):
                value *= 1e6
                if value_max is not None:
                    value_max *= 1e6
            if unit not in CURRENCIES:
                end = last.end()
            unit, counted = currency[0], None
        if unit is None and counted is None:
            if words:
                continue  # "one of the", "Four 4K channels": counts nothing we can name
            if _is_year(m, value / scale):
                continue
            if value_max is None and _is_bare_list_or_page_number(text, m):
                continue
        if (
            _is_year(m, value / scale)
            and unit is None
            and value_max is None
            and before.lower() in _YEAR_PREPOSITIONS
        ):
            continue  # "in 2024 launches rose": a year, then what happened in it
        qualifier = None
        if between and value_max is not None:
            qualifier, start = "between", between.start()
        else:
            head = max(0, start - 20)
            # On the slice: its start counts as a word boundary for `\b`.
            if q := _QUALIFIER_RE.search(text[head:start]):
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
                "value_max": value_max,
            }
        )
    return out
