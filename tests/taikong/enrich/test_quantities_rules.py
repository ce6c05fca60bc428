"""Quantities rules of issue 14 on invented text: currencies, ranges, thousands grouped by
spaces, units, and times of day, dates and list numbers that are no quantities."""

from __future__ import annotations

import pandera.errors
import polars as pl
import pytest
from corpus import run_in_memory
from test_quantities import quantities_of

from contracts.quantities import Quantities
from taikong.enrich.quantities import _quantities, _quantities_of_paragraphs


def found(text: str) -> list[tuple]:
    """(text, value, unit, value_max) of every quantity in `text`, one paragraph."""
    return quantities_of(text, ("text", "value", "unit", "value_max"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The bid was $12 million.", [("$12 million", 12e6, "USD", None)]),
        ("A grant of US$ 7.5 billion.", [("US$ 7.5 billion", 7.5e9, "USD", None)]),
        ("It cost €40 million more.", [("€40 million", 40e6, "EUR", None)]),
        ("Budget: RMB 2.4 billion in all.", [("RMB 2.4 billion", 2.4e9, "CNY", None)]),
        ("They paid USD 90,000 for it.", [("USD 90,000", 90000.0, "USD", None)]),
        ("A 65 billion yuan fund.", [("65 billion yuan", 65e9, "CNY", None)]),
        ("Tickets at 30 euros each.", [("30 euros", 30.0, "EUR", None)]),
        ("The deal, $3bn, closed.", [("$3bn", 3e9, "USD", None)]),
        ("A $4m prize.", [("$4m", 4e6, "USD", None)]),
        ("Debt reached 1.3 trillion yuan.", [("1.3 trillion yuan", 1.3e12, "CNY", None)]),
        (
            "They raised more than $250 million in May.",
            [("more than $250 million", 250e6, "USD", None)],
        ),
        ("A $20 million dollars overrun.", [("$20 million dollars", 20e6, "USD", None)]),
    ],
)
def test_currency_symbols_codes_and_words_give_the_currency_code(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Orbits at 250-320 km suit it.", [("250-320 km", 250.0, "km", 320.0)]),
        ("Orbits at 250–320 km suit it.", [("250–320 km", 250.0, "km", 320.0)]),
        ("Orbits at 250 – 320 km suit it.", [("250 – 320 km", 250.0, "km", 320.0)]),
        ("Tanks of 900-1,400 kg each.", [("900-1,400 kg", 900.0, "kg", 1400.0)]),
        ("It weighs 3 to 4.5 tonnes.", [("3 to 4.5 tonnes", 3.0, "t", 4.5)]),
        ("A dish of 9 m to 12 m wide.", [("9 m to 12 m", 9.0, "m", 12.0)]),
        (
            "It needs between 40 and 55 minutes.",
            [("between 40 and 55 minutes", 40.0, "minute", 55.0)],
        ),
        ("A $2-3 billion plan.", [("$2-3 billion", 2e9, "USD", 3e9)]),
        (
            "Costs of $2 billion to $3 billion.",
            [("$2 billion to $3 billion", 2e9, "USD", 3e9)],
        ),
        ("Some 4-6 billion yuan of bonds.", [("Some 4-6 billion yuan", 4e9, "CNY", 6e9)]),
        ("Shifts of 6-8 hours each.", [("6-8 hours", 6.0, "hour", 8.0)]),
        (
            "It sends three to six new rovers.",
            [("three to six new rovers", 3.0, None, 6.0)],
        ),
        ("From 500 to 1 million users.", [("500 to 1 million users", 500.0, None, 1e6)]),
    ],
)
def test_a_range_carries_both_bounds_and_its_unit(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a change from one figure to another is two figures, not a range
        (
            "Output rose from 40 to 65 drones.",
            [("40", 40.0, None, None), ("65 drones", 65.0, None, None)],
        ),
        # bounds that do not go up, or units that differ, make no range
        ("The score was 5 to 3 goals.", [("5", 5.0, None, None), ("3 goals", 3.0, None, None)]),
        ("Rods of 6 m to 40 cm.", [("6 m", 6.0, "m", None), ("40 cm", 40.0, "cm", None)]),
        # hyphenated pairs that measure nothing, periods and dates: nothing, as before
        ("See pages 10-12 and the 1999-2004 plan.", []),
        ("It ran from 1999 to 2004 at the site.", []),
        ("The fair runs 3 to 5 October.", []),
        ("Dial 44-20-5550199 now.", []),
        # "between" with bounds that measure nothing: two bare numbers, no "between"
        (
            "A grade between 5 and 10 is fine.",
            [("5", 5.0, None, None), ("10", 10.0, None, None)],
        ),
    ],
)
def test_what_is_not_one_range(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The probe flew up to 385 000 km out.", [("up to 385 000 km", 385000.0, "km", None)]),
        ("It holds 2\u2009750 kg of fuel.", [("2\u2009750 kg", 2750.0, "kg", None)]),
        ("It holds 1 250 000 litres.", [("1 250 000 litres", 1250000.0, "l", None)]),
        # a group of four digits is no thousands group: two numbers
        ("The scale read 12 3456 kg.", [("12", 12.0, None, None), ("3456 kg", 3456.0, "kg", None)]),
    ],
)
def test_thousands_grouped_by_spaces_only_in_groups_of_three(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("It carried 6.4 metric tons.", "t"),
        ("A crack of 4 centimeters.", "cm"),
        ("A hole of 9 millimetres.", "mm"),
        ("A basin of 1,700 square kilometers.", "km2"),
        ("A field of 40 km² of dunes.", "km2"),
        ("A hall of 300 square meters.", "m2"),
        ("It heats to 900 degrees Celsius.", "°C"),
        ("It stores 80 gigabytes.", "GB"),
        ("It spun at 7.9 kilometers per second.", "km/s"),
        ("A tilt of 23°.", "degree"),
        ("It took two decades.", "decade"),
    ],
)
def test_units(text, unit):
    assert [u for _, _, u, _ in found(text)] == [unit]


