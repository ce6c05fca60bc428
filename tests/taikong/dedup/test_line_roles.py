"""Per-document cues for furniture and metadata lines (taikong.dedup.line_roles), on
invented pages: each rule labels what it should and leaves prose alone."""

import polars as pl
import pytest

from taikong.clean.lines import clean_shard
from taikong.dedup.boilerplate import REASONS
from taikong.dedup.line_roles import ROLE_REASONS, line_role_reasons
from taikong.vocabulary import BoilerplateReason, values

BOILERPLATE_REASONS = values(BoilerplateReason)

BODY = [
    "The new cargo craft docked with the orbiting laboratory early on Sunday morning, "
    "about three hours after it lifted off from the coastal launch site.",
    "It carries fuel, food and scientific equipment for the crew of three who have "
    "lived on the station since the spring.",
    "Engineers said the docking was the fastest so far and that the same approach will "
    "be used for the next two missions.",
]


def _roles(text: str) -> dict[str, str | None]:
    """Line text -> the reason line_roles gives it, for one invented document."""
    docs = pl.DataFrame(
        {"doc_id": ["d1"], "raw_text": [text], "source_path": ["d1.txt"]},
    )
    lines = clean_shard(docs)
    labelled = lines.join(line_role_reasons(lines), on=["doc_id", "line_no"])
    rows = labelled.filter(pl.col("is_blank").not_()).select("text", "role_reason")
    return dict(rows.iter_rows())


WRAPPED_TEXT = (
    "the programme has grown quickly over the last decade and now launches more "
    "satellites each year than ever before while its budget stays modest"
)


def _wrapped_paragraph() -> list[str]:
    """A paragraph hard-wrapped at nine words a line, as PDF text gives it."""
    words = WRAPPED_TEXT.split()
    return [" ".join(words[i : i + 9]) for i in range(0, len(words), 9)]


def _page(head: list[str], tail: list[str], blank: bool = False) -> str:
    sep = "\n\n" if blank else "\n"
    return sep.join([*head, *BODY, *tail]) + "\n"


def test_reasons_are_declared_in_the_contract():
    assert set(ROLE_REASONS) <= set(BOILERPLATE_REASONS)
    # front_matter.py writes the one reason left: a report's title page.
    assert set(REASONS) | {BoilerplateReason.TITLE_PAGE} == set(BOILERPLATE_REASONS)


@pytest.mark.parametrize("blank", [False, True])
def test_head_of_a_page_menus_trail_language_switch_and_metadata(blank):
    roles = _roles(
        _page(
            [
                "Orbit Weekly",
                "News about rockets and stations",
                "Launches",
                "Stations",
                "Science",
                "About Us",
                "English | Deutsch | 中文",
                "Home > Science > Stations",
                "Cargo craft reaches the station in record time",
                "By Mara Quell",
                "Updated: 2025-11-02 09:15",
                "Share: Facebook Twitter WeChat",
            ],
            [],
            blank,
        )
    )
    assert roles["Orbit Weekly"] == "masthead"
    assert roles["News about rockets and stations"] == "masthead"
    assert {roles[x] for x in ["Launches", "Stations", "Science", "About Us"]} == {"navigation"}
    assert roles["English | Deutsch | 中文"] == "language_switch"
    assert roles["Home > Science > Stations"] == "breadcrumb"
    assert roles["By Mara Quell"] == "metadata_byline"
    assert roles["Updated: 2025-11-02 09:15"] == "metadata_timestamp"
    assert roles["Share: Facebook Twitter WeChat"] == "share_bar"
    # The headline and the prose are no furniture.
    assert roles["Cargo craft reaches the station in record time"] is None
    assert all(roles[p] is None for p in BODY)


def test_tail_related_links_footer_and_editor():
    roles = _roles(
        _page(
            ["Cargo craft reaches the station in record time"],
            [
                "Source: Orbit Wire | Editor: Lin Hu",
                "Related Stories",
                "Crew begins third spacewalk of the year",
                "Student experiment grows moss in orbit",
                "BACK TO THE TOP",
                "About Us | Contact Us | Careers",
                "Licence number 0012345",
            ],
        )
    )
    assert roles["Source: Orbit Wire | Editor: Lin Hu"] == "metadata_source"
    assert roles["Related Stories"] == "related_links"
    assert roles["Crew begins third spacewalk of the year"] == "related_links"
    assert roles["BACK TO THE TOP"] == "page_controls"
    assert roles["About Us | Contact Us | Careers"] == "navigation"
    assert roles["Licence number 0012345"] == "page_tail"


