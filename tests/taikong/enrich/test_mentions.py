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
    # "Fengyun-4A/4B" is two entities: the first spans name and serial, the second "4B".
    assert [(k, t, n, c) for k, t, n, c in found if k == "designation"] == [
        ("designation", "Long March-5B", "Long March", "5B"),
        ("designation", "Kuaizhou-1A", "Kuaizhou", "1A"),
        ("designation", "Fengyun-4A", "Fengyun", "4A"),
        ("designation", "4B", "Fengyun", "4B"),
        ("designation", "Chang'e-6", "Chang'e", "6"),
        ("designation", "Chang'e 7", "Chang'e", "7"),
        ("designation", "Luna-25", "Luna", "25"),
    ]


def typed(*paragraphs: str) -> list[tuple[str, str, str, str]]:
    """(text, canonical, entity_type, type_rule) of every mention, offsets checked."""
    frame = pl.DataFrame(
        {"doc_id": ["e" * 16] * len(paragraphs), "para_no": list(range(1, len(paragraphs) + 1))},
        schema={"doc_id": pl.String, "para_no": pl.Int32},
    ).with_columns(pl.Series("text", list(paragraphs)))
    found = find_mentions(frame)
    for row in found.iter_rows(named=True):
        text = paragraphs[row["para_no"] - 1]
        assert text[row["char_start"] : row["char_end"]] == row["text"]
    return found.select("text", "canonical", "entity_type", "type_rule").rows()


def test_designation_lists_give_one_entity_each():
    found = typed(
        "The Haiyang-2B/2C/2D ocean satellites and the Gaojing-1A/B imaging satellites "
        "were launched by Long March 4C carrier rockets."
    )
    assert [(t, c) for t, c, _, _ in found] == [
        ("Haiyang-2B", "Haiyang-2B"),
        ("2C", "Haiyang-2C"),
        ("2D", "Haiyang-2D"),
        ("Gaojing-1A", "Gaojing-1A"),
        ("/B", "Gaojing-1B"),  # a one-letter part keeps its slash (two characters at least)
    ]
    assert {e for _, _, e, _ in found} == {"satellite_system_program"}


def test_family_vote_of_head_nouns_decides_the_type():
    found = typed(
        "The Dawnstar-3 carrier rocket lifted off. A Dawnstar-2 rocket had failed in 2020.",
        # A misleading noun: one "satellite" after the family is outvoted by two rockets.
        "The Dawnstar-3 satellite launch was the fifth. The Moonlark-4 lunar probe and "
        "the Moonlark-5 lander will follow, with the Silkweave-2 relay satellites and the "
        "Harbor-1 space station.",
    )
    types = {c: (e, r) for _, c, e, r in found}
    assert types["Dawnstar-3"] == ("launch_vehicle", "head_noun_vote")
    assert types["Dawnstar-2"] == ("launch_vehicle", "head_noun_vote")
    assert types["Moonlark-4"] == types["Moonlark-5"] == ("spacecraft_probe", "head_noun_vote")
    assert types["Silkweave-2"] == ("satellite_system_program", "head_noun_vote")
    assert types["Harbor-1"] == ("spacecraft_probe", "head_noun_vote")


def test_a_verb_between_designation_and_noun_casts_no_vote():
    found = typed(
        "The Ironpine-6 launched a satellite, and the Ironpine-6 carried the probe into orbit. "
        "The Ironpine-6 and Quillfire-2 vehicles share a pad; Opalreed-1 sends data."
    )
    types = {c: (e, r) for _, c, e, r in found}
    assert types["Ironpine-6"] == ("launch_vehicle", "head_noun_vote")
    assert types["Quillfire-2"] == ("launch_vehicle", "head_noun_vote")  # a list shares it
    # No head noun at all: the documented fallback type, said in type_rule.
    assert types["Opalreed-1"] == ("spacecraft_probe", "fallback")


def test_acronym_and_long_form_share_one_canonical_entity_typed_by_head_word():
    found = typed(
        "The Northern Rocketry Agency (NRA) and the United Nations Office for Space "
        "Debris (UNOSD) met. The Coastal Imaging System (CIS) is run by the NRA.",
        "The Synthetic Aperture Radar Interferometry (SARI) method was used, and the "
        "Polar Wind Explorer (PWE) satellite flew. NRA staff spoke at UNOSD.",
    )
    rows = {(t, c, e) for t, c, e, _ in found}
    assert ("Northern Rocketry Agency", "Northern Rocketry Agency", "organization") in rows
    assert ("NRA", "Northern Rocketry Agency", "organization") in rows
    assert ("UNOSD", "United Nations Office for Space Debris", "organization") in rows
    assert ("Coastal Imaging System", "Coastal Imaging System", "satellite_system_program") in rows
    assert ("PWE", "Polar Wind Explorer", "spacecraft_probe") not in rows  # in its definition
    assert ("Polar Wind Explorer", "Polar Wind Explorer", "spacecraft_probe") in rows
    # An acronym that names a method, not an entity: no type can be decided, dropped.
    assert not [t for t, *_ in found if "SARI" in t or "Interferometry" in t]


