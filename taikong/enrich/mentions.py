"""Mentions of countries, of acronym-defined names, and of numbered designations.

Three kinds, found per paragraph with regular expressions (no model):

* `country`: a country's name from ISO 3166 (pycountry: short, common and official
  names, the part before a comma when it names one country only) plus a few usual
  English names ISO does not use ("Russia", "Britain", "Turkey"). `name` is the common
  name, `code` the alpha-3 code.
* `acronym`: a name the document defines with an acronym, "Long Name (ACR)" or "ACR
  (Long Name)", where the acronym's letters can be read off the name's words in order
  (each capitalised word gives one or more leading letters; function words and, in a
  lower-case name, adjectives may give none). Every later use of the acronym or of the
  long name in the same document is a mention. `name` is the long name, `code` the
  acronym.
* `designation`: a numbered vehicle, spacecraft, satellite or system: a capitalised
  name (one or two words, "Long March") joined by a hyphen to a serial ("Tianwen-1",
  "Long March-5B", "Haiyang-2B/2C/2D"). A name seen so in the document also counts
  when written with a space ("Chang'e 4"). `name` is the name, `code` the serial.
  Designations of things that are not craft (diseases such as COVID-19) are excluded.

Where mentions overlap the longest wins ("China Manned Space Agency" over "China").
Headings are not searched (they are sections, not paragraphs).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

import polars as pl


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


MENTIONS_VERSION = "mentions_v1"
MENTION_KINDS = ("country", "acronym", "designation")

# Usual English names that ISO 3166 does not use (or only with a comma).
COUNTRY_ALIASES = {
    "Russia": "RUS",
    "Britain": "GBR",
    "Great Britain": "GBR",
    "UK": "GBR",
    "U.K.": "GBR",
    "USA": "USA",
    "U.S.": "USA",
    "U.S.A.": "USA",
    "Turkey": "TUR",
    "Czech Republic": "CZE",
    "Ivory Coast": "CIV",
    "Cape Verde": "CPV",
    "Swaziland": "SWZ",
    "Burma": "MMR",
    "East Timor": "TLS",
    "Brunei": "BRN",
    "Vatican": "VAT",
    "Palestine": "PSE",
    "Micronesia": "FSM",
}
# Names before a hyphen-serial that are not craft.
NOT_CRAFT = frozenset({"covid", "sars", "mers", "sars-cov", "h1n1", "h5n1"})
_FUNCTION_WORDS = _wordset(
    "a an and at by for from in into of on or the to with its their this that these "
    "those our all both "
)

_NAME = r"[A-Z][A-Za-z]*(?:['’][a-z]+)?"
_SERIAL = r"\d{1,3}[A-Z]?(?:/\d{0,3}[A-Z]?)*"
DESIGNATION_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>(?:{_NAME} )?{_NAME}(?:-{_NAME})*)-(?P<serial>{_SERIAL})(?![\w/-])"
)
_ACRONYM = r"[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*(?:-?\d{1,3}[A-Z]?)?"
_ACRONYM_IN_PARENS = re.compile(rf"\((?P<acr>{_ACRONYM})\)")
_LONG_IN_PARENS = re.compile(rf"(?P<acr>{_ACRONYM})\s+\((?P<long>[^()]{{3,150}})\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


@dataclass(frozen=True)
class Mention:
    kind: str
    start: int
    end: int
    name: str
    code: str | None


# ---- countries -----------------------------------------------------------------------------
@cache
def country_names() -> dict[str, tuple[str, str]]:
    """Surface name -> (common name, alpha-3)."""
    import pycountry

    by_name: dict[str, set[str]] = {}
    common: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        common[code] = getattr(country, "common_name", None) or country.name
        names = [country.name, getattr(country, "common_name", None)]
        names.append(getattr(country, "official_name", None))
        for name in filter(None, names):
            if "," in name:
                name = name.split(",")[0]
            by_name.setdefault(name, set()).add(code)
    out = {name: (common[next(iter(codes))], next(iter(codes))) for name, codes in by_name.items()}
    # A name shared by several countries ("Korea", "Congo") names none of them.
    out = {name: value for name, value in out.items() if len(by_name[name]) == 1}
    for name, code in COUNTRY_ALIASES.items():
        out[name] = (common[code], code)
    return out


@cache
def _countries_by_first_word() -> dict[str, list[str]]:
    """First word of a country name -> the names starting with it, longest first."""
    by_first: dict[str, list[str]] = {}
    for name in country_names():
        by_first.setdefault(name.split()[0], []).append(name)
    return {w: sorted(names, key=len, reverse=True) for w, names in by_first.items()}


_CAPITALISED = re.compile(r"(?<![\w.])[A-Z][\w.'’]*")
_WORD_STEM = re.compile(r"[^'’.]*")


def _countries(text: str) -> list[Mention]:
    names = country_names()
    by_first = _countries_by_first_word()
    out = []
    end = 0
    for m in _CAPITALISED.finditer(text):
        if m.start() < end:
            continue
        word = m.group()
        candidates = by_first.get(word) or by_first.get(word.rstrip(".")) or ()
        if not candidates:
            # "Russia's", "Japan." : the name may be followed by a possessive or a stop.
            candidates = by_first.get(_WORD_STEM.match(word).group(), ())
        for name in candidates:
            stop = m.start() + len(name)
            if text.startswith(name, m.start()) and not text[stop : stop + 1].isalnum():
                if text[stop : stop + 1] == "_":
                    continue
                common, code = names[name]
                out.append(Mention("country", m.start(), stop, common, code))
                end = stop
                break
    return out


# ---- acronyms ------------------------------------------------------------------------------
def _letters(acronym: str) -> str:
    return "".join(c for c in acronym.split("-")[0] if c.isalpha()).lower()


def _spells(words: list[str], letters: str) -> bool:
    """Can the words, in order, give exactly these letters?"""
    capitalised = any(w[0].isupper() for w in words if w.lower() not in _FUNCTION_WORDS)

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(words):
            return j == len(letters)
        word = words[i].lower()
        optional = word in _FUNCTION_WORDS or (capitalised and words[i][0].islower())
        if optional and i not in (0, len(words) - 1) and match(i + 1, j):
            return True
        for k in range(1, len(word) + 1):
            if j + k > len(letters) or letters[j : j + k] != word[:k]:
                break
            if match(i + 1, j + k):
                return True
        return False

    return match(0, 0)


def _long_form_before(text: str, paren: int, letters: str) -> tuple[int, int] | None:
    """Span of the fewest words right before `paren` that spell `letters`."""
    head = text[max(0, paren - 200) : paren]
    offset = paren - len(head)
    # Words back to the last sentence or clause break.
    cut = max(head.rfind(c) for c in ".;:()")
    words = [(m.start() + offset, m.end() + offset, m.group()) for m in _WORD.finditer(head)]
    words = [w for w in words if w[0] > cut + offset]
    for k in range(1, min(len(words), len(letters) + 4) + 1):
        span = words[-k:]
        if span[0][2].lower() in _FUNCTION_WORDS:
            continue
        if _spells([w[2] for w in span], letters):
            return span[0][0], span[-1][1]
    return None


def acronym_definitions(text: str) -> dict[str, str]:
    """Acronym -> long name, for every definition in a document's text."""
    found: dict[str, str] = {}
    for m in _ACRONYM_IN_PARENS.finditer(text):
        acr = m.group("acr")
        span = _long_form_before(text, m.start(), _letters(acr))
        if span and acr not in found:
            found[acr] = " ".join(text[span[0] : span[1]].split())
    for m in _LONG_IN_PARENS.finditer(text):
        acr, long = m.group("acr"), " ".join(m.group("long").split())
        words = [w.group() for w in _WORD.finditer(long)]
        if acr not in found and words and _spells(words, _letters(acr)):
            found[acr] = long
    return found


