"""Unit tests for the table contracts, their Arrow schemas and the cross-table checks."""

from __future__ import annotations

import datetime as dt
import inspect

import pandera.errors
import polars as pl
import pyarrow as pa
import pytest

import contracts
from contracts import (
    Boilerplate,
    Documents,
    Edits,
    Mentions,
    Paragraphs,
    Quantities,
    Sections,
    Templates,
)
from contracts.arrow import arrow_schema, schema_hash
from contracts.relations import RELATION_CHECKS, check_relations

SCHEMA_ERRORS = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)
MODELS = list(contracts.TABLES.values())


# ---- Arrow schemas -------------------------------------------------------------------------


def test_tables_registry():
    assert set(contracts.TABLES) == {
        "documents",
        "sections",
        "paragraphs",
        "boilerplate",
        "templates",
        "edits",
        "mentions",
        "quantities",
    }
    for name, model in contracts.TABLES.items():
        assert model.__table_name__ == name


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__table_name__)
def test_arrow_schema_matches_contract_columns(model):
    schema = arrow_schema(model)
    columns = model.to_schema().columns
    assert schema.names == list(columns)
    for field in schema:
        column = columns[field.name]
        assert field.nullable == column.nullable, field.name
        description = (field.metadata or {}).get(b"description", b"").decode()
        assert description.strip(), f"{model.__table_name__}.{field.name} has no description"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__table_name__)
def test_arrow_schema_metadata(model):
    meta = arrow_schema(model).metadata
    first_doc_line = inspect.getdoc(model).splitlines()[0]
    assert meta[b"taikong.grain"].decode() == first_doc_line
    assert first_doc_line.startswith("One row per")
    assert meta[b"taikong.table"].decode() == model.__table_name__
    assert meta[b"taikong.schema_version"].decode() == model.__schema_version__


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__table_name__)
def test_arrow_types_follow_polars_dtypes(model):
    expected = {
        pl.String: pa.string(),
        pl.Int64: pa.int64(),
        pl.Int32: pa.int32(),
        pl.Boolean: pa.bool_(),
        pl.Float64: pa.float64(),
        pl.Date: pa.date32(),
        pl.List(pl.String): pa.list_(pa.string()),
    }
    schema = arrow_schema(model)
    for name, column in model.to_schema().columns.items():
        assert schema.field(name).type == expected[column.dtype.type], name


def test_schema_hash_ignores_prose_but_not_types():
    schema = arrow_schema(Paragraphs)
    stripped = pa.schema([f.remove_metadata() for f in schema])
    assert schema_hash(schema) == schema_hash(stripped)
    changed = schema.set(schema.get_field_index("seq"), pa.field("seq", pa.int64(), False))
    assert schema_hash(changed) != schema_hash(schema)
    assert len({schema_hash(arrow_schema(m)) for m in MODELS}) == len(MODELS)


# ---- frame builders with exactly the contract dtypes ----------------------------------------

DOC1 = "0123456789abcdef"
DOC2 = "fedcba9876543210"
RAW1 = (
    "Shenzhou-5\n\nI. Launch\nThe rocket lifted off.\n1. Crew\nYang Liwei flew alone in the space-\n"
    "craft.\n"
)
RAW2 = "Tiangong\nThe station grew by 3 modules.\nCopyright CMSA\n"
CREW = "Yang Liwei flew alone in the spacecraft."