def test_what_sits_between_the_body_and_the_footer_is_kept():
    """Attachments, a credit and a link label after the last sentence belong to the
    article: the tail starts at the first line that is furniture by its own evidence."""
    roles = _roles(
        _page(
            ["Cargo craft reaches the station in record time"],
            ["(Cited from the agency's website)", "Mission Handbook.pdf", "Link to the agency:"],
            blank=True,
        )
    )
    for line in [
        "(Cited from the agency's website)",
        "Mission Handbook.pdf",
        "Link to the agency:",
    ]:
        assert roles[line] is None, line


def test_sentences_with_dates_and_by_are_prose():
    roles = _roles(
        _page(
            ["Cargo craft reaches the station in record time"],
            [
                "By 2030, the agency plans to fly a crew to the moon and back.",
                "The craft was launched on 3 March 2025.",
            ],
        )
    )
    assert roles["By 2030, the agency plans to fly a crew to the moon and back."] is None
    assert roles["The craft was launched on 3 March 2025."] is None


def test_datelines_and_key_value_lines_on_their_own():
    roles = _roles(
        _page(
            [
                "Cargo craft reaches the station in record time",
                "WENSHAN, Nov. 2 (Orbit Wire) --",
                "(Orbit Wire) 09:15, November 02, 2025",
            ],
            ["Editor", "Jo Park", "The author is a lecturer in space policy."],
        )
    )
    assert roles["WENSHAN, Nov. 2 (Orbit Wire) --"] == "metadata_dateline"
    assert roles["(Orbit Wire) 09:15, November 02, 2025"] == "metadata_timestamp"
    assert roles["Editor"] == "metadata_source"
    assert roles["Jo Park"] == "metadata_source"
    assert roles["The author is a lecturer in space policy."] == "metadata_byline"


def test_wrapped_report_page_lines_but_not_numbered_headings():
    """Hard-wrapped text: "Page N" and a running title with changing page numbers are
    page furniture; a numbered heading with a year is not, nor is a wrapped line."""
    para = _wrapped_paragraph()
    text = "\n".join(
        [
            "Orbital Review",
            "",
            "I. Plans to 2030",
            *para,
            "",
            "Orbital Review | 2",
            "",
            "Page 2",
            "",
            *para,
            "",
            "Orbital Review | 3",
            "",
            *para,
            "II. Missions Under Way",
            *para,
        ]
    )
    roles = _roles(text)
    assert roles["Orbital Review | 2"] == "running_header"
    assert roles["Orbital Review | 3"] == "running_header"
    assert roles["Page 2"] == "running_header"
    assert roles["I. Plans to 2030"] is None
    assert roles["II. Missions Under Way"] is None
    assert all(roles[p] is None for p in para)


def test_wiki_frame_licence_contact_and_spaced_menu():
    roles = _roles(
        _page(
            ["Home News Launches Stations Video", "Cargo craft reaches the station in record time"],
            [
                "{{Reflist}}",
                "[[Category:Cargo spacecraft]]",
                "Text is available under the Creative Commons Attribution-ShareAlike License.",
                "E-mail: desk@orbit-weekly.example",
            ],
        )
    )
    assert roles["Home News Launches Stations Video"] == "navigation"
    assert roles["{{Reflist}}"] == "wiki_furniture"
    assert roles["[[Category:Cargo spacecraft]]"] == "wiki_furniture"
    assert (
        roles["Text is available under the Creative Commons Attribution-ShareAlike License."]
        == "copyright_notice"
    )
    assert roles["E-mail: desk@orbit-weekly.example"] == "contact_line"


def test_author_note_names_the_byline_author():
    roles = _roles(
        _page(
            ["Cargo craft reaches the station in record time", "by Mara Quell — May 3, 2025"],
            [
                "Mara Quell covers space policy for the weekly. She lives in Oslo.",
                "Mara Quell's team also tracked the craft from the ground, the agency said.",
            ],
        )
    )
    assert roles["by Mara Quell — May 3, 2025"] == "metadata_byline"
    assert roles["Mara Quell covers space policy for the weekly. She lives in Oslo."] == (
        "metadata_byline"
    )
    assert (
        roles["Mara Quell's team also tracked the craft from the ground, the agency said."] is None
    )


