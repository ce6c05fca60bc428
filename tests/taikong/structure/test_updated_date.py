"""documents.updated_date from the metadata lines the boilerplate stage recorded."""

import datetime as dt

import polars as pl

from taikong.structure.metadata import updated_dates


def _boilerplate(rows: list[tuple[str, int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["doc_id", "line_no", "text", "reason"], orient="row")


def test_updated_lines_give_the_date_and_published_lines_do_not():
    found = updated_dates(
        _boilerplate(
            [
                ("a", 3, "Published: Dec 01, 2025 08:14 PM", "metadata_timestamp"),
                ("a", 4, "Updated: Dec 02, 2025 09:02 PM", "metadata_timestamp"),
                ("b", 1, "By Li Wen | Daily | Updated: 2026-03-14 16:30", "metadata_byline"),
                ("c", 0, "Updated 16:30, 14-Jul-2026", "metadata_timestamp"),
                ("d", 0, "Published: 2026-08-12", "metadata_timestamp"),
                # A key alone on its line: its value is the next metadata line.
                ("e", 30, "Last Updated", "metadata_timestamp"),
                ("e", 31, "Feb 11, 2025", "metadata_dateline"),
                # Furniture that mentions an update is no metadata line.
                ("f", 9, "Updated: 2026-01-01", "navigation"),
            ]
        )
    )
    assert found == {
        "a": dt.date(2025, 12, 2),
        "b": dt.date(2026, 3, 14),
        "c": dt.date(2026, 7, 14),
        "e": dt.date(2025, 2, 11),
    }
