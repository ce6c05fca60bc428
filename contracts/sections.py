from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import RawSpan
from taikong.vocabulary import HeadingStyle, values


class Sections(RawSpan):
    """One row per section heading of a document, nested through parent_id.

    The raw span covers the heading and everything under it, up to the next heading of
    the same or a higher level.
    """

    __table_name__ = "sections"
    __primary_key__ = "section_id"
    __schema_version__ = "1.1.0"

    section_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-s\d{3,}$",
        description="Stable id: doc_id, '-s', heading number in the document.",
    )
    parent_id: str = pa.Field(
        nullable=True, description="section_id of the enclosing section; null at the top level."
    )
    level: pl.Int32 = pa.Field(ge=1, le=8, description="Depth in the section tree; 1 is top level.")
    seq: pl.Int32 = pa.Field(ge=1, description="Position of the heading in the document (1-based).")
    ordinal: str = pa.Field(
        nullable=True,
        description="Number as printed: 'II', '2', '2.1', '(1)'; null when unnumbered.",
    )
    heading: str = pa.Field(
        str_length={"min_value": 1}, description="Heading text without its ordinal."
    )
    heading_style: str = pa.Field(
        isin=values(HeadingStyle),
        description=(
            "How the heading is numbered: roman, arabic, decimal ('2.1', under '2.'), "
            "paren, dash, unnumbered; markup: marked up by the source (== H ==, H[edit])."
        ),
    )

    @pa.dataframe_check(description="top-level sections have no parent, others do")
    @classmethod
    def parent_matches_level(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("level") == 1) == pl.col("parent_id").is_null())