def test_wrapped_disclaimer_runs_to_the_end_of_its_sentence():
    para = _wrapped_paragraph()
    text = "\n".join(
        [
            "Orbital Review",
            "",
            "The views expressed in this review are those of the authors and do not",
            "necessarily reflect the position of the institute or its",
            "sponsors.",
            "This sentence after the disclaimer is text again.",
            "",
            *para,
            "",
            *para,
            "",
            *para,
        ]
    )
    roles = _roles(text)
    assert roles["necessarily reflect the position of the institute or its"] == "disclaimer"
    assert roles["sponsors."] == "disclaimer"
    assert roles["This sentence after the disclaimer is text again."] is None


def test_revision_stamps_with_or_without_on_but_not_prose_about_updates():
    roles = _roles(
        _page(
            ["Cargo craft reaches the station in record time"],
            [
                "The docking plan was last updated in 2024 after a review.",
                "This page was last modified 10:15, 4 May 2025.",
                "This page was last edited on 3 May 2025, at 16:30 (UTC).",
            ],
        )
    )
    assert roles["This page was last modified 10:15, 4 May 2025."] == "metadata_timestamp"
    assert roles["This page was last edited on 3 May 2025, at 16:30 (UTC)."] == "metadata_timestamp"
    assert roles["The docking plan was last updated in 2024 after a review."] is None


def _page_roles(head: list[str], tail: list[str]) -> dict[str, str | None]:
    """The roles of a page with one paragraph per line: `head`, the body, `tail`."""
    return _roles(_page(head, tail))


def test_widget_messages_are_the_share_bar_and_prose_about_likes_stays():
    like_prose = "Thank you for liking our launch photos, the agency wrote to the students."
    roles = _page_roles(
        ["Probe reaches the far side", "Updated: 2025-11-02 09:15"],
        [
            "Thank you for liking",
            "You have already liked this page, you can only like it once!",
            "Was this article helpful?",
            like_prose,
        ],
    )
    assert roles["Thank you for liking"] == "share_bar"
    assert roles["You have already liked this page, you can only like it once!"] == "share_bar"
    assert roles["Was this article helpful?"] == "share_bar"
    # The widget's words, then more than what they are about: prose.
    assert roles[like_prose] is None


def test_trust_note_promotions_and_newsletter_box_are_page_controls():
    join_prose = (
        "Join the effort to track debris, the agency urged amateur astronomers in the "
        "region, who already report dozens of objects every month."
    )
    roles = _page_roles(
        ["Probe reaches the far side", "Updated: 2025-11-02 09:15", "Why you can trust Orbit"],
        [
            join_prose,
            "Join our community forums to talk about the latest launches and more!",
            "Sign up for the Orbit Weekly newsletter",
            "The week's launches, landings and dockings, straight to your inbox.",
        ],
    )
    assert roles["Why you can trust Orbit"] == "page_controls"
    assert roles["Join our community forums to talk about the latest launches and more!"] == (
        "page_controls"
    )
    assert roles["Sign up for the Orbit Weekly newsletter"] == "page_controls"
    assert roles["The week's launches, landings and dockings, straight to your inbox."] == (
        "page_controls"
    )
    assert roles[join_prose] is None


def test_print_edition_note_and_publisher_group_are_the_page_tail():
    part_of_prose = (
        "The lander is part of a group of missions that the agency will fly to the "
        "south pole of the moon before the end of the decade."
    )
    roles = _page_roles(
        ["Probe reaches the far side", "Updated: 2025-11-02 09:15"],
        [
            part_of_prose,
            "A version of this article appears in print on May 3, 2025, with the headline: "
            "Probe reaches the far side",
            "Orbit Weekly is part of Star Media Ltd, a media group and digital publisher.",
        ],
    )
    note = (
        "A version of this article appears in print on May 3, 2025, with the headline: "
        "Probe reaches the far side"
    )
    assert roles[note] == "page_tail"
    assert (
        roles["Orbit Weekly is part of Star Media Ltd, a media group and digital publisher."]
        == "page_tail"
    )
    assert roles[part_of_prose] is None


def test_wiki_tagline_under_the_title():
    roles = _page_roles(
        [
            "Cargo craft",
            "From Wikipedia, the free encyclopedia",
            "From Wikibooks, open books for an open world",
        ],
        ["From Earth, the craft looks like a bright star, the team said on Monday night."],
    )
    assert roles["From Wikipedia, the free encyclopedia"] == "wiki_furniture"
    assert roles["From Wikibooks, open books for an open world"] == "wiki_furniture"
    assert (
        roles["From Earth, the craft looks like a bright star, the team said on Monday night."]
        is None
    )


