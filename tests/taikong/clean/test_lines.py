"""Unit tests for taikong.clean.lines on small invented documents."""

from __future__ import annotations

import re
import textwrap

import polars as pl
import pytest

from taikong.clean.lines import (
    clean_shard,
    document_layout,
    line_features,
    normalize_text,
    reference_repairs,
    split_lines,
)

DOC_A = "a" * 16
DOC_B = "b" * 16


def docs_frame(**texts: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"doc_id": list(texts), "raw_text": list(texts.values())},
        schema={"doc_id": pl.String, "raw_text": pl.String},
    )


def physical_lines(text: str) -> list[str]:
    """Reference split: LF, CRLF and lone CR end a line; nothing else does."""
    return re.split(r"\r\n|\r|\n", text)


def normalize(*values: str) -> list[str]:
    return pl.DataFrame({"t": list(values)}).select(normalize_text(pl.col("t")))["t"].to_list()


# ---- split_lines offsets ---------------------------------------------------------------

OFFSET_CASES = {
    "lf": "Title\nFirst line.\n\nSecond paragraph.\n",
    "crlf": "Title\r\nFirst line.\r\n\r\nSecond paragraph.\r\n",
    "lone_cr": "Title\rFirst line.\r\rLast",
    "mixed": "one\r\ntwo\rthree\nfour\r\r\nfive",
    "spaces": "   indented line  \n\t tab led\t\n      \n  trailing   ",
    "nbsp": "\u00a0\u00a0Long March 5\u00a0\n\u00a0\nTiangong\u00a0station \u00a0",
    "cjk_emoji": "  神舟五号 🚀 发射成功  \r\n天宫\u3000空间站\u3000\n",
    "no_trailing_newline": "single line without end",
    "only_newlines": "\n\r\n\r",
    "empty": "",
}


@pytest.mark.parametrize("name", list(OFFSET_CASES))
def test_split_lines_spans_point_at_stripped_raw_line(name):
    raw = OFFSET_CASES[name]
    lines = split_lines(docs_frame(**{DOC_A: raw})).sort("line_no")
    expected = physical_lines(raw)

    assert lines.height == len(expected)
    assert lines["line_no"].to_list() == list(range(len(expected)))
    for row, raw_line in zip(lines.iter_rows(named=True), expected, strict=True):
        assert 0 <= row["raw_start"] <= row["raw_end"] <= len(raw)
        assert raw[row["raw_start"] : row["raw_end"]] == raw_line.strip()
        assert row["is_blank"] == (raw_line.strip() == "")


def test_split_lines_blank_line_span_is_empty_at_line_start():
    raw = "abc\n   \ndef"
    lines = split_lines(docs_frame(**{DOC_A: raw})).sort("line_no")
    blank = lines.row(1, named=True)
    assert blank["is_blank"] is True
    assert blank["raw_start"] == blank["raw_end"] == 4  # right after "abc\n"


def test_split_lines_offsets_restart_per_document():
    raw_a = "Alpha line\r\nBeta line\r\n"
    raw_b = "  Gamma\nDelta  "
    lines = split_lines(docs_frame(**{DOC_A: raw_a, DOC_B: raw_b}))
    for doc_id, raw in ((DOC_A, raw_a), (DOC_B, raw_b)):
        rows = lines.filter(pl.col("doc_id") == doc_id).sort("line_no")
        expected = physical_lines(raw)
        assert rows.height == len(expected)
        got = [raw[s:e] for s, e in zip(rows["raw_start"], rows["raw_end"], strict=True)]
        assert got == [line.strip() for line in expected]
    b_first = lines.filter((pl.col("doc_id") == DOC_B) & (pl.col("line_no") == 0)).row(
        0, named=True
    )
    assert (b_first["raw_start"], b_first["raw_end"]) == (2, 7)


