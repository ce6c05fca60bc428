"""Mentions of countries, of acronym-defined names, and of numbered designations.

Three kinds, found per paragraph with regular expressions (no model):

* `country`: a country's name from ISO 3166 (pycountry: short, common and official
  names, the part before a comma when it names one country only) plus a few usual
  English names ISO does not use ("Russia", "Britain", "Turkey"). `name` is the short
  name (see `_short_name`: pycountry's common_name, else a usual name ISO's name begins
  with, "Russia" for "Russian Federation", else ISO's name), `code` the alpha-3 code.
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

* `launch_site`: "<Name> (Satellite|Space) Launch Center/Centre/Site/Base", "<Name>[,
  <Name> and <Name>] launch site(s)" (one mention per place), and a place a launch leaves
  from: "lifted off from X", "launched the probe from X", "launch pads installed at X" (a
  launch word at most four words before from/at, no function word but an article
  between). A place is a pycountry subdivision ("Hainan Sheng" -> "Hainan") or a word
  the English dictionaries list only capitalised or not at all; "Space", "Moon" are no
  places, nor a country, nor a name followed by a capitalised word or a craft noun
  ("Halvor space station").

Where mentions overlap the longest wins ("China Manned Space Agency" over "China").
Headings are not searched (they are sections, not paragraphs).

Each mention then gets a `canonical` entity and an `entity_type` (ENTITY_TYPES), with the
rule that decided it in `type_rule`:

* designations: "Long March-5B" (name, hyphen, serial); a serial list gives one mention
  per entity: "Fengyun-4A/4B" -> "Fengyun-4A" (span: name and first serial) and
  "Fengyun-4B" (span: its own serial "4B"; a one-letter part keeps its slash, "/B").
  The type is a per-document vote of the head nouns next to any use of the family name
  (with or without serial; a list "A-1, B-2 and other ... vehicles" shares the noun after
  it): rocket/launcher/vehicle -> launch_vehicle; probe/spacecraft/module/space station/
  rover/lander/telescope/... -> spacecraft_probe; satellite/system/constellation/
  program/project/series -> satellite_system_program. Only the document is read, so a
  document's output does not depend on the rest of its shard. Also votes (same rule,
  head_noun_vote): a name in apposition, whose last word is the head ("the Algerian
  Communications Satellite (X-1)", "X-1 (... Lunar Orbiter)", "X-1, also known as the
  ... Satellite," / "X-1, China's ... satellite."), and a head noun after plural noun
  modifiers ("X-3 earth resources satellite,": an -s word followed by a singular head
  noun that closes the phrase is no verb). Fallback, documented and marked
  type_rule="fallback": a designation with no vote is spacecraft_probe.
* acronyms: canonical = the long form (the acronym stays in `code`) for both forms;
  type by the long form's head word (the last word before of/for/on/in): a launch-site
  name -> launch_site_place, Organization/Agency/... -> organization, System/Program/
  Initiative/Project/Satellite -> satellite_system_program, a craft noun (Explorer,
  Telescope...) -> its type, an instrument (Monitor, Imager, Radar...) in a name that puts
  it in space ("Space-based ... Monitor") -> spacecraft_probe; else a head-noun vote as
  for designations. An acronym whose
  type cannot be decided ("Telemetry, Tracking and Command (TT&C)", a method, a service)
  is dropped, counted as acronym_untyped in the log line of `find_mentions`.
* countries: the pycountry common name, country. A one-word country name used as a
  person's name (after a title, or after a capitalised word inside a sentence: "Dr.
  Jordan", "said Mary Jordan") is no mention.
* launch sites: launch_site_place; canonical = the full name ("Centre" spelt "Center")
  when the document writes it, else "<Name> Launch Site" when the document lists it as a
  launch site, else (a place found by a launch context only) the place's name.

Speed: the document is scanned with few, cheap passes: literal forms (acronyms, series,
family names) are located with `str.find` and then matched where found
(`_form_matches`), country names only where a capitalised word can start one, launch
centers only before "Launch Center"; family votes are computed once per family and
document. The output is the one the plain regular expressions give (tested).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

import polars as pl

from taikong.vocabulary import EntityType, MentionKind, values

log = logging.getLogger(__name__)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


MENTIONS_VERSION = "mentions_v4"
MENTION_KINDS = tuple(values(MentionKind))
ENTITY_TYPES = tuple(values(EntityType))  # in priority order

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

# Words that open a sentence or headline before a name ("Before Tianzhou-1 docks",
# "After Vantor-2"): prepositions, conjunctions and adverbs, a closed class of English,
# never the first word of a craft's name (unlike "Long" in "Long March-5").
_SENTENCE_OPENERS = _wordset(
    "after before during since until till when whenever while once as following "
    "despite unlike like amid among between beyond without within through across "
    "against toward towards upon onto via per meanwhile then now today yesterday "
    "tomorrow also however yet so but if because though although whether where "
    "why how unless here there thus hence"
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
    canonical: str | None = None
    entity_type: str | None = None
    type_rule: str | None = None


# ---- countries -----------------------------------------------------------------------------
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


_TITLES = _wordset(
    "mr mrs ms dr prof professor sir madam astronaut taikonaut engineer scientist "
    "commander captain president minister director"
)
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
    if not word[0].isupper() or word.lower() in _FUNCTION_WORDS or word.endswith("."):
        return False
    if word in _countries_by_first_word():
        return False
    before = text[max(0, m.start() - 3) : m.start()].rstrip(' "“(')
    sentence_start = not before or before[-1] in ".!?:\n"
    return not sentence_start


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


def _countries(text: str) -> list[Mention]:
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
                if _person_name(text, start, name):
                    end = stop
                    break
                common, code = names[name]
                out.append(Mention("country", start, stop, common, code))
                end = stop
                break
    return out


# ---- matching many literal forms ------------------------------------------------------
_NO_WORD_BEFORE = re.compile(r"(?<![\w-])")
_SERIAL_TAIL = re.compile(rf"(?:[- ]{_SERIAL})?(?![\w/-])")
_SPACED_SERIAL = re.compile(rf" (?P<serial>{_SERIAL})(?![\w/-])")
_WORD_END = re.compile(r"(?![\w-])")


def _normalised(text: str) -> str:
    """The text with curly apostrophes straight (same length, same offsets)."""
    return text.replace("’", "'")


def _form_matches(
    text: str, norm: str | None, forms: Iterable[str], tail: re.Pattern[str]
) -> Iterator[tuple[int, int, re.Match[str]]]:
    r"""(start, form end, tail match) of each match of `(?<![\w-])(?:form|...)<tail>` in
    `text`, longest form first, exactly as `re.finditer` would find them, but located with
    `str.find` (one fast scan per form, not a regex tried at every position of the
    document). With `norm` (`_normalised(text)`) a straight apostrophe in a form also
    matches a curly one (the form escaped, then "'" -> "['’]")."""
    ordered = sorted(forms, key=len, reverse=True)
    starts: set[int] = set()
    for form in ordered:
        needle = form if norm is None else _normalised(form)
        pos = (text if norm is None else norm).find(needle)
        while pos >= 0:
            starts.add(pos)
            pos = (text if norm is None else norm).find(needle, pos + 1)
    end = 0
    for pos in sorted(starts):
        if pos < end or not _NO_WORD_BEFORE.match(text, pos):
            continue
        for form in ordered:
            stop = pos + len(form)
            piece = text[pos:stop]
            # re.escape(form).replace("'", "['’]"): only a straight apostrophe of the
            # form matches either kind; any other character matches itself.
            if piece != form and not (
                norm is not None
                and "'" in form
                and len(piece) == len(form)
                and all(a == b or (a == "'" and b == "’") for a, b in zip(form, piece, strict=True))
            ):
                continue
            if m := tail.match(text, stop):
                yield pos, stop, m
                end = m.end()
                break


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
    out = []
    for start, end, _ in _form_matches(text, None, forms, _WORD_END):
        surface = text[start:end]
        long, acr = forms[surface]
        in_parens = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
        if surface == acr and in_parens:
            # The acronym inside its own definition is part of that mention.
            inner = text[max(0, start - 1 - len(long) - 2) : start - 1]
            if inner.rstrip().rstrip("\"”’'").endswith(long):
                continue
        out.append(Mention("acronym", start, end, long, acr))
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


def _designations(text: str, series: set[str], norm: str | None = None) -> list[Mention]:
    out = []
    for m in _designation_matches(text):
        start = m.start("name")
        name = m.group("name")
        first, _, rest = name.partition(" ")
        if rest and (
            first.lower() in _FUNCTION_WORDS
            or first.lower() in _SENTENCE_OPENERS
            or first.endswith(("'s", "’s"))
        ):
            start += len(first) + 1
            name = rest
        if name.lower() in NOT_CRAFT or name.split("-")[0].lower() in NOT_CRAFT:
            continue
        name = name.replace("’", "'")
        out.append(Mention("designation", start, m.end(), name, m.group("serial")))
    if series:
        norm = _normalised(text) if norm is None else norm
        for start, stop, m in _form_matches(text, norm, series, _SPACED_SERIAL):
            name = text[start:stop].replace("’", "'")
            out.append(Mention("designation", start, m.end(), name, m.group("serial")))
    return out


def _series(text: str) -> set[str]:
    names = set()
    for m in _designations(text, set()):
        names.add(m.name)
    return names


# ---- launch sites --------------------------------------------------------------------------
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
_ARTICLES = _wordset("a an the")
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
            or any(_singular(w) in HEAD_NOUNS for w in nxt.groups() if w and w.islower())
        ):
            continue  # a longer name ("Wenchang International Forum"), a craft ("space station")
        if name in countries or not _place_like(name):
            continue
        launch = _LAUNCH_BEFORE_RE.search(text, max(0, m.start() - 80), m.start())
        if not launch:
            continue
        gap = launch.group("gap").split()
        if any(w.lower() in _FUNCTION_WORDS and w.lower() not in _ARTICLES for w in gap):
            continue
        yield m.start("name"), m.end("name"), name


def _launch_sites(text: str) -> list[Mention]:
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


# ---- entity types --------------------------------------------------------------------------
# Head nouns after (or right before) a name, singular, and the type they vote for.
HEAD_NOUNS = {
    **dict.fromkeys(("rocket", "launcher", "vehicle"), "launch_vehicle"),
    **dict.fromkeys(
        (
            "probe",
            "spacecraft",
            "spaceship",
            "module",
            "station",
            "rover",
            "lander",
            "orbiter",
            "telescope",
            "laboratory",
            "lab",
            "capsule",
            "observatory",
            "explorer",
        ),
        "spacecraft_probe",
    ),
    **dict.fromkeys(
        ("satellite", "system", "constellation", "program", "programme", "project", "series"),
        "satellite_system_program",
    ),
}
# Head (last) words of acronym-defined names.
ACRONYM_HEADS = {
    **dict.fromkeys(
        _wordset(
            "organization organisation agency administration office academy center centre "
            "institute committee group union university mission corporation bureau ministry "
            "commission council association society establishment"
        ),
        "organization",
    ),
    **dict.fromkeys(
        _wordset("system program programme initiative project satellite"),
        "satellite_system_program",
    ),
}
# Instruments: the head of a craft's name when the name puts it in space (_IN_SPACE).
INSTRUMENT_HEADS = _wordset(
    "monitor imager detector spectrometer camera radar sensor altimeter radiometer "
    "interferometer polarimeter scatterometer magnetometer"
)
_IN_SPACE = re.compile(
    r"(?i)(?<![\w-])(?:space-based|spaceborne|space-borne|orbiting|orbital)(?![\w-])"
)
# Participles that still describe a craft ("manned spaceship"); other -ed/-s words in
# the gap are read as verbs and stop the search ("Long March-5 launched a satellite").
_CRAFT_PARTICIPLES = _wordset("manned crewed unmanned uncrewed")
_TYPE_PRIORITY = ENTITY_TYPES
_TOKEN = re.compile(r"[\w'’&-]+|[^\w\s]")


def _singular(word: str) -> str:
    w = word.lower()
    if w in HEAD_NOUNS:
        return w
    if w.endswith("s") and w[:-1] in HEAD_NOUNS:
        return w[:-1]
    return w


def _head_after(text: str, end: int) -> str | None:
    """Type voted by the first head noun within three words after `end`."""
    tokens = _TOKEN.findall(text[end : end + 80])
    previous = ""
    for i, token in enumerate(tokens[:4]):
        word = _singular(token)
        if word in HEAD_NOUNS:
            if word == "station" and previous not in ("space", "orbital"):
                return None  # a ground station is no craft
            return HEAD_NOUNS[word]
        if not token[0].isalnum() or token.lower() in _FUNCTION_WORDS:
            return None
        low = token.lower()
        if i < 3 and (low.endswith("ed") and low not in _CRAFT_PARTICIPLES):
            return None
        verb_like = low.endswith("s") and not low.endswith("ss") and not token[0].isupper()
        if verb_like and not _modifier_before_head(tokens, i):
            return None
        previous = low
    return None


def _modifier_before_head(tokens: list[str], i: int) -> bool:
    """A lower-case -s word is a verb ("Opalreed-1 sends data") unless it modifies a
    singular head noun that closes the phrase ("Ziyuan-3 earth resources satellite,"):
    a verb is rarely followed by a bare singular count noun. "launches satellite
    missions" stays a verb (the noun after it is no head)."""
    if i + 1 >= min(len(tokens), 4):
        return False
    head = tokens[i + 1].lower()
    if head not in HEAD_NOUNS or head == "station":
        return False
    after = tokens[i + 2] if i + 2 < len(tokens) else ""
    return not after or not after[0].isalnum()


