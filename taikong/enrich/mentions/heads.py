"""Head nouns and the entity types they vote for, read from lexicons/."""

from __future__ import annotations

from taikong.enrich.mentions.lexicon import by_word, words

# Head nouns after (or right before) a name, singular, and the type they vote for.
HEAD_NOUNS = by_word("head_nouns")
# Head (last) words of acronym-defined names.
ACRONYM_HEADS = by_word("acronym_heads")
# Instruments: the head of a craft's name when the name puts it in space.
INSTRUMENT_HEADS = words("instrument_heads")


def singular(word: str) -> str:
    w = word.lower()
    if w in HEAD_NOUNS:
        return w
    if w.endswith("s") and w[:-1] in HEAD_NOUNS:
        return w[:-1]
    return w