PARAGRAPH_SCHEMA = {
    "doc_id": pl.String,
    "raw_start": pl.Int64,
    "raw_end": pl.Int64,
    "paragraph_id": pl.String,
    "section_id": pl.String,
    "seq": pl.Int32,
    "kind": pl.String,
    "text": pl.String,
    "n_chars": pl.Int32,
    "duplicate_of": pl.String,
}
SECTION_SCHEMA = {
    "doc_id": pl.String,
    "raw_start": pl.Int64,
    "raw_end": pl.Int64,
    "section_id": pl.String,
    "parent_id": pl.String,
    "level": pl.Int32,
    "seq": pl.Int32,
    "ordinal": pl.String,
    "heading": pl.String,
    "heading_style": pl.String,
}
BOILERPLATE_SCHEMA = {
    "doc_id": pl.String,
    "raw_start": pl.Int64,
    "raw_end": pl.Int64,
    "boilerplate_id": pl.String,
    "line_no": pl.Int32,
    "text": pl.String,
    "reason": pl.String,
    "template_id": pl.String,
}
TEMPLATE_SCHEMA = {
    "template_id": pl.String,
    "masked_text": pl.String,
    "n_docs": pl.Int32,
    "n_clusters": pl.Int32,
}
DOCUMENT_SCHEMA = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "title": pl.String,
    "title_truncated": pl.Boolean,
    "published_date": pl.Date,
    "publisher": pl.String,
    "publisher_acronym": pl.String,
    "news_agency": pl.String,
    "source_url": pl.String,
    "license": pl.String,
    "doc_type": pl.String,
    "language": pl.String,
    "encoding": pl.String,
    "encoding_evidence": pl.String,
    "n_replaced_bytes": pl.Int64,
    "converted_from": pl.String,
    "raw_sha256": pl.String,
    "n_bytes": pl.Int64,
    "n_chars_raw": pl.Int64,
    "n_chars_clean": pl.Int64,
    "n_sections": pl.Int32,
    "n_paragraphs": pl.Int32,
    "n_boilerplate": pl.Int32,
    "n_edits": pl.Int32,
    "n_mentions": pl.Int32,
    "n_quantities": pl.Int32,
    "near_duplicate_of": pl.String,
    "near_duplicate_similarity": pl.Float64,
    "catalog_fields": pl.List(pl.String),
    "raw_text": pl.String,
    "doc_type_evidence": pl.String,
    "updated_date": pl.Date,
}


FOUND_BASE = {
    "doc_id": pl.String,
    "raw_start": pl.Int64,
    "raw_end": pl.Int64,
}
# Columns of rows found in a paragraph (ParagraphSpan), after FOUND_BASE.
PARAGRAPH_SPAN = {"paragraph_id": pl.String, "char_start": pl.Int32, "char_end": pl.Int32}
EDIT_SCHEMA = {
    **FOUND_BASE,
    **PARAGRAPH_SPAN,
    "edit_id": pl.String,
    "seq": pl.Int32,
    "kind": pl.String,
    "rule": pl.String,
    "before": pl.String,
    "after": pl.String,
}
MENTION_SCHEMA = {
    **FOUND_BASE,
    **PARAGRAPH_SPAN,
    "mention_id": pl.String,
    "seq": pl.Int32,
    "kind": pl.String,
    "text": pl.String,
    "name": pl.String,
    "code": pl.String,
    "canonical": pl.String,
    "entity_type": pl.String,
    "type_rule": pl.String,
}
QUANTITY_SCHEMA = {
    **FOUND_BASE,
    **PARAGRAPH_SPAN,
    "quantity_id": pl.String,
    "seq": pl.Int32,
    "text": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "counted": pl.String,
    "qualifier": pl.String,
    "value_max": pl.Float64,
}


def span(raw: str, piece: str) -> tuple[int, int]:
    start = raw.index(piece)
    return start, start + len(piece)


def paragraph(doc_id, raw, seq, text, kind="paragraph", section_id=None, duplicate_of=None):
    start, end = span(raw, text)
    return {
        "doc_id": doc_id,
        "raw_start": start,
        "raw_end": end,
        "paragraph_id": f"{doc_id}-p{seq:04d}",
        "section_id": section_id,
        "seq": seq,
        "kind": kind,
        "text": text,
        "n_chars": len(text),
        "duplicate_of": duplicate_of,
    }


def paragraphs_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PARAGRAPH_SCHEMA)


