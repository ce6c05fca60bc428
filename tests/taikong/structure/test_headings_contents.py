"""Contents lists, front-matter headings and markup headings. Every text is invented."""

import textwrap

import polars as pl
from corpus import run_in_memory

PROSE = (
    "The agency launched its first survey satellite in the spring and has since added two "
    "more, which now cover the whole country every four days with a resolution of ten "
    "metres, good enough to map new roads, reservoirs and fields."
)


def _sections(text: str) -> list[tuple]:
    tables, _ = run_in_memory({"d.txt": text})
    return tables, tables.sections.select("heading", "heading_style", "level").rows()


def test_web_white_paper_contents_list_is_recorded_not_sectioned():
    lines = ["Survey Satellites in 2030", "Contents", "Preamble", "I. Aims", "II. Missions"]
    lines += ["Conclusion", "Preamble", PROSE, "I. Aims", PROSE, "II. Missions", PROSE]
    lines += ["Conclusion", PROSE]
    tables, rows = _sections("\n".join(lines) + "\n")
    assert rows == [
        ("Preamble", "unnumbered", 1),
        ("Aims", "roman", 1),
        ("Missions", "roman", 1),
        ("Conclusion", "unnumbered", 1),
    ]
    contents = tables.paragraphs.filter(pl.col("kind") == "contents")["text"].to_list()
    assert contents == ["Contents", "Preamble", "I. Aims", "II. Missions", "Conclusion"]
    # Every heading's span starts after the contents list.
    last_entry = tables.paragraphs.filter(pl.col("kind") == "contents")["raw_end"].max()
    assert (tables.sections["raw_start"] > last_entry).all()


def test_pdf_contents_with_dot_leaders_and_page_numbers():
    body = textwrap.wrap(PROSE * 3, width=80)
    lines = ["TABLE OF CONTENTS", "INTRODUCTION " + "." * 40 + " 1"]
    lines += ["1. Survey Missions " + "." * 38 + " 2", "CONCLUSIONS " + "." * 41 + " 3", ""]
    lines += ["INTRODUCTION", *body, "", "1. Survey Missions", *body, "", "CONCLUSIONS", *body]
    tables, rows = _sections("\n".join(lines) + "\n")
    assert [r[0] for r in rows] == ["INTRODUCTION", "Survey Missions", "CONCLUSIONS"]
    assert tables.paragraphs.filter(pl.col("kind") == "contents").height == 4


def test_a_line_that_only_says_contents_without_entries_is_no_list():
    lines = ["Contents", PROSE, "Foreword", PROSE]
    tables, rows = _sections("\n\n".join(lines) + "\n")
    assert rows == [("Foreword", "unnumbered", 1)]
    assert tables.paragraphs.filter(pl.col("kind") == "contents").is_empty()


def test_wikitext_and_rendered_wiki_headings():
    wikitext = ["= Survey Center =", PROSE, "== History ==", PROSE, "=== Early years ==="]
    wikitext += [PROSE, "== See also ==", "* Other center"]
    _, rows = _sections("\n".join(wikitext) + "\n")
    assert rows == [
        ("History", "markup", 1),
        ("Early years", "markup", 2),
        ("See also", "markup", 1),
    ]
    rendered = ["Survey Center", "Contents", "1 History", "2 Facilities", "History[edit]"]
    rendered += [PROSE, "Facilities[edit]", PROSE]
    tables, rows = _sections("\n".join(rendered) + "\n")
    assert rows == [("History", "markup", 1), ("Facilities", "markup", 1)]
    # The raw span still covers the markup.
    raw = "\n".join(rendered) + "\n"
    first = tables.sections.row(0, named=True)
    assert raw[first["raw_start"] :].startswith("History[edit]")


def test_web_subheading_between_two_paragraphs_and_what_is_not_one():
    second = PROSE.replace("The agency", "A second team")
    lines = ["Survey Satellites Map the Coast", PROSE, "A long road to orbit", second]
    lines += ["Pic.2 The survey satellite in its hall", PROSE, "Dear guests and colleagues,"]
    lines += [second, "Related stories", "Home"]
    _, rows = _sections("\n\n".join(lines) + "\n")
    assert rows == [("A long road to orbit", "unnumbered", 1)]


def test_decimal_subheadings_where_the_numbering_supports_them():
    body = textwrap.wrap(PROSE * 2, width=80)
    lines = ["1. LAUNCH SITES", *body, "1.1 Jiuquan", *body, "1.2 Wenchang", *body]
    lines += ["2 ROCKETS", *body, "2.1 Solid-fuel rockets", *body]
    _, rows = _sections("\n".join(lines) + "\n")
    assert rows == [
        ("LAUNCH SITES", "arabic", 1),
        ("Jiuquan", "decimal", 2),
        ("Wenchang", "decimal", 2),
        # "2 ROCKETS" has no dot, but its subsection "2.1" shows it numbers a section.
        ("ROCKETS", "arabic", 1),
        ("Solid-fuel rockets", "decimal", 2),
    ]


def test_decimal_numbers_without_support_or_in_a_list_are_no_headings():
    body = textwrap.wrap(PROSE * 2, width=80)
    # No parent and no sibling: a number that happens to start a short line.
    lone = [*body, "3.5 Million Viewers", *body]
    # A quantity starts in lower case; a run of numbered lines is a list.
    listed = ["1. LAUNCH SITES", *body, "1.5 tonnes of fuel", *body]
    listed += ["1.1 Jiuquan", "1.2 Wenchang", "1.3 Xichang", *body]
    # An undotted number with no support stays what it was: here an unnumbered heading.
    undotted = [*body, "7 Wonders", *body]
    _, lone_rows = _sections("\n".join(lone) + "\n")
    _, undotted_rows = _sections("\n".join(undotted) + "\n")
    assert undotted_rows == [("7 Wonders", "unnumbered", 1)]
    _, list_rows = _sections("\n".join(listed) + "\n")
    assert lone_rows == []
    assert list_rows == [("LAUNCH SITES", "arabic", 1)]
