"""The audit made shard by shard (`audit-shard` plus the lead's checks across documents)
finds what the whole-release pass finds, on clean tables and on broken ones."""

from __future__ import annotations

import json

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, news_page, replace_stage

from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.shards import plan_shards
from taikong.io import ReleaseStore
from taikong.plan import plan_run
from taikong.publish import write_tables
from taikong.runner import InlineExecutor, run_pipeline
from taikong.shard_audit import ROWS_AUDITED, contracts_of_shards
from taikong.stages import RunSpec
from taikong.validation import check_contracts

pytestmark = pytest.mark.slow  # a pipeline over three shards and two audits (~6 s)


def _seeds(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir(parents=True)
    pages = {
        "a.txt": news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY),
        "b.txt": news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY),
        "c.txt": news_page("Second Flight", "Apr 9, 2024", LAUNCH_BODY[::-1]),
    }
    for name, text in pages.items():
        (seeds / name).write_text(text)
    return seeds


def _both_audits(tmp_path, name: str):
    """(by shards, whole release) of a staged release of the seeds, one file a shard."""
    datasets = tmp_path / f"datasets-{name}"
    plan = plan_run(_seeds(tmp_path / name), datasets)
    shards = plan_shards(plan.files, 1, 10**9, DEFAULT_MAX_BYTES)
    spec = RunSpec(plan.seeds, tuple(map(tuple, shards)), DEFAULT_MAX_BYTES, 0.8, {}, {})
    staging = ReleaseStore(datasets).begin(name)
    run_pipeline(InlineExecutor(), staging.work, spec)
    tables = write_tables(staging)
    by_shards = contracts_of_shards(staging.release, staging.work, spec.shards, tables)
    return by_shards, check_contracts(staging.release), tables


def _facts(results):
    """What both ways must agree on. pandera checks uniqueness only within what it is
    given (a batch of the file, or a shard): the key checks across the whole table are
    the relations' `*_unique`, so a batch's uniqueness finding is left out here."""
    pandera = {
        t["table"]: (
            t["rows"],
            sorted(
                (c["check"], c["failed_rows"], tuple(c["doc_ids"]), c["table_wide"])
                for c in t["failed_checks"]
                if "field_uniqueness" not in c["check"]
            ),
        )
        for t in results.pandera
    }
    relations = {
        r["check"]: (
            r["passed"],
            r["n_failed"],
            r["doc_ids"],
            r["table_wide"],
            sorted(json.dumps(e, default=str, sort_keys=True) for e in r["examples"])
            if r["n_failed"] <= 5
            else len(r["examples"]),
        )
        for r in results.relations
    }
    return pandera, relations


def test_clean_tables_pass_both_ways_with_the_same_rows(tmp_path):
    by_shards, whole, tables = _both_audits(tmp_path, "clean")
    assert _facts(by_shards) == _facts(whole)
    assert all(t["passed"] for t in by_shards.pandera)
    assert all(r["passed"] for r in by_shards.relations)
    assert [r["check"] for r in by_shards.relations] == [r["check"] for r in whole.relations]
    assert by_shards.pandera[0]["rows"] == tables["documents"]["rows"] == 3


def test_broken_rows_within_and_across_documents_are_found_alike(tmp_path, monkeypatch):
    def break_paragraphs(paragraphs: pl.DataFrame) -> pl.DataFrame:
        if paragraphs.height == 0:
            return paragraphs
        first = pl.int_range(pl.len()) == 0
        return paragraphs.with_columns(
            # within a document: a span past its end and a kind outside the vocabulary
            pl.when(first).then(pl.col("raw_end") + 10**6).otherwise(pl.col("raw_end")),
            pl.when(first).then(pl.lit("banner")).otherwise(pl.col("kind")).alias("kind"),
            # across documents: every shard's second paragraph takes the same id
            pl.when(pl.int_range(pl.len()) == 1)
            .then(pl.lit("0000000000000000-p0001"))
            .otherwise(pl.col("paragraph_id"))
            .alias("paragraph_id"),
        )

    replace_stage(monkeypatch, "mark-duplicates", break_paragraphs)
    by_shards, whole, _ = _both_audits(tmp_path, "broken")
    assert _facts(by_shards) == _facts(whole)
    failed = {r["check"] for r in by_shards.relations if not r["passed"]}
    assert {"paragraphs.span_inside_document", "paragraphs.paragraph_id_unique"} <= failed
    paragraphs = next(t for t in by_shards.pandera if t["table"] == "paragraphs")
    kind = next(c for c in paragraphs["failed_checks"] if c["check"].startswith("paragraphs.kind"))
    assert len(kind["doc_ids"]) == 3 and not kind["table_wide"]
    # the index of a failure case is its row's place in the whole table
    cases = by_shards.cases["paragraphs"].filter(pl.col("column") == "kind")
    assert sorted(cases["index"].to_list()) == sorted(
        whole.cases["paragraphs"].filter(pl.col("column") == "kind")["index"].to_list()
    )


def test_staged_files_that_lost_rows_fail_the_audit_as_a_whole(tmp_path):
    datasets = tmp_path / "datasets"
    plan = plan_run(_seeds(tmp_path), datasets)
    shards = plan_shards(plan.files, 1, 10**9, DEFAULT_MAX_BYTES)
    spec = RunSpec(plan.seeds, tuple(map(tuple, shards)), DEFAULT_MAX_BYTES, 0.8, {}, {})
    staging = ReleaseStore(datasets).begin("lost")
    run_pipeline(InlineExecutor(), staging.work, spec)
    tables = write_tables(staging)
    tables["sections"] = {**tables["sections"], "rows": tables["sections"]["rows"] - 1}
    results = contracts_of_shards(staging.release, staging.work, spec.shards, tables)
    sections = next(t for t in results.pandera if t["table"] == "sections")
    (failed,) = sections["failed_checks"]
    assert failed["check"] == f"sections.{ROWS_AUDITED}" and failed["table_wide"]
