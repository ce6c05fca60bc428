"""Each document's title, decided with its boilerplate labels: the one owner of both.

`label_boilerplate` (taikong.dedup.boilerplate) finds the furniture candidates from
repetition and shape, then `mark_titles` here decides what the head of each document
holds: its title (content, even when other documents share its words) and, above a
report's title, its first-page running header (furniture like its repeats further down).
The labels it returns (`bp_reason`, `is_title`) are final: structure reads them and never
relabels. Changing a rule here changes the labels: bump BOILERPLATE_VERSION.

HTML pages: the first <h1> of the head, when the markup has one (its span, from
ingest, is clean's `markup_level`). Other web pages: the headline stands just above what
opens the article, whatever navigation, breadcrumb or toolbar lines come before it: the
nearest headline-shaped line (HEADLINE_*) at most HEADLINE_WINDOW lines above the first
metadata line (a date, a byline, "Source:" or "(Agency)") or the first body paragraph,
skipping a standfirst under it. Failing that, the first line after a breadcrumb trail,
else the first kept line if it is title-shaped. Hard-wrapped reports: the first block of
lines set off by blank lines before the body, skipping what dates the document or names
the organisation its running header names (unless the running header repeats the title:
its first occurrence, at the top over the issuer, authors or date, is the title); one to
MAX_TITLE_LINES lines. The running header's other occurrences in the front matter, and
a title page's colophon ("Printed in ..."), are furniture and title-page metadata.
Furniture of any other kind (footers, running headers) is never a title."""

from __future__ import annotations

import polars as pl

from taikong.dedup.templates import template_key
from taikong.text import (
    CONTACT_RE,
    CONTENTS_LABEL_RE,
    COPYRIGHT_RE,
    DATE_PATTERN,
    DATE_RE,
    FRONT_MATTER_HEADING_RE,
    MONTH_RE,
    ORDINAL_RE,
    SHORT_LINE_WORDS,
    dateline_or_page,
    issuing_body,
)

