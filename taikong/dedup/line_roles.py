"""Per-document cues for furniture and metadata lines: what one page shows on its own.

Repetition across documents (taikong.dedup.boilerplate) finds a site's furniture only
when the site has several pages in the corpus. These rules judge each line from its own
document, as jusText does: its length in words, runs of short lines, the share of
English function words (lexicons/stopwords_en.txt), sentence punctuation, key-value
shape ("Source: ..."), the words of page controls, share bars and language switches
(lexicons/*.txt), and its position relative to the body (the first and last lines that
read as running prose).

`line_role_reasons` gives each line a reason or null; `label_boilerplate` applies it
after the cross-document and page-shape reasons, so this module only adds labels. Every
reason names the evidence:

  metadata_byline     "By Wang Li", "Written by ...", "Author: ...", a name alone between
                      the headline and a date line, the author's role under it ("China
                      Correspondent"), and a line about that author ("Jo Park covers
                      space for the paper.")
  metadata_source     "Source: Xinhua | Editor: ...", "[Editor: ...]", a value under a
                      key line of its own ("Editor" / "Jane Doe"), and a short line between
                      metadata and share lines (an outlet's name under the date), and a
                      "From: ..." key
  metadata_timestamp  a date or clock time with a key ("Updated: 2024-05-03 16:30") or
                      with nothing else but names ("(Xinhua) 13:38, May 08, 2026")
  metadata_dateline   a date alone ("11 March 2026", "October 2008, Beijing") or a news
                      dateline alone ("JIUQUAN, May 29 (Xinhua) --"), or the byline's
                      place ("in Beijing" under a name)
  language_switch     only language names ("中文 | English | Français")
  share_bar           only share, social and print words ("Share - WeChat", "Print Mail"),
                      or a like, vote or rating widget's message (lexicons/widget_messages)
  page_controls       only page-control words ("BACK TO THE TOP", "Advertisement"), an
                      outlet's "Why you can trust X" note, a promotion of its forum or
                      newsletter ("Join our forums ..."), a newsletter box and its pitch
  breadcrumb          a trail with an arrow or starting at Home ("Home > News")
  navigation          a menu of short items joined by separators, or a run of three or
                      more short lines without sentence punctuation above the body, or a
                      section label in capitals right under the menu ("TECH & SCIENCE")
  related_links       a "Related" / "Most viewed" / "More from" header and the run of
                      headline-shaped lines under it
  page_tail           a short line without sentence punctuation after the last line of
                      running prose (footer menus, contact blocks, licence numbers); a
                      print-edition note ("This article appeared in the X print edition
                      as: ..."); the publishing group that owns the site ("X is part of Y,
                      an international media group ...")
  masthead            a short line above the page's first menu, trail or language switch
                      (site name, tagline)
  disclaimer          "The views expressed ... do not necessarily ...", "Disclaimer"
  running_header      in hard-wrapped text: "Page 3", or a short line repeated in the
                      document with a page number before or after it ("Title | 2")
  contact_line        a short line that starts with a contact key ("E-mail: ...", "Tel: ")
  wiki_furniture      a wiki page's frame: a template or category link alone on its line
                      ("{{Reflist}}", "[[Category:X]]"), "Categories: ...", "Retrieved from",
                      the tagline "From <Wiki>, the free encyclopedia"
  copyright_notice    a licence notice ("Text is available under the Creative Commons ...")

Only pages that give one paragraph per line (most of their long lines end a sentence)
get the menu, zone and run rules; in hard-wrapped (PDF) text a short line is as often the
end of a wrapped sentence.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from taikong.dedup.front_matter import AUTHOR_RE, breadcrumb
from taikong.frames import with_columns_on_rows
from taikong.io.files import read_package_text
from taikong.text import (
    CAPITALISED_MONTH_RE,
    CONTACT_RE,
    COPYRIGHT_RE,
    DATE_PATTERN,
    MONTH_RE,
    NUMERIC_DATE_PATTERN,
    ORDINAL_RE,
    SHORT_LINE_WORDS,
    WRITTEN_DATE_PATTERN,
    YEAR_FIRST_DATE_PATTERN,
)

ROLE_REASONS = (
    "metadata_byline",
    "metadata_source",
    "metadata_timestamp",
    "metadata_dateline",
    "language_switch",
    "share_bar",
    "page_controls",
    "breadcrumb",
    "navigation",
    "related_links",
    "page_tail",
    "masthead",
    "disclaimer",
    "running_header",
    "contact_line",
    "wiki_furniture",
    "copyright_notice",
)


# Running prose: a line of at least this many words that ends a sentence, with at least
# this share of function words.
BODY_MIN_WORDS = 10
BODY_MIN_STOPWORDS = 0.2
# A document gives one paragraph per line when this share of its long lines end a
# sentence (hard-wrapped text ends few).
PROSE_LINE_SHARE = 0.5
# A menu item: a line of at most this many words, no sentence punctuation.
MENU_ITEM_WORDS = 4
MIN_MENU_RUN = 3
# A metadata line is short.
MAX_METADATA_WORDS = 16
# A dated line may name this many other capitalised words (agency, site, city).
MAX_DATED_NAMES = 3
# A related-links list: header, then headline-shaped lines of at most this many words.
MAX_RELATED_ITEM_WORDS = 16
# A short sentence after the body that reads as prose is kept (a closing line).
TAIL_SENTENCE_MIN_WORDS = 5
TAIL_SENTENCE_MIN_STOPWORDS = 0.3


@cache
def lexicon(name: str) -> tuple[str, ...]:
    """The entries of lexicons/<name>.txt ('#' starts a comment), longest first."""
    text = read_package_text(__package__, f"lexicons/{name}.txt")
    entries = {line.split("#", 1)[0].strip() for line in text.splitlines()}
    return tuple(sorted((e for e in entries if e), key=lambda e: (-len(e), e)))


def _alternation(*names: str) -> str:
    """The entries of some lexicons as one regex alternation, longest first."""
    entries = sorted({e for n in names for e in lexicon(n)}, key=lambda e: (-len(e), e))
    return "|".join(e.replace(" ", r"\s+") for e in entries)


def _words_re(*names: str) -> str:
    """Case-insensitive alternation of the entries of some lexicons, as whole words."""
    return rf"(?i)(?:^|[^\p{{L}}])(?:{_alternation(*names)})(?:$|[^\p{{L}}])"


def _widget_message_re() -> str:
    """A widget's message and nothing else: an entry of lexicons/widget_messages, perhaps
    with what it is about ("this page"), and perhaps a second message ("..., you can only
    like it once!"); "Thank you for liking our photos, she said" is prose."""
    entry = rf"(?:{_alternation('widget_messages')})"
    about = r"(?:\s+(?:this|the)\s+(?:page|article|post|story|video|photo|image|content))?"
    return rf"(?i)^\W*{entry}{about}(?:[,;]?\s+{entry}(?:\s+\p{{L}}+){{0,3}})?\W*$"


# Dates and clock times as page metadata writes them, beyond the dateline forms of
# DATE_PATTERN: "14-Jul-2026", "2026-February-26", "12/01/2026", "March 2025", "16:30".
_MONTH = rf"{MONTH_RE}\.?"
TIMESTAMP_PATTERN = (
    rf"(?:{DATE_PATTERN}|{WRITTEN_DATE_PATTERN}|{NUMERIC_DATE_PATTERN}|{YEAR_FIRST_DATE_PATTERN}"
    rf"|\b{_MONTH},?\s+\d{{4}}\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)"
)
TIMESTAMP_RE = "(?i)" + TIMESTAMP_PATTERN
CLOCK_RE = r"(?i)\b\d{1,2}:\d{2}"
# Keys that date a page.
_TIME_KEYS = (
    r"updated|update\s*time|updatetime|published|posted|date|time|release\s*time"
    r"|last\s+(?:updated|edited|modified|changed)|last\s+edited\s+on"
)
TIME_KEY_RE = rf"(?i)\b(?:{_TIME_KEYS})\b"
# Words a dated metadata line may hold besides its date and the names it credits.
_DATED_FILLER_RE = (
    rf"(?i)\b(?:{_TIME_KEYS}|source|editor|by|at|on|views|utc|gmt|bjt|beijing\s+time"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
BYLINE_RE = (
    r"^(?i:by|written\s+by|words\s+by|authors?|reporters?|writers?|correspondents?)"
    r"\s*[:：]?\s+[\p{Lu}\p{Han}]"
)
SOURCE_RE = (
    r"^[\[(【]?\s*(?i:source|sources|editor|editors|web\s+editor|chief\s+editor"
    r"|responsible\s+editor|executive\s+editor|edited\s+by|photographer|translator"
    r"|proofreader|contributor|photo\s+editor|prepared\s+for|prepared\s+by|from)\s*[:：]"
)
# An author's note: "The author is a professor of ...".
AUTHOR_NOTE_RE = r"^(?i:the\s+(?:author|writer)s?\s+(?:is|are)\b)"
# "The views expressed ... do not (necessarily) reflect ...", the verb perhaps wrapped
# onto the next line; a notice, so it names whose views ("expressed", "those of").
DISCLAIMER_RE = (
    r"(?i)^disclaimer\b|\bviews?\b.{0,120}\b(?:do|does|don'?t|doesn'?t)(?:\s+not)?"
    r"(?:\s+necessarily)?(?:\s+(?:reflect|represent)|\s*$)"
)
DISCLAIMER_WHOSE_RE = r"(?i)^disclaimer\b|\b(?:expressed|those\s+of|opinions)\b"
CONTACT_KEY_RE = (
    r"^(?i:tel|telephone|phone|fax|e-?mail|address|add|addr|postcode|post\s+code)\s*[:：]"
)
WIKI_FURNITURE_RE = (
    r"^(?:\{\{[^{}]*\}\}|\[\[(?i:category|file|image):[^\]]*\]\]"
    r"|(?i:categories)\s*:\s|(?i:retrieved\s+from)\s+[\"“]?https?://)"
)
LICENCE_RE = r"(?i)\b(?:creative\s+commons|licensed\s+under|available\s+under\s+the)\b"
# "First Edition 2022": what dates a book's title page.
EDITION_RE = r"(?i)^(?:first|second|third|fourth|fifth|\d{1,2}(?:st|nd|rd|th))\s+edition\b"
# A menu written with spaces only: "Home News World Business Video".
SPACED_MENU_RE = r"^(?i:home)(?:\s+(?:[\p{Lu}][\p{L}\p{N}+.'’-]*|&))+$"
# "Page 3", "Page 3 of 9", "- 3 -" alone on a line.
PAGE_WORD_RE = r"(?i)^(?:page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|[-–]\s*\d{1,4}\s*[-–])$"
# A page number before or after a running title ("2 Title", "Title 3", "Title | 4").
_PAGE_NUMBER_EDGE = r"^\d{1,3}\s+|\s*[|｜]?\s+\d{1,3}$"
# A key alone on its line, its value on the next one ("Editor" / "Jennifer Dooren").
KEY_ONLY_RE = (
    r"^(?i:editor|editors|author|authors|source|written\s+by|by|last\s+updated|updated"
    r"|published|media\s+contacts?|contact)\s*[:：]?$"
)
# "JIUQUAN, May 29 (Xinhua) --", "HELSINKI —" alone on a line.
DATELINE_RE = (
    rf"^[A-Z][A-Z .'’-]{{1,30}}(?:,\s*{CAPITALISED_MONTH_RE}\.?\s+\d{{1,2}})?"
    r"\s*(?:\([A-Z][\w ]{1,20}\))?\s*(?:--|—|–)\s*$"
)
# Headers of related-links and widget lists.
RELATED_HEADER_RE = (
    r"^(?i:related|related\s+(?:stories|news|articles|links|content|reading|terms|topics|posts)"
    r"|most\s+(?:viewed|read|popular|shared)|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like"
    r"|more\s+(?:from|on|stories|news|articles)(?:\s+\S+){0,4}|trending(?:\s+now)?"
    r"|search\s+trends|keep\s+exploring|editor'?s'?\s+picks?|latest(?:\s+news)?|top\s+stories"
    r"|read\s+more|see\s+more|popular)\s*[:：]?$"
)
# Separators that join menu items ("Home | News", "CHINA / SCIENCE", "Home >> China").
_MENU_SEP = r"\s*(?:[|｜>»›/·•]+|【|】)\s*"
_SENTENCE_END = r"[.!?][\"”’)\]]*$"
ATTACHMENT_RE = r"(?i)\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|txt|csv)$"
# The place under a byline's name: "in Beijing", "in Hong Kong"; or the author's role:
# "China Correspondent", "Senior Science Writer".
PLACE_LINE_RE = (
    r"^(?:in\s+\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2}"
    r"|(?:\p{Lu}[\p{L}'’.-]*\s+){0,3}(?i:correspondent|bureau\s+chief|reporter|writer"
    r"|editor|columnist|contributor)s?)$"
)
# The lines a bare credit sits between.
CREDIT_NEIGHBOURS = [
    "metadata_byline",
    "metadata_source",
    "metadata_timestamp",
    "metadata_dateline",
    "share_bar",
]
# A widget's line at most this long: a like or rating message, a promotion, a notice.
MAX_WIDGET_WORDS = 40
# An outlet's note on its own standards: "Why you can trust X", "Why trust us".
TRUST_NOTE_RE = (
    r"^(?i:why\s+(?:you\s+can\s+)?trust)\s+(?:(?i:us)|[\p{Lu}\p{N}][\p{L}\p{N}.&'’-]*"
    r"(?:\s+[\p{Lu}][\p{L}\p{N}.&'’-]*){0,3})\??$"
)
# A promotion of the site's forum, community or newsletter ("Join our Space Forums to
# keep talking ...", "Join the conversation on our Discord").
PROMO_RE = (
    r"^(?i:join\s+(?:our|the|\S+['’]s)\s+(?:\S+\s+){0,3}(?:forums?|community|communities"
    r"|newsletters?|mailing\s+list|discord|telegram|whatsapp|channel|conversation|discussion)\b)"
)
# A newsletter box's heading; the line under it is its pitch.
NEWSLETTER_HEADER_RE = (
    r"^(?i:(?:get|sign\s+up\s+(?:for|to)|subscribe\s+to)\s+(?:the|our)\s+.{0,40}?"
    r"\bnewsletters?(?:\s+(?:now|today|here))?)[.!:]?$"
)
# The print edition a web article ran in: "This article appeared in the X print edition
# as: ...", "A version of this article appears in print on ...".
PRINT_NOTE_RE = (
    r"^(?i:(?:this|a\s+version\s+of\s+this)\s+(?:article|story)\s+(?:first\s+)?"
    r"(?:appeared|appears)\s+(?:in|on)\b.{0,80}?\b(?:print|edition|issue)\b)"
)
# The publishing group that owns the site: "X is part of Y Inc, an international media
# group and leading digital publisher."; only with a publisher's words, so "The probe is
# part of a group of missions" stays.
PUBLISHER_GROUP_RE = (
    r"^[\p{Lu}\p{N}][\p{L}\p{N}.&'’-]*(?:\s+[\p{Lu}\p{N}][\p{L}\p{N}.&'’-]*){0,3}"
    r"\s+(?:is|are)\s+(?:a\s+)?part\s+of\s+.{0,60}?"
    r"\b(?i:media\s+(?:group|company|network)|digital\s+publisher|publishing\s+(?:group|house"
    r"|company)|corporate\s+site)\b"
)
# A wiki page's tagline under its title: "From Wikipedia, the free encyclopedia",
# "From Wiktionary, the free dictionary", "From Wikibooks, open books for an open world".
WIKI_TAGLINE_RE = (
    r"^From\s+[\p{Lu}][\p{L}\p{N}.'’-]*(?:\s+[\p{Lu}][\p{L}\p{N}.'’-]*){0,2},"
    r"\s+(?i:(?:the\s+)?(?:free|open)\b)[^.!?]{0,50}$"
)


def _stopword_share(text: pl.Expr) -> pl.Expr:
    tokens = text.str.to_lowercase().str.extract_all(r"\p{L}+")
    n = tokens.list.len()
    hits = tokens.list.eval(pl.element().is_in(list(lexicon("stopwords_en")))).list.sum()
    return pl.when(n > 0).then(hits / n).otherwise(0.0)


def _only_words_of(text: pl.Expr, *names: str) -> pl.Expr:
    """The line has letters and every word of it is an entry of the lexicons (a phrase
    entry such as "back to top" counts as its words together)."""
    entries = {e for n in names for e in lexicon(n)}
    phrases = sorted((e for e in entries if " " in e), key=lambda e: (-len(e), e))
    words = [e for e in entries if " " not in e]
    rest = text.str.to_lowercase()
    if phrases:
        body = "|".join(p.replace(" ", r"\s+") for p in phrases)
        rest = rest.str.replace_all(rf"(?:^|\b)(?:{body})(?:\b|$)", " ")
    tokens = rest.str.extract_all(r"\p{L}+")
    all_listed = tokens.list.eval(pl.element().is_in(words)).list.all()
    return text.str.contains(r"\p{L}") & all_listed


# Lines made of the entries of some lexicons alone: column -> the lexicons.
ONLY_WORDS_COLUMNS = {
    "_only_languages": ("languages",),
    "_only_widgets": ("share_words", "page_controls", "languages"),
    "_only_page_controls": ("page_controls",),
}
_ONLY_WORDS_LEXICONS = tuple(sorted({n for names in ONLY_WORDS_COLUMNS.values() for n in names}))


def _may_be_only_words(text: pl.Expr, *names: str) -> pl.Expr:
    """A cheap necessary condition of `_only_words_of(text, *names)`: the line's first
    word is an entry, or the first word of a phrase entry (a phrase starts at a word
    boundary, so it can start only where a word does)."""
    first_word = r"(\p{L}+)"
    entries = pl.Series(sorted({e for n in names for e in lexicon(n)}), dtype=pl.String)
    firsts = entries.str.to_lowercase().str.extract(first_word, 1).drop_nulls().unique()
    first = text.str.to_lowercase().str.extract(first_word, 1)
    return first.is_in(firsts.to_list()).fill_null(False)


def _dated_names(text: pl.Expr) -> pl.Expr:
    """What a dated line says besides its dates, keys and page controls: its words."""
    rest = (
        text.str.replace_all(TIMESTAMP_RE, " ")
        .str.replace_all(_DATED_FILLER_RE, " ")
        .str.replace_all(_words_re("share_words", "page_controls"), " ")
    )
    return rest.str.extract_all(r"\p{L}[\p{L}\p{N}.'’&-]*")


def line_role_reasons(lines: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, line_no, role_reason) for every line: the per-document reason, or null.

    `lines` carries doc_id, line_no, text, is_blank, n_words, ends_sentence, is_bullet
    and wrapped (the clean stage's features)."""
    text = pl.col("text")
    nb = lines.filter(pl.col("is_blank").not_()).select(
        "doc_id", "line_no", "text", "n_words", "ends_sentence", "is_bullet", "wrapped"
    )
    short_meta = pl.col("n_words") <= MAX_METADATA_WORDS
    nb = nb.with_columns(
        text.str.contains(TIMESTAMP_RE).alias("_dated"),
        text.str.contains(_SENTENCE_END).alias("_sentence"),
        text.str.contains(KEY_ONLY_RE).alias("_key_only"),
    )
    sentence = pl.col("_sentence")
    # The word-list features cost most; each is computed on the rows a rule reads it on.
    names = _dated_names(text)
    lower_names = names.list.eval(pl.element().str.contains(r"^\p{Ll}")).list.any()
    nb = with_columns_on_rows(
        nb,
        # _zones reads the stopword share of sentences only (body and tail prose).
        sentence & (pl.col("n_words") >= min(BODY_MIN_WORDS, TAIL_SENTENCE_MIN_WORDS)),
        {"_stop": (_stopword_share(text), 0.0)},
    )
    nb = with_columns_on_rows(
        nb,
        short_meta & pl.col("_dated"),
        {
            "_n_names": (names.list.len(), 0),
            "_lower_names": (lower_names.fill_null(False), False),
        },
    )
    nb = with_columns_on_rows(
        nb,
        _may_be_only_words(text, *_ONLY_WORDS_LEXICONS),
        {
            column: (_only_words_of(text, *names), False)
            for column, names in ONLY_WORDS_COLUMNS.items()
        },
    )
    dated_line = (
        short_meta
        & pl.col("_dated")
        & (pl.col("_n_names") <= MAX_DATED_NAMES)
        & pl.col("_lower_names").not_()
        & (sentence.not_() | text.str.contains(TIME_KEY_RE))
    ) | (
        # "last edited on 3 May", "last modified 10:15, 4 May 2025", "last changed on ..."
        short_meta
        & text.str.contains(r"(?i)\blast\s+(?:edited|updated|modified|changed)\s+(?:on\b|\d)")
    )
    timestamp = dated_line & (text.str.contains(TIME_KEY_RE) | text.str.contains(CLOCK_RE))
    byline = short_meta & text.str.contains(BYLINE_RE) & sentence.not_()
    source = short_meta & text.str.contains(SOURCE_RE)
    key_only = pl.col("_key_only")
    after_key = (
        _by_doc(key_only.shift(1)).fill_null(False)
        & key_only.not_()
        & (pl.col("n_words") <= 5)
        & sentence.not_()
    )
    news_dateline = text.str.contains(DATELINE_RE)
    widget = pl.col("n_words") <= MAX_WIDGET_WORDS
    # The pitch under a newsletter box's heading ("Breaking news, the latest updates ...").
    newsletter_pitch = _by_doc(text.str.contains(NEWSLETTER_HEADER_RE).shift(1)).fill_null(False)

    # Menus joined by separators: three items or more, or two short all-caps ones
    # ("CHINA / SCIENCE"); no item a sentence or longer than a menu item.
    parts = text.str.replace_all(_MENU_SEP, "\x00").str.strip_chars("\x00").str.split("\x00")
    item_words = parts.list.eval(pl.element().str.count_matches(r"\S+"))
    menu_shape = (
        (parts.list.len() >= 2)
        & (item_words.list.max() <= MENU_ITEM_WORDS)
        & (item_words.list.min() >= 1)
        & sentence.not_()
        & (
            (parts.list.len() >= 3)
            | ((item_words.list.max() <= 2) & (text == text.str.to_uppercase()))
        )
    )
    # Only a line with a separator can have two items.
    nb = with_columns_on_rows(
        nb, text.str.contains(_MENU_SEP), {"_joined_items": (menu_shape, False)}
    )
    menu_shape = pl.col("_joined_items")
    # A trail points somewhere (an arrow, or "Home / ..."); other joined items are a menu.
    crumb = (breadcrumb(text) & text.str.contains(r"[>»›→]")) | text.str.contains(
        r"(?i)^home\s*(?:>|»|›|/)"
    )
    menu_shape = menu_shape | breadcrumb(text)

    own = (
        pl.when(byline)
        .then(pl.lit("metadata_byline"))
        .when(source)
        .then(pl.lit("metadata_source"))
        .when(short_meta & text.str.contains(AUTHOR_NOTE_RE))
        .then(pl.lit("metadata_byline"))
        .when(
            (pl.col("n_words") <= 40)
            & text.str.contains(DISCLAIMER_RE)
            & text.str.contains(DISCLAIMER_WHOSE_RE)
        )
        .then(pl.lit("disclaimer"))
        .when((pl.col("n_words") <= SHORT_LINE_WORDS) & text.str.contains(CONTACT_KEY_RE))
        .then(pl.lit("contact_line"))
        .when(text.str.contains(WIKI_FURNITURE_RE) | text.str.contains(WIKI_TAGLINE_RE))
        .then(pl.lit("wiki_furniture"))
        .when(widget & text.str.contains(_widget_message_re()))
        .then(pl.lit("share_bar"))
        .when(widget & (text.str.contains(TRUST_NOTE_RE) | text.str.contains(PROMO_RE)))
        .then(pl.lit("page_controls"))
        .when(widget & (text.str.contains(NEWSLETTER_HEADER_RE) | newsletter_pitch))
        .then(pl.lit("page_controls"))
        .when(widget & text.str.contains(PRINT_NOTE_RE))
        .then(pl.lit("page_tail"))
        .when(widget & text.str.contains(PUBLISHER_GROUP_RE))
        .then(pl.lit("page_tail"))
        .when((pl.col("n_words") <= 30) & text.str.contains(LICENCE_RE))
        .then(pl.lit("copyright_notice"))
        .when(short_meta & text.str.contains(EDITION_RE))
        .then(pl.lit("metadata_dateline"))
        .when(timestamp | (key_only & text.str.contains(TIME_KEY_RE)))
        .then(pl.lit("metadata_timestamp"))
        .when(dated_line | news_dateline)
        .then(pl.lit("metadata_dateline"))
        .when(key_only | after_key)
        .then(pl.lit("metadata_source"))
        .when(pl.col("_only_languages"))
        .then(pl.lit("language_switch"))
        .when(pl.col("_only_widgets"))
        .then(
            pl.when(pl.col("_only_page_controls"))
            .then(pl.lit("page_controls"))
            .otherwise(pl.lit("share_bar"))
        )
        .when(crumb & pl.col("_web"))
        .then(pl.lit("breadcrumb"))
        .when(
            (menu_shape | ((pl.col("n_words") >= 4) & text.str.contains(SPACED_MENU_RE)))
            & pl.col("_web")
        )
        .then(pl.lit("navigation"))
        .otherwise(None)
    )
    nb = nb.with_columns(_prose_per_line().alias("_web")).with_columns(own.alias("role_reason"))
    nb = _zones(_author_notes(_bare_credits(_disclaimer_paragraphs(_page_headers(nb)))))
    return lines.select("doc_id", "line_no").join(
        nb.select("doc_id", "line_no", "role_reason"),
        on=["doc_id", "line_no"],
        how="left",
        maintain_order="left",
    )


def _disclaimer_paragraphs(nb: pl.DataFrame) -> pl.DataFrame:
    """Hard-wrapped text: the lines that continue a disclaimer line, up to the line that
    ends its sentence, with no blank line between, are the disclaimer too."""
    role = pl.col("role_reason")
    start = (role == "disclaimer").fill_null(False)
    gap = (pl.col("line_no") - _by_doc(pl.col("line_no").shift(1))).fill_null(1) > 1
    nb = nb.with_columns(
        _by_doc(start.cast(pl.Int32).cum_sum()).alias("_disc"),
        _by_doc(pl.col("_sentence").shift(1)).fill_null(False).alias("_prev_ends"),
        gap.alias("_gap"),
    )
    in_segment = pl.col("_disc") > 0
    ended = (pl.col("_prev_ends") & start.not_()).cast(pl.Int32).cum_sum()
    broken = (pl.col("_gap") & start.not_()).cast(pl.Int32).cum_sum()
    order = {"order_by": "line_no"}
    continues = (
        pl.col("wrapped")
        & in_segment
        & role.is_null()
        & (ended.over("doc_id", "_disc", **order) == 0)
        & (broken.over("doc_id", "_disc", **order) == 0)
    )
    return nb.with_columns(
        pl.when(continues).then(pl.lit("disclaimer")).otherwise(role).alias("role_reason")
    )


def _bare_credits(nb: pl.DataFrame) -> pl.DataFrame:
    """Web pages: credits without a key, known by their neighbours.

    A person's name alone on its line between the headline (or standfirst) and a date
    line is the byline, and an "in <Place>" or role line ("China Correspondent") between
    the name and the date is the author's place or role (a dateline, a byline). A short
    line between two metadata or share lines, one of them metadata, is a credit too (an
    outlet's name between the date and the share bar)."""
    text = pl.col("text")
    role = pl.col("role_reason")
    prev_role, next_role = _by_doc(role.shift(1)), _by_doc(role.shift(-1))
    place_line = role.is_null() & text.str.contains(PLACE_LINE_RE)
    name = pl.col("_web") & role.is_null() & text.str.contains(AUTHOR_RE)
    dated = role.is_in(["metadata_timestamp", "metadata_dateline"])
    under_headline = (prev_role.is_null() & (_by_doc(pl.col("n_words").shift(1)) >= 3)).fill_null(
        False
    )
    over_date = _by_doc(dated.shift(-1)).fill_null(False) | (
        _by_doc(place_line.shift(-1)).fill_null(False) & _by_doc(dated.shift(-2)).fill_null(False)
    )
    name_byline = name & under_headline & over_date
    nb = nb.with_columns(name_byline.alias("_name_byline"))
    place = place_line & _by_doc(pl.col("_name_byline").shift(1)).fill_null(False)
    credit = (
        pl.col("_web")
        & role.is_null()
        & (pl.col("n_words") <= 3)
        & pl.col("_sentence").not_()
        & text.str.contains(r"\d").not_()
        & prev_role.is_in(CREDIT_NEIGHBOURS).fill_null(False)
        & next_role.is_in(CREDIT_NEIGHBOURS).fill_null(False)
        & ((prev_role != "share_bar") | (next_role != "share_bar")).fill_null(False)
    )
    return nb.with_columns(
        pl.when(pl.col("_name_byline"))
        .then(pl.lit("metadata_byline"))
        .when(place & text.str.starts_with("in "))
        .then(pl.lit("metadata_dateline"))
        .when(place)
        .then(pl.lit("metadata_byline"))
        .when(credit)
        .then(pl.lit("metadata_source"))
        .otherwise(role)
        .alias("role_reason")
    ).drop("_name_byline")


def _author_notes(nb: pl.DataFrame) -> pl.DataFrame:
    """A line about the byline's author after the body starts ("Jo Park covers space
    for the paper."): the name of a "By ..." line, then a verb."""
    names = (
        nb.filter(pl.col("role_reason") == "metadata_byline")
        .select(
            "doc_id",
            pl.coalesce(
                pl.col("text").str.extract(
                    r"^(?i:by|written\s+by)\s*:?\s+(\p{Lu}\S+(?:\s+\p{Lu}\S+){1,2})", 1
                ),
                # A byline that is only a name (or two): its first name.
                pl.when(pl.col("text").str.contains(AUTHOR_RE)).then(
                    pl.col("text").str.extract(r"^([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})", 1)
                ),
            )
            .str.replace(r"[,;|—–-]+$", "")
            .alias("_author"),
        )
        .drop_nulls()
        .unique()
    )
    if names.is_empty():
        return nb
    notes = (
        nb.filter(pl.col("role_reason").is_null() & (pl.col("n_words") <= 40))
        .select("doc_id", "line_no", "text")
        .join(names, on="doc_id")
        .filter(
            pl.col("text").str.starts_with(pl.col("_author") + " ")
            & pl.col("text")
            .str.slice(pl.col("_author").str.len_chars() + 1)
            .str.contains(r"^(?:is|was|covers|writes|reports|has|joined)\b")
        )
        .select("doc_id", "line_no", pl.lit(True).alias("_author_note"))
        .unique()
    )
    return (
        nb.join(notes, on=["doc_id", "line_no"], how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_author_note").fill_null(False))
            .then(pl.lit("metadata_byline"))
            .otherwise(pl.col("role_reason"))
            .alias("role_reason")
        )
        .drop("_author_note")
    )


def _page_headers(nb: pl.DataFrame) -> pl.DataFrame:
    """Hard-wrapped text: page numbers with a word or dashes ("Page 3", "- 3 -"), and
    running titles that carry a page number and repeat in the document ("2 Title",
    "Title | 3"), and a short line repeated beside page numbers; the first occurrence of
    the bare title is the title, not furniture."""
    text = pl.col("text")
    numbered = (
        text.str.contains(_PAGE_NUMBER_EDGE)
        & (pl.col("n_words") <= SHORT_LINE_WORDS)
        & text.str.contains(ORDINAL_RE).not_()
    )
    stripped = text.str.replace(_PAGE_NUMBER_EDGE, "").str.strip_chars()
    number = text.str.extract(r"(?:^(\d{1,3})\s)|(?:\s(\d{1,3})$)", 0)
    nb = nb.with_columns(
        pl.when(numbered).then(stripped).otherwise(None).alias("_running_title"),
        number.alias("_page_no"),
    ).with_columns(
        # Page numbers change from page to page: the same title with several numbers.
        pl.col("_page_no").n_unique().over("doc_id", "_running_title").alias("_title_repeats")
    )
    running = (
        pl.col("wrapped")
        & pl.col("role_reason").is_null()
        & pl.col("_sentence").not_()
        & (
            text.str.contains(PAGE_WORD_RE)
            | (
                pl.col("_running_title").is_not_null()
                & (pl.col("_running_title").str.contains(r"\p{L}{3}"))
                & (pl.col("_title_repeats") >= 2)
            )
        )
    )
    nb = nb.with_columns(running.alias("_page_line"))
    # A short line repeated three times or more, each time beside such a page line, is
    # the running header that goes with it ("Institute of X" over "Page 3").
    beside = _by_doc(pl.col("_page_line").shift(1)).fill_null(False) | _by_doc(
        pl.col("_page_line").shift(-1)
    ).fill_null(False)
    repeated_beside = (
        pl.col("wrapped")
        & pl.col("role_reason").is_null()
        & (pl.col("n_words") <= 8)
        & pl.col("_sentence").not_()
        & beside
        & (pl.len().over("doc_id", "text") >= 3)
    )
    return nb.with_columns(
        pl.when(pl.col("_page_line") | repeated_beside)
        .then(pl.lit("running_header"))
        .otherwise(pl.col("role_reason"))
        .alias("role_reason")
    )


def _prose_per_line() -> pl.Expr:
    """Per document: its long lines mostly end a sentence, so it gives one paragraph per
    line (a web page), not hard-wrapped text. The clean stage's `wrapped` says a page
    with long menus one item per line is wrapped; sentence ends say what the prose does."""
    long_line = pl.col("n_words") >= BODY_MIN_WORDS
    ends = (long_line & pl.col("_sentence")).sum().over("doc_id")
    return (ends >= PROSE_LINE_SHARE * long_line.sum().over("doc_id")) & (ends > 0)


def _by_doc(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="line_no")


def _zones(nb: pl.DataFrame) -> pl.DataFrame:
    """Web pages: navigation runs above the body, related-links lists, the page tail.

    `nb` holds the non-blank lines with `role_reason` from the line's own shape, `_stop`
    and `_sentence`."""
    role = pl.col("role_reason")
    body = (
        role.is_null()
        # A long copyright or contact notice ends in a full stop too: never the body.
        & pl.col("text").str.contains(COPYRIGHT_RE).not_()
        & pl.col("text").str.contains(CONTACT_RE).not_()
        & (pl.col("n_words") >= BODY_MIN_WORDS)
        & pl.col("_sentence")
        & (pl.col("_stop") >= BODY_MIN_STOPWORDS)
    )
    nb = nb.with_columns(body.alias("_body")).with_columns(
        pl.col("line_no").filter(pl.col("_body")).min().over("doc_id").alias("_first_body"),
        pl.col("line_no").filter(pl.col("_body")).max().over("doc_id").alias("_last_body"),
    )
    web = pl.col("_web") & pl.col("_first_body").is_not_null()
    head = web & (pl.col("line_no") < pl.col("_first_body"))
    tail = web & (pl.col("line_no") > pl.col("_last_body"))

    # Runs of menu items above the body: consecutive non-blank lines (blank lines
    # between them do not break a run), already-labelled furniture joining them.
    item = (
        (pl.col("n_words") <= MENU_ITEM_WORDS)
        & pl.col("ends_sentence").not_()
        & pl.col("text").str.contains(TIMESTAMP_RE).not_()
    )
    menu_like = head & (item | role.is_in(["language_switch", "share_bar", "page_controls"]))
    run_id = _by_doc(menu_like.ne(menu_like.shift(1)).fill_null(True).cum_sum())
    nb = nb.with_columns(menu_like.alias("_menu_like"), run_id.alias("_run"))
    run_len = pl.col("_menu_like").cast(pl.Int32).sum().over("doc_id", "_run")
    # A contents list is no menu: its entries are numbered, or it has a header.
    contents = pl.col("text").str.contains(ORDINAL_RE) | pl.col("text").str.contains(
        r"(?i)^(?:table\s+of\s+)?contents$"
    )
    listed = (contents & pl.col("_menu_like")).any().over("doc_id", "_run")
    after_contents = _by_doc(contents.shift(1)).fill_null(False)
    nb = nb.with_columns(
        (listed | after_contents.any().over("doc_id", "_run")).alias("_contents_run")
    )
    in_menu_run = (
        pl.col("_menu_like")
        & (run_len >= MIN_MENU_RUN)
        & role.is_null()
        & pl.col("_contents_run").not_()
    )
    # A section label in capitals right under the menu or trail ("TECH & SCIENCE"): the
    # menu item the page sits in (a headline is not written in capitals).
    under_menu = _by_doc(role.shift(1)).is_in(["navigation", "breadcrumb"]).fill_null(False)
    text = pl.col("text")
    section_label = (
        head
        & role.is_null()
        & (pl.col("n_words") <= MENU_ITEM_WORDS)
        & text.str.contains(r"\p{Lu}")
        & text.str.contains(r"\p{Ll}|\d").not_()
        & pl.col("_sentence").not_()
        & under_menu
    )
    in_menu_run = in_menu_run | section_label

    # Related-links lists: a header, then the headline-shaped lines under it.
    header = pl.col("text").str.contains(RELATED_HEADER_RE) & web
    headline = (
        role.is_null()
        & (pl.col("n_words") <= MAX_RELATED_ITEM_WORDS)
        & pl.col("_sentence").not_()
        & pl.col("text").str.contains(r"[:;]$").not_()
    )
    list_id = _by_doc(header.cast(pl.Int32).cum_sum())
    broken = _by_doc((header | headline).not_().cast(pl.Int32).cum_sum())
    nb = nb.with_columns(list_id.alias("_list"), broken.alias("_broken"), header.alias("_hdr"))
    # A line is in the list when no non-headline line lies between it and its header.
    broken_at_header = pl.col("_broken").filter(pl.col("_hdr")).first().over("doc_id", "_list")
    in_related = (pl.col("_list") > 0) & (pl.col("_broken") == broken_at_header) & web

    prose = (
        pl.col("_sentence")
        & (pl.col("n_words") >= TAIL_SENTENCE_MIN_WORDS)
        & (pl.col("_stop") >= TAIL_SENTENCE_MIN_STOPWORDS)
    )
    # The tail starts at the first line after the body that is furniture by its own
    # evidence: what lies between the body and it (attachments, a credit, "Link to X:")
    # belongs to the body.
    evidence = (
        role.is_not_null()
        | pl.col("text").str.contains(COPYRIGHT_RE)
        | pl.col("text").str.contains(CONTACT_RE)
    )
    tail_start = pl.col("line_no").filter(tail & evidence).min().over("doc_id")
    attachment = pl.col("text").str.contains(ATTACHMENT_RE)
    # Above the first menu, trail or language switch: the site's name and tagline.
    anchor = role.is_in(["navigation", "breadcrumb", "language_switch"]) | pl.col("_in_menu")
    first_anchor = pl.col("line_no").filter(head & anchor).min().over("doc_id")
    masthead = (
        head
        & role.is_null()
        & (pl.col("line_no") < first_anchor)
        & (pl.col("n_words") <= 8)
        & pl.col("text").str.contains(TIMESTAMP_RE).not_()
    )
    in_tail = (
        tail & (pl.col("line_no") > tail_start) & role.is_null() & prose.not_() & attachment.not_()
    )
    # Headline-shaped bullets right after the body: a related-links list without header.
    bullet_item = tail & pl.col("is_bullet") & headline & attachment.not_()
    bullet_run = _by_doc(bullet_item.ne(bullet_item.shift(1)).fill_null(True).cum_sum())
    nb = nb.with_columns(bullet_run.alias("_bullet_run"))
    in_related = in_related | (
        bullet_item & (bullet_item.cast(pl.Int32).sum().over("doc_id", "_bullet_run") >= 2)
    )
    nb = nb.with_columns(in_menu_run.alias("_in_menu"))
    nb = nb.with_columns(
        in_related.alias("_in_related"),
        in_tail.alias("_in_tail"),
        masthead.alias("_masthead"),
    )
    return nb.with_columns(
        pl.when(role.is_not_null())
        .then(role)
        .when(pl.col("_in_related"))
        .then(pl.lit("related_links"))
        .when(pl.col("_in_menu"))
        .then(pl.lit("navigation"))
        .when(pl.col("_masthead"))
        .then(pl.lit("masthead"))
        .when(pl.col("_in_tail"))
        .then(pl.lit("page_tail"))
        .otherwise(None)
        .alias("role_reason")
    )
