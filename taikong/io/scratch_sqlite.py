"""A scratch SQLite file for frames that a reader checks in SQL (GX's data views).

The file lives in the system's temporary directory (TMPDIR) and is removed when the
`scratch_database` block ends; nothing in it is published. Tables are written batch
by batch, so a frame is never held whole on its way in.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

# Declared column types, by polars dtype: readers (GX, through SQLAlchemy) type their
# queries by them.
_DECLARED = {
    pl.Boolean: "BOOLEAN",
    pl.String: "TEXT",
    pl.Categorical: "TEXT",
    pl.Enum: "TEXT",
    pl.Date: "DATE",
}


@contextmanager
def scratch_database(prefix: str) -> Iterator[Path]:
    """A new, empty SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        database = Path(scratch) / "scratch.sqlite"
        sqlite3.connect(database).close()
        yield database


def declared_type(name: str, dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "INTEGER"
    if dtype.is_float():
        return "REAL"
    if dtype.base_type() in _DECLARED:
        return _DECLARED[dtype.base_type()]
    raise TypeError(f"column {name!r}: {dtype} has no SQLite form")


def write_sqlite_table(
    database: Path, table: str, batches: Iterable[pl.DataFrame]
) -> tuple[int, list[str]]:
    """Write `batches` (one schema) as a new table of the SQLite file; (rows, columns).

    Strings and categoricals become TEXT, dates ISO text, a uint64 (a hash) its bits as
    a signed integer (SQLite's integers are signed 64-bit: distinct values stay
    distinct). A float NaN becomes NULL (SQLite has no NaN): missing, as pandas reads it.
    """
    rows, columns = 0, []
    con = sqlite3.connect(database)
    try:
        # A scratch file: no journal, no fsync.
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        for batch in batches:
            if not columns:
                columns = batch.columns
                declared = ", ".join(
                    f'"{c}" {declared_type(c, t)}' for c, t in batch.schema.items()
                )
                con.execute(f'CREATE TABLE "{table}" ({declared})')
            elif batch.columns != columns:
                raise ValueError(f"{table}: a batch has columns {batch.columns}, not {columns}")
            batch = batch.with_columns(
                pl.col(pl.Categorical, pl.Enum, pl.Date).cast(pl.String),
                pl.col(pl.UInt64).reinterpret(signed=True),
            )
            marks = ", ".join("?" * len(columns))
            con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', batch.iter_rows())
            rows += batch.height
        con.commit()
    finally:
        con.close()
    if not columns:
        raise ValueError(f"{table}: no batch to write, not even an empty one")
    return rows, columns


def drop_sqlite_table(database: Path, table: str) -> None:
    """Drop a table once it is checked: its pages are reused by the next one, so the
    file grows to the largest table, not to all of them."""
    con = sqlite3.connect(database)
    try:
        con.execute(f'DROP TABLE "{table}"')
        con.commit()
    finally:
        con.close()
