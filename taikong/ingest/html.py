"""HTML inputs: convert markup to the text a reader sees, keeping every visible line.

Scraped archives are often saved as HTML. The text is rendered by inscriptis (a
maintained HTML-to-text converter that lays text out as a browser would): every
visible text line stays, navigation and footers included, so the furniture stage still
sees and records them; script, style, the head and all markup go. The page's <title>
and its headings come from the markup: the headings' spans in the converted text
(inscriptis annotations of <h1>-<h6>) are the evidence structure reads for which lines
are headings. For such an input `raw_text` is the converted text, and every offset
refers to it (the manifest marks the input `converted_from: html`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

HTML_VERSION = "html_v2"
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
# Content sniffing for pages saved under another name: a doctype or an <html>/<head>/
# <body> tag near the start, after an optional BOM, comment or XML declaration.
_HTML_START = re.compile(
    r"^\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HEADING_TAGS = tuple(f"h{level}" for level in range(1, 7))


@dataclass(frozen=True)
class HeadingSpan:
    """A heading element's text in the converted text: [start, end) and its level (1-6)."""

    start: int
    end: int
    level: int


@dataclass(frozen=True)
class HtmlText:
    text: str
    title: str | None
    headings: list[str]
    heading_spans: list[HeadingSpan]


def is_html(source_path: str, text: str) -> bool:
    return source_path.lower().endswith(HTML_SUFFIXES) or bool(_HTML_START.match(text[:4096]))


def html_to_text(markup: str) -> HtmlText:
    """The visible text of a page (one line per rendered line), its title, its headings'
    texts and their spans in that text."""
    import lxml.html
    from inscriptis import Inscriptis
    from inscriptis.model.config import ParserConfig

    if not markup.strip():
        return HtmlText("", None, [], [])
    # lxml refuses str input that declares an encoding; the text is already decoded.
    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    tree = lxml.html.fromstring(markup)
    title = _clean(" ".join(tree.xpath("//title//text()")))
    elements = tree.xpath("|".join(f"//{tag}" for tag in _HEADING_TAGS))
    headings = [h for el in elements if (h := _clean(el.text_content()))]
    # A line break inside a heading is layout: the heading stays one line, one heading.
    for el in elements:
        for br in el.iter("br"):
            br.tail = " " + (br.tail or "")
            br.drop_tree()
    config = ParserConfig(
        display_links=False,
        display_images=False,
        annotation_rules={tag: [tag] for tag in _HEADING_TAGS},
    )
    rendered = Inscriptis(tree, config)
    laid_out = rendered.get_text()
    text, offset_of = _tidy(laid_out)
    spans = []
    for a in rendered.get_annotations():
        # An annotation may take in the blank lines and indentation around the heading.
        content = laid_out[a.start : a.end]
        lead = len(content) - len(content.lstrip())
        start, end = a.start + lead, a.start + len(content.rstrip())
        if start < end:
            spans.append(HeadingSpan(offset_of(start), offset_of(end - 1) + 1, int(a.metadata[1])))
    return HtmlText(text, title or None, headings, sorted(spans, key=lambda s: s.start))


def _tidy(rendered: str) -> tuple[str, Callable[[int], int]]:
    """(text, offset map): the rendered text without trailing spaces on its lines nor
    blank lines at its ends, and a function from an offset of a non-space character of
    the rendered text to its offset in that text."""
    lines = rendered.split("\n")
    kept = [line.rstrip() for line in lines]
    first = next((i for i, line in enumerate(kept) if line), len(kept))
    old_starts, new_starts, old, new = [], [], 0, 0
    for i, (line, tidy) in enumerate(zip(lines, kept, strict=True)):
        old_starts.append(old)
        new_starts.append(new)
        old += len(line) + 1
        if i >= first:
            new += len(tidy) + 1
    text = "\n".join(kept[first:]).rstrip("\n") + "\n"

    def offset_of(position: int) -> int:
        i = bisect_right(old_starts, position) - 1
        return new_starts[i] + position - old_starts[i]

    return text, offset_of


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
