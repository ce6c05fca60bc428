"""Value sets shared by the contracts and the code that produces or checks the values.

Each vocabulary is a `StrEnum`: a member is the string itself ("site_footer" ==
BoilerplateReason.SITE_FOOTER, and it serializes to JSON as the plain string), so the
contracts take their `isin` lists from here (`values(...)`, in declaration order) and
the transforms may compare with or emit plain strings; `tests/taikong/test_vocabulary.py`
reads every string the transforms emit for a vocabulary and fails on one that is not a
member, so a retyped value is caught before a release is.

A leaf module (no pandera, no polars) so that input checks that need a vocabulary, such
as the catalog's, stay fast to import.
"""

from __future__ import annotations

from enum import StrEnum


def values(vocabulary: type[StrEnum]) -> list[str]:
    """The vocabulary's strings in declaration order (what a contract's `isin` lists)."""
    return [member.value for member in vocabulary]


class DocType(StrEnum):
    """documents.doc_type"""

    NEWS_ARTICLE = "news_article"
    REPORT = "report"  # hard-wrapped PDF text
    WEB_PAGE = "web_page"


class ConvertedFrom(StrEnum):
    """documents.converted_from: the markup raw_text was converted from."""

    HTML = "html"


class HeadingStyle(StrEnum):
    """sections.heading_style: how a heading is numbered."""

    ROMAN = "roman"
    ARABIC = "arabic"
    DECIMAL = "decimal"  # "2.1 Launch sites": a subheading under "2."
    PAREN = "paren"
    DASH = "dash"
    UNNUMBERED = "unnumbered"
    MARKUP = "markup"  # marked up by the source: == H ==, H[edit], an HTML <h2>


class ParagraphKind(StrEnum):
    """paragraphs.kind"""

    TITLE = "title"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    CAPTION = "caption"
    ATTACHMENT = "attachment"
    CONTENTS = "contents"  # a contents list's label or one of its entries


class BoilerplateReason(StrEnum):
    """boilerplate.reason: why a line of site or page furniture was removed."""

    REPEATED_TEMPLATE = "repeated_template"
    SITE_FOOTER = "site_footer"
    COPYRIGHT_NOTICE = "copyright_notice"
    RUNNING_HEADER = "running_header"
    TITLE_PAGE = "title_page"  # a report's issuer, author, edition and date under its title
    # Per-document cues (taikong/dedup/line_roles.py, where each is explained).
    METADATA_BYLINE = "metadata_byline"
    METADATA_SOURCE = "metadata_source"
    METADATA_TIMESTAMP = "metadata_timestamp"
    METADATA_DATELINE = "metadata_dateline"
    LANGUAGE_SWITCH = "language_switch"
    SHARE_BAR = "share_bar"
    PAGE_CONTROLS = "page_controls"
    BREADCRUMB = "breadcrumb"
    NAVIGATION = "navigation"
    RELATED_LINKS = "related_links"
    PAGE_TAIL = "page_tail"
    MASTHEAD = "masthead"
    DISCLAIMER = "disclaimer"
    CONTACT_LINE = "contact_line"
    WIKI_FURNITURE = "wiki_furniture"


class EditKind(StrEnum):
    """edits.kind: what cleaning changed."""

    DEHYPHENATE = "dehyphenate"
    RESTORE_HYPHEN = "restore_hyphen"
    UNESCAPE_REFERENCE = "unescape_reference"
    REPAIR_MOJIBAKE = "repair_mojibake"


# Edits that repair characters, not words: the paragraph reads their `after` where the
# raw text says their `before` ("&nbsp;" -> " ", "â€™" -> "’").
CHARACTER_REPAIRS = (EditKind.UNESCAPE_REFERENCE, EditKind.REPAIR_MOJIBAKE)


class EditRule(StrEnum):
    """edits.rule: the evidence for an edit."""

    DOCUMENT_FORM = "document_form"
    DOCUMENT_PREFIX = "document_prefix"
    DOCUMENT_PART = "document_part"
    DESIGNATION = "designation"
    DICTIONARY = "dictionary"
    NAMED_REFERENCE = "named_reference"
    NUMERIC_REFERENCE = "numeric_reference"
    UTF8_AS_CP1252 = "utf8_as_cp1252"
    UTF8_AS_LATIN1 = "utf8_as_latin1"


class MentionKind(StrEnum):
    """mentions.kind: which detector found the mention."""

    COUNTRY = "country"
    ACRONYM = "acronym"
    DESIGNATION = "designation"
    LAUNCH_SITE = "launch_site"


class EntityType(StrEnum):
    """mentions.entity_type, in priority order (a tied vote goes to the earlier type)."""

    SPACECRAFT_PROBE = "spacecraft_probe"
    LAUNCH_VEHICLE = "launch_vehicle"
    SATELLITE_SYSTEM_PROGRAM = "satellite_system_program"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    LAUNCH_SITE_PLACE = "launch_site_place"


class TypeRule(StrEnum):
    """mentions.type_rule: how entity_type was decided."""

    PYCOUNTRY = "pycountry"
    LAUNCH_SITE_PATTERN = "launch_site_pattern"
    ACRONYM_HEAD_WORD = "acronym_head_word"
    HEAD_NOUN_VOTE = "head_noun_vote"
    FALLBACK = "fallback"


class Change(StrEnum):
    """changelog.change: what happened to a row since the predecessor release."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Fate(StrEnum):
    """What became of an input (the manifest's `inputs[].fate`)."""

    PUBLISHED = "published"
    QUARANTINED = "quarantined"


class Severity(StrEnum):
    """How much an audit finding weighs: critical blocks the release, warning is
    published and reported; off (a setting only) switches an expectation off."""

    CRITICAL = "critical"
    WARNING = "warning"
    OFF = "off"


DOC_TYPES = values(DocType)
