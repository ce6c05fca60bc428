"""Titles of web pages and reports, report front matter, and lists whose bullets were lost.

Every document here is invented; each rule also gets a document built to trip it.
"""

import textwrap

import polars as pl
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page, run_in_memory

NBSP = "\u00a0"


def _page(head: list[str], body: list[str], tail: list[str] | None = None) -> str:
    return "\n\n".join(head + body + (tail or [])) + "\n"


def _docs(tables) -> dict[str, dict]:
    return {r["source_path"]: r for r in tables.documents.iter_rows(named=True)}


def _kinds(tables, path: str) -> list[tuple[str, str]]:
    doc_id = _docs(tables)[path]["doc_id"]
    return tables.paragraphs.filter(pl.col("doc_id") == doc_id).select("kind", "text").rows()


# ---- web pages ----------------------------------------------------------------------


def test_title_after_a_breadcrumb_in_its_many_styles():
    pages = {
        "crumbs.txt": _page(
            ["Home > News > Space", "Tracking Ship Returns to Port", "Apr 2, 2022"], LAUNCH_BODY
        ),
        "pipes.txt": _page(
            [f"Home{NBSP * 3}|{NBSP * 3}News{NBSP * 3}|{NBSP * 3}Launches", "Cargo Craft Docks"],
            PROBE_BODY,
        ),
        "slashes.txt": _page(
            ["/   Home   /   Newsroom   /   Research in Space", "Crew Tests New Arm"],
            STATION_BODY,
        ),
        # A site name and a menu without separators come first; the trail is labelled.
        "portal.txt": _page(
            [
                "Lunar Sciences Portal",
                "About Us  Research  Institutes  News",
                "Current Location: Home > News",
                "Rover Wakes After Lunar Night",
                "Source: Lunar Sciences Portal   Date: 14th April 2023",
            ],
            PROBE_BODY,
        ),
    }
    tables, _ = run_in_memory(pages)
    docs = _docs(tables)
    assert {p: d["title"] for p, d in docs.items()} == {
        "crumbs.txt": "Tracking Ship Returns to Port",
        "pipes.txt": "Cargo Craft Docks",
        "slashes.txt": "Crew Tests New Arm",
        "portal.txt": "Rover Wakes After Lunar Night",
    }
    assert docs["portal.txt"]["published_date"].isoformat() == "2023-04-14"
    assert docs["crumbs.txt"]["doc_type"] == "news_article"
    # The title is the one title row; the trail is never a title.
    kinds = _kinds(tables, "crumbs.txt")
    assert [t for k, t in kinds if k == "title"] == ["Tracking Ship Returns to Port"]


def test_a_title_two_articles_share_is_still_their_title():
    # Two different articles of one site with the same headline: the headline repeats
    # across documents like furniture, but it sits in the title slot after the trail.
    same = "Rocket Flies Again"
    pages = {
        "a.txt": news_page(same, "Mar 3, 2024", LAUNCH_BODY),
        "b.txt": news_page(same, "Mar 9, 2024", STATION_BODY),
        "c.txt": news_page("Probe Reaches Orbit", "Mar 12, 2024", PROBE_BODY),
    }
    tables, _ = run_in_memory(pages)
    docs = _docs(tables)
    assert [docs[p]["title"] for p in ("a.txt", "b.txt", "c.txt")] == [
        same,
        same,
        "Probe Reaches Orbit",
    ]
    assert ("title", same) in _kinds(tables, "a.txt")
    assert same not in tables.boilerplate["text"].to_list()
    # The navigation trail stays furniture.
    assert (
        tables.boilerplate.filter(pl.col("text").str.starts_with("Home"))["reason"].to_list()
        == ["repeated_template"] * 3
    )


def test_title_shaped_lines_that_are_not_titles():
    pages = {
        # A headline with a slash looks like a trail; the date after it is no title.
        "slash_title.txt": _page(
            ["Earth / Moon Transfer Orbits Explained", "Jul 4, 2021"], LAUNCH_BODY
        ),
        # A trail followed directly by the article: no title at all.
        "no_title.txt": _page(["Home > News > Space"], PROBE_BODY),
        # A date first: the headline after it is the title, not the date.
        "date_first.txt": _page(["Jul 5, 2021", "Lander Photographs Its Own Shadow"], STATION_BODY),
        # A contact line at the top of a page is not a title.
        "contact_first.txt": _page(["Tel: 010-5550100"], LAUNCH_BODY[1:]),
    }
    tables, _ = run_in_memory(pages)
    titles = {p: d["title"] for p, d in _docs(tables).items()}
    assert titles == {
        "slash_title.txt": "Earth / Moon Transfer Orbits Explained",
        "no_title.txt": None,
        "date_first.txt": "Lander Photographs Its Own Shadow",
        "contact_first.txt": None,
    }
    assert _docs(tables)["no_title.txt"]["doc_type"] == "web_page"