def _acronyms(text: str, definitions: dict[str, str]) -> list[Mention]:
    forms: dict[str, tuple[str, str]] = {}
    for acr, long in definitions.items():
        forms[acr] = (long, acr)
        forms.setdefault(long, (long, acr))
    if not forms:
        return []
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    out = []
    for m in re.finditer(rf"(?<![\w-])(?:{alternatives})(?![\w-])", text):
        long, acr = forms[m.group()]
        in_parens = text[m.start() - 1 : m.start()] == "(" and text[m.end() : m.end() + 1] == ")"
        if m.group() == acr and in_parens:
            # The acronym inside its own definition is part of that mention.
            inner = text[max(0, m.start() - 1 - len(long) - 2) : m.start() - 1]
            if inner.rstrip().rstrip("\"”’'").endswith(long):
                continue
        out.append(Mention("acronym", m.start(), m.end(), long, acr))
    return out


# ---- designations --------------------------------------------------------------------------
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


def _designations(text: str, series: set[str]) -> list[Mention]:
    out = []
    for m in _designation_matches(text):
        start = m.start("name")
        name = m.group("name")
        first, _, rest = name.partition(" ")
        if rest and (first.lower() in _FUNCTION_WORDS or first.endswith(("'s", "’s"))):
            start += len(first) + 1
            name = rest
        if name.lower() in NOT_CRAFT or name.split("-")[0].lower() in NOT_CRAFT:
            continue
        name = name.replace("’", "'")
        out.append(Mention("designation", start, m.end(), name, m.group("serial")))
    if series:
        names = "|".join(
            re.escape(n).replace("'", "['’]") for n in sorted(series, key=len, reverse=True)
        )
        pattern = rf"(?<![\w-])(?P<name>{names}) (?P<serial>{_SERIAL})(?![\w/-])"
        for m in re.finditer(pattern, text):
            name = m.group("name").replace("’", "'")
            out.append(Mention("designation", m.start(), m.end(), name, m.group("serial")))
    return out


