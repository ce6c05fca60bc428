"""The word lists of the mention finders, read once from the data files in lexicons/.

A `.txt` list holds one entry a line ('#' starts a comment); a `.json` table holds a
"_comment" and its entries. They ship inside the package (importlib.resources), so a
wheel or a fresh clone finds them without a path.
"""

from __future__ import annotations

import json
from functools import cache

from taikong.io.files import read_package_text


@cache
def words(name: str) -> frozenset[str]:
    """The entries of lexicons/<name>.txt."""
    text = read_package_text(__package__, f"lexicons/{name}.txt")
    entries = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(entry for entry in entries if entry)


@cache
def table(name: str) -> dict:
    """The entries of lexicons/<name>.json (its "_comment" left out)."""
    data = json.loads(read_package_text(__package__, f"lexicons/{name}.json"))
    return {key: value for key, value in data.items() if key != "_comment"}


def by_word(name: str) -> dict[str, str]:
    """A lexicons/<name>.json table of {"types": {type: [word, ...]}} as word -> type."""
    return {word: kind for kind, group in table(name)["types"].items() for word in group}
