"""HTML character references and mojibake repaired in paragraphs are rows of `edits`."""

from __future__ import annotations

import polars as pl
from corpus import run_in_memory

from contracts import Edits
from contracts.relations import check_relations

LINE = "The crew said &mdash; it&#8217;s a caf&eacute; they donâ€™t leave."
PAGE = f"Mission Notes\n\n1. Caf&eacute; Orbit\n\n{LINE}\n\nA second plain paragraph here.\n"


def test_each_reference_and_mojibake_is_an_edit_on_the_raw_characters():
    tables, _ = run_in_memory({"notes.txt": PAGE})
    raw = tables.documents["raw_text"][0]
    texts = dict(tables.paragraphs.select("paragraph_id", "text").iter_rows())
    rows = tables.edits.sort("seq").to_dicts()
    assert [(e["kind"], e["rule"], e["before"], e["after"]) for e in rows] == [
        ("unescape_reference", "named_reference", "&mdash;", "—"),
        ("unescape_reference", "numeric_reference", "&#8217;", "’"),
        ("unescape_reference", "named_reference", "&eacute;", "é"),
        ("repair_mojibake", "utf8_as_cp1252", "â€™", "’"),
    ]
    line_start = raw.index(LINE)
    assert [(e["raw_start"] - line_start, e["raw_end"] - line_start) for e in rows] == [
        (LINE.index(ref), LINE.index(ref) + len(ref))
        for ref in ("&mdash;", "&#8217;", "&eacute;", "â€™")
    ]
    assert [(e["raw_start"] - line_start, e["raw_end"] - line_start) for e in rows] == [
        (14, 21),
        (24, 31),
        (38, 46),
        (55, 58),
    ]
    (paragraph_id,) = {e["paragraph_id"] for e in rows}
    text = texts[paragraph_id]
    assert text == "The crew said — it’s a café they don’t leave."
    assert [(e["char_start"], e["char_end"]) for e in rows] == [
        (14, 15),
        (18, 19),
        (26, 27),
        (36, 37),
    ]
    for e in rows:
        assert raw[e["raw_start"] : e["raw_end"]] == e["before"]
        assert text[e["char_start"] : e["char_end"]] == e["after"]
    assert tables.documents["n_edits"][0] == 4
    Edits.validate(tables.edits, lazy=True)
    frames = {n: getattr(tables, n).lazy() for n in tables.__dataclass_fields__}
    results = [r for r in check_relations(frames) if r["table"] == "edits"]
    assert len(results) >= 5
    assert [r["check"] for r in results if not r["passed"]] == []


def test_a_heading_is_unescaped_but_carries_no_edit():
    tables, _ = run_in_memory({"notes.txt": PAGE})
    assert tables.sections["heading"].to_list() == ["Café Orbit"]
    assert "&eacute;" not in " ".join(tables.paragraphs["text"].to_list())


def test_a_no_break_space_reference_reads_as_a_space_and_one_cleaning_removes_is_no_edit():
    page = "Notes\n\nLong&nbsp;March rose &nbsp; at dawn&shy;break, R&amp;D said.\n"
    tables, _ = run_in_memory({"n.txt": page})
    raw = tables.documents["raw_text"][0]
    (text,) = [t for t in tables.paragraphs["text"].to_list() if "March" in t]
    assert text == "Long March rose at dawnbreak, R&D said."
    rows = tables.edits.sort("seq").select("before", "after", "raw_start", "raw_end").rows()
    # "&nbsp;" between two spaces collapses into them and "&shy;" is removed: no edits.
    assert [(b, a) for b, a, _, _ in rows] == [("&nbsp;", " "), ("&amp;", "&")]
    assert [raw[s:e] for _, _, s, e in rows] == ["&nbsp;", "&amp;"]


def test_a_run_ending_in_what_looked_like_trailing_space_stays_inside_its_paragraph():
    # "Ã\xa0" is "à" read as Windows-1252: the no-break space is part of the character.
    page = "Notes\n\nThe team met at the station, et voil\u00c3\u00a0\n\nAnother paragraph.\n"
    tables, _ = run_in_memory({"n.txt": page})
    assert "The team met at the station, et voilà" in tables.paragraphs["text"].to_list()
    assert tables.edits.select("kind", "before", "after").rows() == [
        ("repair_mojibake", "\u00c3\u00a0", "à")
    ]
    frames = {n: getattr(tables, n).lazy() for n in tables.__dataclass_fields__}
    assert [r["check"] for r in check_relations(frames) if not r["passed"]] == []


def test_a_quantity_over_a_reference_matches_its_raw_text_through_the_edit():
    page = "Notes\n\nThe rover drove 5&nbsp;km across the crater floor.\n\nAnother paragraph.\n"
    tables, _ = run_in_memory({"n.txt": page})
    raw = tables.documents["raw_text"][0]
    ((text, start, end),) = tables.quantities.select("text", "raw_start", "raw_end").rows()
    assert (text, raw[start:end]) == ("5 km", "5&nbsp;km")
    frames = {n: getattr(tables, n).lazy() for n in tables.__dataclass_fields__}
    assert [r["check"] for r in check_relations(frames) if not r["passed"]] == []
    # A span that does not hold the whole reference still fails.
    frames["quantities"] = frames["quantities"].with_columns(pl.col("raw_start") + 1)
    failed = [r["check"] for r in check_relations(frames) if not r["passed"]]
    assert "quantities.text_matches_raw_text" in failed
