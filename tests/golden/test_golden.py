"""The seeds' structure, edits, mentions and quantities, compared with reviewed files.

Each seed has tests/golden/<seed>.json: the section tree with the number of paragraphs
under each heading, the first words and kind of every paragraph, the edits, the mentions
(counted per kind, entity type, canonical entity and code) and the quantities. They were checked by reading the
seeds; `uv run pytest --update-golden` rewrites them from the current output, and the diff
must then be read line by line against the seed before it is committed.

Each file also records, under "heuristics", the heuristic versions (taikong.versions.HEURISTICS)
that produced it. An output that changes must come with a version bump of the heuristic
that changed it, so that caches and release manifests tell the two outputs apart:

- the comparison fails with "output changed but heuristic versions unchanged: bump ..."
  (naming the versions that own the parts that changed) when the output differs and the
  recorded versions equal the current ones; with "output changed and ... bumped: review the
  diff and run --update-golden" when versions were bumped; and with "heuristic versions
  changed ...: run --update-golden to record them" when only the versions differ;
- `--update-golden` refuses (fails, file untouched) to rewrite an output that changed while
  the recorded versions equal the current ones; it rewrites it once a version is bumped.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from corpus import run_in_memory

from taikong.ingest.catalog import load_catalog
from taikong.versions import HEURISTICS

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


# The heuristics whose output each part of a golden view shows (what to bump when it changes).
OWNERS = {
    "source_path": (),
    "document": ("metadata", "boilerplate", "structure", "mentions", "quantities", "hyphens"),
    "sections": ("structure", "boilerplate"),
    "paragraphs_before_first_heading": ("structure", "boilerplate"),
    "paragraphs": ("structure", "boilerplate", "clean", "hyphens", "paragraph_duplicates"),
    "edits": ("hyphens", "clean", "structure"),
    "mentions": ("mentions",),
    "quantities": ("quantities",),
}


# Verdicts of `golden_verdict`: only UNBUMPED stops `--update-golden`.
MISSING, UNBUMPED, BUMPED, VERSIONS_ONLY = "missing", "unbumped", "bumped", "versions_only"


def golden_verdict(
    expected: dict | None, actual: dict, versions: dict[str, str]
) -> tuple[str, str] | None:
    """(verdict, message) saying why `actual` (a golden view) does not match the golden
    file `expected`, or None when it matches.

    `versions` are the current heuristic versions; `expected["heuristics"]` the recorded ones.
    """
    if expected is None:
        return MISSING, "no golden file: run pytest --update-golden and review it"
    recorded = expected.get("heuristics", {})
    outputs = set(expected) | set(actual)
    outputs.discard("heuristics")
    changed = sorted(k for k in outputs if expected.get(k) != actual.get(k))
    bumped = sorted(k for k in set(recorded) | set(versions) if recorded.get(k) != versions.get(k))
    if changed and not bumped:
        owners = sorted({o for part in changed for o in OWNERS.get(part, HEURISTICS)})
        return UNBUMPED, (
            f"output changed ({', '.join(changed)}) but heuristic versions unchanged: "
            f"bump the version of the heuristic that changed it ({' or '.join(owners)}; "
            "taikong/versions.py lists them)"
        )
    if changed:
        return BUMPED, (
            f"output changed ({', '.join(changed)}) and heuristic versions bumped "
            f"({_bumps(recorded, versions, bumped)}): review the diff and run --update-golden"
        )
    if bumped:
        return VERSIONS_ONLY, (
            f"heuristic versions changed ({_bumps(recorded, versions, bumped)}), output "
            "unchanged: run --update-golden to record them"
        )
    return None


def _bumps(recorded: dict, versions: dict, names: list[str]) -> str:
    return ", ".join(f"{n}: {recorded.get(n)} -> {versions.get(n)}" for n in names)


def golden_file(view: dict, versions: dict[str, str]) -> dict:
    """What a golden file holds: the view and the heuristic versions that produced it."""
    return {**view, "heuristics": dict(sorted(versions.items()))}


@pytest.mark.parametrize("source_path", SEED_PATHS)
def test_seed_matches_its_reviewed_golden_file(seed_tables, source_path, request):
    path = GOLDEN / f"{Path(source_path).stem}.json"
    actual = golden_view(seed_tables, source_path)
    expected = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    verdict = golden_verdict(expected, actual, HEURISTICS)
    if verdict and request.config.getoption("--update-golden"):
        if verdict[0] == UNBUMPED:
            pytest.fail(f"refusing to rewrite {path.name}: {verdict[1]}")
        path.write_text(dump(golden_file(actual, HEURISTICS)), encoding="utf-8")
        pytest.skip(f"rewrote {path.name}: read its diff against the seed before committing")
    assert verdict is None, f"{path.name}: {verdict[1]}"


def test_golden_verdicts_name_what_to_do():
    versions = {"structure": "structure_v3", "mentions": "mentions_v2"}
    view = {"paragraphs": ["a"], "mentions": [["x", 1]]}
    same = golden_file(view, versions)
    assert golden_verdict(same, view, versions) is None
    assert golden_verdict(None, view, versions)[0] == MISSING
    changed = {**view, "mentions": [["x", 2]]}
    verdict, message = golden_verdict(same, changed, versions)
    assert verdict == UNBUMPED
    assert "output changed (mentions) but heuristic versions unchanged: bump" in message
    assert "(mentions;" in message  # the owner of the changed part, not every heuristic
    bumped = {**versions, "mentions": "mentions_v3"}
    verdict, message = golden_verdict(same, changed, bumped)
    assert verdict == BUMPED and "mentions: mentions_v2 -> mentions_v3" in message
    assert golden_verdict(same, view, bumped)[0] == VERSIONS_ONLY
    # A golden file written before versions were recorded counts as recording none.
    assert golden_verdict(view, view, versions)[0] == VERSIONS_ONLY


def test_dump_is_json_that_reads_back():
    view = {"a": {"x": 1}, "b": [[1, "é"], {"k": None}], "c": [], "d": 3}
    assert json.loads(dump(view)) == view
