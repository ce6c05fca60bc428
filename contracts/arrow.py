"""Derive the polars and pyarrow schemas of a table from its contract.

The contract is the single source of truth: dtypes, nullability and column
descriptions all come from the pandera model, so a column is never typed twice.
"""

from __future__ import annotations

import hashlib
import json

import polars as pl
import pyarrow as pa

from contracts.base import TaikongModel, grain

# polars exports strings as large/view types; the published files use plain UTF-8.
_ARROW_NORMALIZE = {
    pa.large_string(): pa.string(),
    pa.string_view(): pa.string(),
    pa.large_list(pa.large_string()): pa.list_(pa.string()),
    pa.large_list(pa.string_view()): pa.list_(pa.string()),
}


def _arrow_type(polars_dtype: pl.DataType) -> pa.DataType:
    arrow_type = pl.Series([], dtype=polars_dtype).to_arrow().type
    return _ARROW_NORMALIZE.get(arrow_type, arrow_type)


def polars_schema(model: type[TaikongModel], columns: list[str] | None = None) -> dict:
    """Column name -> polars dtype, in contract order (optionally only `columns`)."""
    schema = {name: col.dtype.type for name, col in model.to_schema().columns.items()}
    return schema if columns is None else {c: schema[c] for c in columns}


def as_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """A frame as a table's file holds it: the contract's columns, in its order and types."""
    return frame.select(schema.names).to_arrow().cast(schema)


def arrow_schema(model: type[TaikongModel]) -> pa.Schema:
    """pyarrow schema for a contract: fields in contract order, descriptions as metadata."""
    schema = model.to_schema()
    fields = []
    for name, column in schema.columns.items():
        metadata = {"description": column.description or ""}
        fields.append(
            pa.field(
                name, _arrow_type(column.dtype.type), nullable=column.nullable, metadata=metadata
            )
        )
    return pa.schema(
        fields,
        metadata={
            "taikong.table": model.__table_name__,
            "taikong.grain": grain(model),
            "taikong.schema_version": model.__schema_version__,
            "taikong.description": (model.__doc__ or "").strip(),
        },
    )


def type_name(arrow_type: pa.DataType) -> str:
    """Type as text, ignoring the list item's field name (Parquet renames it 'element')."""
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"list<{type_name(arrow_type.value_type)}>"
    return str(arrow_type)


def schema_hash(schema: pa.Schema) -> str:
    """Hash of the column names, types and nullability (not the prose metadata)."""
    spec = [[f.name, type_name(f.type), f.nullable] for f in schema]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]
