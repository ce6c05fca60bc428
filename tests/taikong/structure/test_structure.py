import datetime as dt
import textwrap

import polars as pl
import pytest
from corpus import (
    LAUNCH_BODY,
    PROBE_BODY,
    REPORT_WITH_PAGE_BREAK,
    STATION_BODY,
    news_page,
    run_in_memory,
)

from taikong.structure.metadata import detect_language, detect_languages, parse_date

REPORT = (
    "\n".join(
        [
            " Foreword",
            "Over the past five years the space agency has expanded its launch capacity, completed a",
            "new series of navigation satellites and sent its first probe beyond the orbit of Mars.",
            "Accordingly this report summarises those results for a general audience.",
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
            "form at sea, with a heavy-lift crane and a well-known recovery ship of the heavy-",
            "lift class;",
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


def test_bullets_are_list_items_and_line_end_hyphens_are_decided(report_tables):
    items = report_tables.paragraphs.filter(pl.col("kind") == "list_item")["text"].to_list()
    # "plat-" + "form" is a word split by the typesetter; "heavy-" + "lift" is a compound
    # that happens to end a line (the document writes "heavy-lift" elsewhere).
    assert items == [
        "Develop a reusable first stage and test its landing on a floating platform at sea, "
        "with a heavy-lift crane and a well-known recovery ship of the heavy-lift class;",
        "Build two new launch pads for commercial companies.",
    ]


def test_rejoined_word_is_an_edit_that_points_at_its_raw_text(report_tables):
    edits = report_tables.edits.to_dicts()
    assert [(e["kind"], e["before"], e["after"], e["rule"]) for e in edits] == [
        ("dehyphenate", "plat-\nform", "platform", "dictionary")
    ]
    (edit,) = edits
    paragraph = report_tables.paragraphs.filter(pl.col("paragraph_id") == edit["paragraph_id"])
    assert paragraph["text"][0][edit["char_start"] : edit["char_end"]] == "platform"
    assert REPORT[edit["raw_start"] : edit["raw_end"]] == "plat-\nform"


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
    # Words are ASCII letters of the lower-cased text; fewer than five decide nothing.
    assert detect_language("THE OF AND TO IN") == "en"
    assert detect_language("the of and to") == "und"
    assert detect_languages(pl.Series(["the rover", "The crew of the station is in orbit."])) == [
        "und",
        "en",
    ]


# ---- reflow of hard-wrapped text -----------------------------------------------------------


def _wrapped(paragraphs: list[str], width: int = 80) -> str:
    lines = [" Overview"]
    for para in paragraphs:
        lines += textwrap.wrap(para, width)
    return "\n".join(lines) + "\n"


FIRST_PARA = (
    "The launch centre on the coast was rebuilt over three years, and its two pads can now "
    "take the heaviest rockets in the national fleet as well as the smaller solid-fuel "
    "vehicles used for commercial customers from around the region and beyond its borders, "
    "most of them small companies that build satellites."
)
SECOND_PARA = (
    "In the next five years the centre will add a third pad, a new fuelling system and a "
    "control building shared with the inland sites, so that launches can follow each other "
    "within days instead of weeks."
)


def test_sentence_ending_on_a_nearly_full_line_still_ends_its_paragraph():
    text = _wrapped([FIRST_PARA, SECOND_PARA])
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if line.endswith("build satellites."))
    # The fixture is what the test claims: the first paragraph's last line is nearly full
    # (longer than 80% of the width), and the next line's first word would have fitted.
    assert len(lines[end]) > 0.8 * 80
    assert len(lines[end]) + 1 + len("In") <= 80
    tables, _ = run_in_memory({"r.txt": text})
    assert tables.paragraphs["text"].to_list() == [FIRST_PARA, SECOND_PARA]


def test_sentence_ending_where_the_next_word_would_not_fit_continues_the_paragraph():
    para = (
        "The agency built a new tracking station near the border with room for ten dishes. "
        "Construction crews finished the first two of them in the spring, and engineers "
        "tested the receivers for several weeks before the first satellite passed overhead "
        "during a night of clear weather."
    )
    text = _wrapped([para, SECOND_PARA], width=82)
    lines = text.splitlines()
    # A sentence ends exactly at a line end, and "Construction" would not have fitted.
    assert lines[1].endswith("ten dishes.")
    assert len(lines[1]) + 1 + len("Construction") > 1.05 * 82
    tables, _ = run_in_memory({"r.txt": text})
    assert tables.paragraphs["text"].to_list() == [para, SECOND_PARA]


def test_numbered_sentence_at_a_line_start_is_not_a_heading():
    text = "\n".join(
        [
            " I. Results",
            "The programme met most of its goals for the period under review, and the agency",
            "listed the main ones in order of importance for the public record:",
            "3. The crew returned safely after a record stay",
            "in orbit, and doctors found them in good health.",
            "2. Ground Stations",
            "The tracking network was extended to two more countries in the southern seas and",
            "now follows every mission from launch to landing without any gap in coverage.",
            "It will grow again next year when the new ship enters service at the port.",
        ]
    )
    tables, _ = run_in_memory({"r.txt": text + "\n"})
    assert tables.sections.select("ordinal", "heading", "level").rows() == [
        ("I", "Results", 1),
        ("2", "Ground Stations", 2),
    ]
    assert (
        "3. The crew returned safely after a record stay in orbit, and doctors found them in good health."
        in tables.paragraphs["text"].to_list()
    )


def test_dash_principles_are_headings_under_their_numbered_section():
    text = "\n".join(
        [
            " I. Aims",
            "1. Principles",
            "The agency follows four principles in all its programmes and in its cooperation.",
            "- Open cooperation",
            "It shares data from its science missions with researchers in every country that",
            "asks for them, free of charge and without delay after each mission has ended.",
            " - Peaceful use",
            "It uses outer space for peaceful purposes only and opposes any arms race there.",
            "2. Plans",
            "It will launch two science satellites and a cargo ship in each of the next years.",
            "- one more item in a plain list;",
            "- and another item in that list.",
        ]
    )
    tables, _ = run_in_memory({"r.txt": text + "\n"})
    sections = tables.sections
    rows = sections.select("heading", "heading_style", "level").rows()
    assert rows == [
        ("Aims", "roman", 1),
        ("Principles", "arabic", 2),
        ("Open cooperation", "dash", 3),
        ("Peaceful use", "dash", 3),
        ("Plans", "arabic", 2),
    ]
    parents = dict(zip(sections["section_id"], sections["heading"], strict=True))
    dash = sections.filter(pl.col("heading_style") == "dash")
    assert {parents[p] for p in dash["parent_id"]} == {"Principles"}
    items = tables.paragraphs.filter(pl.col("kind") == "list_item")["text"].to_list()
    assert items == ["one more item in a plain list;", "and another item in that list."]


INTRO = (
    "The agency works with many partners on the ground and in orbit, and it has signed "
    "agreements with universities, companies and foreign space agencies over the past "
    "decade, each of them with its own part in the work of the coming years:"
)
OUTRO = (
    "The next plan starts in the spring after the parliament has approved the budget, and "
    "the agency will publish its list of partners for the new period soon after that date."
)


def test_lone_bullet_markers_go_to_the_items_that_follow():
    items = [
        "Universities run the science payloads and publish the results of every mission "
        "within a year of its end.",
        "Companies build the smaller satellites and the ground receivers under contracts "
        "that run for five years.",
    ]
    text = "\n".join(
        [" Partners", *textwrap.wrap(INTRO, 80), " •", "•", ""]
        + [line for item in items for line in textwrap.wrap(item, 80)]
        + textwrap.wrap(OUTRO, 80)
    )
    tables, _ = run_in_memory({"r.txt": text + "\n"})
    assert tables.documents["doc_type"][0] == "report"
    kinds = tables.paragraphs.select("kind", "text").rows()
    assert kinds == [
        ("paragraph", INTRO),
        ("list_item", items[0]),
        ("list_item", items[1]),
        ("paragraph", OUTRO),
    ]


def test_items_whose_bullets_were_lost_after_a_lead_in_are_list_items():
    lead_in = (
        "The launch company offers its customers around the world several kinds of service, "
        "including:"
    )
    item = (
        "technical cooperation on whole satellites and on their sub-systems, spare parts, "
        "electronic components and ground equipment for the stations."
    )
    text = "\n".join(
        [" Services", *textwrap.wrap(lead_in, 80), "launch services;", *textwrap.wrap(item, 80)]
        + textwrap.wrap(OUTRO, 80)
    )
    tables, _ = run_in_memory({"r.txt": text + "\n"})
    assert tables.documents["doc_type"][0] == "report"
    assert tables.paragraphs.select("kind", "text").rows() == [
        ("paragraph", lead_in),
        ("list_item", "launch services;"),
        ("list_item", item),
        ("paragraph", OUTRO),
    ]


# ---- metadata ---------------------------------------------------------------------------


def test_news_agency_from_a_credit_or_a_dateline():
    credit = news_page(
        "Probe Reaches Orbit", "Mar 3, 2024", PROBE_BODY[:2] + [PROBE_BODY[2] + " (Reuters)"]
    )
    dateline = news_page(
        "Crew Returns",
        "Mar 5, 2024",
        ["BEIJING, March 4 (Xinhua) -- Three astronauts landed safely in the grassland on Monday."]
        + STATION_BODY[1:],
        site="skyline",
    )
    acronym = news_page(
        "Agency Signs Deal",
        "Mar 6, 2024",
        LAUNCH_BODY + ["The deal was signed by the China National Space Administration (CNSA)"],
    )
    tables, _ = run_in_memory({"a.txt": credit, "b.txt": dateline, "c.txt": acronym})
    agencies = dict(tables.documents.select("source_path", "news_agency").iter_rows())
    assert agencies == {"a.txt": "Reuters", "b.txt": "Xinhua", "c.txt": None}


def test_publisher_acronym_is_derived_from_the_text():
    defined = news_page(
        "Centre Opens Lab",
        "Mar 3, 2024",
        ["The Orbital Materials Laboratory (OML) opened a new clean room on Tuesday."]
        + LAUNCH_BODY,
        site="skyline",
    ).replace("Skyline Media Group", "Institute of Space Physics, Orbital Materials Laboratory")
    used = news_page("Station Grows", "Mar 4, 2024", STATION_BODY + ["The ONN archive has more."])
    unused = news_page("Probe Lands", "Mar 5, 2024", PROBE_BODY, site="skyline")
    tables, _ = run_in_memory({"a.txt": defined, "b.txt": used, "c.txt": unused})
    docs = {r["source_path"]: r for r in tables.documents.iter_rows(named=True)}
    assert docs["b.txt"]["publisher"] == "Orbital News Network"
    assert docs["b.txt"]["publisher_acronym"] == "ONN"  # its initials, used in the text
    assert docs["c.txt"]["publisher"] == "Skyline Media Group"
    assert docs["c.txt"]["publisher_acronym"] is None  # "SMG" never appears
    assert docs["a.txt"]["publisher_acronym"] is None  # "Institute of ..." is not "OML"


def test_publisher_from_a_pdf_running_header():
    tables, _ = run_in_memory({"r.txt": REPORT_WITH_PAGE_BREAK})
    assert tables.boilerplate["reason"].to_list() == ["running_header", "running_header"]
    doc = tables.documents.row(0, named=True)
    assert doc["publisher"] == "Institute for Orbital Policy Studies"