def test_split_lines_text_and_indent():
    raw = "  Indented <b>first</b>\u00a0line\r\nplain\u200b line\r\n"
    lines = split_lines(docs_frame(**{DOC_A: raw})).sort("line_no")
    assert lines["text"].to_list() == ["Indented first line", "plain line", ""]
    assert lines["indented"].to_list()[:2] == [True, False]
    # The CRLF stand-in space must not count as content or indentation.
    assert lines["raw_end"][1] == raw.index("\r\n", raw.index("plain"))


def test_split_lines_output_columns():
    lines = split_lines(docs_frame(**{DOC_A: "x\ny"}))
    assert lines.columns == [
        "doc_id",
        "line_no",
        "raw_start",
        "raw_end",
        "text",
        "is_blank",
        "indented",
        "line_edits",
    ]
    assert lines.schema["line_no"] == pl.Int32


# ---- normalize_text ----------------------------------------------------------------------


def test_normalize_removes_attribute_tail_remnant():
    (out,) = normalize('Email">Contact the press office')
    assert '">' not in out
    assert '"' not in out
    assert out.endswith("Contact the press office")
    assert "  " not in out


def test_normalize_removes_self_closing_attribute_tail():
    (out,) = normalize('Photo: Xinhua" />Crew members wave')
    assert "/>" not in out and '"' not in out
    assert out.startswith("Photo: Xinhua")
    assert out.endswith("Crew members wave")


def test_normalize_removes_html_tags():
    (out,) = normalize(
        'The <b>Shenzhou</b> crew<br/> landed <a href="https://example.cn/x">safely</a>.'
    )
    assert out == "The Shenzhou crew landed safely ."


def test_normalize_keeps_comparisons_that_are_not_tags():
    (out,) = normalize("thrust < 100 kN and mass > 8 t")
    assert out == "thrust < 100 kN and mass > 8 t"


def line_texts(*raw_lines: str) -> list[str]:
    docs = pl.DataFrame({"doc_id": ["d"], "raw_text": ["\n".join(raw_lines)]})
    return split_lines(docs)["text"].to_list()


def test_every_character_reference_is_unescaped():
    assert line_texts(
        "R&amp;D at CNSA&nbsp;Beijing",
        "The probe&#8217;s orbiter &mdash; and &eacute;quipe; &#x4E2D;&#22269;",
        "AT&T and R&D stay; &bogus; stays too",
    ) == [
        "R&D at CNSA Beijing",
        "The probe’s orbiter — and équipe; 中国",
        "AT&T and R&D stay; &bogus; stays too",
    ]


def test_utf8_read_as_cp1252_is_repaired_and_spans_stay_on_the_raw_line():
    docs = pl.DataFrame({"doc_id": ["d"], "raw_text": ["Itâ€™s the cafÃ© rÃ©sumÃ©\nnext"]})
    lines = split_lines(docs)
    assert lines["text"].to_list() == ["It’s the café résumé", "next"]
    assert lines.select("raw_start", "raw_end").rows() == [(0, 25), (26, 30)]


def test_each_repair_has_its_exact_span_kind_and_rule():
    text = "it&#8217;s &mdash; caf&eacute; donâ€™t donâ\x80\x99t AT&T &bogus;"
    repairs = reference_repairs(text)
    assert [(text[a:b], after, kind, rule) for a, b, after, kind, rule in repairs] == [
        ("&#8217;", "’", "unescape_reference", "numeric_reference"),
        ("&mdash;", "—", "unescape_reference", "named_reference"),
        ("&eacute;", "é", "unescape_reference", "named_reference"),
        ("â€™", "’", "repair_mojibake", "utf8_as_cp1252"),
        ("â\x80\x99", "’", "repair_mojibake", "utf8_as_latin1"),
    ]


