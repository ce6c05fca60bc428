"""The scratch SQLite file GX checks data views in: written batch by batch, values kept."""

from __future__ import annotations

import datetime as dt
import sqlite3

import polars as pl
import pytest

from taikong.io.scratch_sqlite import drop_sqlite_table, scratch_database, write_sqlite_table


def _batches():
    frame = pl.DataFrame(
        {
            "doc_id": pl.Series(["a", "b", None, "a"], dtype=pl.Categorical),
            "n": pl.Series([1, 2, 3, None], dtype=pl.UInt32),
            # Above 2**63: stored as its signed bits, and still distinct from the others.
            "hash": pl.Series([2**64 - 1, 2**63, 5, 5], dtype=pl.UInt64),
            "share": [0.5, float("nan"), None, 1.0],
            "flag": [True, False, None, True],
            "day": [dt.date(2026, 12, 4), None, dt.date(2025, 1, 31), None],
        }
    )
    return [frame.slice(0, 1), frame.slice(1, 0), frame.slice(1, 3)]


def test_a_table_written_in_batches_holds_every_row_and_value():
    with scratch_database("test-") as database:
        rows, columns = write_sqlite_table(database, "view", _batches())
        con = sqlite3.connect(database)
        got = con.execute('SELECT * FROM "view" ORDER BY rowid').fetchall()
        types = {r[1]: r[2] for r in con.execute('PRAGMA table_info("view")')}
        distinct = con.execute('SELECT COUNT(DISTINCT hash) FROM "view"').fetchone()[0]
        con.close()
    assert rows == 4 and columns == ["doc_id", "n", "hash", "share", "flag", "day"]
    assert types == {
        "doc_id": "TEXT",
        "n": "INTEGER",
        "hash": "INTEGER",
        "share": "REAL",
        "flag": "BOOLEAN",
        "day": "DATE",
    }
    assert [r[0] for r in got] == ["a", "b", None, "a"]
    assert [r[1] for r in got] == [1, 2, 3, None]
    assert [r[2] for r in got] == [-1, -(2**63), 5, 5] and distinct == 3
    assert [r[3] for r in got] == [0.5, None, None, 1.0]  # NaN is missing, as in pandas
    assert [r[4] for r in got] == [1, 0, None, 1]
    assert [r[5] for r in got] == ["2026-12-04", None, "2025-01-31", None]
    assert not database.exists()  # scratch: removed when the block ends


def test_a_column_sqlite_cannot_hold_is_named():
    frame = pl.DataFrame({"examples": [["x"]]})
    with scratch_database("test-") as database, pytest.raises(TypeError, match="examples"):
        write_sqlite_table(database, "view", [frame])


def test_batches_of_another_shape_and_no_batch_at_all_are_errors():
    a, b = pl.DataFrame({"x": [1]}), pl.DataFrame({"y": [1]})
    with scratch_database("test-") as database:
        with pytest.raises(ValueError, match="columns"):
            write_sqlite_table(database, "view", [a, b])
        with pytest.raises(ValueError, match="no batch"):
            write_sqlite_table(database, "other", [])


def test_a_dropped_table_leaves_its_pages_to_the_next():
    big = pl.DataFrame({"x": list(range(50_000))})
    with scratch_database("test-") as database:
        write_sqlite_table(database, "first", [big])
        size = database.stat().st_size
        drop_sqlite_table(database, "first")
        write_sqlite_table(database, "second", [big])
        assert database.stat().st_size == size  # the file did not grow
        con = sqlite3.connect(database)
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master")]
        con.close()
    assert names == ["second"]