def _head_before(text: str, start: int) -> str | None:
    m = re.search(r"([A-Za-z]+) $", text[max(0, start - 30) : start])
    if m and m.group(1).islower():
        word = _singular(m.group(1))
        if word in HEAD_NOUNS and word != "station":
            return HEAD_NOUNS[word]
    return None


_CHAIN = re.compile(
    rf"(?:,\s*|,?\s+and\s+)(?:{_NAME} )?{_NAME}(?:-{_NAME})*[- ]{_SERIAL}(?![\w/-])"
    r"|,?\s+and\s+other(?![\w-])"
)


def family_votes(text: str, forms: list[str], norm: str | None = None) -> dict[str, int]:
    """Entity type -> number of uses of any of `forms` (with or without a serial) next to
    a head noun of that type. `norm`: `_normalised(text)`, when the caller has it."""
    votes: dict[str, int] = {}
    if not forms:
        return votes
    if norm is None:
        norm = _normalised(text)
    for start, _, m in _form_matches(text, norm, forms, _SERIAL_TAIL):
        # A list of designations shares the head noun after it ("the Smart Dragon-1,
        # Kuaizhou-1A and other commercial vehicles", "Taiji-1 and Tianqin-1 satellites").
        end = m.end()
        while chained := _CHAIN.match(text, end):
            end = chained.end()
        for vote in (
            _head_after(text, end),
            _head_before(text, start),
            _apposition_type(text, start, m.end()),
        ):
            if vote:
                votes[vote] = votes.get(vote, 0) + 1
    return votes


