"""Regression gate for the fidelity corpus (bench/fidelity): no metric may get worse.

It releases bench/fidelity/docs with the real CLI (a Prefect run, ~1-2 min here), scores
the release against bench/fidelity/expected and compares every metric, overall and per
category, with the committed bench/fidelity/scores.json. Equal or better passes. After
an improvement, re-run `uv run --frozen python bench/fidelity/score.py` and commit the new
RESULTS.md and scores.json so that the gate holds the new level.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fidelity"


def _load_scorer():
    spec = importlib.util.spec_from_file_location("fidelity_score", BENCH / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def regressions(committed: dict, current: dict, metrics: dict[str, tuple[str, str]]) -> list[str]:
    """Every metric (overall and per category) whose share moved the wrong way."""
    found = []
    groups = [("overall", committed["overall"], current["overall"])]
    for cat, before in committed["by_category"].items():
        groups.append((cat, before, current["by_category"].get(cat, {})))
    for group, before, now in groups:
        for metric, (label, direction) in metrics.items():
            b, n = before.get(metric, {}), now.get(metric)
            if not b or b["share"] is None:
                continue
            if n is None or n["share"] is None:
                found.append(f"{group}: {label}: was {b['hit']}/{b['total']}, now not measured")
                continue
            worse = n["share"] < b["share"] if direction == "up" else n["share"] > b["share"]
            if worse:
                found.append(
                    f"{group}: {label}: was {b['hit']}/{b['total']} ({100 * b['share']:.1f} %), "
                    f"now {n['hit']}/{n['total']} ({100 * n['share']:.1f} %)"
                )
    if committed["run"].get("published") and not current["run"].get("published"):
        found.append("the release published before and is now blocked by its audit")
    return found


def test_regressions_are_named():
    # The gate itself: a metric that drops (or rises, for a lower-is-better one) is named.
    metrics = {"title": ("titles right", "up"), "furniture_leaked": ("furniture leaked", "down")}
    before = {
        "overall": {
            "title": {"hit": 5, "total": 10, "share": 0.5},
            "furniture_leaked": {"hit": 2, "total": 10, "share": 0.2},
        },
        "by_category": {},
        "run": {"published": True},
    }
    same = json.loads(json.dumps(before))
    assert regressions(before, same, metrics) == []
    worse = json.loads(json.dumps(before))
    worse["overall"]["title"] = {"hit": 4, "total": 10, "share": 0.4}
    worse["overall"]["furniture_leaked"] = {"hit": 3, "total": 10, "share": 0.3}
    worse["run"]["published"] = False
    found = regressions(before, worse, metrics)
    assert len(found) == 3
    assert found[0].startswith("overall: titles right: was 5/10")
    assert "furniture leaked" in found[1]
    assert "blocked" in found[2]


@pytest.mark.slow
def test_fidelity_scores_do_not_regress(tmp_path):
    scorer = _load_scorer()
    committed = json.loads((BENCH / "scores.json").read_text(encoding="utf-8"))
    current = scorer.run(None, tmp_path)
    found = regressions(committed, current, scorer.METRICS)
    assert not found, (
        "fidelity regressed (see bench/fidelity/RESULTS.md for the baseline):\n" + "\n".join(found)
    )


def _tables(raw: str, paragraphs: list[tuple[int, int]], sections=(), quantities=()):
    import polars as pl

    paras = pl.DataFrame(
        {
            "paragraph_id": [f"p{i}" for i in range(len(paragraphs))],
            "raw_start": [s for s, _ in paragraphs],
            "raw_end": [e for _, e in paragraphs],
            "text": [raw[s:e].replace("\n", " ") for s, e in paragraphs],
        }
    )
    secs = pl.DataFrame(
        {
            "heading": [h for h, _, _ in sections],
            "ordinal": [o for _, o, _ in sections],
            "raw_start": [s for _, _, s in sections],
        },
        schema={"heading": pl.String, "ordinal": pl.String, "raw_start": pl.Int64},
    )
    qs = pl.DataFrame(
        list(quantities),
        schema={
            "paragraph_id": pl.String,
            "text": pl.String,
            "value": pl.Float64,
            "unit": pl.String,
            "char_start": pl.Int64,
            "char_end": pl.Int64,
        },
        orient="row",
    )
    return paras, secs, qs


def test_scoring_by_position_and_contents():
    # Furniture counts as leaked only where its own line sits inside a paragraph ("Share"
    # inside a sentence is no leak); a contents entry made a section is a false heading
    # even though its text equals a real heading; a clock time read as a number is a
    # false quantity.
    scorer = _load_scorer()
    raw = (
        "Home | News\nA headline\nShare\nWe Share data at 16:30 daily.\n"
        "Contents\nI. Aims\nI. Aims\nBody text of aims.\n"
    )
    lines = raw.splitlines(keepends=True)
    starts = [sum(len(x) for x in lines[:i]) for i in range(len(lines))]
    para_spans = [
        (starts[0], starts[2] - 1),  # nav + headline merged: the nav line leaks
        (starts[3], starts[4] - 1),  # the sentence with "Share" in it
        (starts[7], len(raw) - 1),
    ]
    expected = {
        "site": "example",
        "doc_type": "news_article",
        "title": "A headline",
        "published_date": None,
        "keep": ["Body text of aims."],
        "furniture": ["Home | News", "Share"],
        "metadata": [],
        "contents": ["Contents", "I. Aims"],
        "headings": ["I. Aims"],
        "quantities": [],
    }
    scorer.check_expectations("example", expected, raw)
    paras, secs, qs = _tables(
        raw,
        para_spans,
        sections=[("Aims", "I", starts[5]), ("Aims", "I", starts[6])],
        quantities=[("p1", "30", 30.0, None, 20, 22)],
    )
    doc = {"raw_text": raw, "title": "A headline", "published_date": None}
    doc["doc_type"] = "news_article"
    score = scorer.score_document("example", expected, doc, paras, secs, qs, False, False)
    m = {k: (r.hit, r.total) for k, r in score.metrics.items()}
    assert m["furniture_leaked"] == (1, 2)
    assert m["heading_recall"] == (1, 1)
    assert m["false_headings"] == (1, 2)
    assert m["false_quantities"] == (1, 1)
    assert m["content_kept"] == (1, 1)
    assert m["title"] == (1, 1)


def test_an_expectation_the_document_lacks_is_an_error():
    scorer = _load_scorer()
    expected = {"title": "T", "keep": ["A sentence that is not there."], "furniture": ["Nav"]}
    with pytest.raises(scorer.ExpectationError, match="keep sentence not in the document"):
        scorer.check_expectations("doc", expected, "T\nNav\nOther text.\n")
    # Line wraps and line-end hyphenation inside an expected sentence are allowed.
    wrapped = {"title": "T", "keep": ["An international effort."], "furniture": []}
    scorer.check_expectations("doc", wrapped, "T\nAn inter-\nnational effort.\n")
