"""The records the audit builds have the shapes `taikong.records` declares (the manifest
and the JSON reports are checked in tests/flows/test_audit_outcomes.py)."""

from __future__ import annotations

import polars as pl
import pytest
from shapes import mismatches

from contracts import TABLES
from contracts.arrow import arrow_schema
from taikong.io import ReleaseDir
from taikong.records import ContractResult, Finding, RelationResult, SchemaProblem, TableFiles
from taikong.validation import _unreadable, check_contracts, schema_changes


def test_the_shape_check_sees_missing_undeclared_and_mistyped_keys():
    good = {"check": "t.c", "severity": "warning", "message": "m", "documents": ["a.txt"]}
    assert mismatches(good, Finding) == []
    assert mismatches({"check": "t.c", "severity": "warning"}, Finding) == [".message: missing"]
    assert mismatches({**good, "extra": 1}, Finding) == [".extra: not declared in Finding"]
    assert mismatches({**good, "documents": [3]}, Finding) == [".documents[0]: 3 is not a str"]
    assert mismatches({**good, "evaluated": None}, Finding) == []


def test_schema_problems_have_their_declared_shape():
    old = {"t": {"schema_version": "1.0.0", "columns": [["a", "string", False]]}}
    new = {"t": {"schema_version": "1.0.0", "columns": [["b", "string", False]]}}
    [problem] = schema_changes(old, new)
    assert mismatches(problem, SchemaProblem) == []


@pytest.mark.slow  # ~5 s: every relation check, on empty tables
def test_contract_and_relation_results_have_their_declared_shape(tmp_path):
    release = ReleaseDir(tmp_path)
    for name, model in TABLES.items():
        empty = pl.DataFrame(schema={n: c.dtype.type for n, c in model.to_schema().columns.items()})
        files = release.write_table(name, [empty], arrow_schema(model))
        assert mismatches(files, TableFiles) == []
    results = check_contracts(release)
    assert results.relations, "no relation check ran"
    for result in results.pandera:
        assert mismatches(result, ContractResult) == []
    for result in results.relations:
        assert mismatches(result, RelationResult) == []
    unreadable = _unreadable("documents", OSError("cut short"))
    assert mismatches(unreadable, ContractResult) == []
