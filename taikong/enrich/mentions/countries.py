"""Country mentions: ISO 3166 names (pycountry), usual English names and historical states,
not a person's name, nor the first words of an organisation's name."""

from __future__ import annotations

import re
from functools import cache

from taikong.enrich.mentions.common import FUNCTION_WORDS, Mention
from taikong.enrich.mentions.heads import ACRONYM_HEADS
from taikong.enrich.mentions.lexicon import table, words
from taikong.vocabulary import EntityType

# Usual English names that ISO 3166 does not use (or only with a comma).
COUNTRY_ALIASES: dict[str, str] = table("country_aliases")["aliases"]
# States that no longer exist ("Soviet Union"): ISO 3166-3 codes, usual names.
HISTORIC_COUNTRIES: dict[str, dict] = table("historic_countries")["countries"]


def _short_name(country) -> str:
    """The canonical name of a country: pycountry's `common_name` ("South Korea", "Iran")
    where it has one; else a usual name (COUNTRY_ALIASES) that ISO's own name begins with
    ("Russia" for "Russian Federation", "Palestine" for "Palestine, State of"): the
    library's name shortened, never a different name ("Turkey" for "Türkiye" is not);
    else ISO's name."""
    common = getattr(country, "common_name", None)
    if common:
        return common
    shortenings = [
        alias
        for alias, code in COUNTRY_ALIASES.items()
        if code == country.alpha_3 and country.name.startswith(alias) and alias != country.name
    ]
    return min(shortenings, key=len) if shortenings else country.name


@cache
def country_names() -> dict[str, tuple[str, str]]:
    """Surface name -> (common name, alpha-3)."""
    import pycountry

    by_name: dict[str, set[str]] = {}
    common: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        common[code] = _short_name(country)
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
    for code, state in HISTORIC_COUNTRIES.items():
        for name in state["names"]:
            out.setdefault(name, (state["canonical"], code))
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


_TITLES = words("person_titles")
_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s(\"“]))(?P<word>[A-Za-z][a-z]*\.?) $")


def _person_name(text: str, start: int, name: str) -> bool:
    """A one-word country name used as a person's name: after a title ("Dr Georgia",
    "astronaut Jordan") or after a capitalised word inside a sentence ("said Michael
    Jordan"; "In Jordan" and "Russia and Jordan" are countries)."""
    if " " in name:
        return False
    m = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if not m:
        return False
    word = m.group("word")
    if word.rstrip(".").lower() in _TITLES:
        return True
    if not word[0].isupper() or word.lower() in FUNCTION_WORDS or word.endswith("."):
        return False
    if word in _countries_by_first_word():
        return False
    before = text[max(0, m.start() - 3) : m.start()].rstrip(' "“(')
    sentence_start = not before or before[-1] in ".!?:\n"
    return not sentence_start


# Words that end or head an organisation's name ("Agency", "Corporation", "Daily").
ORGANISATION_HEADS = (
    frozenset(w for w, type_ in ACRONYM_HEADS.items() if type_ == EntityType.ORGANIZATION)
    - {"mission"}
) | words("organisation_heads")
# Inside a name, between capitalised words: "Academy of Space Technology",
# "Science and Technology Corporation", "Science & Industry".
_NAME_JOINERS = frozenset({"of", "for", "and", "on", "the", "&"})
_NAME_WORD = re.compile(r" ([A-Za-z&][\w.&'’-]*)")
_ORGANISATION_WORDS = 6


def _organisation_name(text: str, stop: int) -> bool:
    """The country name that ends at `stop` begins an organisation's name: capitalised
    words follow it at once, with a head among the next few ("China Aerospace Science and
    Technology Corporation", "China Daily", "United States Space Force"). Joiners may
    sit between capitalised words, never first, and a country's name after "and" ends
    the name ("United States and Japan ...": two countries)."""
    pos = stop
    previous_joiner = True  # the first word must be capitalised
    for _ in range(_ORGANISATION_WORDS):
        m = _NAME_WORD.match(text, pos)
        if not m:
            return False
        word = m.group(1)
        low = word.lower()
        if low in _NAME_JOINERS:
            if pos == stop or (previous_joiner and low != "the"):
                return False
            previous_joiner = True
        else:
            if not word[0].isupper():
                return False
            if previous_joiner and pos > stop and word in _countries_by_first_word():
                return False
            if low.rstrip(".") in ORGANISATION_HEADS:
                return True
            previous_joiner = False
        pos = m.end()
    return False


def _country_candidates(word: str, by_first: dict[str, list[str]]) -> list[str]:
    candidates = by_first.get(word) or by_first.get(word.rstrip(".")) or ()
    if not candidates:
        # "Russia's", "Japan." : the name may be followed by a possessive or a stop.
        candidates = by_first.get(_WORD_STEM.match(word).group(), ())
    return list(candidates)


def _capitalised_starts(text: str, by_first: dict[str, list[str]]) -> list[int] | None:
    """Starts of the _CAPITALISED matches that can begin a country name, in order: the
    distinct capitalised words are read in one `findall`, and only those that can start
    a name are then located (`str.find`). None when a word follows an apostrophe (it
    may be inside another match: the caller then reads every match)."""
    words = {w for w in set(_CAPITALISED.findall(text)) if _country_candidates(w, by_first)}
    starts = []
    for word in words:
        pos = text.find(word)
        while pos >= 0:
            m = _CAPITALISED.match(text, pos)
            if m and m.group() == word:
                if pos and text[pos - 1] in "'’":
                    return None
                starts.append(pos)
            pos = text.find(word, pos + 1)
    starts.sort()
    return starts


def find_countries(text: str) -> list[Mention]:
    names = country_names()
    by_first = _countries_by_first_word()
    starts = _capitalised_starts(text, by_first)
    if starts is None:
        starts = [m.start() for m in _CAPITALISED.finditer(text)]
    out = []
    end = 0
    for start in starts:
        if start < end:
            continue
        word = _CAPITALISED.match(text, start).group()
        for name in _country_candidates(word, by_first):
            stop = start + len(name)
            if text.startswith(name, start) and not text[stop : stop + 1].isalnum():
                if text[stop : stop + 1] == "_":
                    continue
                if _person_name(text, start, name) or _organisation_name(text, stop):
                    end = stop
                    break
                common, code = names[name]
                out.append(Mention("country", start, stop, common, code))
                end = stop
                break
    return out