# A breadcrumb or menu trail: two or more short items joined by ">", "|", "/", "»" or "›"
# ("Home > News > Space", "/ Home / Newsroom", "Current Location: Home > News").
_CRUMB_SEP = r"[>|/»›→]"
_CRUMB_ITEM = r"[A-Za-z][^\s>|/»›→:]*(?:\s+[^\s>|/»›→:]+){0,4}"
BREADCRUMB_RE = (
    rf"^(?:[A-Z][A-Za-z ]{{0,30}}:\s*)?(?:{_CRUMB_SEP}\s*)?{_CRUMB_ITEM}"
    rf"(?:\s*{_CRUMB_SEP}+\s*{_CRUMB_ITEM})+\s*{_CRUMB_SEP}?$"
)
# A title is a short line that is not a sentence (a cut title ends in "...").
MAX_TITLE_WORDS = 30
# A report's title may wrap over this many lines.
MAX_TITLE_LINES = 3
# A web headline sits at most this many non-blank lines above the line that opens the
# article (a byline, a date line, the first paragraph): a standfirst, a byline's name
# and place may come between.
HEADLINE_WINDOW = 4
# A headline has at least this many words (numbers aside): menu items, section labels
# and brand names one to two words long are not headlines.
HEADLINE_MIN_WORDS = 3
# A standfirst (summary under the headline) is at least this long, under a shorter
# headline-shaped line of at least STANDFIRST_HEADLINE_WORDS words.
STANDFIRST_WORDS = 10
STANDFIRST_HEADLINE_WORDS = 5
# What opens an article under its headline: a byline, an agency credit, a metadata key.
_ARTICLE_OPENER_RE = (
    r"(?i)^(?:by[:\s]\s*[A-Z]|written by\b|\([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,3}\)"
    r"|(?:updatetime|update time|updated|published|posted|date|source|release time)\s*[:：])"
    r"|\bby:\s*[A-Z]|^\d{1,2}[/.]\d{1,2}[/.]\d{4}\b"
)
# A clock time on a short line dates the article ("2026-February-26 16:58 By: Xinhua").
_CLOCK_LINE_RE = r"\b\d{1,2}:\d{2}\b"
_CLOCK_LINE_WORDS = 8
# A page's skip links ("Skip to main content", "Jump to navigation") are no headline.
_SKIP_LINK_RE = r"(?i)^(?:skip|jump) to\b"
# An encyclopedia page's title in wiki markup: "= Title =".
WIKI_TITLE_RE = r"^=\s*[^=\s][^=]*?\s*=$"
# A menu or tool bar: items separated by two or more spaces, or two or more bars.
_BAR_RE = r"\S\s{2,}\S.*\S\s{2,}\S|\|.*\|"
# A file name is never a title ("IMG_2031.jpg").
_FILE_NAME_RE = r"(?i)^\S+\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|html?|txt)$"
# What a line says once its date, clock time and weekday are taken out.
_UNDATED = (
    pl.col("text")
    .str.replace_all(DATE_RE, " ")
    .str.replace_all(r"\b\d{1,2}:\d{2}(?::\d{2})?\b", " ")
    .str.replace_all(r"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b,?", " ")
)
# A line with a date in it is a title when this many words are left without the date
# ("Spokesperson's Regular Press Conference on March 4, 2026").
_DATED_TITLE_WORDS = 6
# A title page's metadata lines sit at most this many lines under its title.
_TITLE_PAGE_SPAN = 6
# A date line (not a page mark): "March 2025", "April 20, 2026", "October 2008, Beijing".
DATE_LINE_RE = rf"(?i){DATE_PATTERN}|\b{MONTH_RE}\.?,?\s+\d{{4}}\b"
# A title page's edition line: "First Edition 2022".
_EDITION_RE = r"(?i)^(?:first|second|third|fourth|fifth|\d{1,2}(?:st|nd|rd|th))\s+edition\b"
# A title page's author line: one or two personal names ("Meng Xiaohui", "Alan Brenner
# and Zhou Mei"), each two or three capitalised words.
_PERSON = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}"
AUTHOR_RE = rf"^{_PERSON}(?:(?:,\s+|\s+and\s+){_PERSON})?$"
# A title page's colophon: who printed or published the report, and where ("Printed in
# the United States of America by ...", "Published by the Office of ..."): a name, then
# no clause of a sentence ("Printed in orbit, the parts were ..." is body text).
COLOPHON_RE = (
    r"^(?i:(?:printed|published|produced|typeset|printed\s+and\s+bound)\s+(?:in|by)"
    r"|(?:printed|published)\s+and\s+distributed\s+by)\s+(?i:the\s+)?\p{Lu}[^,;]*"
    r"(?:,\s+\p{Lu}[^,;]*)*$"
)
_COLOPHON_WORDS = 20
# An organisation name followed by its acronym in parentheses: "Institute of X (IX)".
_TRAILING_ACRONYM = r"\s*\([A-Z][A-Za-z&.-]{1,11}\)$"

_TEXT = pl.col("text")
_REASON = pl.col("bp_reason")
# Does not end a sentence (a cut title ending in "..." does not either).
_NOT_SENTENCE = _TEXT.str.contains(r"[.!?;:]$").not_() | _TEXT.str.contains(r"(?:\.\.\.|…)$")


def _by_doc(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="line_no")


def breadcrumb(text: pl.Expr) -> pl.Expr:
    """A trail, not a headline with one slash or bar in it ("Earth / Moon Transfer"): it
    has a label, an arrow, or two separators or more."""
    return text.str.contains(BREADCRUMB_RE) & (
        (text.str.count_matches(_CRUMB_SEP) >= 2)
        | text.str.contains(r"[>»›→]")
        | text.str.contains(r"^[A-Z][A-Za-z ]{0,30}:")
    )


def _title_shaped(text: pl.Expr) -> pl.Expr:
    """A line that could be (part of) a title: short, capitalised, no furniture marks."""
    return (
        pl.col("n_words").is_between(1, MAX_TITLE_WORDS)
        & pl.col("starts_upper")
        & pl.col("is_bullet").not_()
        & text.str.contains(ORDINAL_RE).not_()
        & breadcrumb(text).not_()
        & text.str.contains(CONTACT_RE).not_()
        & text.str.contains(COPYRIGHT_RE).not_()
        # A contents list's label and its entries (dot leaders) are no title.
        & text.str.strip_chars().str.contains(CONTENTS_LABEL_RE).not_()
        & text.str.contains(r"\.{3,}\s*\d{1,4}$").not_()
        & dateline_or_page().not_()
    )


