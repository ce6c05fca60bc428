"""Hyphens at line ends and hyphens lost when an extractor merged two lines.

Every document here is invented. A "merged line" is what some PDF extractors produce
when a line ended in a hyphen: the hyphen and the line break vanish and the line runs
on to about twice the text width, with a glued word where the first line ended.
"""

from __future__ import annotations

import textwrap

import polars as pl
import pytest

from taikong.clean.hyphens import (
    DocumentForms,
    as_extracted,
    is_word,
    junction_decision,
    line_end_decision,
)
from taikong.clean.lines import clean_shard

DOC = "c" * 16

FILLER = (
    "The agency said the programme had made steady progress during the year, with new "
    "launch pads finished on the coast, two relay satellites placed in orbit and a series "
    "of ground tests of the heavy engines completed ahead of schedule. Engineers expect "
    "the next flights to carry larger payloads and to return more data from the far side "
    "of the moon than any earlier mission, while the ground network is extended to more "
    "stations abroad. A training centre for crews from partner countries opened in the "
    "autumn, and the first classes studied orbital mechanics, life support and the repair "
    "of equipment during long stays on the station."
)
# Exactly 71 characters: the first physical line of the merged line.
FIRST = "Officials added that the coming year would see the first flights of the"


def merged_report(glued: str, evidence: str = "", first: str = FIRST) -> str:
    """A hard-wrapped report whose seventh line is two lines merged at `glued`."""
    lines = textwrap.wrap(FILLER, 78)
    merged = f"{first} {glued} rockets, after a long series of ground tests at the inland site."
    tail = textwrap.wrap(evidence, 78) if evidence else []
    return "\n".join(lines[:6] + [merged] + lines[6:] + tail) + "\n"


def restored(text: str) -> list[dict]:
    lines = clean_shard(pl.DataFrame({"doc_id": [DOC], "raw_text": [text]}))
    edits = lines.select("line_edits").explode("line_edits").drop_nulls()
    # Hyphen edits carry no raw span of their own (tables align it).
    return edits.unnest("line_edits").drop("raw_start", "raw_end").to_dicts()


def test_fixture_line_is_merged_and_its_junction_is_near_one_text_width():
    text = merged_report("newgeneration")
    lengths = [len(line) for line in text.splitlines()]
    assert len(lengths) >= 8
    width = sorted(lengths)[int(0.9 * (len(lengths) - 1))]  # p90, as clean computes it
    merged = max(lengths)
    assert len(FIRST) == 71
    assert merged > 1.2 * width  # the line really is two lines
    junction = len(FIRST) + 1 + len("new") + 1  # where "new-" ended the first line
    assert 0.7 * width <= junction <= 1.1 * width


def test_glued_word_the_document_hyphenates_elsewhere_gets_its_hyphen_back():
    text = merged_report("newgeneration", "It also tested new-generation engines in March.")
    assert restored(text) == [
        {
            "start": len(FIRST) + 1,
            "before": "newgeneration",
            "after": "new-generation",
            "kind": "restore_hyphen",
            "rule": "document_form",
        }
    ]
    lines = clean_shard(pl.DataFrame({"doc_id": [DOC], "raw_text": [text]}))
    assert lines["text"].str.contains("first flights of the new-generation rockets").any()


def test_a_repaired_line_keeps_what_it_said_and_shows_it_where_its_role_asks():
    text = merged_report("newgeneration", "It also tested new-generation engines in March.")
    lines = clean_shard(pl.DataFrame({"doc_id": [DOC], "raw_text": [text]}))
    repaired = lines.filter(pl.col("extracted_text").is_not_null())
    assert repaired.height == 1  # only the line clean changed keeps a second text
    assert "new-generation rockets" in repaired["text"][0]
    assert "newgeneration rockets" in repaired["extracted_text"][0]
    # Shown as extracted (a heading or furniture would be): the old text and no edits;
    # every other line is untouched.
    line_no = repaired["line_no"][0]
    shown = as_extracted(lines, pl.col("line_no") == line_no)
    row = shown.filter(pl.col("line_no") == line_no).row(0, named=True)
    assert row["text"] == repaired["extracted_text"][0] and row["line_edits"] == []
    others = pl.col("line_no") != line_no
    assert shown.filter(others).equals(lines.filter(others))
    # Lines clean did not change keep their text when shown as extracted.
    assert as_extracted(lines, others)["text"].to_list() == lines["text"].to_list()