def test_bare_name_byline_its_place_and_its_author_note():
    roles = _page_roles(
        [
            "Cargo craft reaches the station in record time",
            "Engineers used a faster approach that saves fuel and crew time",
            "Mara Quell",
            "in Oslo",
            "Published: 9:15am, 2 Nov 2025",
        ],
        ["Mara Quell is a science reporter with the weekly, covering space."],
    )
    assert roles["Mara Quell"] == "metadata_byline"
    assert roles["in Oslo"] == "metadata_dateline"
    assert roles["Mara Quell is a science reporter with the weekly, covering space."] == (
        "metadata_byline"
    )


def test_name_shaped_lines_without_a_byline_neighbour_stay():
    roles = _page_roles(
        ["Cargo craft docks with the station", "Long March", "in Orbit"],
        ["Mara Quell is a science reporter with the weekly, covering space."],
    )
    # No date under the name and the place: a heading, not a byline.
    assert roles["Long March"] is None
    assert roles["in Orbit"] is None
    # No byline names her: the sentence is prose.
    assert roles["Mara Quell is a science reporter with the weekly, covering space."] is None


def test_outlet_name_between_the_date_and_the_share_bar():
    roles = _page_roles(
        [
            "Cargo craft reaches the station in record time",
            "Updated 16:30, 14-Jul-2026",
            "Orbit TV",
            "Share Copied",
        ],
        [],
    )
    assert roles["Orbit TV"] == "metadata_source"
    assert all(roles[p] is None for p in BODY)


def test_bare_name_and_role_over_the_date_line_and_a_from_key():
    roles = _page_roles(
        [
            "Cargo craft reaches the station in record time",
            "Mara Quell",
            "Senior Science Correspondent",
            "Published: 9:15am, 2 Nov 2025",
            "From: Orbit Safety Office",
        ],
        ["Join Orbit's Telegram channel for the latest launch news."],
    )
    assert roles["Mara Quell"] == "metadata_byline"
    assert roles["Senior Science Correspondent"] == "metadata_byline"
    assert roles["From: Orbit Safety Office"] == "metadata_source"
    assert roles["Join Orbit's Telegram channel for the latest launch news."] == "page_controls"


def test_section_label_in_capitals_under_the_menu():
    roles = _page_roles(
        [
            "NEWS | VOICES | FEATURES | VIDEO",
            "TECH & SCIENCE",
            "Cargo craft reaches the station in record time",
        ],
        [],
    )
    assert roles["TECH & SCIENCE"] == "navigation"
    assert roles["Cargo craft reaches the station in record time"] is None


def test_mixed_case_line_under_the_menu_is_no_section_label():
    roles = _page_roles(
        ["NEWS | VOICES | FEATURES | VIDEO", "Crew Returns", "Updated: 2025-11-02 09:15"], []
    )
    assert roles["Crew Returns"] is None


def _lexicon_lines() -> list[str]:
    """Lines made of lexicon entries (alone, in pairs, cased, behind bullets and bars)
    and lines that only start like one."""
    from taikong.dedup.line_roles import _ONLY_WORDS_LEXICONS, lexicon

    entries = sorted({e for n in _ONLY_WORDS_LEXICONS for e in lexicon(n)})
    lines = []
    for i, entry in enumerate(entries):
        other = entries[(i * 7 + 3) % len(entries)]
        lines += [
            entry,
            entry.upper(),
            f"• {entry.title()}",
            f"{entry} | {other}",
            f"{other}  {entry}",
            f"{entry} the launch was delayed",
            f"(c) {entry}",
            f"7{entry}",
        ]
    return lines + ["", "2024", "- 3 -", "The crew returned on Sunday."]


def test_the_only_words_prefilter_keeps_every_line_made_of_entries():
    # The rules evaluate the word-list test only on lines the cheap test lets through:
    # it must let through every line the full test accepts.
    from taikong.dedup.line_roles import (
        _ONLY_WORDS_LEXICONS,
        ONLY_WORDS_COLUMNS,
        _may_be_only_words,
        _only_words_of,
    )

    frame = pl.DataFrame({"text": _lexicon_lines()})
    text = pl.col("text")
    flags = frame.select(
        _may_be_only_words(text, *_ONLY_WORDS_LEXICONS).alias("may"),
        *(_only_words_of(text, *names).alias(c) for c, names in ONLY_WORDS_COLUMNS.items()),
    )
    for column in ONLY_WORDS_COLUMNS:
        accepted = flags.filter(pl.col(column))
        assert accepted.height > 0, column  # the corpus exercises the test
        assert accepted["may"].all(), frame.filter(flags[column] & ~flags["may"])
    # ... and it does filter: prose is let through only when it starts with an entry.
    assert flags["may"].sum() < frame.height
