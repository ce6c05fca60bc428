"""The canonical entity and entity type of each mention, by head nouns and appositions."""

from __future__ import annotations

import re
from dataclasses import replace

from taikong.enrich.mentions.common import (
    ENTITY_TYPES,
    FUNCTION_WORDS,
    NAME,
    SERIAL,
    SERIAL_TAIL,
    Mention,
    form_matches,
    normalised,
)
from taikong.enrich.mentions.designations import serial_parts
from taikong.enrich.mentions.heads import ACRONYM_HEADS, HEAD_NOUNS, INSTRUMENT_HEADS, singular
from taikong.enrich.mentions.launch_sites import LAUNCH_CENTER_RE
from taikong.enrich.mentions.lexicon import words

_IN_SPACE = re.compile(
    r"(?i)(?<![\w-])(?:space-based|spaceborne|space-borne|orbiting|orbital)(?![\w-])"
)
# Participles that still describe a craft ("manned spaceship"); other -ed/-s words in
# the gap are read as verbs and stop the search ("Long March-5 launched a satellite").
_CRAFT_PARTICIPLES = words("craft_participles")
_TYPE_PRIORITY = ENTITY_TYPES
_TOKEN = re.compile(r"[\w'’&-]+|[^\w\s]")


def _head_after(text: str, end: int) -> str | None:
    """Type voted by the first head noun within three words after `end`."""
    tokens = _TOKEN.findall(text[end : end + 80])
    previous = ""
    for i, token in enumerate(tokens[:4]):
        word = singular(token)
        if word in HEAD_NOUNS:
            if word == "station" and previous not in ("space", "orbital"):
                return None  # a ground station is no craft
            return HEAD_NOUNS[word]
        if not token[0].isalnum() or token.lower() in FUNCTION_WORDS:
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
        word = singular(m.group(1))
        if word in HEAD_NOUNS and word != "station":
            return HEAD_NOUNS[word]
    return None


_CHAIN = re.compile(
    rf"(?:,\s*|,?\s+and\s+)(?:{NAME} )?{NAME}(?:-{NAME})*[- ]{SERIAL}(?![\w/-])"
    r"|,?\s+and\s+other(?![\w-])"
)


def family_votes(text: str, forms: list[str], norm: str | None = None) -> dict[str, int]:
    """Entity type -> number of uses of any of `forms` (with or without a serial) next to
    a head noun of that type. `norm`: `normalised(text)`, when the caller has it."""
    votes: dict[str, int] = {}
    if not forms:
        return votes
    if norm is None:
        norm = normalised(text)
    for start, _, m in form_matches(text, norm, forms, SERIAL_TAIL):
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
    return HEAD_NOUNS.get(singular(head))


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
            if low in FUNCTION_WORDS or (
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
    if singular(head) in HEAD_NOUNS:
        return HEAD_NOUNS[singular(head)], "acronym_head_word"
    if head in INSTRUMENT_HEADS and _IN_SPACE.search(long):
        # "Space-based ... Objects Monitor": an instrument said to be in space is a craft
        # ("interferometric synthetic aperture radar" is a technique: no type).
        return "spacecraft_probe", "acronym_head_word"
    voted = _winner(family_votes(text, [acr, long]))
    if voted:
        return voted, "head_noun_vote"
    return None, "acronym_untyped"


def typed(
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

    def typed_acronym(m: Mention) -> Mention | None:
        """The acronym mention with its type, or None (dropped, counted) when undecided."""
        if m.code not in acronym_type:
            acronym_type[m.code] = _acronym_type(m.name, m.code, text)
        entity_type, rule = acronym_type[m.code]
        if entity_type is None:
            dropped[rule] = dropped.get(rule, 0) + 1
            return None
        return replace(m, canonical=m.name, entity_type=entity_type, type_rule=rule)

    out = []
    for m in mentions:
        if m.kind == "country":
            out.append(replace(m, canonical=m.name, entity_type="country", type_rule="pycountry"))
        elif m.kind == "launch_site":
            out.append(replace(m, entity_type="launch_site_place", type_rule="launch_site_pattern"))
        elif m.kind == "acronym":
            if found := typed_acronym(m):
                out.append(found)
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
                if found := typed_acronym(replace(m, kind="acronym", name=long, code=surface)):
                    out.append(found)
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
            for i, (a, b, full) in enumerate(serial_parts(m.code)):
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
