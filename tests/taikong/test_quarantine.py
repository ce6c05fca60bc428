"""Which contract failures quarantine documents and which block the release."""

from __future__ import annotations

import polars as pl

from taikong.audit_settings import AuditSettings
from taikong.quarantine import triage, without_documents
from taikong.validation import ContractResults, _failed_checks


def results(failed_relations=(), pandera_cases=None) -> ContractResults:
    pandera = [
        {
            "table": "paragraphs",
            "rows": 10,
            "failed_checks": _failed_checks("paragraphs", pandera_cases)
            if pandera_cases is not None
            else [],
        }
    ]
    relations = [
        {
            "check": name,
            "table": "paragraphs",
            "passed": False,
            "n_failed": 1,
            "doc_ids": docs,
            "table_wide": wide,
        }
        for name, docs, wide in failed_relations
    ]
    return ContractResults(pandera, relations)


def test_failures_confined_to_one_document_quarantine_it():
    decision = triage(
        results([("paragraphs.span_inside_document", ["d1"], False)]), 10, AuditSettings()
    )
    assert decision.quarantine == {"d1": ["paragraphs.span_inside_document"]}
    assert decision.blocking == [] and not decision.table_wide


def test_a_table_wide_failure_quarantines_nothing():
    decision = triage(
        results(
            [
                ("paragraphs.span_inside_document", ["d1"], False),
                ("paragraphs.paragraph_id_unique", ["d1", "d2"], True),
            ]
        ),
        10,
        AuditSettings(),
    )
    assert decision.quarantine == {} and decision.table_wide


def test_more_documents_than_the_allowed_share_block():
    failing = [("paragraphs.span_inside_document", ["d1", "d2", "d3"], False)]
    blocked = triage(results(failing), 10, AuditSettings(max_quarantine_share=0.2))
    assert blocked.quarantine == {} and "3 of 10 documents" in blocked.blocking[0]
    allowed = triage(results(failing), 10, AuditSettings(max_quarantine_share=0.3))
    assert set(allowed.quarantine) == {"d1", "d2", "d3"}
    # One document may always be quarantined, however small the corpus.
    assert triage(
        results(failing[:1] and [(failing[0][0], ["d1"], False)]), 2, AuditSettings()
    ).quarantine


def test_pandera_row_failures_belong_to_their_document_and_dtype_failures_to_the_table():
    cases = pl.DataFrame(
        {
            "column": ["kind", "kind", "n_chars"],
            "check": ["isin(['paragraph'])", "isin(['paragraph'])", "dtype('Int64')"],
            "failure_case": ["x", "y", "String"],
            "index": ["0", "3", None],
            "doc_id": ["d1", "d1", None],
        }
    )
    checks = {c["check"]: c for c in _failed_checks("paragraphs", cases)}
    row = checks["paragraphs.kind: isin(['paragraph'])"]
    assert (row["doc_ids"], row["failed_rows"], row["table_wide"]) == (["d1"], 2, False)
    assert checks["paragraphs.n_chars: dtype('Int64')"]["table_wide"]


def test_pointers_to_quarantined_documents_are_cleared():
    docs = pl.DataFrame(
        {
            "doc_id": ["a" * 16, "b" * 16],
            "near_duplicate_of": [None, "a" * 16],
            "near_duplicate_similarity": [None, 0.9],
        }
    )
    kept = without_documents(docs, "documents", frozenset({"a" * 16}))
    assert kept.to_dicts() == [
        {"doc_id": "b" * 16, "near_duplicate_of": None, "near_duplicate_similarity": None}
    ]
    paragraphs = pl.DataFrame({"doc_id": ["b" * 16], "duplicate_of": ["a" * 16 + "-p0001"]})
    cleared = without_documents(paragraphs, "paragraphs", frozenset({"a" * 16}))
    assert cleared["duplicate_of"].to_list() == [None]


def test_a_frame_check_is_named_by_its_check_and_belongs_to_the_row_document():
    cases = pl.DataFrame(
        {
            "schema_context": ["DataFrameSchema"],
            "column": ["Paragraphs"],
            "check": ["span_is_ordered"],
            "failure_case": ["{...}"],
            "index": ["2"],
            "doc_id": ["d2"],
        }
    )
    [failed] = _failed_checks("paragraphs", cases)
    assert failed["check"] == "paragraphs.span_is_ordered"
    assert (failed["doc_ids"], failed["table_wide"]) == (["d2"], False)
