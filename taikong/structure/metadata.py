"""Document metadata heuristics: title, published date, publisher and its acronym, news
agency, doc_type and language, from the labelled lines and the assembled blocks.

The catalog (seeds/catalog.*) and the markup title win over every heuristic here; what
is found in the text only fills what they leave empty. Changing a rule here changes the
documents table: bump METADATA_VERSION.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from taikong.enrich.mentions import acronym_definitions
from taikong.structure.paragraphs import MARKUP_HEADING_RES
from taikong.text import (
    COPYRIGHT_RE,
    DATE_PATTERN,
    MONTH_NUMBERS,
    MONTH_RE,
    NUMERIC_DATE_PATTERN,
    SHORT_LINE_WORDS,
    WRITTEN_DATE_PATTERN,
    YEAR_FIRST_DATE_PATTERN,
)

METADATA_VERSION = "metadata_v7"

# A news agency credited in parentheses: one to four capitalised words ("Xinhua", "AP").
_AGENCY = r"\((?P<agency>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})\)"
# "... last sentence. (Xinhua)" at the end of a paragraph.
AGENCY_CREDIT_RE = re.compile(rf"(?:^|[.!?\"”’]\s*){_AGENCY}\s*$")
# "BEIJING, June 26 (Xinhua) -- ..." at the start of a paragraph.
AGENCY_DATELINE_RE = re.compile(
    rf"^[A-Z][A-Za-z .'’-]{{1,40}},[^()]{{0,40}}?{_AGENCY}\s*(?:--|—|–)"
)
_NAME_WORD = r"(?:[A-Z][\w'’&.-]*|of|for|and|the|on|in|de|du)"
# A running header that names an organisation: capitalised words, no digits.
_ORG_NAME_RE = rf"^[A-Z][\w'’&.-]*(?:\s+{_NAME_WORD}){{1,8}}$"
_NAME_FUNCTION_WORDS = frozenset(["of", "for", "and", "the", "on", "in", "de", "du"])
# "Institute of Space Law (ISL)": an organisation name and its acronym, alone on a line.
_NAME_WITH_ACRONYM_RE = (
    rf"^(?P<name>[A-Z][\w'’&.-]*(?:\s+{_NAME_WORD}){{1,8}})\s+\((?P<acronym>[A-Z]{{2,10}})\)$"
)

# Frequent English function words: a cheap, dependency-free language signal.
_EN_STOPWORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "was",
        "are",
        "it",
        "its",
        "from",
        "at",
        "be",
        "this",
        "have",
        "has",
        "which",
        "an",
        "or",
        "were",
        "will",
        "their",
        "been",
        "also",
        "more",
        "than",
        "other",
    ]
)


# Wiki title markup around a title: "= Haiyang Sea Launch Center =".
_WIKI_TITLE_RE = re.compile(r"^=+\s*(.*?)\s*=+$")
# A site or part suffix after a bar or a spaced dash: "... | Xinhua", "... - China Daily".
_TITLE_SUFFIX_RE = re.compile(r"^(?P<title>.+?)\s+(?P<sep>\||-|–|—)\s+(?P<suffix>[^|–—-]{2,40})$")
_SUFFIX_MAX_WORDS = 4


def title_text(line_text: str | None, site_names: tuple[str, ...] = ()) -> str | None:
    """The title a title line states: wiki markup and a site or part suffix taken off. A
    suffix goes after a bar when it is a few capitalised words, after a dash only when
    it names the site (a name the page's copyright line or running header gives): "Earth
    - Moon transfer" keeps its dash.
    """
    if not line_text:
        return line_text
    text = line_text.strip()
    if m := _WIKI_TITLE_RE.match(text):
        text = m[1]
    if m := _TITLE_SUFFIX_RE.match(text):
        suffix = m["suffix"].strip()
        words = suffix.split()
        names = [n.lower() for n in site_names if n]
        short_name = len(words) <= _SUFFIX_MAX_WORDS and all(w[:1].isupper() for w in words)
        is_site = any(suffix.lower() in n or n in suffix.lower() for n in names)
        if (m["sep"] == "|" and short_name) or is_site:
            text = m["title"].strip()
    return text or None


def parse_date(text: str | None) -> dt.date | None:
    """Parse the date styles seen in datelines: 'Jun 27, 2013', '29th May 2018', ISO,
    '2026 February 26'."""
    if not text:
        return None
    t = text.strip().lower().replace(",", " ").replace(".", " ")
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        y, mo, d = map(int, m.groups())
    elif m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\s+(\d{4})", t):
        d, mo, y = int(m[1]), MONTH_NUMBERS.get(m[2], 0), int(m[3])
    elif m := re.fullmatch(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4})", t):
        mo, d, y = MONTH_NUMBERS.get(m[1], 0), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{4})\s+([a-z]+)\s+(\d{1,2})", t):
        y, mo, d = int(m[1]), MONTH_NUMBERS.get(m[2], 0), int(m[3])
    else:
        return None
    return _valid_date(y, mo, d)


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# Any full date a dateline or timestamp writes: year first in numbers; a day, month name
# and year in any order the datelines use; numbers with day and month in either order.
_ANY_DATE_PATTERN = (
    rf"(?P<ymd>{YEAR_FIRST_DATE_PATTERN})|(?P<written>{DATE_PATTERN}|{WRITTEN_DATE_PATTERN})"
    rf"|(?P<numeric>{NUMERIC_DATE_PATTERN})"
)
_ANY_DATE_RE = re.compile("(?i)" + _ANY_DATE_PATTERN)
# The same, for polars (no group names).
ANY_DATE_RE = "(?i)(?:" + re.sub(r"\(\?P<\w+>", "(?:", _ANY_DATE_PATTERN) + ")"


def date_in(text: str | None, day_first: bool | None = None) -> dt.date | None:
    """The first full date `text` states, in any dateline or timestamp form.

    A numbers-only date ("12/01/2026") is read day first or month first as the numbers
    force (a part above 12 is the day) or else as `day_first` says (the document's own
    evidence, `day_first_evidence`); with neither it is ambiguous and gives None.
    """
    m = _ANY_DATE_RE.search(text or "")
    if m is None:
        return None
    if m["ymd"]:
        y, mo, d = map(int, re.split(r"[-/.]", m["ymd"]))
        return _valid_date(y, mo, d)
    if m["written"]:
        return parse_date(re.sub(r"[-/]", " ", m["written"]))
    first, second, y = map(int, m["numeric"].split("/"))
    order = _numeric_order(first, second, day_first)
    if order is None:
        return None
    d, mo = (first, second) if order else (second, first)
    return _valid_date(y, mo, d)


def _numeric_order(first: int, second: int, day_first: bool | None) -> bool | None:
    """True: the first number is the day; False: the month; None: no way to tell."""
    if first > 12 >= second or first == second:
        return True
    if second > 12 >= first:
        return False
    return day_first


# Written full dates, day first ("12 January 2026") or month first ("January 12, 2026").
_DAY_MONTH_YEAR_RE = re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_RE}\.?,?\s+\d{{4}}\b")
_MONTH_DAY_YEAR_RE = re.compile(rf"(?i)\b{MONTH_RE}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b")
# Thousands grouped with spaces ("121 000 km"): the SI and continental European style;
# US pages group with commas and write month first.
_SPACE_GROUPED_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,])")


def day_first_evidence(all_text: str, body_text: str) -> bool | None:
    """Whether the document writes numbers-only dates day first, from its own evidence,
    strongest first: another numbers-only date with a part above 12 (when they agree);
    more written dates day first than month first ("12 January 2026" against "January
    12, 2026", furniture included); thousands grouped with spaces in the body. None: no
    evidence (an ambiguous date then stays unread)."""
    orders = set()
    for m in re.finditer(NUMERIC_DATE_PATTERN, all_text):
        first, second, _ = map(int, m[0].split("/"))
        if first != second and (first > 12 or second > 12):
            orders.add(_numeric_order(first, second, None))
    if orders:
        return orders.pop() if len(orders) == 1 else None
    day_month = len(_DAY_MONTH_YEAR_RE.findall(all_text))
    month_day = len(_MONTH_DAY_YEAR_RE.findall(all_text))
    if day_month != month_day:
        return day_month > month_day
    if _SPACE_GROUPED_RE.search(body_text):
        return True
    return None


# Where NUMERIC_DATE_PATTERN can match (for polars: without its word boundaries).
_NUMERIC_DATE_CANDIDATE = r"\d{1,2}/\d{1,2}/\d{4}"


def day_first_by_doc(lines: pl.DataFrame) -> dict[str, bool | None]:
    """Per doc_id: `day_first_evidence` over all its lines and its kept (body) lines, for
    the documents that write a numbers-only date. The others are left out (no evidence
    needed: they have no such date to read); polars finds them over the whole shard."""
    kept = pl.col("bp_reason").is_null()
    numeric = pl.col("text").str.contains(_NUMERIC_DATE_CANDIDATE).any().over("doc_id")
    texts = (
        lines.filter(numeric)
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .agg(
            pl.col("text").str.join("\n").alias("_all"),
            pl.col("text").filter(kept).str.join("\n").alias("_body"),
        )
    )
    return {d: day_first_evidence(a, b or "") for d, a, b in texts.iter_rows()}


def detect_language(text: str) -> str:
    return detect_languages(pl.Series([text], dtype=pl.String))[0]


def detect_languages(texts: pl.Series) -> list[str]:
    """ "en" for each text whose ASCII words (lower-cased) are at least 15 % frequent
    English function words, else "und" (also for fewer than five words); polars tokenizes
    and counts all the texts at once."""
    words = pl.col("words")
    n_words = words.list.len()
    share = words.list.eval(pl.element().is_in(sorted(_EN_STOPWORDS))).list.sum() / n_words
    return (
        pl.DataFrame({"words": texts.str.to_lowercase().str.extract_all("[a-z]+")})
        .select(
            pl.when(n_words < 5)
            .then(pl.lit("und"))
            .when(share >= 0.15)
            .then(pl.lit("en"))
            .otherwise(pl.lit("und"))
        )
        .to_series()
        .to_list()
    )


def publisher_from_copyright(lines: pl.DataFrame) -> pl.DataFrame:
    """The holder named in the last copyright line of each document: doc_id, publisher."""
    holder = (
        pl.col("text")
        .str.replace(r"(?i)^.*?(?:copyright|©|\(c\))\s*(?:©|@|\(c\))?", "")
        .str.replace(r"^[\s\d\-–,.@]*", "")
        .str.replace(r"(?i)\.?\s*all rights reserved\.?$", "")
        .str.strip_chars(" .,")
    )
    return (
        lines.filter(pl.col("text").str.contains(COPYRIGHT_RE))
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .agg(holder.last().alias("publisher"))
        .filter(pl.col("publisher").str.len_chars() > 1)
    )


def publisher_from_running_header(boilerplate: pl.DataFrame) -> pl.DataFrame:
    """The organisation a PDF's running header names (its most frequent name-like line)."""
    return (
        boilerplate.filter(
            (pl.col("reason") == "running_header") & pl.col("text").str.contains(_ORG_NAME_RE)
        )
        .group_by("doc_id", "text")
        .agg(pl.len().alias("_n"), pl.col("line_no").min().alias("_first"))
        .sort("doc_id", "_n", "_first", descending=[False, True, False])
        .group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").first().alias("publisher"))
    )


def publisher_from_front_matter(lines: pl.DataFrame) -> pl.DataFrame:
    """The organisation a report's front matter names with its acronym: doc_id, publisher.

    "Academy of Launch Vehicle Technology (ALVT)" on a line of its own before the body,
    furniture included, when the acronym is the initials of the name's capitalised words.
    """
    long_line = (pl.col("n_words") > SHORT_LINE_WORDS).cast(pl.Int32)
    candidates = (
        lines.filter(pl.col("is_blank").not_() & pl.col("wrapped"))
        .with_columns(
            (long_line.cum_sum().over("doc_id", order_by="line_no") - long_line).alias("_body")
        )
        .filter(pl.col("_body") == 0)
        .with_columns(pl.col("text").str.extract_groups(_NAME_WITH_ACRONYM_RE).alias("_m"))
        .unnest("_m")
        .drop_nulls("name")
        .sort("doc_id", "line_no")
    )
    rows = [
        (doc_id, name)
        for doc_id, name, acronym in candidates.select("doc_id", "name", "acronym").iter_rows()
        if _initials(name) == acronym
    ]
    return (
        pl.DataFrame(rows, schema={"doc_id": pl.String, "publisher": pl.String}, orient="row")
        .group_by("doc_id", maintain_order=True)
        .first()
    )


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z][\w'’]*", name)
    return "".join(w[0] for w in words if w.lower() not in _NAME_FUNCTION_WORDS).upper()


def publisher_acronym(publisher: str | None, text: str, definitions: dict[str, str]) -> str | None:
    """The acronym the text uses for the publisher, if any.

    An acronym the text defines for the publisher's name (or for the unit that ends it:
    "Technology and Engineering Center for Space Utilization" -> "Center for Space
    Utilization (CSU)"), else the initials of the name when the text uses them as a word.
    The name is the part before a comma ("Center for Space Utilization, CAS").
    """
    if not publisher:
        return None
    name = " ".join(publisher.split(",")[0].split())
    for acronym, long_name in definitions.items():
        letters = acronym.split("-")[0]
        if (name == long_name or name.endswith(" " + long_name)) and letters.isalpha():
            return letters
    words = re.findall(r"[A-Za-z][\w'’]*", name)
    initials = "".join(w[0] for w in words if w.lower() not in _NAME_FUNCTION_WORDS)
    used = re.search(rf"(?<![\w-]){re.escape(initials)}(?![\w-])", text)
    if len(initials) >= 2 and initials.isupper() and used:
        return initials
    return None


def news_agency(paragraph_texts: list[str]) -> str | None:
    """The agency credited in a dateline or after a paragraph's last sentence."""
    for text in paragraph_texts:
        if "(" not in text:  # both name the agency in parentheses
            continue
        m = AGENCY_DATELINE_RE.search(text) or AGENCY_CREDIT_RE.search(text)
        if m:
            return m.group("agency")
    return None


# A revision stamp ("This page was last edited on ...", "Last modified: ...") dates a
# change to the page, not its publication: it is an updated date only.
_REVISION_KEY_RE = (
    r"(?i)\blast\s+(?:edited|modified|revised)\b|\bpage\s+was\s+(?:edited|modified)\b"
)
# A reference entry ("^ "Title". Outlet. 25 March 2024.", "[3] ..."): its date is the
# cited work's.
_CITATION_RE = r"^\s*(?:\^|↑|\[\d{1,3}\])\s|[\"“][^\"”]{8,}[.,]?[\"”]\.?\s+\p{Lu}"


def published_dates(lines: pl.DataFrame) -> pl.DataFrame:
    """First dated line per document: doc_id, date_text (the line). A dated line is a
    short line with a full date, a line the line roles recorded as metadata, or a bar of
    cells one of which is short and dated (a timestamp tool bar may be long), but no
    revision stamp or reference entry. Furniture included."""
    text = pl.col("text")
    metadata_line = (
        pl.col("bp_reason").str.starts_with("metadata_").fill_null(False)
        if "bp_reason" in lines.columns
        else pl.lit(False)
    )
    # A tool bar's cells ("Site | Updated: 03-Mar-2026 16:15 | Share: ... | Print"): a
    # short dated cell dates the page however long the bar.
    cell = pl.element().str.strip_chars()
    dated_cell = text.str.split("|").list.eval(
        cell.str.contains(ANY_DATE_RE) & (cell.str.split(" ").list.len() <= SHORT_LINE_WORDS)
    )
    return (
        lines.filter(
            text.str.contains(ANY_DATE_RE)
            & ((pl.col("n_words") <= SHORT_LINE_WORDS) | metadata_line | dated_cell.list.any())
            & text.str.contains(_REVISION_KEY_RE).not_()
            & text.str.contains(_CITATION_RE).not_()
        )
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .agg(text.first().alias("date_text"))
    )


# Evidence that a web text is a news article, on the few lines under its title.
BYLINE_EVIDENCE = "byline under the title"
_NEAR_TITLE_LINES = 4
_BYLINE_RE = r"^(?:[Bb]y|BY|[Ww]ritten by)\s+[A-Z]|\b[Bb]y:\s*[A-Z]"
# A date or a clock time: the article's dateline or timestamp.
_TIMESTAMP_RE = rf"{ANY_DATE_RE}|\b\d{{1,2}}:\d{{2}}\b"
# Numbered headings that make a web text a report.
_MIN_NUMBERED_SECTIONS = 2


def news_evidence(lines: pl.DataFrame, blocks: pl.DataFrame) -> dict[str, str]:
    """Per doc_id: what on the lines just under the title shows a news article (a byline
    or a dated line), if anything. Furniture lines count: the labels say what they are,
    not whether they are there."""
    title_line = (
        blocks.filter(pl.col("kind") == "title")
        .group_by("doc_id")
        .agg(pl.col("first_line").min().alias("_title_line"))
    )
    near = (
        lines.filter(pl.col("is_blank").not_())
        .join(title_line, on="doc_id", how="inner")
        .filter(pl.col("line_no") > pl.col("_title_line"))
        .sort("doc_id", "line_no")
        .filter(pl.int_range(pl.len()).over("doc_id") < _NEAR_TITLE_LINES)
    )
    text = pl.col("text")
    found = near.group_by("doc_id").agg(
        text.str.contains(_BYLINE_RE).any().alias("byline"),
        (text.str.contains(_TIMESTAMP_RE) & (pl.col("n_words") <= SHORT_LINE_WORDS))
        .any()
        .alias("dateline"),
    )
    evidence = {}
    for doc_id, byline, dateline in found.iter_rows():
        if byline:
            evidence[doc_id] = BYLINE_EVIDENCE
        elif dateline:
            evidence[doc_id] = "date under the title"
    return evidence


def wiki_pages(blocks: pl.DataFrame) -> pl.DataFrame:
    """(doc_id) of the encyclopedia pages: a heading in wiki markup ("== H ==", "H[edit]").
    An HTML page's heading elements are markup too, but not a wiki's."""
    wiki_heading = pl.any_horizontal(pl.col("text").str.contains(p) for p in MARKUP_HEADING_RES)
    return (
        blocks.filter((pl.col("heading_style") == "markup") & wiki_heading)
        .select("doc_id")
        .unique()
    )


def report_evidence(lines: pl.DataFrame, blocks: pl.DataFrame) -> dict[str, str]:
    """Per doc_id: what shows a report: hard-wrapped (PDF) text, a contents list, or
    numbered section headings."""
    wrapped = lines.group_by("doc_id").agg(pl.col("wrapped").first()).filter(pl.col("wrapped"))
    # An encyclopedia page lists its (marked-up) sections in a contents box too.
    wiki = wiki_pages(blocks)
    contents = (
        blocks.filter(pl.col("kind") == "contents")
        .select("doc_id")
        .unique()
        .join(wiki, on="doc_id", how="anti")
    )
    numbered = (
        blocks.filter(
            (pl.col("kind") == "heading") & pl.col("heading_style").is_in(["roman", "arabic"])
        )
        .group_by("doc_id")
        .len()
        .filter(pl.col("len") >= _MIN_NUMBERED_SECTIONS)
    )
    evidence = dict.fromkeys(numbered["doc_id"].to_list(), "numbered sections")
    evidence |= dict.fromkeys(contents["doc_id"].to_list(), "contents list")
    evidence |= dict.fromkeys(wrapped["doc_id"].to_list(), "hard-wrapped text")
    return evidence


# A report's title page dates it by month: "March 2025", "October 2008, Beijing".
_MONTH_YEAR_LINE_RE = rf"(?i)^({MONTH_RE})\.?,?\s+(\d{{4}})(?:,\s*[A-Z][\w .'’-]{{1,30}})?$"
# The title page is among a report's first lines.
_TITLE_PAGE_LINES = 15


def title_page_dates(lines: pl.DataFrame) -> dict[str, dt.date]:
    """Per hard-wrapped report: the month its title page states, as the first day of that
    month (the documents table has one date column, so a month-only date is stored as
    its first day): doc_id -> date."""
    head = (
        lines.filter(pl.col("wrapped") & pl.col("is_blank").not_())
        .sort("doc_id", "line_no")
        .filter(pl.int_range(pl.len()).over("doc_id") < _TITLE_PAGE_LINES)
        .with_columns(pl.col("text").str.strip_chars().str.extract_groups(_MONTH_YEAR_LINE_RE))
    )
    found = {}
    for doc_id, groups in head.select("doc_id", "text").iter_rows():
        month, year = groups.get("1"), groups.get("2")
        if doc_id in found or month is None:
            continue
        found[doc_id] = dt.date(int(year), MONTH_NUMBERS[month.lower()], 1)
    return found


def document_metadata(
    docs: pl.DataFrame,
    lines: pl.DataFrame,
    blocks: pl.DataFrame,
    paragraphs: pl.DataFrame,
    boilerplate: pl.DataFrame,
    clean_text: dict[str, str],
    catalog: dict[str, dict],
    day_first: dict[str, bool | None] | None = None,
) -> dict[str, dict]:
    """Per doc_id: title, title_truncated, published_date, publisher, publisher_acronym,
    news_agency, source_url, license, doc_type, doc_type_evidence and language.

    `clean_text` is each document's block texts joined; `catalog` maps source paths to
    their catalog facts; `day_first` how each document's numbers-only dates read
    (`day_first_by_doc`, computed when not given).
    """
    if day_first is None:
        day_first = day_first_by_doc(lines)
    dates = {d: date_in(t, day_first.get(d)) for d, t in published_dates(lines).iter_rows()}
    for doc_id, month in title_page_dates(lines).items():
        if dates.get(doc_id) is None:
            dates[doc_id] = month
    publishers = {
        **dict(publisher_from_front_matter(lines).iter_rows()),
        **dict(publisher_from_running_header(boilerplate).iter_rows()),
        **dict(publisher_from_copyright(lines).iter_rows()),
    }
    paragraph_texts = dict(
        paragraphs.group_by("doc_id", maintain_order=True).agg(pl.col("text")).iter_rows()
    )
    titles = dict(blocks.filter(pl.col("kind") == "title").select("doc_id", "text").iter_rows())
    reports = report_evidence(lines, blocks)
    # An encyclopedia page's dates say when it was edited, not when news happened.
    wiki = set(wiki_pages(blocks)["doc_id"].to_list())
    news = news_evidence(lines, blocks)
    languages = dict(
        zip(
            docs["doc_id"].to_list(),
            detect_languages(
                pl.Series([clean_text.get(d, "") for d in docs["doc_id"]], dtype=pl.String)
            ),
            strict=True,
        )
    )
    found = {}
    for d in docs.iter_rows(named=True):
        doc_id = d["doc_id"]
        facts = catalog.get(d["source_path"], {})
        title = (
            facts.get("title")
            or d.get("markup_title")
            or title_text(titles.get(doc_id), (publishers.get(doc_id) or "",))
        )
        published = (
            dt.date.fromisoformat(facts["published_date"])
            if facts.get("published_date")
            else dates.get(doc_id)
        )
        publisher = facts.get("publisher") or publishers.get(doc_id)
        body = clean_text.get(doc_id, "")
        agency = news_agency(paragraph_texts.get(doc_id, [])[::-1])
        news_found = news.get(doc_id)
        if news_found is None and doc_id in dates and doc_id in titles and doc_id not in wiki:
            news_found = "date line and title"
        kind, evidence = doc_type(
            reports.get(doc_id),
            news_found,
            agency,
            transcript_evidence(paragraph_texts.get(doc_id, [])),
        )
        if facts.get("doc_type"):
            kind, evidence = facts["doc_type"], "catalog"
        found[doc_id] = {
            "title": title,
            "title_truncated": bool(title) and title.rstrip().endswith(("...", "…")),
            "published_date": published,
            "publisher": publisher,
            "publisher_acronym": publisher_acronym(
                publisher, d["raw_text"], acronym_definitions(body)
            ),
            "news_agency": agency,
            "source_url": facts.get("source_url"),
            "license": facts.get("license"),
            "doc_type": kind,
            "doc_type_evidence": evidence,
            "language": languages[doc_id],
        }
    return found


# A speaker's turn in a transcript: "Lin Jian: ...", "CCTV: ...", "Q: ...".
_TURN_RE = re.compile(r"^(?P<speaker>[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*){0,3})\s*[:：]\s+\S")
# A transcript has this many turns at least, by two speakers at least, one of whom
# speaks more than once (the one who answers).
_MIN_TURNS = 3


def transcript_evidence(paragraph_texts: list[str]) -> str | None:
    """What shows a transcript (a press conference, an interview): paragraphs that open
    with a speaker's name and a colon, taking turns. A one-off "BEIJING: ..." dateline or
    "Note: ..." is no transcript."""
    speakers = [m["speaker"] for text in paragraph_texts if (m := _TURN_RE.match(text))]
    turns = {s: speakers.count(s) for s in speakers}
    if len(speakers) >= _MIN_TURNS and len(turns) >= 2 and max(turns.values()) >= 2:
        return f"transcript ({len(speakers)} speaker turns)"
    return None


def doc_type(
    report: str | None, news: str | None, agency: str | None, transcript: str | None = None
) -> tuple[str, str]:
    """(doc_type, evidence): report (hard-wrapped text, a contents list, numbered
    sections), else news_article (an agency dateline or credit, a byline under the
    title), else web_page for a transcript (a dated page of speakers' turns is a record,
    such as a ministry's press conference, not news by itself), else news_article (a
    date under the title, a date line and a title), else web_page."""
    if report:
        return "report", report
    if agency:
        return "news_article", f"agency credit ({agency})"
    if news == BYLINE_EVIDENCE:
        return "news_article", news
    if transcript:
        return "web_page", transcript
    if news:
        return "news_article", news
    return "web_page", "no report or news evidence"


# "Updated: ...", "Last Updated", "updatetime:", "last edited on ..." (not "Published").
_UPDATED_KEY_RE = r"(?i)\b(?:updated|update\s*time|updatetime|last\s+(?:edited|modified))\b"


def updated_dates(
    boilerplate: pl.DataFrame, day_first: dict[str, bool | None] | None = None
) -> dict[str, dt.date]:
    """Per doc_id, the date of its first "updated" line recorded as metadata (a
    boilerplate reason metadata_*: a timestamp, or a byline that carries one); a key
    alone on its line ("Last Updated") takes the date of the metadata line after it.
    `day_first`: per doc_id, how its numbers-only dates read (`day_first_by_doc`)."""
    meta = boilerplate.filter(pl.col("reason").str.starts_with("metadata_")).sort(
        "doc_id", "line_no"
    )
    rows = meta.with_columns(
        pl.col("text").str.contains(_UPDATED_KEY_RE).alias("_keyed"),
        pl.col("text").shift(-1).over("doc_id").alias("_next_text"),
        pl.col("line_no").shift(-1).over("doc_id").alias("_next_line"),
    )
    found: dict[str, dt.date] = {}
    for doc_id, own, nxt, line, next_line in (
        rows.filter(pl.col("_keyed"))
        .select("doc_id", "text", "_next_text", "line_no", "_next_line")
        .iter_rows()
    ):
        if doc_id in found:
            continue
        order = (day_first or {}).get(doc_id)
        near = next_line is not None and next_line - line <= 2
        parsed = date_in(own, order) or (date_in(nxt, order) if near else None)
        if parsed:
            found[doc_id] = parsed
    return found
