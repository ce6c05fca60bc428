"""HTML inputs (taikong.ingest.html): the visible text, and the headings of the markup as
the evidence of which lines are headings, through the whole pipeline in memory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from corpus import read_tables

from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.html import HeadingSpan, html_to_text
from taikong.ingest.shards import ingest_files
from taikong.io.memory import MemoryWorkArea
from taikong.runner import InlineExecutor, run_pipeline
from taikong.stages import RunSpec

BODY = [
    "The station's crew marked the anniversary with a series of experiments on board the "
    "core module, officials said on Monday.",
    "Two astronauts stepped outside the orbiting laboratory for six hours to install a new "
    "handrail and replace a faulty camera.",
    "It was the second spacewalk of the current crew, who arrived at the station in the "
    "spring and will stay until late autumn.",
    "Flight directors said the crew would next test a robotic arm that can move between "
    "modules without help from the ground.",
    "Researchers will grow rice and thale cress in a new cabinet to study how plants "
    "respond to weightlessness over a full life cycle.",
]


def _page(body: str) -> str:
    """A pretty-printed page: head with script and style, list navigation, then `body`."""
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n    <title>Orbit News - Tiangong</title>\n"
        "    <style>body { color: red }</style>\n"
        "    <script>var stolen = 1;</script>\n  </head>\n  <body>\n"
        "    <nav><ul>\n      <li><a href='/'>Home</a></li>\n      <li>News</li>\n"
        "      <li>Space</li>\n      <li>Science</li>\n    </ul></nav>\n"
        f"{body}"
        "    <footer>Copyright 2024 Orbit News</footer>\n  </body>\n</html>\n"
    )


# Headings the shape rules alone would miss or misjudge: one ending in "?", an <h3>
# right under its <h2>, and a short heading-shaped paragraph that no element marks.
HEADINGS_PAGE = _page(
    "    <h1>Tiangong Station Completes Its Third Year in Orbit</h1>\n"
    f"    <p>{BODY[0]}</p>\n"
    "    <h2>Who is on board?</h2>\n"
    f"    <p>{BODY[1]}</p>\n"
    "    <p>Mission timeline</p>\n"
    f"    <p>{BODY[2]}</p>\n"
    "    <h2>Experiments planned</h2>\n"
    "    <h3>Life sciences</h3>\n"
    f"    <p>{BODY[3]}</p>\n"
    f"    <p>{BODY[4]}</p>\n"
)
# The <h2>'s words are also a paragraph of their own further down.
REPEATED_PAGE = _page(
    "    <h1>Shenzhou Crew Returns After Six Months</h1>\n"
    f"    <p>{BODY[0]}</p>\n"
    "    <h2>Landing in the desert</h2>\n"
    f"    <p>{BODY[1]}</p>\n"
    f"    <p>{BODY[2]}</p>\n"
    "    <p>Landing in the desert</p>\n"
    f"    <p>{BODY[3]}</p>\n"
    "    <p>Published: March 3, 2024</p>\n"
)

# A headline-shaped <h2> right under the <h1>, where the headline rule would look.
SUBHEAD_PAGE = _page(
    "    <h1>Tiangong Station Completes Its Third Year in Orbit</h1>\n"
    "    <h2>Three years of crews at work</h2>\n"
    f"    <p>{BODY[0]}</p>\n"
    f"    <p>{BODY[1]}</p>\n"
)

# Saved on one line, two menu items right above the <h1>: a run of short lines with it.
ONE_LINE_PAGE = (
    "<!DOCTYPE html><html><head><title>Tianwen &amp; Mars</title>"
    "<style>body { color: red }</style><script>var stolen = 1;</script></head><body>"
    "<nav><ul><li><a href='/'>Home</a></li><li>News</li></ul></nav>"
    "<h1>Tianwen-1 reaches Mars</h1>"
    + "".join(f"<p>{line}</p>" for line in BODY[:3])
    + "<footer>Copyright 2021 CNSA</footer></body></html>"
)


def _release_tables(tmp_path: Path, pages: dict[str, str]) -> dict[str, pl.DataFrame]:
    """The declared pipeline from ingest on, in memory, over `pages` saved in tmp_path."""
    for name, markup in pages.items():
        (tmp_path / name).write_text(markup, encoding="utf-8")
    work = MemoryWorkArea()
    run = RunSpec(
        seeds_dir=tmp_path,
        shard_paths=(tuple(pages),),
        max_bytes=DEFAULT_MAX_BYTES,
        near_duplicate_threshold=DEFAULT_THRESHOLD,
        catalog={},
        input_shas={},
    )
    run_pipeline(InlineExecutor(), work, run)
    return read_tables(work)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """Each page released on its own: what it shows by itself decides its furniture."""
    out = {}
    pages = {"headings.html": HEADINGS_PAGE, "repeated.html": REPEATED_PAGE}
    pages |= {"subhead.html": SUBHEAD_PAGE, "one_line.html": ONE_LINE_PAGE}
    for name, page in pages.items():
        out[name] = _release_tables(tmp_path_factory.mktemp("html"), {name: page})
    return out


def _of(tables: dict[str, dict[str, pl.DataFrame]], table: str, source_path: str) -> pl.DataFrame:
    return tables[source_path][table]


# ---- html_to_text ----------------------------------------------------------------------


def test_heading_spans_point_at_the_headings_in_the_converted_text():
    page = html_to_text(HEADINGS_PAGE)
    found = [(page.text[s.start : s.end], s.level) for s in page.heading_spans]
    assert found == [
        ("Tiangong Station Completes Its Third Year in Orbit", 1),
        ("Who is on board?", 2),
        ("Experiments planned", 2),
        ("Life sciences", 3),
    ]
    assert page.title == "Orbit News - Tiangong"
    assert "var stolen" not in page.text and "color: red" not in page.text


def test_a_line_break_inside_a_heading_keeps_it_one_line():
    page = html_to_text("<html><body><h2>Crew<br>rotation</h2><p>Text.</p></body></html>")
    assert page.heading_spans == [HeadingSpan(0, len("Crew rotation"), 2)]
    assert page.text == "Crew rotation\n\nText.\n"


def test_a_heading_sharing_its_line_keeps_its_own_span():
    # A heading in a table cell is rendered on one line with the next cell.
    page = html_to_text("<table><tr><td><h4>Cell</h4></td><td>next</td></tr></table>")
    (span,) = page.heading_spans
    assert page.text[span.start : span.end] == "Cell" and span.level == 4
    assert "next" in page.text.splitlines()[0]


@pytest.mark.parametrize(
    ("name", "content", "converted"),
    [
        ("saved.txt", "<!DOCTYPE html><html><body><p>Text.</p></body></html>", True),
        ("saved", "\ufeff<!-- saved --><html><body><p>Text.</p></body></html>", True),
        ("page.HTM", "<p>Text.</p>", True),
        ("note.txt", "Use <p> tags in <html> pages.", False),
    ],
)
def test_html_is_known_by_extension_or_content(tmp_path, name, content, converted):
    (tmp_path / name).write_text(content, encoding="utf-8")
    docs, inputs = ingest_files(tmp_path, [name])
    assert inputs["converted_from"].to_list() == ["html" if converted else None]
    assert (docs["raw_text"][0] == "Text.\n") is converted


# ---- through the pipeline ------------------------------------------------------------


def test_markup_headings_are_the_sections(tables):
    sections = _of(tables, "sections", "headings.html").sort("seq")
    documents = _of(tables, "documents", "headings.html")
    raw = documents["raw_text"][0]
    assert documents["title"][0] == "Tiangong Station Completes Its Third Year in Orbit"
    assert sections.select("heading", "heading_style", "level").rows() == [
        ("Who is on board?", "markup", 1),
        ("Experiments planned", "markup", 1),
        ("Life sciences", "markup", 2),
    ]
    # Offsets in the converted text: each section starts at its heading there.
    for heading, start in sections.select("heading", "raw_start").iter_rows():
        assert raw[start : start + len(heading)] == heading
    parents = dict(sections.select("heading", "parent_id").iter_rows())
    ids = dict(sections.select("heading", "section_id").iter_rows())
    assert parents["Life sciences"] == ids["Experiments planned"]


def test_a_paragraph_no_element_marks_stays_a_paragraph(tables):
    paragraphs = _of(tables, "paragraphs", "headings.html")
    assert paragraphs.filter(pl.col("text") == "Mission timeline")["kind"].to_list() == [
        "paragraph"
    ]
    assert set(BODY) <= set(paragraphs["text"].to_list())


def test_script_and_style_are_nowhere_and_navigation_is_recorded(tables):
    for table in ("sections", "paragraphs", "boilerplate"):
        texts = _of(tables, table, "headings.html")
        column = "heading" if table == "sections" else "text"
        assert not texts[column].str.contains("var stolen|color: red|<").any(), table
    documents = _of(tables, "documents", "headings.html")
    assert not documents["raw_text"].str.contains("var stolen|color: red").any()
    boilerplate = _of(tables, "boilerplate", "headings.html")
    navigation = boilerplate.filter(pl.col("reason") == "navigation")["text"].to_list()
    assert navigation == ["* Home", "* News", "* Space", "* Science"]


def test_heading_words_repeated_in_a_paragraph_leave_it_a_paragraph(tables):
    sections = _of(tables, "sections", "repeated.html")
    paragraphs = _of(tables, "paragraphs", "repeated.html")
    assert sections["heading"].to_list() == ["Landing in the desert"]
    repeated = paragraphs.filter(pl.col("text") == "Landing in the desert")
    assert repeated["kind"].to_list() == ["paragraph"]
    # The section spans the paragraph too: it is inside the heading's section.
    assert repeated["section_id"].to_list() == sections["section_id"].to_list()


def test_the_h1_is_the_title_line_and_a_subheading_under_it_a_section(tables):
    paragraphs = _of(tables, "paragraphs", "subhead.html")
    sections = _of(tables, "sections", "subhead.html")
    assert paragraphs.filter(pl.col("kind") == "title")["text"].to_list() == [
        "Tiangong Station Completes Its Third Year in Orbit"
    ]
    assert sections["heading"].to_list() == ["Three years of crews at work"]


def test_the_h1_in_a_run_of_short_lines_is_the_title_and_the_menu_navigation(tables):
    paragraphs = _of(tables, "paragraphs", "one_line.html")
    boilerplate = _of(tables, "boilerplate", "one_line.html")
    assert paragraphs.select("kind", "text").rows() == [
        ("title", "Tianwen-1 reaches Mars"),
        *(("paragraph", line) for line in BODY[:3]),
    ]
    assert boilerplate.select("reason", "text").rows() == [
        ("navigation", "* Home"),
        ("navigation", "* News"),
        ("site_footer", "Copyright 2021 CNSA"),
    ]


def test_a_news_page_with_heading_elements_is_no_encyclopedia_page(tables):
    # A wiki page's dates say when it was edited; a news page's heading elements do not
    # make it one.
    documents = _of(tables, "documents", "repeated.html")
    assert documents.select("doc_type", "published_date").rows() == [
        ("news_article", dt.date(2024, 3, 3))
    ]


@pytest.mark.slow
def test_pretty_printed_pages_pass_the_audit_and_publish(tables, tmp_path):
    from corpus import publish_in_memory

    from taikong.structure.tables import ShardTables

    for name, page_tables in tables.items():
        outcome, _, _ = publish_in_memory(
            {name: ""}, tmp_path / name, "run-1", tables=ShardTables(**page_tables)
        )
        assert outcome.status == "published", (name, outcome.problems)
