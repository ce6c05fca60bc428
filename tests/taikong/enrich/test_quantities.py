"""Quantities on invented text, including numbers that are not quantities."""

from __future__ import annotations

import textwrap

import polars as pl
import pytest
from corpus import run_in_memory

from taikong.enrich.quantities import find_quantities


def quantities_of(
    text: str, columns: tuple[str, ...] = ("text", "value", "unit", "counted", "qualifier")
) -> list[tuple]:
    """`columns` of the quantities found in `text` (one paragraph); spans checked."""
    frame = pl.DataFrame(
        {"doc_id": ["q" * 16], "para_no": [1], "text": [text]},
        schema={"doc_id": pl.String, "para_no": pl.Int32, "text": pl.String},
    )
    found = find_quantities(frame)
    for row in found.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["text"]
    return found.select(columns).rows()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It brought back 1,731 g of rock.", [("1,731 g", 1731.0, "g", None, None)]),
        ("Each link carries 50Gbps.", [("50Gbps", 50.0, "Gbps", None, None)]),
        ("It flew over 2.5 km high.", [("over 2.5 km", 2.5, "km", None, "over")]),
        (
            "About one hundred kilometres away.",
            [("About one hundred kilometres", 100.0, "km", None, "about")],
        ),
        ("Sales passed 140 million chips.", [("140 million chips", 140e6, None, "chips", None)]),
        (
            "Some 12 launch missions flew.",
            [("Some 12 launch missions", 12.0, None, "launch missions", "some")],
        ),
        ("Attempts exceeded 400.", [("400", 400.0, None, None, None)]),
        (
            "Six astronauts and more than 60 countries.",
            [
                ("Six astronauts", 6.0, None, "astronauts", None),
                ("more than 60 countries", 60.0, None, "countries", "more than"),
            ],
        ),
        ("The 30-satellite system works.", [("30-satellite", 30.0, None, "satellite", None)]),
        ("In the next five years it will grow.", [("five years", 5.0, "year", None, None)]),
        ("Coverage rose to 12.5% of users.", [("12.5%", 12.5, "%", None, None)]),
    ],
)
def test_quantities(text, expected):
    assert quantities_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Since 2016 the agency flew, and in 2018 it landed.",  # years
        "The launch on May 28 and the one on 4 June 2019 went well.",  # dates
        "The 13th meeting and the 21st century.",  # ordinals
        "Tianwen-1, Space2030, the 4K channels and the 2016-2025 plan.",  # parts of names
        "Group 20 ministers, Vision 2030 and Satellite 02 were discussed.",  # after a name
        "It is one of the best, and the three-step plan goes on.",  # words counting nothing
        "Pic.1 shows the pad, call 86-10-5550123.",  # caption number and phone number
    ],
)
def test_numbers_that_are_not_quantities(text):
    assert quantities_of(text) == []


def test_quantities_table_points_at_the_raw_text_across_a_line_break():
    lines = textwrap.wrap(
        "The agency said the programme had made steady progress during the year, with new "
        "launch pads finished on the coast, two relay satellites placed in orbit and a series "
        "of ground tests of the heavy engines completed ahead of schedule. Engineers expect "
        "the next flights to carry larger payloads and to return more than 2,000 kilograms "
        "of samples from the far side of the moon than any earlier mission.",
        60,
    )
    text = " Overview\n" + "\n".join(lines) + "\n"
    tables, _ = run_in_memory({"r.txt": text})
    rows = tables.quantities.select("text", "raw_start", "raw_end").rows()
    assert [t for t, _, _ in rows] == ["two relay satellites", "more than 2,000 kilograms"]
    for quantity, start, end in rows:
        assert " ".join(text[start:end].split()) == quantity


def test_candidate_positions_find_what_the_plain_scan_finds():
    from taikong.enrich.quantities import _quantities, _quantities_of_paragraphs

    paragraphs = [
        "Someone saw 5 thousand km, often ten or Twenty-One thousand tonnes, 1,731 g.",
        "Over 2.5 km, nearly fourteen launch missions; forty-two and SEVENTEEN probes, 0.5%.",
        "",
        "Tenth attempt: 4 June 2019, Group 20, 30-satellite sets, 12.5% and 3\n\nthousand.",
        "No number here at all, only words like tent, fifth, fortune and thirsty.",
    ]
    found = dict(_quantities_of_paragraphs(paragraphs))
    for i, text in enumerate(paragraphs):
        assert found.get(i, []) == _quantities(text)
    assert len(found) == 3


def test_a_list_number_opening_a_paragraph_is_no_quantity():
    found = quantities_of("2. The second reason is cost: the rocket carries 40 satellites.")
    assert [(value, counted) for _, value, _, counted, _ in found] == [(40.0, "satellites")]
    # a decimal or a count opening a paragraph is still a quantity
    assert [value for _, value, *_ in quantities_of("2.5 tonnes reached orbit.")] == [2.5]
    counted = [c for *_, c, _ in quantities_of("12 satellites were launched.")]
    assert counted == ["satellites"]


def test_a_count_stops_where_another_number_starts():
    found = quantities_of("The site has one pad and one crew, and three hangars.")
    # not "one pad and one crew": "one crew" is a count of its own ("crew" is collective)
    assert [(value, counted) for _, value, _, counted, _ in found] == [
        (1.0, "crew"),
        (3.0, "hangars"),
    ]
    # a coordinated modifier is still part of one counted phrase
    found = quantities_of("It survived 12 major and catastrophic natural disasters.")
    assert [c for *_, c, _ in found] == ["major and catastrophic natural disasters"]


def test_the_word_before_a_number_is_the_one_its_pattern_reads():
    import random

    from taikong.enrich.quantities import _PREVIOUS_WORD_RE, _previous_word

    rng = random.Random(15)
    # Word characters (Unicode letters and digits, "_"), apostrophes, points, Unicode
    # spaces (a no-break and a thin space, \x1c) and characters that are neither.
    alphabet = ["a", "Z", "7", "é", "²", "_", "'", "’", ".", " ", "\n", "\t", "\u00a0"]
    alphabet += ["\u2009", "\x1c", "-", ",", "\u0301", "("]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(60)))
        start = rng.randrange(len(text) + 1)
        m = _PREVIOUS_WORD_RE.search(text, max(0, start - 40), start)
        assert _previous_word(text, start) == (m.group(1) if m else ""), (text, start)
