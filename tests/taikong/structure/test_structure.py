import datetime as dt

import polars as pl
import pytest
from corpus import run_in_memory

from taikong.structure.tables import detect_language, parse_date

REPORT = (
    "\n".join(
        [
            " Foreword",
            "Over the past five years the space agency has expanded its launch capacity, completed a",
            "new series of navigation satellites and sent its first probe beyond the orbit of Mars.",
            "This report summarises those results for a general audience.",
            " I. Launch Capacity",
            "1. Vehicles",
            "The medium-lift rocket flew twelve times, and a new heavy-lift design passed its first",
            "full-scale engine tests on the ground. 2. This sentence begins with a number but it",
            "is the middle of a paragraph and never a heading of its own.",
            "(1) Solid rockets",
            "Solid-fuel vehicles were used for rapid launches of small payloads from mobile pads and",
            "from a ship at sea, which gave operators more freedom in choosing a launch window.",
            "(2) Liquid rockets",
            "Liquid-fuel vehicles carried the heavier navigation satellites.",
            "In the next five years the agency will:",
            "• Develop a reusable first stage and test its landing on a floating plat-",
            "form at sea;",
            "• Build two new launch pads for commercial companies.",
            "2. Launch Sites",
            "1 launch site on the coast was upgraded with a new fuelling system last year, and the",
            "other inland sites now share one control centre.",
            " II. Science",
            "1. Vehicles",
            "Science missions also used the medium-lift rocket for the two new observatories.",
            " Closing Remarks",
            "The agency will keep working with partners abroad on all of these programs.",
        ]
    )
    + "\n"
)


@pytest.fixture(scope="module")
def report_tables():
    tables, _ = run_in_memory({"report.txt": REPORT})
    return tables


def test_section_tree_levels_and_parents(report_tables):
    s = report_tables.sections.sort("seq")
    rows = s.select("ordinal", "heading", "level").rows()
    assert rows == [
        (None, "Foreword", 1),
        ("I", "Launch Capacity", 1),
        ("1", "Vehicles", 2),
        ("(1)", "Solid rockets", 3),
        ("(2)", "Liquid rockets", 3),
        ("2", "Launch Sites", 2),
        ("II", "Science", 1),
        ("1", "Vehicles", 2),
        (None, "Closing Remarks", 1),
    ]
    by_id = {r["section_id"]: r for r in s.iter_rows(named=True)}
    parent = {
        r["heading"] + str(r["seq"]): by_id[r["parent_id"]]["heading"] if r["parent_id"] else None
        for r in s.iter_rows(named=True)
    }
    assert parent["Solid rockets4"] == "Vehicles"
    # The same heading under two parents gives two sections with different parents.
    vehicles = s.filter(pl.col("heading") == "Vehicles")
    assert vehicles["parent_id"].n_unique() == 2


def test_numbered_sentences_are_not_headings(report_tables):
    headings = report_tables.sections["heading"].to_list()
    assert not any("begins with a number" in h for h in headings)
    assert not any(h.startswith("launch site on the coast") for h in headings)


def test_wrapped_lines_reflow_into_whole_paragraphs(report_tables):
    p = report_tables.paragraphs
    texts = p["text"].to_list()
    assert (
        "The medium-lift rocket flew twelve times, and a new heavy-lift design passed its first "
        "full-scale engine tests on the ground. 2. This sentence begins with a number but it "
        "is the middle of a paragraph and never a heading of its own."
    ) in texts
    assert texts[0].startswith("Over the past five years") and texts[0].endswith(
        "general audience."
    )
    # No paragraph ends mid-sentence because a line was wrapped.
    body = p.filter(pl.col("kind") == "paragraph")["text"].to_list()
    assert all(t.rstrip()[-1] in ".:;" for t in body), body


def test_bullets_are_list_items_and_line_end_hyphen_is_joined(report_tables):
    items = report_tables.paragraphs.filter(pl.col("kind") == "list_item")["text"].to_list()
    assert items == [
        "Develop a reusable first stage and test its landing on a floating plat-form at sea;",
        "Build two new launch pads for commercial companies.",
    ]


def test_every_paragraph_belongs_to_its_innermost_section(report_tables):
    p = report_tables.paragraphs.join(
        report_tables.sections.select("section_id", "heading"), on="section_id"
    )
    liquid = p.filter(pl.col("heading") == "Liquid rockets")
    assert liquid.height == 4  # one paragraph, the lead-in line, two bullets


def test_offsets_trace_back_to_raw_text(report_tables):
    raw = report_tables.documents["raw_text"][0]
    for row in report_tables.paragraphs.iter_rows(named=True):
        source = " ".join(raw[row["raw_start"] : row["raw_end"]].split())
        first_word = row["text"].split()[0]
        assert first_word in source
        assert source.endswith(row["text"].split()[-1])


def test_web_page_title_dateline_caption_and_attachment():
    page = (
        "\n\n".join(
            [
                "Rover Finds Layered Rock in Crater Wall...",
                "Jul 4, 2021",
                "The rover photographed layered rock in the crater wall and sent the images home on Friday.",
                "Pic.1 The crater wall seen from the rover",
                "Scientists say the layers were laid down by water over millions of years.",
                "Survey Results.pdf",
            ]
        )
        + "\n"
    )
    tables, _ = run_in_memory({"page.txt": page})
    kinds = tables.paragraphs.select("kind", "text").rows()
    assert kinds[0] == ("title", "Rover Finds Layered Rock in Crater Wall...")
    assert ("caption", "Pic.1 The crater wall seen from the rover") in kinds
    assert ("attachment", "Survey Results.pdf") in kinds
    doc = tables.documents.row(0, named=True)
    assert doc["title_truncated"] is True
    assert doc["published_date"] == dt.date(2021, 7, 4)
    assert doc["doc_type"] == "news_article"
    assert doc["language"] == "en"


def test_catalog_wins_over_extraction():
    page = "Short Title\n\nJan 2, 2020\n\nThe body of the page says something long enough to be a real paragraph here.\n"
    tables, _ = run_in_memory(
        {"p.txt": page},
        catalog={"p.txt": {"title": "Catalog Title", "published_date": "2019-12-31"}},
    )
    doc = tables.documents.row(0, named=True)
    assert doc["title"] == "Catalog Title"
    assert doc["published_date"] == dt.date(2019, 12, 31)
    assert doc["catalog_fields"] == ["published_date", "title"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jun 27, 2013", dt.date(2013, 6, 27)),
        ("29th May 2018", dt.date(2018, 5, 29)),
        ("2020-02-29", dt.date(2020, 2, 29)),
        ("September 3 2019", dt.date(2019, 9, 3)),
        ("31st February 2020", None),
        ("sometime", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_detect_language():
    assert (
        detect_language("The rover found rock that was laid down by water in the crater.") == "en"
    )
    assert (
        detect_language("Der Rover fand Gestein im Krater und schickte Bilder zur Erde zurück.")
        == "und"
    )
