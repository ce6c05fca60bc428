"""Published dates: the date forms datelines and timestamps write, the day/month order of
numbers-only dates, and the lines that date something else. Every text is invented."""

import datetime as dt

import polars as pl
import pytest

from taikong.structure.metadata import (
    date_in,
    day_first_by_doc,
    day_first_evidence,
    published_dates,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Updated 09:05, 03-Mar-2027", dt.date(2027, 3, 3)),
        ("Posted 21/Sep/2027", dt.date(2027, 9, 21)),
        ("2027-October-05 11:20 By: Orbit News", dt.date(2027, 10, 5)),
        ("Portal | 2027-06-18 14:22:10 | Print | Share", dt.date(2027, 6, 18)),
        ("2027/6/8", dt.date(2027, 6, 8)),
        ("Jun 27, 2027", dt.date(2027, 6, 27)),
        # A part above 12 can only be the day, whichever comes first.
        ("28/01/2027", dt.date(2027, 1, 28)),
        ("01/28/2027", dt.date(2027, 1, 28)),
        ("07/07/2027", dt.date(2027, 7, 7)),
        ("31-Feb-2027", None),
        ("no date here, only 16:30", None),
    ],
)
def test_date_forms(text, expected):
    assert date_in(text) == expected


def test_an_ambiguous_numbers_only_date_needs_the_documents_evidence():
    assert date_in("05/02/2027") is None
    assert date_in("05/02/2027", day_first=True) == dt.date(2027, 2, 5)
    assert date_in("05/02/2027", day_first=False) == dt.date(2027, 5, 2)


@pytest.mark.parametrize(
    ("all_text", "body", "expected"),
    [
        # Another numbers-only date with a day above 12 decides, either way.
        ("05/02/2027\nRelated: 28/01/2027", "", True),
        ("05/02/2027\nRelated: 01/28/2027", "", False),
        # Two such dates that disagree are no evidence.
        ("05/02/2027\n28/01/2027\n01/28/2027", "", None),
        # Written dates: more day-first than month-first.
        ("05/02/2027\nLaunched on 3 March 2027 and 9 May 2027.", "", True),
        ("05/02/2027\nLaunched on March 3, 2027.", "", False),
        # Thousands grouped with spaces in the body (SI / European style).
        ("05/02/2027", "an orbit reaching 121 000 km from Earth", True),
        # Commas group thousands in the UK and the US alike: no evidence.
        ("05/02/2027", "an orbit reaching 121,000 km from Earth", None),
        # A year and a count side by side are no grouping.
        ("05/02/2027", "selected in 2015 from 13 proposals", None),
        ("05/02/2027", "", None),
    ],
)
def test_day_first_evidence(all_text, body, expected):
    assert day_first_evidence(all_text, body) is expected


def _lines(rows: list[tuple[str, int, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["doc_id", "line_no", "text", "bp_reason"], orient="row"
    ).with_columns(pl.col("text").str.split(" ").list.len().alias("n_words"))


def test_day_first_is_read_for_the_documents_with_a_numbers_only_date():
    lines = _lines(
        [
            ("a", 0, "05/02/2027", "metadata_timestamp"),
            ("a", 1, "Launched on 3 March 2027 and 9 May 2027.", None),
            ("b", 0, "Posted 3 March 2027", "metadata_timestamp"),
            ("b", 1, "an orbit reaching 121 000 km", None),
            ("c", 0, "Updated 05/02/2027", None),
            ("c", 1, "Related: 01/28/2027", None),
            ("d", 0, "05/02/2027", None),
        ]
    )
    # "b" would read day first, but it has no numbers-only date to read.
    assert day_first_by_doc(lines) == {"a": True, "c": False, "d": None}


def test_published_date_lines():
    long_toolbar = (
        "Portal | 2027-06-18 14:22:10 | Feedback | Print | RSS | Email | Favorite | Share"
    )
    found = published_dates(
        _lines(
            [
                # A long tool bar the line roles recorded as a timestamp dates the page.
                ("a", 0, long_toolbar, "metadata_timestamp"),
                # The same line unlabelled: its dated cell is short.
                ("b", 0, long_toolbar, None),
                ("b", 5, "Updated 09:05, 03-Mar-2027", "metadata_timestamp"),
                # A revision stamp and a reference entry date something else.
                ("c", 3, '^ "Relay craft reaches orbit". Space Weekly. 25 March 2027.', None),
                ("c", 9, "This page was last edited on 3 May 2028, at 16:30 (UTC).", None),
                ("d", 2, "Last modified: 4 May 2028", "metadata_timestamp"),
                # A bar of short cells, one dated, however long the bar, unlabelled.
                ("e", 1, "Updated: 03-Mar-2027 16:15 | Editor: Gu Yan | " + "Share: " * 8, None),
                # A long sentence with a date is no dateline.
                ("f", 1, "The agency said on 3 March 2027 that the probe " + "flew on " * 6, None),
            ]
        )
    )
    assert dict(found.iter_rows()) == {
        "a": long_toolbar,
        "b": long_toolbar,
        "e": "Updated: 03-Mar-2027 16:15 | Editor: Gu Yan | " + "Share: " * 8,
    }