def mark_titles(lines: pl.DataFrame) -> pl.DataFrame:
    """Add `is_title` to every line, and set the labels the title's place shows.

    A title line is kept even if it was labelled a repeated template (other documents
    share its words; the title slot says it is content). A report's first-page running
    header, above the title, is labelled `running_header` like its repeats further down.
    """
    roles = front_matter_roles(lines)
    return (
        _reclaim_structure_words(lines)
        .drop("is_title", strict=False)
        .join(roles, on=["doc_id", "line_no"], how="left", maintain_order="left")
        .with_columns(
            (pl.col("role") == "title").fill_null(False).alias("is_title"),
            pl.when(pl.col("role") == "title")
            .then(pl.lit(None, dtype=pl.String))
            .when(pl.col("role") == "running_header")
            .then(pl.lit("running_header"))
            .when(pl.col("role") == "title_page")
            .then(pl.lit("title_page"))
            .otherwise(pl.col("bp_reason"))
            .alias("bp_reason"),
        )
        .drop("role")
    )


def _reclaim_structure_words(lines: pl.DataFrame) -> pl.DataFrame:
    """Keep a document's contents label and front-matter headings ("Contents",
    "Preamble", "Conclusion") that other documents share: in a document with a contents
    list they repeat because documents share a structure, not because they are furniture.
    """
    text = pl.col("text").str.strip_chars()
    structure_word = text.str.contains(CONTENTS_LABEL_RE) | text.str.contains(
        FRONT_MATTER_HEADING_RE
    )
    has_contents = text.str.contains(CONTENTS_LABEL_RE).any().over("doc_id")
    return lines.with_columns(
        pl.when((_REASON == "repeated_template") & structure_word & has_contents)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(_REASON)
        .alias("bp_reason")
    )


def front_matter_roles(lines: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no, role) of the lines holding each document's title (role "title")
    and of a report's first-page running header (role "running_header")."""
    nb = lines.filter(pl.col("is_blank").not_()).select(
        "doc_id",
        "line_no",
        "text",
        "n_words",
        "starts_upper",
        "is_bullet",
        "ends_sentence",
        "wrapped",
        "bp_reason",
        "markup_level",
        pl.len().over("doc_id", "text").alias("_text_count"),
    )
    # A running header repeats; a line the boilerplate stage took for one only because
    # it sits next to a page mark (a short title under the first page's header) does not.
    reclaimable = (
        _REASON.is_null()
        | (_REASON == "repeated_template")
        | ((_REASON == "running_header") & (pl.col("_text_count") == 1) & dateline_or_page().not_())
    )
    header_keys = _running_header_keys(nb.filter(reclaimable.not_()))
    head = _document_heads(nb).with_columns(reclaimable.alias("_reclaimable"))
    content = _report_front_matter(head, header_keys)
    first_blocks = _first_front_matter_blocks(content)
    report_titles = _report_titles(content, first_blocks)
    markup_titles = _markup_titles(head)
    titles = pl.concat(
        [
            markup_titles,
            _web_titles(head).join(markup_titles, on="doc_id", how="anti", maintain_order="left"),
            report_titles,
        ]
    ).with_columns(pl.lit("title").alias("role"))
    return pl.concat(
        [
            titles,
            _first_page_headers(content, first_blocks),
            _title_page_lines(content, report_titles),
        ]
    )


def _title_page_lines(content: pl.DataFrame, report_titles: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no, role "title_page"): the issuing body, author, edition, colophon and
    date lines of a report's title page (a report whose title was found), before its
    contents list. They are metadata, not body text: recorded with their reason, and read
    for the document's date."""
    titled = report_titles.group_by("doc_id").agg(pl.col("line_no").max().alias("_title_end"))
    before_contents = (
        _by_doc(_TEXT.str.strip_chars().str.contains(CONTENTS_LABEL_RE).cum_sum()) == 0
    )
    # An issuing body's name wrapped onto a next line ("... Office of" / "the Republic").
    issuer_goes_on = (
        _by_doc((pl.col("_issuer") & _TEXT.str.contains(r"\b(?:of|for|and)$")).shift(1))
        .fill_null(False)
        .and_(_TEXT.str.contains(r"^\p{Ll}"))
    )
    return (
        content.join(titled, on="doc_id", how="inner")
        .filter(
            (
                pl.col("_issuer")
                | issuer_goes_on
                | pl.col("_author")
                | _TEXT.str.contains(_EDITION_RE)
                | (_TEXT.str.contains(COLOPHON_RE) & (pl.col("n_words") <= _COLOPHON_WORDS))
                | (pl.col("_dated") & _TEXT.str.contains(DATE_LINE_RE))
            )
            & before_contents
            & _REASON.is_null()
            & pl.col("_is_header").not_()  # the first page's running header, labelled so
            & (pl.col("line_no") <= pl.col("_title_end") + _TITLE_PAGE_SPAN)
        )
        .select("doc_id", "line_no", pl.lit("title_page").alias("role"))
    )