def test_a_unit_joined_by_a_hyphen_is_a_unit_and_other_words_are_counted():
    assert quantities_of("A 30-day mission to a 500-km orbit by a 12-satellite fleet.") == [
        ("30-day", 30.0, "day", None, None),
        ("500-km", 500.0, "km", None, None),
        ("12-satellite", 12.0, None, "satellite", None),
    ]
    # an age is a span of time
    assert quantities_of("a 9-year-old pupil") == [("9-year-old", 9.0, "year", None, None)]


@pytest.mark.parametrize(
    "text",
    [
        "The hatch opened at 16:45 and closed at 08:15:30.",
        "Liftoff came at 9:05 p.m., the burn at 3 a.m. and the landing at 11 PM.",
        "Ignition at 1745 GMT, docking at 6:30 Beijing time, splashdown at ten o'clock.",
        "Updated 21:07, 03-Aug-2027",
        "posted 2027-08-03 21:07:12 | views:0",
    ],
)
def test_times_of_day_are_no_quantities(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "It was signed on June 7, 2023 in the capital.",
        "It was signed on 2023-06-07 in the capital.",
        "It was signed on 7 June and again on 17-Jun-2023.",
        "Since 2019 the lab has grown, and in 2023 launches doubled.",
    ],
)
def test_dates_and_years_are_no_quantities(text):
    assert found(text) == []


def test_a_year_like_number_after_by_can_count():
    assert found("The hall was seen by 2000 visitors.") == [("2000 visitors", 2000.0, None, None)]


@pytest.mark.parametrize(
    "text",
    [
        "1. Build the pad before the rainy season.",
        "(2) fly the crew to the station.",
        "[3] Test the engines again.",
        "The tasks are: (1) build a pad; (2) test the crane.",
        "3.4 Ground Segment and Antennas",
        "Intro\n2) dry the samples\n3) seal them",
        "4 Rover tests resume after the storm",  # a list item numbered without a point
        "Funding sources .......... 14",  # a page number after a dot leader
        "See https://example.org/view?id=4455 for the record.",
    ],
)
def test_list_section_and_page_numbers_are_no_quantities(text):
    assert found(text) == []


def test_numbers_like_list_numbers_that_are_quantities():
    assert found("2.5 tonnes reached orbit.") == [("2.5 tonnes", 2.5, "t", None)]
    assert found("3.4 million viewers watched.") == [("3.4 million viewers", 3.4e6, None, None)]
    # a number in parentheses inside a sentence is no list number
    assert [v for _, v, _, _ in found("The pads (2 of them) work.")] == [2.0]


def test_a_clock_time_beside_a_quantity_leaves_the_quantity():
    assert found("At 6 a.m. the 40 tonnes of fuel were loaded by 07:30.") == [
        ("40 tonnes", 40.0, "t", None)
    ]


def test_candidate_positions_find_what_the_plain_scan_finds_for_the_new_rules():
    paragraphs = [
        "Between 40 and 55 minutes, $2-3 billion, 250–320 km, 385 000 km; rose from 4 to 6.",
        "(2) fly at 9:05 p.m. on 7 June 2023; the 1999-2004 plan; 44-20-5550199; RMB 3 billion.",
        "Funding sources .......... 14\n3.4 Ground Segment\n4 Rover tests resume",
    ]
    got = dict(_quantities_of_paragraphs(paragraphs))
    for i, text in enumerate(paragraphs):
        assert got.get(i, []) == _quantities(text)
    assert len(got) == 2


@pytest.mark.slow  # the whole pipeline in memory: ~3 s here
def test_a_range_reaches_the_table_and_the_contract_orders_its_bounds():
    text = (
        " Overview\n"
        "The agency said the new relay would circle the moon between 300 and 450 km above\n"
        "its surface for at least five years, and would cost $1.2 billion in all.\n"
    )
    tables, _ = run_in_memory({"r.txt": text})
    rows = tables.quantities.select("text", "value", "unit", "value_max").rows()
    assert rows == [
        ("between 300 and 450 km", 300.0, "km", 450.0),
        ("at least five years", 5.0, "year", None),
        ("$1.2 billion", 1.2e9, "USD", None),
    ]
    Quantities.validate(tables.quantities)
    upside_down = tables.quantities.with_columns(
        pl.when(pl.col("value_max").is_not_null()).then(pl.col("value") - 1).alias("value_max")
    )
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        Quantities.validate(upside_down)