def test_untyped_acronyms_are_dropped_and_counted_in_the_log(caplog):
    with caplog.at_level("INFO", logger="taikong.enrich.mentions"):
        found = typed("Positioning, Navigation and Timing (PNT) services use PNT signals.")
    assert found == []
    assert "acronym_untyped=2" in caplog.text


def test_launch_sites_from_launch_center_and_launch_site_patterns():
    found = typed(
        "It flew from the Dongfeng Satellite Launch Centre. The Dongfeng, Haikou and "
        "Lanshan launch sites are busy. Space launch sites and New launch pads grow."
    )
    assert [(t, c, e) for t, c, e, _ in found] == [
        (
            "Dongfeng Satellite Launch Centre",
            "Dongfeng Satellite Launch Center",
            "launch_site_place",
        ),
        ("Dongfeng", "Dongfeng Satellite Launch Center", "launch_site_place"),
        ("Haikou", "Haikou Launch Site", "launch_site_place"),
        ("Lanshan", "Lanshan Launch Site", "launch_site_place"),
    ]


def test_a_country_name_used_as_a_persons_name_is_no_country():
    found = typed(
        "Engineer Chad Morrow and astronaut Georgia Lin met Dr. Jordan, said Mary Jordan. "
        "Delegates from Chad, Georgia and Jordan agreed. In Jordan the talks closed."
    )
    assert [(t, c) for t, c, e, _ in found if e == "country"] == [
        ("Chad", "Chad"),
        ("Georgia", "Georgia"),
        ("Jordan", "Jordan"),
        ("Jordan", "Jordan"),
    ]


def test_an_organisation_named_after_a_country_is_no_country_mention():
    """Capitalised words with an organisation's head right after a country's name make
    one name, whatever the organisation: no lexicon of organisations is needed."""
    found = mentions_of(
        "China Aerospace Science and Technology Corporation built the probe for the "
        "China National Space Administration, China Daily and Russia Today reported.",
        "The United States Space Force and the Japan Aerospace Exploration Agency tracked "
        "it; the Indian Space Research Organisation and the South China Morning Post "
        "followed. China Academy of Space Technology engineers agreed.",
    )
    assert found == []


def test_a_country_before_other_words_is_still_a_country():
    found = mentions_of(
        "China's lander, China and the European Space Agency, the United States and Japan "
        "Aerospace Exploration Agency staff, China Space Station crews and a Chinese crew. "
        "Officials of China, Japan Agency said.",
    )
    assert [t for _, t, _, _ in found] == [
        "China",  # a possessive
        "China",  # "and" first: no name goes on
        "United States",  # "and" then a country: two names
        "China",  # no organisation head in the next words
        "China",
    ]


def test_historical_states_are_countries():
    found = mentions_of(
        "The Soviet Union, the USSR, East Germany, Czechoslovakia and Yugoslavia had "
        "cosmonauts; so did the German Democratic Republic and the U.S.S.R. later."
    )
    # Each with its ISO 3166-3 code and usual name; no form is missed or split.
    assert {t: (n, c) for _, t, n, c in found} == {
        "Soviet Union": ("Soviet Union", "SUN"),
        "USSR": ("Soviet Union", "SUN"),
        "East Germany": ("East Germany", "DDR"),
        "Czechoslovakia": ("Czechoslovakia", "CSK"),
        "Yugoslavia": ("Yugoslavia", "YUG"),
        "German Democratic Republic": ("East Germany", "DDR"),
        "U.S.S.R.": ("Soviet Union", "SUN"),
    }
    assert len(found) == 7


def test_historical_states_carry_iso_3166_3_codes():
    import pycountry

    from taikong.enrich.mentions.countries import HISTORIC_COUNTRIES

    withdrawn = {c.alpha_3 for c in pycountry.historic_countries}
    assert set(HISTORIC_COUNTRIES) <= withdrawn
    # Not a code a current country uses.
    assert not set(HISTORIC_COUNTRIES) & {c.alpha_3 for c in pycountry.countries}


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