def test_glued_word_without_any_evidence_is_left_alone():
    assert restored(merged_report("newgeneration")) == []


def test_proper_name_written_as_one_word_is_not_split():
    # "Star" and "link" are both words, and the document hyphenates "star-" elsewhere.
    text = merged_report("Starlink", "Its star-tracker cameras worked well.")
    assert restored(text) == []


def test_dictionary_word_and_closed_prefix_compound_stay_closed():
    assert restored(merged_report("spacecraft", "Its space-based radar worked.")) == []
    assert restored(merged_report("hyperspectral", "The hyper-sonic glider flew.")) == []


def test_glued_serial_number_follows_the_documents_designations():
    text = merged_report("Tianzhou7", "The Tianzhou-6 cargo ship docked in May.")
    assert [(e["before"], e["after"], e["rule"]) for e in restored(text)] == [
        ("Tianzhou7", "Tianzhou-7", "designation")
    ]


def test_one_letter_before_the_break_was_a_real_hyphen():
    # No typesetter leaves a single letter before a break: "e-" ended the line.
    text = merged_report("ecommerce")
    assert [e["after"] for e in restored(text)] == ["e-commerce"]


def test_glued_word_far_from_the_junction_is_not_touched():
    # Same glued word, but at the start of the merged line: not where a line ended.
    first = "newgeneration designs were shown by officials who said that the year ahead"
    text = merged_report("vehicles", "It also tested new-generation engines.", first=first)
    assert restored(text) == []


def test_line_of_normal_width_and_web_pages_are_not_searched():
    text = merged_report("newgeneration", "It also tested new-generation engines.")
    # Split the merged line where the extractor joined it: no line is over-long any more.
    unmerged = text.replace(f"{FIRST} new", f"{FIRST}\nnew")
    assert restored(unmerged) == []
    web = "\n\n".join(
        [
            "Rocket Family Grows",
            f"{FIRST} newgeneration rockets, after a long series of ground tests.",
            "It also tested new-generation engines.",
        ]
    )
    assert restored(web) == []


# ---- decisions on word pairs -------------------------------------------------------------


def forms(closed=None, pairs=None) -> DocumentForms:
    return DocumentForms(closed or {}, pairs or {})


@pytest.mark.parametrize(
    ("left", "right", "document", "join", "rule"),
    [
        ("plat", "form", forms(), True, "dictionary"),  # a word split by the typesetter
        ("heavy", "lift", forms(), False, "no_evidence"),  # a compound that ends a line
        ("well", "known", forms(), False, "dictionary"),  # hyphenated dictionary entry
        ("Sino", "Russian", forms(), False, "not_a_word_split"),
        ("co", "operation", forms(pairs={("co", "operation"): 2}), False, "document_form"),
        ("data", "base", forms(closed={"database": 3}), True, "document_form"),
    ],
)
def test_line_end_hyphen_decisions(left, right, document, join, rule):
    assert line_end_decision(left, right, document) == (join, rule)


def test_inflected_forms_count_as_words():
    assert is_word("sensing") and is_word("satellites") and is_word("launched")
    assert not is_word("newgeneration") and not is_word("spacebased")


def test_junction_decision_prefers_the_documents_own_spelling():
    glued_twice = forms(closed={"newgeneration": 2}, pairs={("new", "generation"): 1})
    assert junction_decision("new", "generation", glued_twice) is None  # 1 vs 1 glued elsewhere
    assert junction_decision("new", "generation", forms(pairs={("new", "generation"): 1})) == (
        "document_form"
    )


def test_repaired_references_on_a_merged_line_move_with_the_hyphen_put_back():
    text = merged_report(
        "newgeneration",
        "It also tested new-generation engines in March.",
        first=FIRST.replace("Officials", "Offici&aacute;ls"),
    ).replace("rockets, after", "rockets&mdash;after")
    lines = clean_shard(pl.DataFrame({"doc_id": [DOC], "raw_text": [text]}))
    (line,) = lines.filter(pl.col("text").str.contains("new-generation rockets")).to_dicts()
    edits = line["line_edits"]
    assert [(e["kind"], e["after"]) for e in edits] == [
        ("unescape_reference", "á"),
        ("restore_hyphen", "new-generation"),
        ("unescape_reference", "—"),
    ]
    for e in edits:
        assert line["text"][e["start"] : e["start"] + len(e["after"])] == e["after"]
    assert [text[e["raw_start"] : e["raw_end"]] for e in edits if e["raw_start"]] == [
        "&aacute;",
        "&mdash;",
    ]
