"""The seeds' structure, edits, mentions and quantities, compared with reviewed files.

Each seed has tests/golden/<seed>.json: the section tree with the number of paragraphs
under each heading, the first words and kind of every paragraph, the edits, the mentions
(counted per kind, entity type, canonical entity and code) and the quantities. They were checked by reading the
seeds; `uv run pytest --update-golden` rewrites them from the current output, and the diff
must then be read line by line against the seed before it is committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from corpus import run_in_memory

from taikong.ingest.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GOLDEN = Path(__file__).resolve().parent
SEED_PATHS = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def seed_tables():
    texts = {name: (SEEDS / name).read_text(encoding="utf-8") for name in SEED_PATHS}
    tables, _ = run_in_memory(texts, load_catalog(SEEDS).entries)
    return tables


def _first_words(text: str, n: int = 8) -> str:
    return " ".join(text.split()[:n])


def golden_view(tables, source_path: str) -> dict:
    doc = tables.documents.filter(pl.col("source_path") == source_path).row(0, named=True)
    doc_id = doc["doc_id"]
    mine = {
        name: getattr(tables, name).filter(pl.col("doc_id") == doc_id)
        for name in ("sections", "paragraphs", "edits", "mentions", "quantities")
    }
    sections = mine["sections"].sort("seq")
    headings = dict(zip(sections["section_id"], sections["heading"], strict=True))
    per_section = dict(mine["paragraphs"].group_by("section_id").len().iter_rows())
    mentions = (
        mine["mentions"]
        .group_by("kind", "entity_type", "canonical", "code")
        .agg(pl.len().alias("n"))
        .sort("kind", "entity_type", "canonical", "code", nulls_last=True)
    )
    return {
        "source_path": source_path,
        "document": {
            key: (str(doc[key]) if key == "published_date" and doc[key] else doc[key])
            for key in (
                "title",
                "title_truncated",
                "published_date",
                "publisher",
                "publisher_acronym",
                "news_agency",
                "doc_type",
                "n_sections",
                "n_paragraphs",
                "n_edits",
                "n_mentions",
                "n_quantities",
            )
        },
        "sections": [
            {
                "level": r["level"],
                "ordinal": r["ordinal"],
                "heading": r["heading"],
                "parent": headings.get(r["parent_id"]),
                "paragraphs": per_section.get(r["section_id"], 0),
            }
            for r in sections.iter_rows(named=True)
        ],
        "paragraphs_before_first_heading": per_section.get(None, 0),
        "paragraphs": [
            f"{r['kind']}: {_first_words(r['text'])} [{r['n_chars']}]"
            for r in mine["paragraphs"].sort("seq").iter_rows(named=True)
        ],
        "edits": [
            [r["kind"], r["before"], r["after"], r["rule"]]
            for r in mine["edits"].sort("seq").iter_rows(named=True)
        ],
        "mentions": [
            list(r) for r in mentions.select("kind", "entity_type", "canonical", "code", "n").rows()
        ],
        "quantities": [
            [r["text"], r["value"], r["unit"], r["counted"], r["qualifier"]]
            for r in mine["quantities"].sort("seq").iter_rows(named=True)
        ],
    }


def dump(view: dict) -> str:
    """JSON with one line per section, paragraph, edit, mention or quantity (diffable)."""
    parts = []
    for key, value in view.items():
        if isinstance(value, list):
            rows = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"{json.dumps(key)}: [\n{rows}\n ]" if value else f"{json.dumps(key)}: []")
        elif isinstance(value, dict):
            rows = ",\n".join(
                f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()
            )
            parts.append(f"{json.dumps(key)}: {{\n{rows}\n }}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


@pytest.mark.parametrize("source_path", SEED_PATHS)
def test_seed_matches_its_reviewed_golden_file(seed_tables, source_path, request):
    path = GOLDEN / f"{Path(source_path).stem}.json"
    actual = golden_view(seed_tables, source_path)
    if request.config.getoption("--update-golden"):
        path.write_text(dump(actual), encoding="utf-8")
        pytest.skip(f"rewrote {path.name}: read its diff against the seed before committing")
    assert path.exists(), f"no golden file {path.name}: run pytest --update-golden and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    for key in expected:
        assert actual[key] == expected[key], key
    assert set(actual) == set(expected)


def test_dump_is_json_that_reads_back():
    view = {"a": {"x": 1}, "b": [[1, "é"], {"k": None}], "c": [], "d": 3}
    assert json.loads(dump(view)) == view