# ---- reports ------------------------------------------------------------------------

_BODY = (
    "The agency flew nine missions in the year under review, more than in any year before, "
    "and it opened a second control room so that two missions can be flown at the same time "
    "without sharing staff. Most of the new work went to the commercial launch companies, "
    "which now carry the smaller science satellites as a matter of routine."
)
_BODY2 = (
    "The review below follows the order of the programme plan and gives for each area the "
    "results of the year, the money spent and the work planned for the next two years."
)


def _report(front: list[str], first_heading: str = " I. Results", width: int = 72) -> str:
    lines = front + [first_heading]
    lines += textwrap.wrap(_BODY, width) + textwrap.wrap(_BODY2, width)
    lines += textwrap.wrap(_BODY.replace("nine", "ten"), width)
    lines += ["", "Institute for Launch Economics", "", "2024", "", "2", ""]
    lines += textwrap.wrap(_BODY2.replace("review", "report"), width)
    lines += [" II. Plans"] + textwrap.wrap(_BODY.replace("nine", "eleven"), width)
    lines += textwrap.wrap(_BODY2.replace("review", "plan"), width)
    return "\n".join(lines) + "\n"


def test_report_title_wrapped_over_two_lines_after_a_running_header():
    text = _report(
        [
            "Institute for Launch Economics",
            "",
            "2024",
            "",
            "Launch Markets in Transition:",
            "A Review of the Commercial Sector",
            "",
            "Institute for Launch Economics (ILE)",
            "",
            "May 2024",
            "",
        ]
    )
    tables, _ = run_in_memory({"r.txt": text})
    doc = tables.documents.row(0, named=True)
    assert doc["doc_type"] == "report"
    assert doc["title"] == "Launch Markets in Transition: A Review of the Commercial Sector"
    assert doc["publisher"] == "Institute for Launch Economics"
    kinds = tables.paragraphs.select("kind", "text").rows()
    assert kinds[0] == ("title", doc["title"])
    # The title page's issuing body and date under the title are metadata, not a
    # heading nor body text: recorded with their reason (and read for the publisher).
    title_page = tables.boilerplate.filter(pl.col("reason") == "title_page")["text"].to_list()
    assert title_page == ["Institute for Launch Economics (ILE)"]
    dated = tables.boilerplate.filter(pl.col("text") == "May 2024")
    assert dated["reason"].to_list() == ["metadata_dateline"]
    assert kinds[1][0] == "paragraph" and kinds[1][1] not in title_page + ["May 2024"]
    assert tables.sections["heading"].to_list() == ["Results", "Plans"]


def test_short_report_title_next_to_the_first_pages_header():
    # A one-line title of a few words right under the first page's "2024" looks like a
    # header block itself; it is said only once, so it is the title.
    text = _report(
        ["Institute for Launch Economics", "", "2024", "", "Reusable Stages", "", "May 2024", ""]
    )
    tables, _ = run_in_memory({"r.txt": text})
    assert tables.documents["title"][0] == "Reusable Stages"
    furniture = dict(zip(tables.boilerplate["line_no"], tables.boilerplate["reason"], strict=True))
    # Both copies of the first page's header are furniture, the top one included.
    assert furniture[0] == "running_header" and furniture[2] == "running_header"
    assert "Reusable Stages" not in tables.boilerplate["text"].to_list()


def test_report_front_matter_names_the_publisher_with_its_acronym():
    # No running header names the organisation (only "ILE 2024" / "- 2 -"), but the
    # front matter does, with the acronym made of its initials.
    text = _report(["Reusable Stages: 2024 Review", "", "Institute for Launch Economics (ILE)", ""])
    text = text.replace(
        "\nInstitute for Launch Economics\n\n2024\n\n2\n", "\nILE 2024\n\n- 2 -\n\n\n"
    )
    tables, _ = run_in_memory({"r.txt": text})
    doc = tables.documents.row(0, named=True)
    assert doc["title"] == "Reusable Stages: 2024 Review"
    assert doc["publisher"] == "Institute for Launch Economics"
    # An acronym that is not the name's initials is not evidence.
    other = text.replace("(ILE)", "(XYZ)")
    tables, _ = run_in_memory({"r.txt": other})
    assert tables.documents["publisher"][0] is None