def _running_header_keys(unreclaimable: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, _key): the masked text of each document's true running headers."""
    return (
        unreclaimable.filter(_REASON == "running_header")
        .select("doc_id", template_key(_TEXT).alias("_key"))
        .drop_nulls()
        .unique()
    )


def _document_heads(nb: pl.DataFrame) -> pl.DataFrame:
    """The head of each document, which alone can hold its title: the lines up to the
    first kept sentence of body length (`_is_body`, included), with their (regex)
    features computed on those alone."""
    body_mark = (
        _REASON.is_null()
        & (pl.col("n_words") > SHORT_LINE_WORDS)
        & pl.col("ends_sentence")
        & _TEXT.str.ends_with(":").not_()
    ).cast(pl.Int32)
    return nb.filter((_by_doc(body_mark.cum_sum()) - body_mark) == 0).with_columns(
        (body_mark == 1).alias("_is_body"),
        breadcrumb(_TEXT).alias("_crumb"),
        _title_shaped(_TEXT).alias("_shaped"),
        dateline_or_page().alias("_dated"),
    )


def _headline_lines(web: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no) of web pages' headlines: the nearest headline-shaped line above
    the first line that opens the article (a metadata line or the first paragraph) with
    one such line within HEADLINE_WINDOW lines above it; a standfirst is skipped."""
    words_left = _UNDATED.str.count_matches(r"[^\W\d_][\w'’.-]*")
    dated = pl.col("_dated") & (words_left < _DATED_TITLE_WORDS)
    web = web.with_columns(
        (
            pl.col("_reclaimable")
            & (words_left >= HEADLINE_MIN_WORDS)  # words, not numbers ("1280 views 12 likes")
            & (pl.col("n_words") <= MAX_TITLE_WORDS)
            & (pl.col("starts_upper") | _TEXT.str.contains(WIKI_TITLE_RE))
            & _TEXT.str.contains(r"\p{Ll}")  # an all-caps line is a label
            & _TEXT.str.contains(_SKIP_LINK_RE).not_()
            & pl.col("is_bullet").not_()
            & pl.col("_crumb").not_()
            & _TEXT.str.contains(_BAR_RE).not_()
            & _TEXT.str.contains(_FILE_NAME_RE).not_()
            & _TEXT.str.contains(CONTACT_RE).not_()
            & _TEXT.str.contains(COPYRIGHT_RE).not_()
            & dated.not_()
            & (_TEXT.str.contains(_CLOCK_LINE_RE) & (pl.col("n_words") <= _CLOCK_LINE_WORDS)).not_()
            & _NOT_SENTENCE
        ).alias("_headline"),
        (
            dated
            | _TEXT.str.contains(_ARTICLE_OPENER_RE)
            | (_TEXT.str.contains(_CLOCK_LINE_RE) & (pl.col("n_words") <= _CLOCK_LINE_WORDS))
            | pl.col("_is_body")
        ).alias("_opener"),
        _by_doc(pl.int_range(pl.len())).alias("_pos"),
    )
    standfirst = (
        pl.col("_headline")
        & (pl.col("n_words") >= STANDFIRST_WORDS)
        & _by_doc(pl.col("_headline").shift(1)).fill_null(False)
        & (_by_doc(pl.col("n_words").shift(1)) >= STANDFIRST_HEADLINE_WORDS)
        & (_by_doc(pl.col("n_words").shift(1)) < pl.col("n_words"))
    )
    # "Full Text: <the line above>" repeats the headline above it with a label.
    prev_text = _by_doc(_TEXT.shift(1))
    labelled_repeat = (
        _TEXT.str.ends_with(prev_text).fill_null(False)
        & (_TEXT.str.len_chars() > prev_text.str.len_chars())
        & _by_doc(pl.col("_headline").shift(1)).fill_null(False)
    )
    candidates = web.filter(
        pl.col("_headline") & standfirst.not_() & labelled_repeat.not_()
    ).select("doc_id", "line_no", "_pos")
    openers = web.filter(pl.col("_opener")).select("doc_id", pl.col("_pos").alias("_opener_pos"))
    return (
        candidates.join(openers, on="doc_id")
        .filter(
            (pl.col("_pos") < pl.col("_opener_pos"))
            & (pl.col("_opener_pos") - pl.col("_pos") <= HEADLINE_WINDOW)
        )
        # The first opener with a headline above it, and the nearest such line.
        .sort("doc_id", "_opener_pos", "_pos", descending=[False, False, True])
        .group_by("doc_id", maintain_order=True)
        .first()
        .select("doc_id", "line_no")
    )


def _markup_titles(head: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no) of HTML pages' titles: the first <h1> line of the head (clean's
    `markup_level`) that is no furniture by its own evidence. The page's markup says
    which line names it: a headline-shaped subheading under it is not the title, and a
    run of short lines above the body that took it in (a menu, a masthead) does not make
    it furniture."""
    by_place = _REASON.is_in(["navigation", "masthead"])
    return (
        head.filter(
            (pl.col("markup_level") == 1)
            & (pl.col("_reclaimable") | by_place)
            & _title_shaped(_TEXT)
        )
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .first()
        .select("doc_id", "line_no")
    )