# A name set beside a mention says what it is: "the Algerian Communications Satellite
# (Alcomsat-1)", "Alcomsat-1 (Algerian Communications Satellite)", "Zhangheng-1, also
# known as the China Seismo-Electromagnetic Satellite," / "Zhangheng-1, China's
# seismo-electromagnetic satellite." The name's last word is its head.
_NAME_BEFORE_PARENS = re.compile(r"[A-Z][\w'’-]*\s+(?P<head>[A-Z][A-Za-z]*)\s*\($")
_NAME_IN_PARENS_AFTER = re.compile(r"\s*\((?P<name>[A-Z][^()]{2,100})\)")
_APPOSITION_AFTER = re.compile(
    r",\s+(?:(?:also\s+)?(?:known\s+as|called)\s+)?"
    r"(?:(?:the|a|an)\s+|[A-Z][\w'’-]*['’]s\s+)?"
    r"(?P<phrase>(?:[A-Za-z][A-Za-z'’-]*\s+){0,4}[A-Za-z]+)(?=\s*(?:[,.;:)]|$))"
)


def _name_head_type(words: list[str]) -> str | None:
    """The type a name's head (last) word gives: "... Satellite System" -> system."""
    if not words:
        return None
    head = re.sub(r"['’]s$", "", words[-1]).lower()
    if head == "station" and (len(words) < 2 or words[-2].lower() not in ("space", "orbital")):
        return None  # a ground station is no craft
    if head in ACRONYM_HEADS:
        return ACRONYM_HEADS[head]
    return HEAD_NOUNS.get(_singular(head))


