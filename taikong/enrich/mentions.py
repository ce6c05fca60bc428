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

* `launch_site`: "<Name> (Satellite|Space) Launch Center/Centre/Site/Base" and "<Name>[,
  <Name> and <Name>] launch site(s)" (one mention per place; a capitalised English word,
  "Space launch sites", is no place).

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
  document's output does not depend on the rest of its shard. Fallback, documented and
  marked type_rule="fallback": a designation with no vote is spacecraft_probe.
* acronyms: canonical = the long form (the acronym stays in `code`) for both forms;
  type by the long form's head word (the last word before of/for/on/in): a launch-site
  name -> launch_site_place, Organization/Agency/... -> organization, System/Program/
  Initiative/Project/Satellite -> satellite_system_program, a craft noun (Explorer,
  Telescope...) -> its type; else a head-noun vote as for designations. An acronym whose
  type cannot be decided ("Telemetry, Tracking and Command (TT&C)", a method, a service)
  is dropped, counted as acronym_untyped in the log line of `find_mentions`.
* countries: the pycountry common name, country. A one-word country name used as a
  person's name (after a title, or after a capitalised word inside a sentence: "Dr.
  Jordan", "said Mary Jordan") is no mention.
* launch sites: launch_site_place; canonical = the full name ("Centre" spelt "Center")
  when the document writes it, else "<Name> Launch Site".
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, replace
from functools import cache

import polars as pl

log = logging.getLogger(__name__)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


MENTIONS_VERSION = "mentions_v2"
MENTION_KINDS = ("country", "acronym", "designation", "launch_site")
ENTITY_TYPES = (
    "spacecraft_probe",
    "launch_vehicle",
    "satellite_system_program",
    "organization",
    "country",
    "launch_site_place",
)

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
    canonical: str | None = None
    entity_type: str | None = None
    type_rule: str | None = None


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
                if _person_name(text, m.start(), name):
                    end = stop
                    break
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


# ---- launch sites --------------------------------------------------------------------------
_PLACE = r"(?!(?:Satellite|Space|Launch|The|A|An|And|Of)\b)[A-Z][a-z]+"
LAUNCH_CENTER_RE = re.compile(
    rf"(?<![\w-])(?P<name>{_PLACE}(?: {_PLACE})?) (?:(?:Satellite|Space) )?Launch "
    r"(?:Center|Centre|Site|Base)(?![\w-])"
)
_LAUNCH_SITE_LIST_RE = re.compile(
    rf"(?<![\w-])(?P<list>{_PLACE}(?:, {_PLACE})*(?:,? and {_PLACE})?) launch sites?(?![\w-])"
)
_PLACE_WORD = re.compile(_PLACE)


def _place_name(word: str) -> bool:
    """A place name, not a capitalised English word ("Space launch sites")."""
    from taikong.clean.hyphens import is_word

    return not is_word(word)


def _launch_sites(text: str) -> list[Mention]:
    out = []
    full: dict[str, str] = {}
    for m in LAUNCH_CENTER_RE.finditer(text):
        canonical = m.group().replace("Centre", "Center")
        full.setdefault(m.group("name"), canonical)
        out.append(Mention("launch_site", m.start(), m.end(), m.group("name"), None, canonical))
    for m in _LAUNCH_SITE_LIST_RE.finditer(text):
        for w in _PLACE_WORD.finditer(m.group("list")):
            start = m.start("list") + w.start()
            if not _place_name(w.group()):
                continue
            name = w.group()
            canonical = full.get(name, f"{name} Launch Site")
            out.append(Mention("launch_site", start, start + len(name), name, None, canonical))
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
        if low.endswith("s") and not low.endswith("ss") and not token[0].isupper():
            return None
        previous = low
    return None


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


def family_votes(text: str, forms: list[str]) -> dict[str, int]:
    """Entity type -> number of uses of any of `forms` (with or without a serial) next to
    a head noun of that type."""
    votes: dict[str, int] = {}
    if not forms:
        return votes
    alternatives = "|".join(
        re.escape(f).replace("'", "['’]") for f in sorted(forms, key=len, reverse=True)
    )
    pattern = rf"(?<![\w-])(?:{alternatives})(?:[- ]{_SERIAL})?(?![\w/-])"
    for m in re.finditer(pattern, text):
        # A list of designations shares the head noun after it ("the Smart Dragon-1,
        # Kuaizhou-1A and other commercial vehicles", "Taiji-1 and Tianqin-1 satellites").
        end = m.end()
        while chained := _CHAIN.match(text, end):
            end = chained.end()
        for vote in (_head_after(text, end), _head_before(text, m.start())):
            if vote:
                votes[vote] = votes.get(vote, 0) + 1
    return votes


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
