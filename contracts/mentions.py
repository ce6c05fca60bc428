from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import RawSpan

MENTION_KINDS = ["country", "acronym", "designation"]


class Mentions(RawSpan):
    """One row per mention in a paragraph: a country, an acronym-defined name or a designation.

    country: ISO 3166 countries (name = common name, code = alpha-3). acronym: names the
    document defines with an acronym, "China Manned Space Agency (CMSA)" (name = long
    name, code = acronym); every use of either form is a mention. designation: numbered
    craft and systems, "Long March-5B", "Tianwen-1" (name = series, code = serial).
    Overlapping candidates keep the longest. Headings are not searched.
    """

    __table_name__ = "mentions"
    __schema_version__ = "1.0.0"

    mention_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-m\d{5,}$",
        description="Stable id: doc_id, '-m', seq.",
    )
    paragraph_id: str = pa.Field(description="The paragraph the mention is in.")
    seq: pl.Int32 = pa.Field(ge=1, description="Position of the mention in the document.")
    kind: str = pa.Field(isin=MENTION_KINDS, description="country, acronym or designation.")
    text: str = pa.Field(
        str_length={"min_value": 2}, description="The mention as it reads in the paragraph."
    )
    name: str = pa.Field(
        str_length={"min_value": 2},
        description="Canonical name: country common name, long name, or designation series.",
    )
    code: str = pa.Field(
        nullable=True,
        description="ISO 3166 alpha-3 code, the acronym, or the serial ('5B', '2B/2C/2D').",
    )
    char_start: pl.Int32 = pa.Field(ge=0, description="Start of the mention in the paragraph text.")
    char_end: pl.Int32 = pa.Field(ge=1, description="End (exclusive) in the paragraph text.")

    @pa.dataframe_check(description="char_end - char_start is the length of text")
    @classmethod
    def span_fits_text(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("char_end") - pl.col("char_start") == pl.col("text").str.len_chars()
        )

    @pa.dataframe_check(description="countries carry an ISO 3166 alpha-3 code")
    @classmethod
    def country_code(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("kind") != "country") | pl.col("code").str.contains(r"^[A-Z]{3}$")
        )