def test_line_edits_slice_to_the_raw_characters_and_to_the_clean_text():
    raw = "Intro line\nThey said &mdash;  it&#8217;s a caf&eacute;, donâ€™t go\n"
    lines = split_lines(pl.DataFrame({"doc_id": ["d"], "raw_text": [raw]}))
    text, edits = lines.select("text", "line_edits").row(1)
    assert text == "They said — it’s a café, don’t go"
    assert [
        (raw[e["raw_start"] : e["raw_end"]], e["after"], e["start"], e["kind"]) for e in edits
    ] == [
        ("&mdash;", "—", 10, "unescape_reference"),
        ("&#8217;", "’", 14, "unescape_reference"),
        ("&eacute;", "é", 22, "unescape_reference"),
        ("â€™", "’", 28, "repair_mojibake"),
    ]
    for e in edits:
        assert text[e["start"] : e["start"] + len(e["after"])] == e["after"]
    assert lines["line_edits"][0].to_list() == []


def test_normalize_spaces_and_invisibles():
    assert normalize(
        "Long\u00a0March\u00a05",
        "Tian\x00gong\u200b station\ufeff",
        "  a    b \t c  ",
        "zero\u200dwidth\u2060joiner",
        "\u3000full\u3000width\u3000",
        "soft\u00adhyphen",
        "bell\x07 and del\x7f",
    ) == [
        "Long March 5",
        "Tiangong station",
        "a b c",
        "zerowidthjoiner",
        "full width",
        "softhyphen",
        "bell and del",
    ]


def test_normalize_nfc():
    decomposed = "Cafe\u0301"  # e + combining acute
    (out,) = normalize(decomposed)
    assert out == "Caf\u00e9"


def test_normalize_blank_becomes_empty():
    assert normalize("   ", "\u00a0\u200b", "<br>") == ["", "", ""]


# ---- document_layout -------------------------------------------------------------------

PROSE = (
    "China's human spaceflight programme began in earnest in 1992 when the central "
    "government approved Project 921, a three step plan that would first send astronauts "
    "into orbit aboard the Shenzhou spacecraft, then demonstrate rendezvous and docking "
    "with small laboratory modules, and finally assemble a permanently crewed space "
    "station in low Earth orbit during the following decades. The first uncrewed test "
    "flight took place in November 1999 from the Jiuquan Satellite Launch Center in the "
    "Gobi desert, and three further uncrewed missions followed before Yang Liwei became "
    "the first Chinese astronaut to reach orbit in October 2003, completing fourteen "
    "orbits in a little over twenty one hours before landing in Inner Mongolia. Later "
    "missions carried larger crews, tested extravehicular activity suits, and docked "
    "with the Tiangong laboratories that prepared the ground for the modular station."
)


def layout_of(**texts: str) -> dict[str, bool]:
    lines = line_features(split_lines(docs_frame(**texts)))
    layout = document_layout(lines)
    return dict(zip(layout["doc_id"], layout["wrapped"], strict=True))


def test_hard_wrapped_pdf_text_is_wrapped_and_web_text_is_not():
    wrapped_lines = textwrap.wrap(PROSE, width=85)
    # The fixture really is what the test claims: >= 10 lines of ~70-90 chars,
    # most of them cut mid-sentence.
    assert len(wrapped_lines) >= 10
    assert all(65 <= len(line) <= 90 for line in wrapped_lines[:-1])
    assert sum(not line.endswith(".") for line in wrapped_lines) >= 0.8 * len(wrapped_lines)
    pdf_text = "\n".join(wrapped_lines) + "\n"

    sentences = [s.strip() + "." for s in PROSE.split(".") if s.strip()]
    web_paragraphs = sentences + [
        "The Tianhe core module launched in 2021.",
        "Wentian and Mengtian followed in 2022.",
        "The station now hosts crews of three for six months at a time.",
        "Visiting cargo ships are called Tianzhou.",
        "Science racks cover biology, materials and fluid physics.",
    ]
    assert len(web_paragraphs) >= 8
    web_text = "\n\n".join(web_paragraphs) + "\n"

    assert layout_of(**{DOC_A: pdf_text, DOC_B: web_text}) == {DOC_A: True, DOC_B: False}