def _apposition_type(text: str, start: int, end: int) -> str | None:
    """Type given by a name in apposition to the mention at [start, end)."""
    in_parens = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
    if in_parens and (m := _NAME_BEFORE_PARENS.search(text, max(0, start - 120), start)):
        return _name_head_type([m.group("head")])
    if m := _NAME_IN_PARENS_AFTER.match(text, end):
        name = re.split(r"\s+(?:of|for|on|in)\s+", m.group("name"))[0]
        return _name_head_type(name.split())
    comma = text[end : end + 1] == "," and not _CHAIN.match(text, end)
    if comma and (m := _APPOSITION_AFTER.match(text, end)):
        words = m.group("phrase").split()
        for word in words[:-1]:
            low = word.lower()
            if low in _FUNCTION_WORDS or (
                low.endswith("ed") and "-" not in low and low not in _CRAFT_PARTICIPLES
            ):
                return None  # a clause, not a noun phrase
        return _name_head_type(words)
    return None


def _winner(votes: dict[str, int]) -> str | None:
    if not votes:
        return None
    return max(_TYPE_PRIORITY, key=lambda t: (votes.get(t, 0), -_TYPE_PRIORITY.index(t)))


def _acronym_type(long: str, acr: str, text: str) -> tuple[str | None, str]:
    if LAUNCH_CENTER_RE.search(long) or re.search(r"Launch (?:Center|Centre|Site|Base)$", long):
        return "launch_site_place", "launch_site_pattern"
    # The head is the last word before "of"/"for"/"on" ("Office for Outer Space Affairs").
    words = re.split(r"\s+(?:of|for|on|in)\s+", long)[0].split()
    head = re.sub(r"['’]s$", "", words[-1]).lower()
    if head in ACRONYM_HEADS:
        return ACRONYM_HEADS[head], "acronym_head_word"
    if _singular(head) in HEAD_NOUNS:
        return HEAD_NOUNS[_singular(head)], "acronym_head_word"
    if head in INSTRUMENT_HEADS and _IN_SPACE.search(long):
        # "Space-based ... Objects Monitor": an instrument said to be in space is a craft
        # ("interferometric synthetic aperture radar" is a technique: no type).
        return "spacecraft_probe", "acronym_head_word"
    voted = _winner(family_votes(text, [acr, long]))
    if voted:
        return voted, "head_noun_vote"
    return None, "acronym_untyped"


