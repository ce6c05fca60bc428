"""Web headlines that are not on the first line: after menus, section labels and tool
bars, above the byline or date line that opens the article. Every page here is invented."""

import polars as pl
from corpus import LAUNCH_BODY, PROBE_BODY, run_in_memory

from taikong.structure.metadata import title_text


def _titles(pages: dict[str, str]) -> dict[str, str | None]:
    tables, _ = run_in_memory(pages)
    docs = tables.documents.select("source_path", "title").rows()
    return dict(docs)


def _page(head: list[str], body: list[str]) -> str:
    return "\n".join(head + body + ["About Us", "Contact Us"]) + "\n"


def test_headline_after_navigation_section_label_and_tool_bar():
    pages = {
        # one item per line, an all-caps section label, then the headline above a byline
        "a.txt": _page(
            ["Home", "World", "Science", "SPACE / ROCKETS", "Small rocket lifts three satellites"]
            + ["By Ana Ruiz", "Published: Mar 03, 2026 09:10 AM"],
            LAUNCH_BODY,
        ),
        # a menu on one line (items two spaces apart), headline, "updatetime:" line
        "b.txt": _page(
            ["Home  News  Features  Video  Contact", "Lunar probe lowers its orbit again"]
            + ["updatetime:2026-04-02 10:44:34   Views:12"],
            PROBE_BODY,
        ),
        # a tool bar with bars and a timestamp, a ">>" breadcrumb, no metadata line
        "c.txt": _page(
            ["Orbit.example | 2026-04-05 08:00:00 | Print | Email | Share", "Home >> Science"]
            + ["Second probe reaches its parking orbit"],
            PROBE_BODY,
        ),
    }
    assert _titles(pages) == {
        "a.txt": "Small rocket lifts three satellites",
        "b.txt": "Lunar probe lowers its orbit again",
        "c.txt": "Second probe reaches its parking orbit",
    }


def test_standfirst_and_byline_under_the_headline_are_not_the_title():
    head = [
        "Skip to main content",
        "Science",
        "Rocket builder tests a reusable first stage at sea",
        "The trial will show whether the booster can land on a barge in rough water next year",
        "Lena Park",
        "in Shanghai",
        "Published: 5:00pm, 8 Feb 2026",
    ]
    pages = {"a.txt": _page(head, LAUNCH_BODY)}
    assert _titles(pages) == {"a.txt": "Rocket builder tests a reusable first stage at sea"}


def test_title_with_a_date_in_it_and_a_labelled_repeat():
    pages = {
        "a.txt": _page(
            [
                "Home > Press > Briefings",
                "Agency Spokesperson Wang Li's Regular Briefing on March 4, 2026",
            ]
            + ["2026-03-04 20:15"],
            LAUNCH_BODY,
        ),
        "b.txt": _page(
            ["Government > Papers", "Our Space Science Plan in 2030"]
            + ["Full Text: Our Space Science Plan in 2030", "Portal.example, October 12, 2030"],
            PROBE_BODY,
        ),
    }
    assert _titles(pages) == {
        "a.txt": "Agency Spokesperson Wang Li's Regular Briefing on March 4, 2026",
        "b.txt": "Our Space Science Plan in 2030",
    }


def test_title_text_takes_off_markup_and_site_suffixes():
    assert title_text("= Sea Launch Center =") == "Sea Launch Center"
    assert title_text("Probe lands on the moon | Orbit News") == "Probe lands on the moon"
    assert title_text("Probe lands - Daily Orbit", ("Daily Orbit Media Group",)) == "Probe lands"
    # A dash without the site's name is part of the title.
    assert title_text("Earth - Moon transfer orbit") == "Earth - Moon transfer orbit"
    assert title_text(None) is None


def test_wiki_title_markup_is_the_title():
    text = "= Sea Launch Center =\n" + "\n".join(LAUNCH_BODY) + "\n== History ==\n"
    text += "\n".join(PROBE_BODY) + "\n"
    tables, _ = run_in_memory({"w.txt": text})
    assert tables.documents["title"].to_list() == ["Sea Launch Center"]
    assert pl.Series(tables.paragraphs.filter(pl.col("kind") == "title")["text"]).to_list() == [
        "= Sea Launch Center ="
    ]
