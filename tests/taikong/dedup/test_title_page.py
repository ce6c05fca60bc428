"""A report's title page without blank lines: title, issuing body, author and date are
cut apart, and only the title is the title. Every text is invented."""

import textwrap

import polars as pl
import pytest
from corpus import run_in_memory

PROSE = (
    "The agency launched its first survey satellite in the spring and has since added two "
    "more, which now cover the whole country every four days with a resolution of ten "
    "metres, good enough to map new roads, reservoirs and fields in every province."
)
BODY = textwrap.wrap(PROSE * 4, width=84)


def _title(head: list[str]) -> str | None:
    text = "\n".join(head + ["Preamble", *BODY]) + "\n"
    tables, _ = run_in_memory({"r.txt": text})
    return tables.documents["title"].to_list()[0]


def test_title_above_the_issuing_body_and_the_date():
    head = ["Survey Satellites and Their Uses", "The National Mapping Office of", "the Republic"]
    assert _title(head + ["January 2031"]) == "Survey Satellites and Their Uses"


def test_title_under_an_all_caps_institute_and_above_its_authors():
    head = ["ORBITAL POLICY RESEARCH INSTITUTE", "The Business of Small Launchers"]
    head += ["Lena Park and Omar Haddad", "March 2031"]
    assert _title(head) == "The Business of Small Launchers"


def test_two_line_title_is_kept_whole():
    head = ["SMALL LAUNCHERS IN TRANSITION:", "LESSONS FOR NEW OPERATORS", "Prepared for:"]
    head += ["The Launch Safety Board", "April 2031"]
    assert _title(head) == "SMALL LAUNCHERS IN TRANSITION: LESSONS FOR NEW OPERATORS"


def test_title_page_month_dates_the_report():
    import datetime as dt

    head = [
        "Survey Satellites and Their Uses",
        "The National Mapping Office",
        "October 2030, Lisbon",
    ]
    text = "\n".join(head + ["Preamble", *BODY]) + "\n"
    tables, _ = run_in_memory({"r.txt": text})
    # A month-only date is stored as the first day of that month.
    assert tables.documents["published_date"].to_list() == [dt.date(2030, 10, 1)]


def _page_mark_pages(header: str, pages: int = 3) -> list[str]:
    """Body pages, each closed by a page number and the running header, blank lines
    around them as PDF text gives them."""
    out: list[str] = []
    for n in range(1, pages + 1):
        out += ["", *BODY, "", f"Page {n}", "", header, ""]
    return out


def _labels(text: str) -> tuple[str | None, dict[str, list[str | None]]]:
    """(title, line text -> the boilerplate reasons of its occurrences)."""
    tables, lines = run_in_memory({"r.txt": text})
    out: dict[str, list[str | None]] = {}
    for line, reason in lines.filter(~pl.col("is_blank")).select("text", "bp_reason").iter_rows():
        out.setdefault(line, []).append(reason)
    return tables.documents["title"].to_list()[0], out


def test_colophon_and_the_running_header_over_the_first_body_page():
    head = [
        "ORBITAL POLICY RESEARCH INSTITUTE",
        "The Business of Small Launchers",
        "Lena Park",
        "March 2031",
        "Printed in Portugal by the Orbital Policy Research Institute",
        "",
        "Contents",
        "Overview ........ 1",
        "",
        "Orbital Policy Research Institute",
        "",
        "Overview",
    ]
    text = "\n".join(head + _page_mark_pages("Orbital Policy Research Institute")) + "\n"
    title, labels = _labels(text)
    assert title == "The Business of Small Launchers"
    assert labels["Printed in Portugal by the Orbital Policy Research Institute"] == ["title_page"]
    assert set(labels["Orbital Policy Research Institute"]) == {"running_header"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Printed in orbit, the parts were returned to Earth for testing.",
        "Printed in Toulouse, the panels were flown to the launch site by air.",
    ],
)
def test_a_sentence_about_printing_under_the_title_is_kept(sentence):
    head = ["The Business of Small Launchers", "March 2031", "", "Overview", sentence]
    title, labels = _labels("\n".join(head + ["", *BODY]) + "\n")
    assert title == "The Business of Small Launchers"
    assert labels[sentence] == [None]


def test_title_repeated_as_the_running_header_is_the_title_on_its_title_page():
    title_line = "Survey Satellites and Their Uses"
    head = [title_line, "The National Mapping Office of", "the Republic", "January 2031", ""]
    text = "\n".join(head + ["Preamble", *_page_mark_pages(title_line)]) + "\n"
    title, labels = _labels(text)
    assert title == title_line
    assert labels[title_line][0] is None
    assert set(labels[title_line][1:]) == {"running_header"}
    assert labels["The National Mapping Office of"] == ["title_page"]
    assert labels["the Republic"] == ["title_page"]
