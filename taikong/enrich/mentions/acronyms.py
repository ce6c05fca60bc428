"""Acronym mentions: names a document defines with an acronym, and every later use."""

from __future__ import annotations

import re
from functools import cache

from taikong.enrich.mentions.common import FUNCTION_WORDS, Mention, form_matches

_ACRONYM = r"[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*(?:-?\d{1,3}[A-Z]?)?"
_ACRONYM_IN_PARENS = re.compile(rf"\((?P<acr>{_ACRONYM})\)")
_LONG_IN_PARENS = re.compile(rf"(?P<acr>{_ACRONYM})\s+\((?P<long>[^()]{{3,150}})\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_WORD_END = re.compile(r"(?![\w-])")


def _letters(acronym: str) -> str:
    return "".join(c for c in acronym.split("-")[0] if c.isalpha()).lower()


def _spells(words: list[str], letters: str) -> bool:
    """Can the words, in order, give exactly these letters?"""
    capitalised = any(w[0].isupper() for w in words if w.lower() not in FUNCTION_WORDS)

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(words):
            return j == len(letters)
        word = words[i].lower()
        optional = word in FUNCTION_WORDS or (capitalised and words[i][0].islower())
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
        if span[0][2].lower() in FUNCTION_WORDS:
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


def find_acronyms(text: str, definitions: dict[str, str]) -> list[Mention]:
    forms: dict[str, tuple[str, str]] = {}
    for acr, long in definitions.items():
        forms[acr] = (long, acr)
        forms.setdefault(long, (long, acr))
    if not forms:
        return []
    out = []
    for start, end, _ in form_matches(text, None, forms, _WORD_END):
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
