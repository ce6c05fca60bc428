"""Text vocabulary shared by the stages: months, dates, copyright and contact lines, page
marks, numbered-heading ordinals and the short-line rule.

One definition each, so that boilerplate labelling, structure, metadata and the quantity
finder agree on what a date, a copyright line or a short line is. Changing any of these
changes several stages' output: bump their heuristic versions (taikong/versions.py).
"""

from __future__ import annotations

import polars as pl

# Month names in English, full and abbreviated, by month number.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan"),
    2: ("february", "feb"),
    3: ("march", "mar"),
    4: ("april", "apr"),
    5: ("may",),
    6: ("june", "jun"),
    7: ("july", "jul"),
    8: ("august", "aug"),
    9: ("september", "sept", "sep"),
    10: ("october", "oct"),
    11: ("november", "nov"),
    12: ("december", "dec"),
}
# Lower-case month name -> month number: "sept" -> 9.
MONTH_NUMBERS: dict[str, int] = {name: n for n, names in MONTH_NAMES.items() for name in names}
# Longest first: an alternation tries its branches in order, so "june" wins over "jun".
_BY_LENGTH = sorted(MONTH_NUMBERS, key=lambda name: (-len(name), name))
# Any month name, lower case (for case-folded text or a `(?i)` pattern); no word boundaries.
MONTH_RE = "(?:" + "|".join(_BY_LENGTH) + ")"
# Any month name, capitalised as in running text ("March", "Sept"), for case-sensitive use.
CAPITALISED_MONTH_RE = "(?:" + "|".join(name.capitalize() for name in _BY_LENGTH) + ")"
CAPITALISED_MONTHS = frozenset(name.capitalize() for name in MONTH_NUMBERS)

# A full date as datelines write it: "3 March 2024", "14th Apr. 2023", "Mar 3, 2024",
# "2024-03-03". DATE_PATTERN has no flags (for embedding); DATE_RE is case-insensitive.
DATE_PATTERN = (
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_RE}\.?,?\s+\d{{4}}"
    rf"|{MONTH_RE}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})\b"
)
DATE_RE = "(?i)" + DATE_PATTERN
# Dates as page metadata writes them besides DATE_PATTERN's forms: day, month name and
# year joined by hyphens or slashes ("14-Jul-2026"), or year, month name and day
# ("2026-February-26").
WRITTEN_DATE_PATTERN = (
    rf"\b\d{{1,2}}[-/ ]{MONTH_RE}\.?[-/ ]\d{{4}}\b|\b\d{{4}}[-/ ]{MONTH_RE}\.?[-/ ]\d{{1,2}}\b"
)
# A date in numbers only, day and month in either order: "12/01/2026" (12 January in
# Europe, December 1 in the US); its reader decides the order from evidence.
NUMERIC_DATE_PATTERN = r"\b\d{1,2}/\d{1,2}/\d{4}\b"
# A date in numbers, year first: "2026-03-04", "2026/3/4", "2026.03.04" (always y-m-d).
YEAR_FIRST_DATE_PATTERN = r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"

COPYRIGHT_RE = (
    r"(?i)(?:^\s*(?:copyright|©|\(c\))|copyright\s*(?:©|@|\(c\))?\s*\d{4}"
    r"|©\s*\d{4}|all rights reserved)"
)
CONTACT_RE = (
    r"(?i)(?:\b(?:tel|telephone|phone|fax|e-?mail|postcode|post code|zip(?: code)?)\s*[:：]"
    r"|^(?:add|addr|address)\s*[:：]|[\w.+-]+@[\w-]+\.[a-z]{2,})"
)
# A page number as a line says it: "3", "Page 3", "3 of 9", "3/9", "- 3 -".
PAGE_MARK = r"(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-–]\s*\d{1,4}\s*[-–]"
# A line that is only a page mark.
PAGE_MARK_LINE_RE = rf"(?i)^(?:{PAGE_MARK})$"
# A line that only dates the document or numbers its page: "March 2023", "2023", "- 4 -".
DATE_OR_PAGE_LINE_RE = rf"(?i)^(?:{MONTH_RE}\.?,?\s+\d{{4}}|\d{{4}}|{PAGE_MARK})$"
# A numbered heading's ordinal ("II. Title", "3. Title", "(2) Title").
ORDINAL_RE = r"^(?:[IVXLC]{1,6}\.|\d{1,2}\.|\(\d{1,2}\))\s"

# Headings of a document's front and back matter, a line of their own in any layout.
FRONT_MATTER_HEADING_RE = (
    r"(?i)^(?:preamble|foreword|preface|introduction|conclusions?|concluding remarks"
    r"|epilogue|afterword|appendix(?:\s+[A-Z0-9]{1,3})?|executive summary|summary|overview"
    r"|abstract|references|bibliography|acknowledge?ments)$"
)
# The label of a contents list (its entries follow it).
CONTENTS_LABEL_RE = r"(?i)^(?:table of )?contents$"

# A title page's issuing body: "The State Council Information Office of", "Prepared for:".
ISSUER_RE = (
    r"^(?:(?:The\s+)?(?:[A-Z][\w'’&-]*\s+){0,6}(?:Office|Council|Institute|Ministry"
    r"|Administration|Commission|Academy|Agency|Center|Centre|University|Corporation"
    r"|Committee)\b(?:\s+(?:of|for)\b.*)?$|Prepared (?:[Ff]or|[Bb]y)\b)"
)


def issuing_body(text: pl.Expr) -> pl.Expr:
    """The line names an issuing body (ISSUER_RE), in capitals too."""
    all_caps = text.str.contains(r"\p{Ll}").not_()
    return text.str.contains(ISSUER_RE) | (
        all_caps & text.str.to_titlecase().str.contains(ISSUER_RE)
    )


# A short line has at most this many words: menus, headings, datelines, captions. Longer
# lines that end a sentence are body text.
SHORT_LINE_WORDS = 12


def dateline_or_page() -> pl.Expr:
    """The line (columns `text`, `n_words`) only dates the document or numbers its page:
    a date or page mark alone, or a full date on a short line."""
    text = pl.col("text")
    return text.str.contains(DATE_OR_PAGE_LINE_RE) | (
        text.str.contains(DATE_RE) & (pl.col("n_words") <= SHORT_LINE_WORDS)
    )
