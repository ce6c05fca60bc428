"""A report's title page without blank lines: title, issuing body, author and date are
cut apart, and only the title is the title. Every text is invented."""

import textwrap

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