def _serials(serial: str) -> list[tuple[int, int, str]]:
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


def _typed(
    mentions: list[Mention],
    joined: str,
    text: str,
    definitions: dict[str, str],
    dropped: dict[str, int],
) -> list[Mention]:
    """Canonical entity and type for each mention; a designation list ("Fengyun-4A/4B")
    gives one mention per entity, the first spanning the name and first serial, each
    later one its own serial ("4B"). Undecided acronyms are dropped and counted."""
    family_type: dict[str, tuple[str, str]] = {}
    acronym_type: dict[str, tuple[str | None, str]] = {}
    out = []
    for m in mentions:
        if m.kind == "country":
            out.append(replace(m, canonical=m.name, entity_type="country", type_rule="pycountry"))
        elif m.kind == "launch_site":
            out.append(replace(m, entity_type="launch_site_place", type_rule="launch_site_pattern"))
        elif m.kind == "acronym":
            if m.code not in acronym_type:
                acronym_type[m.code] = _acronym_type(m.name, m.code, text)
            entity_type, rule = acronym_type[m.code]
            if entity_type is None:
                dropped[rule] = dropped.get(rule, 0) + 1
                continue
            out.append(replace(m, canonical=m.name, entity_type=entity_type, type_rule=rule))
        else:
            surface = joined[m.start : m.end].replace("’", "'")
            if surface in definitions:
                # A designation the document defines as an acronym ("... Satellite
                # (PRSS-1)"): part of its definition there, that entity elsewhere.
                long = definitions[surface]
                if joined[m.start - 1 : m.start] == "(" and " ".join(
                    joined[: m.start - 1].split()
                ).endswith(long):
                    continue
                m = replace(m, kind="acronym", name=long, code=surface)
                if m.code not in acronym_type:
                    acronym_type[m.code] = _acronym_type(m.name, m.code, text)
                entity_type, rule = acronym_type[m.code]
                if entity_type is None:
                    dropped[rule] = dropped.get(rule, 0) + 1
                    continue
                out.append(replace(m, canonical=long, entity_type=entity_type, type_rule=rule))
                continue
            if m.name not in family_type:
                voted = _winner(family_votes(text, [m.name]))
                family_type[m.name] = (
                    (voted, "head_noun_vote") if voted else ("spacecraft_probe", "fallback")
                )
            entity_type, rule = family_type[m.name]
            if rule == "fallback":
                dropped["designation_fallback_type"] = (
                    dropped.get("designation_fallback_type", 0) + 1
                )
            serial_start = m.end - len(m.code)
            for i, (a, b, full) in enumerate(_serials(m.code)):
                out.append(
                    replace(
                        m,
                        start=m.start if i == 0 else serial_start + a,
                        end=serial_start + b,
                        code=full,
                        canonical=f"{m.name}-{full}",
                        entity_type=entity_type,
                        type_rule=rule,
                    )
                )
    return out


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
    """One row per mention: doc_id, para_no, kind, text, name, code, canonical,
    entity_type, type_rule, char_start, char_end.

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
        "canonical": pl.String,
        "entity_type": pl.String,
        "type_rule": pl.String,
        "char_start": pl.Int32,
        "char_end": pl.Int32,
    }
    rows = []
    dropped: dict[str, int] = {}
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
        found += _designations(joined, series) + _launch_sites(joined)
        para_nos = all_para_nos[lo:hi]
        for m in _typed(_resolve(found), joined, whole, definitions, dropped):
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
                    "canonical": m.canonical,
                    "entity_type": m.entity_type,
                    "type_rule": m.type_rule,
                    "char_start": m.start - offset,
                    "char_end": m.end - offset,
                }
            )
    if dropped:
        # Counted, not silent: acronyms left without a type are dropped, designations
        # without a head-noun vote take the fallback type (and say so in type_rule).
        log.info("mentions: %s", ", ".join(f"{k}={v}" for k, v in sorted(dropped.items())))
    return pl.DataFrame(rows, schema=schema)