def base_rows() -> dict[str, list[dict]]:
    """A consistent two-document release."""
    s1_start, _ = span(RAW1, "I. Launch")
    s2_start, _ = span(RAW1, "1. Crew")
    sections = [
        {
            "doc_id": DOC1,
            "raw_start": s1_start,
            "raw_end": len(RAW1),
            "section_id": f"{DOC1}-s001",
            "parent_id": None,
            "level": 1,
            "seq": 1,
            "ordinal": "I",
            "heading": "Launch",
            "heading_style": "roman",
        },
        {
            "doc_id": DOC1,
            "raw_start": s2_start,
            "raw_end": len(RAW1),
            "section_id": f"{DOC1}-s002",
            "parent_id": f"{DOC1}-s001",
            "level": 2,
            "seq": 2,
            "ordinal": "1",
            "heading": "Crew",
            "heading_style": "arabic",
        },
        {
            "doc_id": DOC2,
            "raw_start": 0,
            "raw_end": len(RAW2),
            "section_id": f"{DOC2}-s001",
            "parent_id": None,
            "level": 1,
            "seq": 1,
            "ordinal": None,
            "heading": "Tiangong",
            "heading_style": "unnumbered",
        },
    ]
    paragraphs = [
        paragraph(DOC1, RAW1, 1, "Shenzhou-5", kind="title"),
        paragraph(DOC1, RAW1, 2, "The rocket lifted off.", section_id=f"{DOC1}-s001"),
        {
            **paragraph(
                DOC1, RAW1, 3, "Yang Liwei flew alone in the space-", section_id=f"{DOC1}-s002"
            ),
            "raw_end": len(RAW1) - 1,
            "text": CREW,
            "n_chars": len(CREW),
        },
        paragraph(DOC2, RAW2, 1, "The station grew by 3 modules.", section_id=f"{DOC2}-s001"),
    ]
    e_start, e_end = span(RAW1, "space-\ncraft")
    edits = [
        {
            "doc_id": DOC1,
            "raw_start": e_start,
            "raw_end": e_end,
            "edit_id": f"{DOC1}-e0001",
            "paragraph_id": f"{DOC1}-p0003",
            "seq": 1,
            "kind": "dehyphenate",
            "rule": "dictionary",
            "before": "space-\ncraft",
            "after": "spacecraft",
            "char_start": CREW.index("spacecraft"),
            "char_end": CREW.index("spacecraft") + len("spacecraft"),
        }
    ]
    m_start, m_end = span(RAW1, "Shenzhou-5")
    mentions = [
        {
            "doc_id": DOC1,
            "raw_start": m_start,
            "raw_end": m_end,
            "mention_id": f"{DOC1}-m00001",
            "paragraph_id": f"{DOC1}-p0001",
            "seq": 1,
            "kind": "designation",
            "text": "Shenzhou-5",
            "name": "Shenzhou",
            "code": "5",
            "canonical": "Shenzhou-5",
            "entity_type": "spacecraft_probe",
            "type_rule": "head_noun_vote",
            "char_start": 0,
            "char_end": 10,
        }
    ]
    q_start, q_end = span(RAW2, "3 modules")
    quantities = [
        {
            "doc_id": DOC2,
            "raw_start": q_start,
            "raw_end": q_end,
            "quantity_id": f"{DOC2}-q00001",
            "paragraph_id": f"{DOC2}-p0001",
            "seq": 1,
            "text": "3 modules",
            "value": 3.0,
            "unit": None,
            "counted": "modules",
            "qualifier": None,
            "char_start": 20,
            "char_end": 29,
        }
    ]
    b_start, b_end = span(RAW2, "Copyright CMSA")
    boilerplate = [
        {
            "doc_id": DOC2,
            "raw_start": b_start,
            "raw_end": b_end,
            "boilerplate_id": f"{DOC2}-b00002",
            "line_no": 2,
            "text": "Copyright CMSA",
            "reason": "copyright_notice",
            "template_id": "tpl_0123456789ab",
        },
    ]
    templates = [
        {
            "template_id": "tpl_0123456789ab",
            "masked_text": "copyright cmsa",
            "n_docs": 1,
            "n_clusters": 1,
        }
    ]
    return {
        "sections": sections,
        "paragraphs": paragraphs,
        "boilerplate": boilerplate,
        "templates": templates,
        "edits": edits,
        "mentions": mentions,
        "quantities": quantities,
    }


def document(doc_id: str, raw: str, rows: dict[str, list[dict]]) -> dict:
    def count(table):
        return sum(r["doc_id"] == doc_id for r in rows[table])

    return {
        "doc_id": doc_id,
        "source_path": f"seeds/{doc_id}.txt",
        "title": raw.splitlines()[0],
        "title_truncated": False,
        "published_date": dt.date(2003, 10, 15),
        "publisher": None,
        "publisher_acronym": None,
        "news_agency": None,
        "source_url": None,
        "license": None,
        "doc_type": "news_article",
        "language": "en",
        "encoding": "utf-8",
        "encoding_evidence": "valid UTF-8",
        "n_replaced_bytes": 0,
        "converted_from": None,
        "raw_sha256": doc_id * 4,
        "n_bytes": len(raw.encode()),
        "n_chars_raw": len(raw),
        "n_chars_clean": len(raw) - 1,
        "n_sections": count("sections"),
        "n_paragraphs": count("paragraphs"),
        "n_boilerplate": count("boilerplate"),
        "n_edits": count("edits"),
        "n_mentions": count("mentions"),
        "n_quantities": count("quantities"),
        "near_duplicate_of": None,
        "near_duplicate_similarity": None,
        "catalog_fields": ["published_date"],
        "raw_text": raw,
        "doc_type_evidence": "agency credit (Xinhua)",
        "updated_date": None,
    }