def test_report_without_front_matter_has_no_title():
    # It opens with a heading followed by its text, or with the body itself.
    heading_first = _report([], first_heading=" Introduction")
    body_first = _report([], first_heading="").replace("\n", "", 1)
    tables, _ = run_in_memory({"a.txt": heading_first, "b.txt": body_first})
    docs = _docs(tables)
    assert docs["a.txt"]["title"] is None and docs["b.txt"]["title"] is None
    assert tables.sections.filter(pl.col("doc_id") == docs["a.txt"]["doc_id"])[
        "heading"
    ].to_list() == ["Introduction", "Plans"]


# ---- lists whose bullets were lost --------------------------------------------------

_LEAD = (
    "The launch company will keep working with its customers abroad in the coming years, "
    "and it will offer them several kinds of support for their own programmes, including:"
)
_ITEM2 = (
    "technical cooperation on whole satellites and on their sub-systems, on spare parts "
    "and electronic components, on ground stations and on other related equipment."
)
_AFTER = (
    "It will give priority to small satellites for weather and farming, which most of its "
    "customers ask for, and it will train their engineers at its own centres for free."
)


def _wrapped(lines: list[str]) -> str:
    return "\n".join([" Services", *lines]) + "\n"


def test_items_after_a_colon_on_a_full_line_are_list_items():
    lead = textwrap.wrap(_LEAD, 86)
    # The fixture is what the test claims: the lead-in's last line is nearly full.
    assert lead[-1].endswith("including:") and len(lead[-1]) > 0.8 * 86
    text = _wrapped(
        lead + ["launching services;"] + textwrap.wrap(_ITEM2, 86) + textwrap.wrap(_AFTER, 86)
    )
    tables, _ = run_in_memory({"r.txt": text})
    assert tables.documents["doc_type"][0] == "report"
    assert tables.paragraphs.select("kind", "text").rows() == [
        ("paragraph", _LEAD),
        ("list_item", "launching services;"),
        ("list_item", _ITEM2),
        ("paragraph", _AFTER),
    ]


def test_sentences_running_on_after_a_colon_are_not_list_items():
    # A colon at a line end, then the sentence goes on in lower case to a full stop.
    run_on = [
        "The review found one clear lesson for the programme after the failed launch in the",
        "spring, and the report stated it in plain words for the crews at all launch sites:",
        "the fuelling crews must follow the written checklist at every step, even when the",
        "schedule is tight.",
    ]
    # A colon at a line end, then a lower-case clause ending in ';' on a full line and
    # running on in lower case: nothing shows where an item would end.
    semicolon_full = [
        "Two changes followed within a month of the report and were announced to the staff:",
        "the checklists were rewritten by the crews themselves with the safety office;",
        "and each step now needs two signatures, one of them from the safety officer.",
    ]
    after = textwrap.wrap(_AFTER, 84)
    # The fixture is what the test claims.
    assert run_on[1].endswith(":") and semicolon_full[0].endswith(":")
    assert len(semicolon_full[1]) > 0.8 * 84
    tables, _ = run_in_memory({"r.txt": _wrapped(run_on + semicolon_full + after)})
    assert tables.paragraphs.select("kind", "text").rows() == [
        ("paragraph", " ".join(run_on)),
        ("paragraph", " ".join(semicolon_full)),
        ("paragraph", _AFTER),
    ]


def test_one_lower_case_paragraph_after_a_colon_is_not_a_list():
    page = _page(
        ["Flight Director Speaks"],
        [
            "Asked about the delay, the flight director said this to the waiting reporters:",
            "we will fly when the weather allows it, and not a day before that.",
            "The launch window opens again on Friday morning.",
        ],
    )
    tables, _ = run_in_memory({"p.txt": page})
    kinds = [k for k, _ in tables.paragraphs.select("kind", "text").rows()]
    assert kinds == ["title", "paragraph", "paragraph", "paragraph"]
