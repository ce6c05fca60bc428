"""HTML inputs: convert markup to the text a reader sees, keeping every visible line.

Scraped archives are often saved as HTML. The text is rendered by inscriptis (a
maintained HTML-to-text converter that lays text out as a browser would): every
visible text line stays, navigation and footers included, so the furniture stage still
sees and records them; script, style, the head and all markup go. The page's <title>
and its headings come from the markup. For such an input `raw_text` is the converted
text, and every offset refers to it (the manifest marks the input `converted_from:
html`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HTML_VERSION = "html_v1"
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
# Content sniffing for pages saved under another name: a doctype or an <html>/<head>/
# <body> tag near the start, after an optional BOM, comment or XML declaration.
_HTML_START = re.compile(
    r"^\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class HtmlText:
    text: str
    title: str | None
    headings: list[str]


def is_html(source_path: str, text: str) -> bool:
    return source_path.lower().endswith(HTML_SUFFIXES) or bool(_HTML_START.match(text[:4096]))


def html_to_text(markup: str) -> HtmlText:
    """The visible text of a page (one line per rendered line), its title and headings."""
    import lxml.html
    from inscriptis import Inscriptis
    from inscriptis.model.config import ParserConfig

    if not markup.strip():
        return HtmlText("", None, [])
    # lxml refuses str input that declares an encoding; the text is already decoded.
    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    tree = lxml.html.fromstring(markup)
    title = _clean(" ".join(tree.xpath("//title//text()")))
    headings = [
        h for el in tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6") if (h := _clean(el.text_content()))
    ]
    text = Inscriptis(tree, ParserConfig(display_links=False, display_images=False)).get_text()
    lines = [line.rstrip() for line in text.split("\n")]
    return HtmlText("\n".join(lines).strip("\n") + "\n", title or None, headings)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