def frames(rows: dict[str, list[dict]]) -> dict[str, pl.DataFrame]:
    documents = [document(DOC1, RAW1, rows), document(DOC2, RAW2, rows)]
    return {
        "documents": pl.DataFrame(documents, schema=DOCUMENT_SCHEMA),
        "sections": pl.DataFrame(rows["sections"], schema=SECTION_SCHEMA),
        "paragraphs": pl.DataFrame(rows["paragraphs"], schema=PARAGRAPH_SCHEMA),
        "boilerplate": pl.DataFrame(rows["boilerplate"], schema=BOILERPLATE_SCHEMA),
        "templates": pl.DataFrame(rows["templates"], schema=TEMPLATE_SCHEMA),
        "edits": pl.DataFrame(rows["edits"], schema=EDIT_SCHEMA),
        "mentions": pl.DataFrame(rows["mentions"], schema=MENTION_SCHEMA),
        "quantities": pl.DataFrame(rows["quantities"], schema=QUANTITY_SCHEMA),
    }


def relations(tables: dict[str, pl.DataFrame]) -> dict[str, dict]:
    results = check_relations({k: v.lazy() for k, v in tables.items()})
    return {r["check"]: r for r in results}


def failed(results: dict[str, dict]) -> set[str]:
    return {name for name, r in results.items() if not r["passed"]}


# ---- row-level contracts -----------------------------------------------------------------------


def test_fixture_frames_satisfy_every_contract():
    tables = frames(base_rows())
    for name, model in contracts.TABLES.items():
        model.validate(tables[name], lazy=True)
        # the fixture has exactly the declared dtypes, so the Arrow cast is lossless
        tables[name].to_arrow().cast(arrow_schema(model))


def test_valid_paragraphs_pass():
    df = paragraphs_frame(base_rows()["paragraphs"])
    out = Paragraphs.validate(df)
    assert out.equals(df)


def _edit(rows, **changes):
    rows = [dict(r) for r in rows]
    rows[1].update(changes)
    return rows


INVALID_PARAGRAPHS = {
    "raw_end_before_start": lambda rows: paragraphs_frame(_edit(rows, raw_start=30, raw_end=20)),
    "unknown_kind": lambda rows: paragraphs_frame(_edit(rows, kind="footnote")),
    "negative_offset": lambda rows: paragraphs_frame(_edit(rows, raw_start=-1)),
    "bad_doc_id": lambda rows: paragraphs_frame(_edit(rows, doc_id="not-a-hex-id")),
    "bad_paragraph_id": lambda rows: paragraphs_frame(_edit(rows, paragraph_id="p2")),
    "duplicate_paragraph_id": lambda rows: paragraphs_frame(
        _edit(rows, paragraph_id=rows[0]["paragraph_id"])
    ),
    "seq_zero": lambda rows: paragraphs_frame(_edit(rows, seq=0)),
    "empty_text": lambda rows: paragraphs_frame(_edit(rows, text="", n_chars=0)),
    "n_chars_mismatch": lambda rows: paragraphs_frame(_edit(rows, n_chars=3)),
    "own_duplicate": lambda rows: paragraphs_frame(
        _edit(rows, duplicate_of=rows[1]["paragraph_id"])
    ),
    "null_kind": lambda rows: paragraphs_frame(_edit(rows, kind=None)),
    "extra_column": lambda rows: paragraphs_frame(rows).with_columns(pl.lit("x").alias("extra")),
    "missing_column": lambda rows: paragraphs_frame(rows).drop("duplicate_of"),
    "reordered_columns": lambda rows: paragraphs_frame(rows).select(
        "raw_start", "doc_id", *list(PARAGRAPH_SCHEMA)[2:]
    ),
    "seq_int64": lambda rows: paragraphs_frame(rows).with_columns(pl.col("seq").cast(pl.Int64)),
    "n_chars_int64": lambda rows: paragraphs_frame(rows).with_columns(
        pl.col("n_chars").cast(pl.Int64)
    ),
    "raw_start_int32": lambda rows: paragraphs_frame(rows).with_columns(
        pl.col("raw_start").cast(pl.Int32)
    ),
    "kind_categorical": lambda rows: paragraphs_frame(rows).with_columns(
        pl.col("kind").cast(pl.Categorical)
    ),
}