def test_entities_of_a_designation_list_point_at_the_raw_text_and_pass_the_relations():
    from contracts.relations import check_relations

    page = news_page(
        "Satellites Launched",
        "Mar 4, 2024",
        ["The Fengyun-4A/4B satellites and the Haiyang-2B/2C/2D satellites are in orbit."],
    )
    tables, _ = run_in_memory({"p.txt": page})
    raw = tables.documents["raw_text"][0]
    rows = tables.mentions.select("text", "canonical", "raw_start", "raw_end").rows()
    assert [(t, c, raw[a:b]) for t, c, a, b in rows] == [
        ("Fengyun-4A", "Fengyun-4A", "Fengyun-4A"),
        ("4B", "Fengyun-4B", "4B"),
        ("Haiyang-2B", "Haiyang-2B", "Haiyang-2B"),
        ("2C", "Haiyang-2C", "2C"),
        ("2D", "Haiyang-2D", "2D"),
    ]
    frames = {n: getattr(tables, n).lazy() for n in tables.__dataclass_fields__}
    results = check_relations(frames)
    assert len([r for r in results if r["table"] == "mentions"]) >= 5
    failed = [r["check"] for r in results if not r["passed"]]
    assert not [c for c in failed if c.startswith("mentions")]


# ---- entity types from context (no name of any real craft) --------------------------------
def test_a_name_in_apposition_types_a_designation():
    found = typed(
        "The Coral Navigation Satellite System (CNX-3) serves users, and the Brisan "
        "Communications Satellite (Brisat-2) relays calls.",
        "Quellen-1, also known as the Polar Magnetic Satellite, flew. Dorvik-2 (Dorvik "
        "Lunar Orbiter) followed. Later Quellen-1, the country's polar magnetic satellite, "
        "was retired.",
    )
    types = {c: (e, r) for _, c, e, r in found}
    assert types["CNX-3"] == ("satellite_system_program", "head_noun_vote")
    assert types["Brisat-2"] == ("satellite_system_program", "head_noun_vote")
    assert types["Quellen-1"] == ("satellite_system_program", "head_noun_vote")
    assert types["Dorvik-2"] == ("spacecraft_probe", "head_noun_vote")


def test_what_follows_a_comma_is_no_apposition_unless_a_noun_phrase_closes():
    found = typed(
        "Work paused after Vantor-2, the ground station closed. It was with Mirel-4, the "
        "system was tested. Once the Tasko-5, Pelin-6 and other vehicles flew, work stopped."
    )
    types = {c: (e, r) for _, c, e, r in found}
    assert types["Vantor-2"] == ("spacecraft_probe", "fallback")  # a ground station
    assert types["Mirel-4"] == ("spacecraft_probe", "fallback")  # a clause, not a name
    assert types["Tasko-5"] == types["Pelin-6"] == ("launch_vehicle", "head_noun_vote")


def test_a_plural_noun_modifier_before_a_head_noun_is_no_verb():
    found = typed(
        "They launched the Ziwen-3 02 land resources satellite, and the Opalreed-1 "
        "launches satellite missions while Kestrel-2 sends probes."
    )
    types = {c: (e, r) for _, c, e, r in found}
    assert types["Ziwen-3"] == ("satellite_system_program", "head_noun_vote")
    assert types["Opalreed-1"] == ("spacecraft_probe", "fallback")  # "launches" is a verb
    assert types["Kestrel-2"] == ("spacecraft_probe", "fallback")


def test_an_acronym_for_an_instrument_in_space_is_a_craft(caplog):
    with caplog.at_level("INFO", logger="taikong.enrich.mentions"):
        found = typed(
            "It will launch SWIM (Space-based Wide-field Imaging Monitor) next year. "
            "The Ground Radar Monitor (GRM) and a multi-band tomographic radar (MTR) help."
        )
    assert ("SWIM", "Space-based Wide-field Imaging Monitor", "spacecraft_probe") in {
        (t, c, e) for t, c, e, _ in found
    }
    # An instrument on the ground, a technique: no type, dropped and counted.
    assert not [t for t, *_ in found if t in ("GRM", "MTR") or "Radar" in t or "radar" in t]
    assert "acronym_untyped=" in caplog.text


def test_launch_sites_found_by_a_launch_context():
    found = typed(
        "The Vexa-2 rocket lifted off from Qorvath on Monday. The Jorvik Satellite Launch "
        "Center is busy; a probe was launched from Jorvik and new launch pads were "
        "installed at Hainan. A satellite lifted off from Florida.",
        # Not sites: a helper, a common word, a craft, a country, a longer name.
        "It launched with support from Brevik. Samples were launched from the Moon and "
        "launched from Halvor space station. Rockets launched from China. They launched "
        "the talks at Qorvath Convention.",
    )
    sites = [(t, c) for t, c, e, _ in found if e == "launch_site_place"]
    assert sites == [
        ("Qorvath", "Qorvath"),
        ("Jorvik Satellite Launch Center", "Jorvik Satellite Launch Center"),
        ("Jorvik", "Jorvik Satellite Launch Center"),
        ("Hainan", "Hainan"),  # a province (pycountry subdivision)
        ("Florida", "Florida"),  # a word in dictionaries only capitalised: a proper noun
    ]
    assert ("China", "China", "country") in {(t, c, e) for t, c, e, _ in found}


