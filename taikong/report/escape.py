"""Escaping for text that leaves the pipeline as Markdown or HTML.

Document text, titles, file names and quarantine reasons come from the inputs: in a
Markdown card or an HTML page they must show as text, never act as markup, script or
table structure.
"""

from __future__ import annotations

import html
import re

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that
# open emphasis, links, code spans, strikethrough or end a table cell anywhere in a line.
# Escaped text never starts a line here (whitespace is collapsed, cells start with "| "),
# so the block markers (#, -, +, 1.) need no escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape_markdown(text: str) -> str:
    """One line of plain text for a Markdown paragraph or table cell.

    HTML characters become entities (no raw tag survives), Markdown punctuation is
    backslash-escaped, and every run of whitespace (newlines included) becomes a space,
    so a value cannot end a table row or start a block.
    """
    escaped = html.escape(" ".join(str(text).split()), quote=True)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)
