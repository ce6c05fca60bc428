from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import ParagraphSpan


class Quantities(ParagraphSpan):
    """One row per quantity stated in a paragraph: a number with a unit, or a count.

    `value` is the number (scales applied: "140 million" -> 140000000), for a range
    ("500-600 km", "five to eight missions") its lower bound, and `value_max` its upper
    bound; `unit` the normalised unit of measure ("km", "km2", "g", "Gbps", "year", "%")
    or the ISO code of a currency ("USD" for "$5 billion", "CNY" for "30 billion yuan");
    `counted` what a count counts (the words up to the first plural noun: "launch
    missions"); a bare number has neither. Times of day, years, dates, ordinals, list
    and section numbers and numbers that are part of a name or designation
    ("Tianwen-1", "Group 20") are not quantities.
    """

    __table_name__ = "quantities"
    # 2.0.0: paragraph_id, char_start, char_end moved after raw_end (ParagraphSpan);
    # value_max added at the end.
    __schema_version__ = "2.0.0"

    quantity_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-q\d{5,}$",
        description="Stable id: doc_id, '-q', seq.",
    )
    seq: pl.Int32 = pa.Field(ge=1, description="Position of the quantity in the document.")
    text: str = pa.Field(
        str_length={"min_value": 1},
        description="The quantity as it reads: qualifier, number, unit or counted words.",
    )
    value: float = pa.Field(ge=0, description="The number, scales applied.")
    unit: str = pa.Field(nullable=True, description="Normalised unit of measure; null if none.")
    counted: str = pa.Field(
        nullable=True, description="What is counted (words up to a plural noun); null if none."
    )
    qualifier: str = pa.Field(
        nullable=True,
        description="Word(s) qualifying the number: 'over', 'more than', 'nearly', ...",
    )
    # Added in 2.0.0, at the end.
    value_max: float = pa.Field(
        nullable=True,
        description="Upper bound of a range ('600' in '500-600 km'), scales applied; "
        "null for a single number.",
    )

    @pa.dataframe_check(description="a range's upper bound is above its lower bound")
    @classmethod
    def range_is_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("value_max").is_null() | (pl.col("value_max") > pl.col("value"))
        )

    @pa.dataframe_check(description="a quantity has a unit or counts something, not both")
    @classmethod
    def unit_or_counted(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("unit").is_null() | pl.col("counted").is_null())