# The check each invalid frame must trip (a substring of pandera's check name).
EXPECTED_FAILURE = {
    "raw_end_before_start": "span_is_ordered",
    "unknown_kind": "isin",
    "negative_offset": "greater_than_or_equal_to(0)",
    "bad_doc_id": "str_matches",
    "bad_paragraph_id": "str_matches",
    "duplicate_paragraph_id": "field_uniqueness",
    "seq_zero": "greater_than_or_equal_to(1)",
    "empty_text": "str_length",
    "n_chars_mismatch": "n_chars_matches",
    "own_duplicate": "not_own_duplicate",
    "null_kind": "not_nullable",
    "extra_column": "column_in_schema",
    "missing_column": "column_in_dataframe",
    "reordered_columns": "column_ordered",
    "seq_int64": "dtype('Int32')",
    "n_chars_int64": "dtype('Int32')",
    "raw_start_int32": "dtype('Int64')",
    "kind_categorical": "dtype('String')",
}


@pytest.mark.parametrize("case", list(INVALID_PARAGRAPHS))
def test_invalid_paragraphs_raise(case):
    df = INVALID_PARAGRAPHS[case](base_rows()["paragraphs"])
    with pytest.raises(SCHEMA_ERRORS):
        Paragraphs.validate(df)
    with pytest.raises(pandera.errors.SchemaErrors) as info:
        Paragraphs.validate(df, lazy=True)
    checks = [str(c) for c in info.value.failure_cases["check"].to_list()]
    assert any(EXPECTED_FAILURE[case] in c for c in checks), checks


def test_sections_parent_must_match_level():
    rows = base_rows()["sections"]
    rows[1]["parent_id"] = None  # level 2 without a parent
    with pytest.raises(SCHEMA_ERRORS):
        Sections.validate(pl.DataFrame(rows, schema=SECTION_SCHEMA))


def test_boilerplate_reason_checked():
    rows = base_rows()["boilerplate"]
    rows[0]["reason"] = "looked_boring"
    with pytest.raises(SCHEMA_ERRORS):
        Boilerplate.validate(pl.DataFrame(rows, schema=BOILERPLATE_SCHEMA))


def test_a_template_counts_its_clusters_within_its_documents():
    rows = base_rows()["templates"]
    Templates.validate(pl.DataFrame(rows, schema=TEMPLATE_SCHEMA))
    rows[0]["n_clusters"] = 2  # more clusters than documents
    with pytest.raises(SCHEMA_ERRORS):
        Templates.validate(pl.DataFrame(rows, schema=TEMPLATE_SCHEMA))


def test_documents_n_chars_raw_must_match_raw_text():
    df = frames(base_rows())["documents"].with_columns(pl.col("n_chars_raw") + 1)
    with pytest.raises(SCHEMA_ERRORS):
        Documents.validate(df)


# ---- cross-table relations ---------------------------------------------------------------------


def test_consistent_release_passes_every_relation_check():
    results = check_relations({k: v.lazy() for k, v in frames(base_rows()).items()})
    assert [r["check"] for r in results] == [c.name for c in RELATION_CHECKS]
    assert all(r["passed"] and r["n_failed"] == 0 and r["examples"] == [] for r in results)


def test_paragraph_of_unknown_document_is_flagged():
    rows = base_rows()
    orphan = paragraph(DOC1, RAW1, 9, "The rocket lifted off.")
    orphan.update(doc_id="aaaaaaaaaaaaaaaa", paragraph_id="aaaaaaaaaaaaaaaa-p0001")
    rows["paragraphs"].append(orphan)
    results = relations(frames(rows))

    check = results["paragraphs.doc_id_resolves"]
    assert check["n_failed"] == 1
    assert check["examples"][0]["paragraph_id"] == "aaaaaaaaaaaaaaaa-p0001"
    # Without a document there is no length to be inside of: the span check flags it too.
    assert failed(results) == {"paragraphs.doc_id_resolves", "paragraphs.span_inside_document"}


