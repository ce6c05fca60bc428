"""Mentions of countries, acronym-defined names and designations, on invented text."""

from __future__ import annotations

import polars as pl
from corpus import news_page, run_in_memory

from taikong.enrich.mentions import acronym_definitions, find_mentions


def mentions_of(*paragraphs: str) -> list[tuple[str, str, str, str | None]]:
    frame = pl.DataFrame(
        {"doc_id": ["d" * 16] * len(paragraphs), "para_no": list(range(1, len(paragraphs) + 1))},
        schema={"doc_id": pl.String, "para_no": pl.Int32},
    ).with_columns(pl.Series("text", list(paragraphs)))
    found = find_mentions(frame)
    for row in found.iter_rows(named=True):
        text = paragraphs[row["para_no"] - 1]
        assert text[row["char_start"] : row["char_end"]] == row["text"]
    return found.select("kind", "text", "name", "code").rows()


def test_countries_by_iso_and_usual_names():
    found = mentions_of(
        "Russia's lander and the United States' orbiter were joined by probes from "
        "South Korea, Viet Nam and the Netherlands, while the U.S. Congress debated."
    )
    assert [(k, t, c) for k, t, _, c in found] == [
        ("country", "Russia", "RUS"),
        ("country", "United States", "USA"),
        ("country", "South Korea", "KOR"),
        ("country", "Viet Nam", "VNM"),
        ("country", "Netherlands", "NLD"),
        ("country", "U.S.", "USA"),
    ]


def test_names_shared_by_two_countries_and_lower_case_words_are_not_countries():
    found = mentions_of("Officials from Korea and Congo discussed the turkey and the chad grass.")
    assert found == []


def test_acronym_definition_and_later_uses():
    found = mentions_of(
        "The Lunar Exploration and Space Engineering Center (LESEC) built the lander.",
        "LESEC engineers said the Lunar Exploration and Space Engineering Center would "
        "test it, and LESEC-built parts passed.",
    )
    assert found == [
        (
            "acronym",
            "Lunar Exploration and Space Engineering Center",
            "Lunar Exploration and Space Engineering Center",
            "LESEC",
        ),
        ("acronym", "LESEC", "Lunar Exploration and Space Engineering Center", "LESEC"),
        (
            "acronym",
            "Lunar Exploration and Space Engineering Center",
            "Lunar Exploration and Space Engineering Center",
            "LESEC",
        ),
    ]


def test_parenthesised_words_that_do_not_spell_the_acronym_are_no_definition():
    # "(CNSA)" after words whose initials are not C-N-S-A; "(Insight)" is no acronym.
    text = "The probe was built by the national team (CNSA) and a telescope (Insight) flew."
    assert acronym_definitions(text) == {}
    assert mentions_of(text) == []


def test_acronym_defined_after_itself_and_with_letters_from_one_word():
    definitions = acronym_definitions(
        "It will launch SVOM (Space-based multiband astronomical Variable Objects Monitor) "
        "and the Dark Matter Particle Explorer (DAMPE) soon."
    )
    assert definitions == {
        "DAMPE": "Dark Matter Particle Explorer",
        "SVOM": "Space-based multiband astronomical Variable Objects Monitor",
    }


def test_designations_with_serials_and_series_written_with_a_space():
    found = mentions_of(
        "The Long March-5B and the Kuaizhou-1A rockets flew; Fengyun-4A/4B watched. "
        "Later the Chang'e-6 probe and Chang'e 7 followed, while Covid-19 slowed work "
        "and Group 20 ministers met. Russia's Luna-25 crashed."
    )
    assert [(k, t, n, c) for k, t, n, c in found if k == "designation"] == [
        ("designation", "Long March-5B", "Long March", "5B"),
        ("designation", "Kuaizhou-1A", "Kuaizhou", "1A"),
        ("designation", "Fengyun-4A/4B", "Fengyun", "4A/4B"),
        ("designation", "Chang'e-6", "Chang'e", "6"),
        ("designation", "Chang'e 7", "Chang'e", "7"),
        ("designation", "Luna-25", "Luna", "25"),
    ]


def test_longest_mention_wins():
    found = mentions_of("The China Manned Space Agency (CMSA) and China signed with Pakistan.")
    assert [(k, t) for k, t, _, _ in found] == [
        ("acronym", "China Manned Space Agency"),
        ("country", "China"),
        ("country", "Pakistan"),
    ]


def test_mentions_table_points_at_the_raw_text():
    page = news_page(
        "Probe Launched",
        "Mar 3, 2024",
        ["The Tianwen-3 probe will carry instruments from France and Italy, the agency said."],
    )
    tables, _ = run_in_memory({"p.txt": page})
    raw = tables.documents["raw_text"][0]
    rows = tables.mentions.select("text", "raw_start", "raw_end", "seq").rows()
    assert [(t, raw[a:b]) for t, a, b, _ in rows] == [
        ("Tianwen-3", "Tianwen-3"),
        ("France", "France"),
        ("Italy", "Italy"),
    ]
    assert [s for *_, s in rows] == [1, 2, 3]
    assert tables.documents["n_mentions"][0] == 3
