"""End-to-end: references and mojibake repaired in a scraped page are published edits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
from corpus import STATION_BODY, news_page

from flows.release import release

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SENTENCE = "The crew said &mdash; it&#8217;s a caf&eacute; they donâ€™t leave before dawn."


def test_published_edits_hold_each_repair_on_its_raw_characters(tmp_path):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    shutil.copytree(SEEDS, seeds)
    page = news_page("Crew Notes From Orbit", "Mar 6, 2024", [SENTENCE, *STATION_BODY])
    (seeds / "crew_notes.txt").write_text(page, encoding="utf-8")
    result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert result["status"] == "published"
    latest = datasets / "latest"
    summary = json.loads((latest / "validation" / "summary.json").read_text())
    assert summary["passed"] is True

    documents = pl.read_parquet(latest / "documents" / "*.parquet")
    doc = documents.filter(pl.col("source_path") == "crew_notes.txt").to_dicts()[0]
    raw = doc["raw_text"]
    edits = pl.read_parquet(latest / "edits" / "*.parquet").filter(
        pl.col("edit_id").str.starts_with(doc["doc_id"])
    )
    rows = edits.sort("seq").to_dicts()
    assert [(e["kind"], e["rule"], e["before"], e["after"]) for e in rows] == [
        ("unescape_reference", "named_reference", "&mdash;", "—"),
        ("unescape_reference", "numeric_reference", "&#8217;", "’"),
        ("unescape_reference", "named_reference", "&eacute;", "é"),
        ("repair_mojibake", "utf8_as_cp1252", "â€™", "’"),
    ]
    at = raw.index(SENTENCE)
    assert [e["raw_start"] - at for e in rows] == [
        SENTENCE.index(r) for r in ("&mdash;", "&#8217;", "&eacute;", "â€™")
    ]
    paragraphs = pl.read_parquet(latest / "paragraphs" / "*.parquet")
    texts = dict(paragraphs.select("paragraph_id", "text").iter_rows())
    for e in rows:
        assert raw[e["raw_start"] : e["raw_end"]] == e["before"]
        assert texts[e["paragraph_id"]][e["char_start"] : e["char_end"]] == e["after"]
    assert "The crew said — it’s a café they don’t leave before dawn." in texts.values()
    assert doc["n_edits"] == 4
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["tables"]["edits"]["schema_version"] == "2.0.0"
