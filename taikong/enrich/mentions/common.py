"""What every mention finder shares: the Mention record, the kinds and entity types,
function words, the name and serial patterns, and fast matching of many literal forms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from taikong.enrich.mentions.lexicon import words
from taikong.vocabulary import EntityType, MentionKind, values

MENTION_KINDS = tuple(values(MentionKind))
ENTITY_TYPES = tuple(values(EntityType))  # in priority order

FUNCTION_WORDS = words("function_words")
NAME = r"[A-Z][A-Za-z]*(?:['’][a-z]+)?"
SERIAL = r"\d{1,3}[A-Z]?(?:/\d{0,3}[A-Z]?)*"


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


_NO_WORD_BEFORE = re.compile(r"(?<![\w-])")
SERIAL_TAIL = re.compile(rf"(?:[- ]{SERIAL})?(?![\w/-])")


def normalised(text: str) -> str:
    """The text with curly apostrophes straight (same length, same offsets)."""
    return text.replace("’", "'")


def form_matches(
    text: str, norm: str | None, forms: Iterable[str], tail: re.Pattern[str]
) -> Iterator[tuple[int, int, re.Match[str]]]:
    r"""(start, form end, tail match) of each match of `(?<![\w-])(?:form|...)<tail>` in
    `text`, longest form first, exactly as `re.finditer` would find them, but located with
    `str.find` (one fast scan per form, not a regex tried at every position of the
    document). With `norm` (`normalised(text)`) a straight apostrophe in a form also
    matches a curly one (the form escaped, then "'" -> "['’]")."""
    ordered = sorted(forms, key=len, reverse=True)
    starts: set[int] = set()
    for form in ordered:
        needle = form if norm is None else normalised(form)
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