def _web_titles(head: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no) of web pages' titles: the headline above what opens the
    article; else one line after a breadcrumb trail, or the first of the kept lines."""
    body = (
        _REASON.is_null()
        & (
            (pl.col("n_words") > MAX_TITLE_WORDS)
            | (
                _TEXT.str.contains(r"[.!?]$")
                & _NOT_SENTENCE.not_()
                & (pl.col("n_words") > SHORT_LINE_WORDS)
            )
        )
    ).cast(pl.Int32)
    web = head.filter(pl.col("wrapped").not_()).with_columns(
        (_by_doc(body.cum_sum()) - body).alias("_body_before"),
        _by_doc(pl.col("_crumb").shift(1)).fill_null(False).alias("_after_crumb"),
    )
    slot = (
        (pl.col("_body_before") == 0)
        & pl.col("_after_crumb")
        & pl.col("_reclaimable")
        & pl.col("_shaped")
        & _NOT_SENTENCE
    )
    first_kept = (_REASON.is_null() & pl.col("_crumb").not_() & pl.col("_dated").not_()).cast(
        pl.Int32
    )
    web = web.with_columns(
        slot.alias("_slot"),
        (first_kept.cum_sum().over("doc_id", order_by="line_no") == 1)
        .and_(first_kept == 1)
        .alias("_first_kept"),
    ).with_columns(pl.col("_slot").any().over("doc_id").alias("_has_slot"))
    fallback = web.filter(
        (pl.col("_slot") & (_by_doc(pl.col("_slot").cast(pl.Int32).cum_sum()) == 1))
        | (
            pl.col("_has_slot").not_()
            & pl.col("_first_kept")
            & pl.col("_shaped")
            & _NOT_SENTENCE
            & (pl.col("_body_before") == 0)
        )
    ).select("doc_id", "line_no")
    headlines = _headline_lines(head.filter(pl.col("wrapped").not_()))
    return pl.concat(
        [headlines, fallback.join(headlines, on="doc_id", how="anti", maintain_order="left")]
    )


def _report_front_matter(head: pl.DataFrame, header_keys: pl.DataFrame) -> pl.DataFrame:
    """The reclaimable head lines of hard-wrapped reports, cut into blocks (`_block`),
    with `_names_header` (names what the running header names, a trailing acronym aside)
    and `_is_header` (is the running header)."""
    stripped_key = template_key(_TEXT.str.replace(_TRAILING_ACRONYM, ""))
    content = (
        head.filter(pl.col("wrapped") & pl.col("_reclaimable"))
        .with_columns(stripped_key.alias("_key"), template_key(_TEXT).alias("_exact_key"))
        .join(
            header_keys.with_columns(pl.lit(True).alias("_names_header")),
            on=["doc_id", "_key"],
            how="left",
            maintain_order="left",
        )
        .join(
            header_keys.rename({"_key": "_exact_key"}).with_columns(
                pl.lit(True).alias("_is_header")
            ),
            on=["doc_id", "_exact_key"],
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("_names_header", "_is_header").fill_null(False))
    )
    # Blocks are runs of adjacent lines: a blank or furniture line, or a numbered
    # heading, starts a new one. A title page without blank lines is cut where its parts
    # change: at a date and after it, at the organisation the running header names and
    # after it, at an issuing body and at an author line.
    gap = (pl.col("line_no") - _by_doc(pl.col("line_no").shift(1))).fill_null(2) > 1
    # Title-cased first: an all-caps issuer ("CHINA AEROSPACE STUDIES INSTITUTE") too.
    content = content.with_columns(
        issuing_body(_TEXT).alias("_issuer"),
        (
            _TEXT.str.contains(AUTHOR_RE) & _by_doc(pl.col("_shaped").shift(1)).fill_null(False)
        ).alias("_author"),
    )
    part_edge = pl.col("_dated") | pl.col("_names_header") | pl.col("_issuer")
    starts_part = (
        part_edge
        | _by_doc(part_edge.shift(1)).fill_null(False)
        | pl.col("_issuer")
        | pl.col("_author")
    )
    return content.with_columns(
        _by_doc(
            (gap | _TEXT.str.contains(ORDINAL_RE) | starts_part).cast(pl.Int32).cum_sum()
        ).alias("_block")
    )


def _first_front_matter_blocks(content: pl.DataFrame) -> pl.DataFrame:
    """Per report, its first block that is not a date, the publisher or an issuing body,
    with its shape. A block that repeats the running header is skipped too, unless it
    opens the document right above an issuing body, its authors or a date: a report whose
    running header repeats its title shows the title there first."""
    blocks = (
        content.group_by("doc_id", "_block")
        .agg(
            pl.len().alias("_n"),
            pl.col("n_words").sum().alias("_words"),
            (pl.col("_names_header") | pl.col("_dated") | pl.col("_issuer")).all().alias("_skip"),
            (pl.col("_names_header") & pl.col("_dated").not_() & pl.col("_issuer").not_())
            .all()
            .alias("_header_only"),
            (pl.col("_dated") | pl.col("_issuer") | pl.col("_author"))
            .all()
            .alias("_title_page_part"),
            pl.col("_shaped").all().alias("_all_shaped"),
            # Only the last line may not end a clause; inner ones may end in ":" or ",".
            _TEXT.str.contains(r"[.!?;]$").any().alias("_sentence"),
            _TEXT.sort_by("line_no").last().str.contains(r"[:,]$").alias("_open_end"),
            pl.col("line_no").min().alias("_first"),
        )
        .sort("doc_id", "_first")
    )
    order = {"order_by": "_first"}
    title_over_title_page = (
        pl.col("_header_only")
        & (pl.col("_first") == pl.col("_first").min().over("doc_id"))
        & pl.col("_title_page_part").shift(-1).over("doc_id", **order).fill_null(False)
    )
    return (
        blocks.filter(pl.col("_skip").not_() | title_over_title_page)
        .group_by("doc_id", maintain_order=True)
        .first()
        .drop("_header_only", "_title_page_part")
    )


def _first_page_headers(content: pl.DataFrame, first_blocks: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no, role): the running header in the front matter, outside the
    title's block, is page furniture too: the first page's, above everything else, and
    its repeat over the first page of the body (after the contents list, no page number
    beside it)."""
    title_block = first_blocks.select("doc_id", pl.col("_block").alias("_title_block"))
    return (
        content.join(title_block, on="doc_id", how="left", maintain_order="left")
        .filter(
            pl.col("_is_header")
            & _REASON.is_null()
            & (pl.col("_block") != pl.col("_title_block")).fill_null(True)
        )
        .select("doc_id", "line_no", pl.lit("running_header").alias("role"))
    )


def _report_titles(content: pl.DataFrame, first_blocks: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no) of reports' titles: the first front-matter block when it is
    title-shaped (a few short lines, no sentence, not left open)."""
    titled = first_blocks.filter(
        (pl.col("_n") <= MAX_TITLE_LINES)
        & (pl.col("_words") <= MAX_TITLE_WORDS)
        & pl.col("_all_shaped")
        & pl.col("_sentence").not_()
        & pl.col("_open_end").not_()
    )
    return content.join(
        titled.select("doc_id", "_block"), on=["doc_id", "_block"], how="inner"
    ).select("doc_id", "line_no")
