"""Shared building blocks of the table contracts.

Each table contract is a pandera `DataFrameModel` (polars backend). The first line of
its docstring states the grain; `Config.metadata` carries the table name and the
schema version. Models are reused by inheritance: every table row belongs to a
document (`DocumentScoped`) and most carry a span of the raw text (`RawSpan`); what
is found in a paragraph also carries its span of the paragraph text (`ParagraphSpan`).
Inherited columns come first, in the order of the chain.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

DOC_ID_PATTERN = r"^[0-9a-f]{16}$"


class TaikongModel(pa.DataFrameModel):
    # Set by each table contract. Raise the major version for a removed, renamed or
    # narrowed column; the minor version for an added column.
    __table_name__ = ""
    __schema_version__ = "1.0.0"

    class Config:
        strict = True  # no column the contract does not declare
        coerce = False  # the pipeline must produce the declared dtypes itself
        ordered = True  # column order is part of the published schema


class DocumentScoped(TaikongModel):
    doc_id: str = pa.Field(
        str_matches=DOC_ID_PATTERN,
        description="Document id: first 16 hex digits of the SHA-256 of the input file's bytes.",
    )


class RawSpan(DocumentScoped):
    raw_start: int = pa.Field(
        ge=0, description="Start offset (characters, 0-based) in the decoded raw document."
    )
    raw_end: int = pa.Field(ge=0, description="End offset (exclusive) in the decoded raw document.")

    @pa.dataframe_check(description="raw_end >= raw_start")
    @classmethod
    def span_is_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("raw_end") >= pl.col("raw_start"))


class ParagraphSpan(RawSpan):
    """Columns of a row found in a paragraph: the paragraph, and the span of its text.

    `__span_text__` names the column holding the spanned characters
    (text[char_start:char_end] of the paragraph); `__raw_text__` one holding the raw
    characters exactly (raw_text[raw_start:raw_end]), if any.
    """

    __span_text__ = "text"
    __raw_text__: str | None = None

    paragraph_id: str = pa.Field(description="The paragraph whose text holds the span.")
    char_start: pl.Int32 = pa.Field(
        ge=0, description="Start of the span (characters, 0-based) in the paragraph text."
    )
    char_end: pl.Int32 = pa.Field(ge=1, description="End (exclusive) in the paragraph text.")

    @pa.dataframe_check(description="char_end - char_start is the length of the spanned text")
    @classmethod
    def span_fits_text(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("char_end") - pl.col("char_start") == pl.col(cls.__span_text__).str.len_chars()
        )


def primary_key(model: type[TaikongModel]) -> str | None:
    """The column that identifies a row: declared `__primary_key__`, else the first
    unique, non-null `*_id` column."""
    declared = getattr(model, "__primary_key__", None)
    if declared:
        return declared
    for name, column in model.to_schema().columns.items():
        if name.endswith("_id") and column.unique and not column.nullable:
            return name
    return None


def grain(model: type[TaikongModel]) -> str:
    """The grain statement: the first line of the model's docstring."""
    return (model.__doc__ or "").strip().splitlines()[0]