def test_section_parent_in_other_document_is_flagged():
    rows = base_rows()
    rows["sections"].append(
        {
            "doc_id": DOC2,
            "raw_start": 9,
            "raw_end": 26,
            "section_id": f"{DOC2}-s002",
            "parent_id": f"{DOC1}-s001",
            "level": 2,
            "seq": 2,
            "ordinal": None,
            "heading": "Growth",
            "heading_style": "unnumbered",
        }
    )
    tables = frames(rows)
    Sections.validate(tables["sections"])  # row-level contract cannot see this
    results = relations(tables)

    assert failed(results) == {"sections.parent_in_same_document"}
    check = results["sections.parent_in_same_document"]
    assert check["n_failed"] == 1
    assert check["examples"][0]["section_id"] == f"{DOC2}-s002"


def test_paragraph_section_in_other_document_is_flagged():
    rows = base_rows()
    rows["paragraphs"][3]["section_id"] = f"{DOC1}-s001"
    results = relations(frames(rows))
    assert failed(results) == {"paragraphs.section_in_same_document"}


def test_span_beyond_document_is_flagged():
    rows = base_rows()
    rows["paragraphs"][2]["raw_end"] = len(RAW1) + 5
    tables = frames(rows)
    results = relations(tables)

    assert failed(results) == {"paragraphs.span_inside_document"}
    check = results["paragraphs.span_inside_document"]
    assert check["n_failed"] == 1
    assert check["examples"][0]["paragraph_id"] == f"{DOC1}-p0003"


def test_span_ending_exactly_at_document_end_passes():
    rows = base_rows()
    rows["boilerplate"][0]["raw_end"] = len(RAW2)  # sections already end at len(raw)
    assert failed(relations(frames(rows))) == set()


def test_dangling_section_and_duplicate_references_are_flagged():
    rows = base_rows()
    rows["paragraphs"][1]["section_id"] = f"{DOC1}-s099"
    rows["paragraphs"][3]["duplicate_of"] = f"{DOC1}-p0099"
    results = relations(frames(rows))
    assert failed(results) == {
        "paragraphs.section_id_resolves",
        "paragraphs.duplicate_of_resolves",
    }


def test_a_removed_line_needs_a_known_template_counted_in_its_documents():
    rows = base_rows()
    rows["boilerplate"][0]["template_id"] = "tpl_ffffffffffff"
    assert failed(relations(frames(rows))) == {"boilerplate.template_id_resolves"}

    rows = base_rows()
    # The same template removed in the other document too, yet counted in one document.
    rows["boilerplate"].append(
        {
            **rows["boilerplate"][0],
            "doc_id": DOC1,
            "boilerplate_id": f"{DOC1}-b00000",
            "line_no": 0,
            "raw_start": 0,
            "raw_end": 4,
        }
    )
    results = relations(frames(rows))
    assert failed(results) == {"templates.n_docs_covers_boilerplate"}
    assert results["templates.n_docs_covers_boilerplate"]["examples"][0]["n_docs"] == 1
    rows["templates"][0]["n_docs"] = 2
    assert failed(relations(frames(rows))) == set()


def _miscount_paragraphs_of_doc2(documents):
    return documents.with_columns(
        pl.when(pl.col("doc_id") == DOC2)
        .then(pl.lit(5, dtype=pl.Int32))
        .otherwise(pl.col("n_paragraphs"))
        .alias("n_paragraphs")
    )


def _add_paragraphs_past_the_end_of_doc1(rows, seqs) -> None:
    for seq in seqs:
        p = paragraph(DOC1, RAW1, seq, "Shenzhou-5")
        p["raw_end"] = len(RAW1) + seq
        rows["paragraphs"].append(p)


def test_count_mismatch_is_flagged_and_examples_omit_raw_text():
    tables = frames(base_rows())
    tables["documents"] = _miscount_paragraphs_of_doc2(tables["documents"])
    results = relations(tables)
    assert failed(results) == {"documents.n_paragraphs_matches"}
    example = results["documents.n_paragraphs_matches"]["examples"][0]
    assert example["doc_id"] == DOC2
    assert "raw_text" not in example


def test_examples_are_capped():
    rows = base_rows()
    _add_paragraphs_past_the_end_of_doc1(rows, range(10, 20))
    results = check_relations({k: v.lazy() for k, v in frames(rows).items()}, max_examples=3)
    span_check = next(r for r in results if r["check"] == "paragraphs.span_inside_document")
    assert span_check["n_failed"] == 10
    assert len(span_check["examples"]) == 3


# ---- edits, mentions, quantities -------------------------------------------------------------