def test_country_canonical_is_the_short_name():
    found = typed(
        "Russia, the Russian Federation, Viet Nam, Brunei Darussalam, Turkey and the "
        "United Kingdom signed."
    )
    assert [(t, c) for t, c, e, _ in found if e == "country"] == [
        ("Russia", "Russia"),
        ("Russian Federation", "Russia"),  # ISO's name begins with the usual name
        ("Viet Nam", "Vietnam"),  # pycountry's common_name
        ("Brunei Darussalam", "Brunei"),
        ("Turkey", "Türkiye"),  # a different name, not a shortening: ISO's name stays
        ("United Kingdom", "United Kingdom"),
    ]


# ---- the fast paths find what the plain regular expressions find --------------------------
TRICKY = (
    "Chang'e-4 and Chang’e 5, the Long March-5B/5C, O'Brazil and Russia's probe; "
    "Kuaizhou-1A, Chang'e's lander, Long March 2F Y12 (LM-2F), Xi'an Satellite Launch "
    "Center, New Zealand, Papua New Guinea. Dr. Jordan met Jordan's minister in Jordan, "
    "Chad. The China Academy (CA) and CA-built Long March-5 launched. Long March-5B."
)


def test_form_matches_equal_re_finditer():
    import re

    from taikong.enrich.mentions.common import SERIAL, SERIAL_TAIL, form_matches, normalised

    for forms in (["Chang'e", "Long March", "Long March 2F"], ["CA", "China Academy"]):
        for flexible in (True, False):
            escaped = [re.escape(f) for f in sorted(forms, key=len, reverse=True)]
            if flexible:
                escaped = [e.replace("'", "['’]") for e in escaped]
            pattern = rf"(?<![\w-])(?:{'|'.join(escaped)})(?:[- ]{SERIAL})?(?![\w/-])"
            expected = [m.span() for m in re.finditer(pattern, TRICKY)]
            norm = normalised(TRICKY) if flexible else None
            got = [(a, m.end()) for a, _, m in form_matches(TRICKY, norm, forms, SERIAL_TAIL)]
            assert got == expected and expected


def test_fast_country_and_launch_center_scans_equal_the_plain_scans(monkeypatch):
    from taikong.enrich.mentions import countries, launch_sites

    text = TRICKY * 3
    fast = countries.find_countries(text)
    centers = [m.span() for m in launch_sites._launch_center_matches(text)]
    assert centers == [m.span() for m in launch_sites.LAUNCH_CENTER_RE.finditer(text)]
    # The plain scan: every capitalised word.
    monkeypatch.setattr(countries, "_capitalised_starts", lambda *_: None)
    assert countries.find_countries(text) == fast and fast


def test_a_word_opening_a_headline_is_not_part_of_a_designation():
    found = mentions_of("Before Tianzhou-1 Docks, After Vantor-2 Launch: Long March-5 Flies")
    names = {name for kind, _, name, _ in found if kind == "designation"}
    assert names == {"Tianzhou", "Vantor", "Long March"}


def test_designations_found_with_the_headings_are_those_of_the_paragraphs():
    from taikong.enrich.mentions import _in_paragraphs
    from taikong.enrich.mentions.designations import hyphenated_designations

    paragraphs = [
        "Tianlu-2",
        "Tianlu-2 flew after Long March-5B lifted off.",
        "Then Kestrel-4A/4B joined Tianlu-2.",
    ]
    # The first heading holds the first paragraph's text, not as a block of its own.
    headings = ["1. Long Tianlu-2 and Vantor-9", "Vantor-9"]
    blocks = [headings[0], paragraphs[0], headings[1], paragraphs[1], paragraphs[2]]
    whole, joined = "\n\n".join(blocks), "\n\n".join(paragraphs)
    starts = [0, len(paragraphs[0]) + 2, len(paragraphs[0]) + len(paragraphs[1]) + 4]
    moved = _in_paragraphs(hyphenated_designations(whole), whole, paragraphs, starts)
    assert moved == hyphenated_designations(joined)
    assert [joined[m.start : m.end] for m in moved] == [
        "Tianlu-2",
        "Tianlu-2",
        "Long March-5B",
        "Kestrel-4A/4B",
        "Tianlu-2",
    ]
    # Paragraphs that are not blocks of the text: the caller searches them itself.
    assert _in_paragraphs([], "Tianlu-2 flew", ["Tianlu-2 flew after"], [0]) is None
