"""Launch-site mentions: launch centers, listed launch sites, places launches leave from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from taikong.enrich.mentions.common import FUNCTION_WORDS, Mention
from taikong.enrich.mentions.countries import country_names
from taikong.enrich.mentions.heads import HEAD_NOUNS, singular
from taikong.enrich.mentions.lexicon import words

_PLACE = r"(?!(?:Satellite|Space|Launch|The|A|An|And|Of)\b)[A-Z][a-z]+(?:['’][a-z]+)?"
LAUNCH_CENTER_RE = re.compile(
    rf"(?<![\w-])(?P<name>{_PLACE}(?: {_PLACE})?) (?:(?:Satellite|Space) )?Launch "
    r"(?:Center|Centre|Site|Base)(?![\w-])"
)
# The end of every LAUNCH_CENTER_RE match (a literal start: a fast scan).
_LAUNCH_CENTER_END = re.compile(r"Launch (?:Center|Centre|Site|Base)(?![\w-])")
_LAUNCH_SITE_LIST_RE = re.compile(
    rf"(?<![\w-])(?P<list>{_PLACE}(?:, {_PLACE})*(?:,? and {_PLACE})?) launch sites?(?![\w-])"
)
_PLACE_WORD = re.compile(_PLACE)
# "lifted off from Jiuquan", "launched the probe from Xichang", "launch pads installed at
# Jiuquan": a place after from/at, with a launch word at most four words before it in the
# same clause (articles aside, no function word between: "launched with support from
# Huawei" names no site).
_FROM_PLACE_RE = re.compile(
    rf"(?:from|at)\s+(?:the\s+)?(?P<name>{_PLACE}(?: {_PLACE})?)(?![\w'’-])"
)
_LAUNCH_BEFORE_RE = re.compile(
    r"(?i:\b(?:launch(?:es|ed|ing)?|lift(?:s|ed|ing)?\s+off|lift-?off|blast(?:s|ed|ing)?\s+off)"
    r"(?P<gap>(?:\s+[\w'’-]+){0,4}?))\s+$"
)
_ARTICLES = words("articles")
_NEXT_TWO_WORDS = re.compile(r" +([A-Za-z]+)(?: +([A-Za-z]+))?")


@cache
def _common_words() -> frozenset[str]:
    """English words as the dictionaries list them in lower case ("moon", "station"):
    a name listed only capitalised ("Beijing", "Florida") is a proper noun."""
    from english_words import get_english_words_set

    words: set[str] = set()
    for source in ("web2", "gcide"):
        words |= {
            w for w in get_english_words_set([source], lower=False, alpha=True) if w.islower()
        }
    return frozenset(words)


@cache
def subdivision_places() -> dict[str, str]:
    """Place name -> ISO 3166-2 code, from pycountry's subdivisions, each name without the
    administrative words its country's names share ("Hainan Sheng" -> "Hainan", "Nei
    Mongol Zizhiqu" -> "Nei Mongol"): a word that ends three or more names of one country
    is such a word."""
    import pycountry

    by_country: dict[str, list] = {}
    for sub in pycountry.subdivisions:
        by_country.setdefault(sub.country_code, []).append(sub)
    places: dict[str, str] = {}
    for subs in by_country.values():
        endings: dict[str, int] = {}
        for sub in subs:
            last = sub.name.split()[-1]
            endings[last] = endings.get(last, 0) + 1
        for sub in subs:
            words = re.sub(r"\s*\(.*?\)", "", sub.name).split()
            while len(words) > 1 and endings.get(words[-1], 0) >= 3:
                words.pop()
            places.setdefault(" ".join(words), sub.code)
    return places


def _place_like(name: str) -> bool:
    """A place name, not a capitalised English word ("Space", "Moon"): a subdivision
    (pycountry) or a word the dictionaries do not list in lower case."""
    if name in subdivision_places():
        return True
    common = _common_words()
    for word in name.split():
        low = word.lower()
        stem = low[:-1] if low.endswith("s") else low
        if low in common or stem in common:
            return False
    return True


def _place_name(word: str) -> bool:
    """A place name in a list of launch sites ("Space launch sites" has none)."""
    return _place_like(word)


def _launch_center_matches(text: str) -> Iterator[re.Match[str]]:
    """LAUNCH_CENTER_RE.finditer(text), searched only just before each "Launch Center"
    (its names are two words at most and cannot contain "Launch")."""
    end = 0
    for hit in _LAUNCH_CENTER_END.finditer(text):
        if hit.start() < end:
            continue
        if m := LAUNCH_CENTER_RE.search(text, max(end, hit.start() - 100), hit.end()):
            yield m
            end = m.end()


def _launched_from(text: str, countries: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of each place a launch is said to leave from."""
    for m in _FROM_PLACE_RE.finditer(text):
        if m.start() and not text[m.start() - 1].isspace():
            continue
        name = m.group("name")
        after = text[m.end() : m.end() + 40]
        nxt = _NEXT_TWO_WORDS.match(after)
        if nxt and (
            nxt.group(1)[0].isupper()
            or any(singular(w) in HEAD_NOUNS for w in nxt.groups() if w and w.islower())
        ):
            continue  # a longer name ("Wenchang International Forum"), a craft ("space station")
        if name in countries or not _place_like(name):
            continue
        launch = _LAUNCH_BEFORE_RE.search(text, max(0, m.start() - 80), m.start())
        if not launch:
            continue
        gap = launch.group("gap").split()
        if any(w.lower() in FUNCTION_WORDS and w.lower() not in _ARTICLES for w in gap):
            continue
        yield m.start("name"), m.end("name"), name


def find_launch_sites(text: str) -> list[Mention]:
    out = []
    full: dict[str, str] = {}
    for m in _launch_center_matches(text):
        canonical = m.group().replace("Centre", "Center")
        full.setdefault(m.group("name"), canonical)
        out.append(Mention("launch_site", m.start(), m.end(), m.group("name"), None, canonical))
    listed: set[str] = set()
    if "launch site" in text:
        for m in _LAUNCH_SITE_LIST_RE.finditer(text):
            for w in _PLACE_WORD.finditer(m.group("list")):
                start = m.start("list") + w.start()
                if not _place_name(w.group()):
                    continue
                name = w.group()
                listed.add(name)
                canonical = full.get(name, f"{name} Launch Site")
                out.append(Mention("launch_site", start, start + len(name), name, None, canonical))
    # A place found by context is named as the document names it elsewhere (its launch
    # center, or "<Name> Launch Site" if listed as a launch site), else by itself.
    countries = frozenset(country_names())
    for start, end, name in _launched_from(text, countries):
        if name in full:
            canonical = full[name]
        elif name in listed:
            canonical = f"{name} Launch Site"
        else:
            canonical = name
        out.append(Mention("launch_site", start, end, name, None, canonical))
    return out
