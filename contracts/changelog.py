from __future__ import annotations

import pandera.polars as pa

from contracts.base import TaikongModel
from taikong.vocabulary import Change, values


class Changelog(TaikongModel):
    """One row per row added, removed or changed in any table since the predecessor release.

    Rows are matched by each table's stable id (its primary key); a row is "changed"
    when any column both releases share differs. Rows go table by table; against a
    predecessor, sorted by change then key; in a first release (every row added), in
    the table's own order. Not a corpus table: it describes the release itself, so it
    is not part of `contracts.TABLES`.
    """

    __table_name__ = "changelog"
    __schema_version__ = "1.0.0"

    table: str = pa.Field(description="Table the row belongs to.")
    key_column: str = pa.Field(description="Name of the id column the row is matched by.")
    key: str = pa.Field(description="The row's id value.")
    change: str = pa.Field(isin=values(Change), description="added, removed or changed.")
    changed_columns: list[str] = pa.Field(
        description="For changed rows, the shared columns whose value differs; else empty."
    )