def _series(text: str) -> set[str]:
    names = set()
    for m in _designations(text, set()):
        names.add(m.name)
    return names


# ---- all kinds -----------------------------------------------------------------------------
def _resolve(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (then the earliest)."""
    kept: list[Mention] = []
    cluster: list[Mention] = []
    cluster_end = -1

    def settle() -> None:
        chosen: list[Mention] = []
        for m in sorted(cluster, key=lambda m: (-(m.end - m.start), m.start)):
            if all(m.end <= k.start or m.start >= k.end for k in chosen):
                chosen.append(m)
        kept.extend(chosen)

    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if cluster and m.start >= cluster_end:
            settle()
            cluster = []
        cluster.append(m)
        cluster_end = max(cluster_end, m.end) if len(cluster) > 1 else m.end
    if cluster:
        settle()
    return sorted(kept, key=lambda m: m.start)


def find_mentions(
    paragraphs: pl.DataFrame, definitions_text: dict[str, str] | None = None
) -> pl.DataFrame:
    """One row per mention: doc_id, para_no, kind, text, name, code, char_start, char_end.

    Input: paragraphs with doc_id, para_no, text (in document order).
    `definitions_text`: per document, the text searched for acronym definitions and
    designation series (headings included); by default its paragraphs.
    """
    schema = {
        "doc_id": pl.String,
        "para_no": pl.Int32,
        "kind": pl.String,
        "text": pl.String,
        "name": pl.String,
        "code": pl.String,
        "char_start": pl.Int32,
        "char_end": pl.Int32,
    }
    rows = []
    doc_ids = paragraphs["doc_id"].to_list()
    all_texts = paragraphs["text"].to_list()
    all_para_nos = paragraphs["para_no"].to_list()
    bounds = [i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1]]
    for lo, hi in zip([0, *bounds], [*bounds, len(doc_ids)], strict=True):
        if lo == hi:
            continue
        doc_id = doc_ids[lo]
        texts = all_texts[lo:hi]
        whole = (definitions_text or {}).get(doc_id) or "\n\n".join(texts)
        definitions = acronym_definitions(whole)
        series = _series(whole)
        # Scan the paragraphs joined (one regex pass per kind), then split by paragraph.
        joined = "\n\n".join(texts)
        starts = [0]
        for text in texts[:-1]:
            starts.append(starts[-1] + len(text) + 2)
        found = _countries(joined) + _acronyms(joined, definitions)
        found += _designations(joined, series)
        para_nos = all_para_nos[lo:hi]
        for m in _resolve(found):
            i = bisect.bisect_right(starts, m.start) - 1
            offset = starts[i]
            if m.end > offset + len(texts[i]):
                continue  # runs across a paragraph break
            rows.append(
                {
                    "doc_id": doc_id,
                    "para_no": para_nos[i],
                    "kind": m.kind,
                    "text": joined[m.start : m.end],
                    "name": m.name,
                    "code": m.code,
                    "char_start": m.start - offset,
                    "char_end": m.end - offset,
                }
            )
    return pl.DataFrame(rows, schema=schema)