def test_pdf_text_with_crlf_and_paragraph_break_is_still_wrapped():
    first, second = PROSE[:600], PROSE[600:]
    text = (
        "\r\n".join(textwrap.wrap(first, 80)) + "\r\n\r\n" + "\r\n".join(textwrap.wrap(second, 80))
    )
    assert layout_of(**{DOC_A: text}) == {DOC_A: True}


def test_short_document_is_not_wrapped():
    text = "\n".join(textwrap.wrap(PROSE, 85)[:4])
    assert layout_of(**{DOC_A: text}) == {DOC_A: False}


def test_clean_shard_attaches_layout_to_every_line():
    pdf_text = "\n".join(textwrap.wrap(PROSE, 85))
    web_text = "\n\n".join(s.strip() + "." for s in PROSE.split(".") if s.strip())
    out = clean_shard(docs_frame(**{DOC_B: web_text, DOC_A: pdf_text}))
    assert out["doc_id"].to_list() == sorted(out["doc_id"].to_list())
    per_doc = out.group_by("doc_id").agg(pl.col("wrapped").unique())
    assert dict(zip(per_doc["doc_id"], per_doc["wrapped"].to_list(), strict=True)) == {
        DOC_A: [True],
        DOC_B: [False],
    }
    assert out.height == len(physical_lines(pdf_text)) + len(physical_lines(web_text))


def test_one_paragraph_per_line_without_blank_lines_is_not_wrapped():
    # A web page that gives each block its own line with no blank line between them: a
    # run of short menu and metadata lines (they end no sentence) above paragraphs that
    # each end a sentence. Hard-wrapped text of the same prose stays wrapped.
    furniture = ["SPACE / SCIENCE", "Lunar lander passes its drop tests", "By Wen Qiao"]
    furniture += ["Published: Mar 02, 2026 10:14 AM", "Photo: courtesy of the academy"]
    sentences = [s.strip() + "." for s in PROSE.split(".") if s.strip()]
    footer = ["MOST VIEWED", "1 Rover wakes up", "2 New pad opens", "About Us", "Contact Us"]
    web_text = "\n".join(furniture + sentences + footer) + "\n"
    lines = web_text.splitlines()
    assert sum(not line.endswith(".") for line in lines) >= 0.4 * len(lines)
    pdf_text = "\n".join(furniture + textwrap.wrap(PROSE, width=85) + footer) + "\n"
    assert layout_of(**{DOC_A: web_text, DOC_B: pdf_text}) == {DOC_A: False, DOC_B: True}


# ---- markup heading levels -------------------------------------------------------------


def test_markup_level_marks_the_lines_a_heading_element_holds_whole():
    raw = "Crew rotation\n\n  Life sciences\n\nCell  next\nBody text.\n"
    spans = [(0, 13, 2), (17, 30, 3), (32, 36, 4)]  # the last shares its line
    docs = docs_frame(**{DOC_A: raw, DOC_B: "Crew rotation\n"}).with_columns(
        pl.Series(
            "markup_headings",
            [[{"start": s, "end": e, "level": lv} for s, e, lv in spans], None],
            dtype=pl.List(pl.Struct({"start": pl.Int64, "end": pl.Int64, "level": pl.Int8})),
        )
    )
    lines = clean_shard(docs)
    levels = dict(
        lines.filter(pl.col("is_blank").not_())
        .select(pl.concat_str("doc_id", "text", separator=":"), "markup_level")
        .iter_rows()
    )
    assert levels == {
        f"{DOC_A}:Crew rotation": 2,
        f"{DOC_A}:Life sciences": 3,
        f"{DOC_A}:Cell next": None,
        f"{DOC_A}:Body text.": None,
        f"{DOC_B}:Crew rotation": None,  # not markup: the same words are no heading
    }


def test_markup_level_is_null_for_documents_without_markup():
    lines = clean_shard(docs_frame(**{DOC_A: "== History ==\nText.\n"}))
    assert lines["markup_level"].null_count() == lines.height
