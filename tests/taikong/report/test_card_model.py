"""The release card's model is built from facts passed in (no release on disk): the part
files' schemas, rows, sizes and sha256, checked against the contracts and the manifest."""

from __future__ import annotations

import pyarrow as pa
import pytest

from contracts import TABLES
from contracts.arrow import arrow_schema
from taikong.io.release_dir import PartFacts
from taikong.report.card_model import languages, tables_from_parts


def _parts(rows: int = 3) -> dict[str, list[PartFacts]]:
    return {
        name: [
            PartFacts(
                f"{name}/part-0000{i}.parquet", arrow_schema(model), rows, 100 + i, f"{i}" * 64
            )
            for i in range(2)
        ]
        for name, model in TABLES.items()
    }


def test_tables_sum_their_parts_in_contract_order():
    tables = tables_from_parts({"tables": {}}, TABLES, _parts(rows=3))
    assert [t.name for t in tables] == list(TABLES)
    documents = tables[0]
    assert documents.rows == 6 and documents.bytes == 201
    assert documents.files == ("documents/part-00000.parquet", "documents/part-00001.parquet")
    assert documents.glob == "documents/*.parquet"


def test_a_part_without_the_contracts_schema_is_refused():
    parts = _parts()
    first = parts["sections"][0]
    parts["sections"][0] = PartFacts(first.file, pa.schema([("x", pa.int64())]), 1, 1, first.sha256)
    with pytest.raises(ValueError, match="sections/part-00000.parquet does not have the schema"):
        tables_from_parts({}, TABLES, parts)


def test_a_table_without_parts_is_refused():
    parts = _parts()
    parts["paragraphs"] = []
    with pytest.raises(FileNotFoundError, match="no part files in paragraphs/"):
        tables_from_parts({}, TABLES, parts)


def test_facts_that_disagree_with_the_manifest_are_refused():
    parts = _parts(rows=3)
    with pytest.raises(ValueError, match="manifest says documents.rows = 7"):
        tables_from_parts({"tables": {"documents": {"rows": 7}}}, TABLES, parts)
    manifest = {
        "tables": {
            "documents": {"parts": [{"file": "documents/part-00001.parquet", "sha256": "f" * 64}]}
        }
    }
    with pytest.raises(
        ValueError, match="documents/part-00001.parquet has sha256 f+, the staged file has 1+"
    ):
        tables_from_parts(manifest, TABLES, parts)


def test_languages_drop_nulls_and_und():
    assert languages(["zh", None, "und", "en", "zh"]) == ["en", "zh"]