def test_found_rows_check_their_spans():
    tables = frames(base_rows())
    bad_edit = tables["edits"].with_columns(pl.col("char_end") + 1)
    with pytest.raises(SCHEMA_ERRORS):
        Edits.validate(bad_edit)
    unchanged = tables["edits"].with_columns(pl.col("after").alias("before"))
    with pytest.raises(SCHEMA_ERRORS):
        Edits.validate(unchanged)
    bad_country = tables["mentions"].with_columns(pl.lit("country").alias("kind"))
    with pytest.raises(SCHEMA_ERRORS):
        Mentions.validate(bad_country)  # a country's code is ISO alpha-3, not "5"
    both = tables["quantities"].with_columns(pl.lit("km").alias("unit"))
    with pytest.raises(SCHEMA_ERRORS):
        Quantities.validate(both)


@pytest.mark.parametrize("model", [Edits, Mentions, Quantities], ids=lambda m: m.__table_name__)
def test_span_check_measures_the_tables_own_span_text(model):
    """ParagraphSpan's check reads `__span_text__` of the table it is inherited by."""
    table = frames(base_rows())[model.__table_name__]
    model.validate(table)
    longer = pl.col(model.__span_text__) + "x"
    with pytest.raises(SCHEMA_ERRORS, match="span_fits_text"):
        model.validate(table.with_columns(longer))


def test_edit_before_must_be_the_raw_text_and_after_the_paragraph_text():
    rows = base_rows()
    rows["edits"][0]["before"] = "space-craft"  # not what the raw text says
    rows["mentions"][0]["char_start"] = 1  # "henzhou-5" is not the mention text
    rows["mentions"][0]["char_end"] = 11
    assert failed(relations(frames(rows))) == {
        "edits.before_matches_raw_text",
        "mentions.text_is_in_paragraph_text",
    }


def test_mention_raw_span_must_hold_its_text_and_lie_in_its_paragraph():
    rows = base_rows()
    rows["mentions"][0]["raw_start"] += 12  # inside "I. Launch": other letters, other paragraph
    rows["mentions"][0]["raw_end"] += 12
    rows["quantities"][0]["paragraph_id"] = f"{DOC1}-p0002"  # a paragraph of another document
    assert failed(relations(frames(rows))) == {
        "mentions.text_matches_raw_text",
        "mentions.span_inside_paragraph",
        "quantities.paragraph_in_same_document",
        "quantities.text_is_in_paragraph_text",
    }


def test_found_rows_need_a_known_paragraph_and_counts_must_match():
    rows = base_rows()
    rows["edits"][0]["paragraph_id"] = f"{DOC1}-p0099"
    tables = frames(rows)
    tables["documents"] = tables["documents"].with_columns(
        pl.lit(0, dtype=pl.Int32).alias("n_mentions")
    )
    assert failed(relations(tables)) == {
        "edits.paragraph_id_resolves",
        "documents.n_mentions_matches",
    }


def test_checks_per_bucket_of_documents_find_the_same_violations():
    rows = base_rows()
    _add_paragraphs_past_the_end_of_doc1(rows, range(10, 14))
    tables = {k: v.lazy() for k, v in frames(rows).items()}
    tables["documents"] = _miscount_paragraphs_of_doc2(tables["documents"])
    whole = check_relations(tables)
    assert {r["check"] for r in whole if not r["passed"]} >= {
        "paragraphs.span_inside_document",
        "documents.n_paragraphs_matches",
    }
    for buckets in (2, 5):
        assert check_relations(tables, buckets=buckets) == whole


def test_key_checks_per_bucket_of_key_hashes_find_the_same_violations():
    rows = base_rows()
    rows["paragraphs"][1]["section_id"] = f"{DOC1}-s099"  # dangling
    rows["paragraphs"][3]["section_id"] = f"{DOC1}-s001"  # another document's section
    rows["paragraphs"].append(dict(rows["paragraphs"][0]))  # a paragraph_id twice
    tables = {k: v.lazy() for k, v in frames(rows).items()}
    whole = check_relations(tables)
    assert {r["check"] for r in whole if not r["passed"]} >= {
        "paragraphs.section_id_resolves",
        "paragraphs.section_in_same_document",
        "paragraphs.paragraph_id_unique",
    }
    for key_buckets in (2, 7):
        assert check_relations(tables, key_buckets=key_buckets) == whole
        assert check_relations(tables, buckets=3, key_buckets=key_buckets) == whole
