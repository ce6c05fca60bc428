from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import RawSpan
from taikong.vocabulary import ParagraphKind, values


class Paragraphs(RawSpan):
    """One row per paragraph of kept text (boilerplate excluded), in document order.

    Hard-wrapped lines are joined back into one paragraph; `text` is the cleaned text and
    raw_start/raw_end the span of its source lines.
    """

    __table_name__ = "paragraphs"
    __primary_key__ = "paragraph_id"
    __schema_version__ = "1.1.0"

    paragraph_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-p\d{4,}$",
        description="Stable id: doc_id, '-p', seq.",
    )
    section_id: str = pa.Field(
        nullable=True, description="Innermost enclosing section; null before the first heading."
    )
    seq: pl.Int32 = pa.Field(ge=1, description="Position in the document (1-based).")
    kind: str = pa.Field(
        isin=values(ParagraphKind),
        description=(
            "title, paragraph, list_item, caption, attachment or contents (a contents "
            "list's label or one of its entries)."
        ),
    )
    text: str = pa.Field(str_length={"min_value": 1}, description="Cleaned paragraph text.")
    n_chars: pl.Int32 = pa.Field(ge=1, description="Length of text in characters.")
    duplicate_of: str = pa.Field(
        nullable=True,
        description=(
            "paragraph_id of the first occurrence of the same text in the corpus; "
            "null for first occurrences."
        ),
    )

    @pa.dataframe_check(description="n_chars is the length of text")
    @classmethod
    def n_chars_matches(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("text").str.len_chars() == pl.col("n_chars"))

    @pa.dataframe_check(description="a paragraph is never a duplicate of itself")
    @classmethod
    def not_own_duplicate(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("duplicate_of").is_null() | (pl.col("duplicate_of") != pl.col("paragraph_id"))
        )
