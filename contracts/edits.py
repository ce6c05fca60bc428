from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import ParagraphSpan
from taikong.vocabulary import EditKind, EditRule, values


class Edits(ParagraphSpan):
    """One row per change cleaning made to the words of a paragraph's text.

    Kinds: dehyphenate (a word split across two lines rejoined without its hyphen,
    "plat-" + "form" -> "platform") and restore_hyphen (a hyphen the extractor lost when
    it merged two lines put back, "newgeneration" -> "new-generation"),
    unescape_reference (an HTML character reference, "&mdash;" -> "—", "&#8217;" -> "’")
    and repair_mojibake (UTF-8 that was read as Windows-1252, "â€™" -> "’", by ftfy).
    `before` is the raw text (raw_text[raw_start:raw_end]); `after` is what the paragraph
    says (text[char_start:char_end]). Words in headings and removed furniture keep
    their extracted hyphens and have no edits (their references and mojibake are
    repaired all the same, unrecorded).
    """

    __table_name__ = "edits"
    # 2.0.0: paragraph_id, char_start, char_end moved after raw_end (ParagraphSpan).
    __schema_version__ = "2.0.0"
    __span_text__ = "after"
    __raw_text__ = "before"

    edit_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-e\d{4,}$",
        description="Stable id: doc_id, '-e', seq.",
    )
    seq: pl.Int32 = pa.Field(ge=1, description="Position of the edit in the document (1-based).")
    kind: str = pa.Field(
        isin=values(EditKind),
        description="dehyphenate, restore_hyphen, unescape_reference or repair_mojibake.",
    )
    rule: str = pa.Field(
        isin=values(EditRule),
        description=(
            "The evidence: document_form (the document writes the word so elsewhere), "
            "document_prefix / document_part (the document hyphenates the same prefix or "
            "part elsewhere), designation (name-number designations are hyphenated), "
            "dictionary (English word lists); named_reference / numeric_reference (an "
            "HTML character reference); utf8_as_cp1252 / utf8_as_latin1 (mojibake ftfy repairs)."
        ),
    )
    before: str = pa.Field(
        str_length={"min_value": 2}, description="The characters as extracted (raw text)."
    )
    after: str = pa.Field(
        str_length={"min_value": 1},
        description="The characters as they read in the paragraph (one for a reference).",
    )

    @pa.dataframe_check(description="an edit changes the text")
    @classmethod
    def changes_text(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("before") != pl.col("after"))
