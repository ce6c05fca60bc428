"""The runner's content-addressed cache: digests, slices of run-level inputs, what a
stage cached by content is given, and early cut-off."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
from corpus import LAUNCH_BODY, PROBE_BODY, docs_frame, news_page, run_spec

from taikong import pipeline, runner
from taikong.dedup import boilerplate
from taikong.enrich.quantities import QUANTITIES_VERSION
from taikong.io import ShardCache, WorkArea
from taikong.io.memory import MemoryWorkArea
from taikong.stages import RunSpec
from taikong.structure.paragraphs import STRUCTURE_VERSION
from taikong.versions import HEURISTICS


def _spec() -> RunSpec:
    return run_spec(SITE)


SITE = {
    f"{i}.txt": news_page(f"Story {i}", f"Mar {i + 1}, 2024", [body])
    for i, body in enumerate([LAUNCH_BODY[0], PROBE_BODY[0], LAUNCH_BODY[1]])
}


def _run_from_docs(texts: dict[str, str], catalog: dict | None = None) -> MemoryWorkArea:
    work = MemoryWorkArea()
    work.write("docs", docs_frame(texts), 0)
    spec = dataclasses.replace(_spec(), shard_paths=(tuple(texts),), catalog=catalog or {})
    runner.run_pipeline(runner.InlineExecutor(), work, spec, None, pipeline.stages_after("docs"))
    return work


def test_frame_digest_follows_content_not_chunks():
    frame = pl.DataFrame({"doc_id": ["a", "b", "c"], "n": [1, None, 3], "xs": [[1], [], [2, 3]]})
    chunked = pl.concat([frame[:1], frame[1:]], rechunk=False)
    assert chunked.n_chunks() == 2
    assert runner.frame_digest(chunked) == runner.frame_digest(frame)
    for other in (
        frame.with_columns(pl.col("n").fill_null(0)),  # a value
        frame.reverse(),  # the order
        frame.rename({"n": "m"}),  # a name
        frame.with_columns(pl.col("n").cast(pl.Int32)),  # a type
        frame.head(0),
    ):
        assert runner.frame_digest(other) != runner.frame_digest(frame)


def test_a_content_key_hashes_only_the_rows_a_shard_reads():
    work = _run_from_docs(SITE)
    label = pipeline.STAGE_BY_NAME["label-boilerplate"]
    key = runner.cache_key(label, work, _spec(), 0)
    levels = work.read("template_levels")
    assert levels.height > 0
    # a level of a template the shard does not hold: same key
    unrelated = pl.DataFrame({"template": [12345], "n_clusters": [2]}, schema=dict(levels.schema))
    work.write("template_levels", pl.concat([levels, unrelated]))
    assert runner.cache_key(label, work, _spec(), 0) == key
    # a level of one of its templates: another key
    work.write("template_levels", levels.with_columns(pl.col("n_clusters") - 1))
    assert runner.cache_key(label, work, _spec(), 0) != key
    # per-shard inputs are hashed whole: another line changes the key
    work.write("template_levels", levels)
    lines = work.read("lines", 0)
    work.write("lines", lines.with_columns(pl.col("text").str.replace("Story", "Tale")), 0)
    assert runner.cache_key(label, work, _spec(), 0) != key


def test_a_count_that_crosses_no_threshold_leaves_the_labelling_key_as_it_was():
    """An added page raises its site's template counts; labelling reruns only where a
    template's level (its cluster count up to the highest threshold) moved."""
    work = _run_from_docs(SITE)
    label = pipeline.STAGE_BY_NAME["label-boilerplate"]
    key = runner.cache_key(label, work, _spec(), 0)
    counts = work.read("template_counts")
    assert counts["n_clusters"].min() >= boilerplate.SITE_WIDE_CLUSTERS

    def relevel(new_counts: pl.DataFrame) -> str:
        work.write("template_levels", boilerplate.template_levels(new_counts))
        return runner.cache_key(label, work, _spec(), 0)

    more = counts.with_columns(pl.col("n_docs") + 5, pl.col("n_clusters") + 2)
    assert relevel(more) == key
    fewer = counts.with_columns(pl.lit(1, dtype=pl.Int32).alias("n_clusters"))
    assert relevel(fewer) != key
    assert boilerplate.template_levels(boilerplate.template_levels(counts)).equals(
        boilerplate.template_levels(counts)
    )


def test_a_content_cached_stage_is_given_only_what_its_key_hashes(monkeypatch):
    texts = dict(list(SITE.items())[:2])
    catalog = {"0.txt": {"title": "Zero"}, "elsewhere.txt": {"title": "Not in this shard"}}
    work = _run_from_docs(texts, catalog)
    work.write("clusters", pl.concat([work.read("clusters"), _cluster_row(work, "x")]))
    seen = {}
    describe = pipeline.STAGE_BY_NAME["describe-documents"]

    def spy(ctx, **frames):
        seen.update(run=ctx.run, clusters=frames["clusters"])
        return describe.fn(ctx, **frames)

    monkeypatch.setitem(
        pipeline.STAGE_BY_NAME, describe.name, dataclasses.replace(describe, fn=spy)
    )
    spec = dataclasses.replace(_spec(), shard_paths=(tuple(texts),), catalog=catalog)
    runner.run_stage(describe.name, work, spec, None, 0)
    assert seen["run"].catalog == {"0.txt": {"title": "Zero"}}
    assert seen["run"].shard_paths == () and seen["run"].seeds_dir == Path()
    doc_ids = set(work.read("docs", 0)["doc_id"])
    assert set(seen["clusters"]["doc_id"]) <= doc_ids and "x" not in set(seen["clusters"]["doc_id"])


def _cluster_row(work: MemoryWorkArea, doc_id: str) -> pl.DataFrame:
    clusters = work.read("clusters")
    row = {c: None for c in clusters.columns} | {"doc_id": doc_id}
    return pl.DataFrame([row], schema=clusters.schema)


def test_an_unchanged_output_upstream_serves_the_stages_after_it(tmp_path):
    """Early cut-off: label-boilerplate reruns when the levels it reads change, and when
    its labelled lines come out the same, structure and what follows hit the cache."""
    work = _run_from_docs(SITE)
    cache = ShardCache(tmp_path, "test")
    after_counts = pipeline.stages_after("template_levels")
    labelled = []
    for bump in (0, 1):
        run_work = MemoryWorkArea()
        for name in (
            "docs",
            "lines",
            "fingerprints",
            "clusters",
            "template_counts",
            "template_levels",
        ):
            shard = None if pipeline.producer(name).grain == "run" else 0
            run_work.write(name, work.read(name, shard), shard)
        levels = work.read("template_levels")
        assert levels["n_clusters"].min() >= 3  # three sites' worth: every threshold met
        # a level above the highest threshold: another key, the same labels
        run_work.write("template_levels", levels.with_columns(pl.col("n_clusters") + bump))
        results = runner.run_pipeline(
            runner.InlineExecutor(), run_work, _spec(), cache, after_counts
        )
        labelled.append(run_work.read("labelled_lines", 0))
    assert labelled[0].equals(labelled[1])
    hits = runner.cache_hits(results)
    assert hits.pop("label-boilerplate") == 0
    assert hits == dict.fromkeys(hits, 1) and "structure" in hits and "enrich" in hits


def test_the_rebuild_record_counts_documents_of_rebuilt_shards_by_cause():
    work = MemoryWorkArea()
    spec = dataclasses.replace(_spec(), shard_paths=(("a.txt", "b.txt"), ("c.txt",), ("d.txt",)))
    for shard, ids in enumerate((["a", "b"], ["c"], ["d"])):
        work.write("docs", pl.DataFrame({"doc_id": ids}), shard)

    def results(stage: str, hits: list[bool]) -> list[runner.StageResult]:
        return [runner.StageResult(stage, s, {}, hit) for s, hit in enumerate(hits)]

    record = runner.rebuild_record(
        {
            "structure": results("structure", [False, False, True]),
            "select-documents": results("select-documents", [False, False, False]),
            "count-templates": [runner.StageResult("count-templates", None, {}, False)],
        },
        work,
        spec,
        known_doc_ids={"a", "b", "d"},  # c is new
        previous_versions=set(HEURISTICS.values()),
    )
    assert record["documents"] == 4 and record["shards"] == 3
    assert record["stages"]["structure"] == {
        "shards_rebuilt": 2,
        "documents_rebuilt": 3,
        "why": {runner.REBUILT_UPSTREAM: 2, runner.REBUILT_NEW_DOCUMENTS: 1},
    }
    assert record["stages"]["select-documents"]["why"] == {runner.REBUILT_NOT_CACHED: 4}
    assert "count-templates" not in record["stages"]  # a run stage has no documents
    first = runner.rebuild_record(
        {"structure": results("structure", [False, False, False])}, work, spec, None, None
    )
    assert first["stages"]["structure"]["why"] == {runner.REBUILT_NO_PREDECESSOR: 4}
    rebuilt = {"structure": results("structure", [False, True, True])}
    # A version of the stage's lineage (its own here) changed: that is why.
    older = set(HEURISTICS.values()) - {STRUCTURE_VERSION} | {"structure_v0"}
    bumped = runner.rebuild_record(rebuilt, work, spec, {"a", "b"}, older)
    assert bumped["stages"]["structure"]["why"] == {runner.REBUILT_VERSIONS: 2}
    # A version outside its lineage is no reason for it to be rebuilt.
    unrelated = set(HEURISTICS.values()) - {QUANTITIES_VERSION} | {"quantities_v0"}
    other = runner.rebuild_record(rebuilt, work, spec, {"a", "b"}, unrelated)
    assert other["stages"]["structure"]["why"] == {runner.REBUILT_UPSTREAM: 2}


def test_only_the_stage_that_reads_the_seeds_runs_on_the_lead_with_an_object_store(tmp_path):
    """Where stages run: the one that reads the seeds stays on the lead when workers share
    no filesystem with it."""
    from taikong.io import ObjectWorkArea, WorkArea

    in_bucket = ObjectWorkArea("s3://bucket/prefix/.staging/run/work")
    assert [s.name for s in pipeline.STAGES if runner.runs_on_lead(s, in_bucket)] == ["ingest"]
    for local in (WorkArea(tmp_path), MemoryWorkArea()):
        assert not runner.runs_on_lead(pipeline.STAGE_BY_NAME["ingest"], local)


def test_a_cache_hit_links_the_entry_into_a_local_work_area_with_its_rows(tmp_path):
    """A served shard is not decoded and written again: its files are the cache entry's
    (one inode), and the rows it reports are those the build reported."""
    built = _run_from_docs(SITE)
    cache = ShardCache(tmp_path / "datasets", "test")
    after = pipeline.stages_after("docs")
    runs = []
    for name in ("first", "second"):
        work = WorkArea(tmp_path / name)
        work.write("docs", built.read("docs", 0), 0)
        runs.append(
            (work, runner.run_pipeline(runner.InlineExecutor(), work, _spec(), cache, after))
        )
    (first, built_results), (second, served) = runs
    assert set(runner.cache_hits(served).values()) == {1}
    assert not any(runner.cache_hits(built_results).values())
    for stage in after:
        if stage.grain == "shard" and stage.cached_by is not None:
            assert served[stage.name][0].rows == built_results[stage.name][0].rows
            for name in stage.outputs:
                assert second.read(name, 0).equals(first.read(name, 0))
                entry = cache._path(f"{stage.name}.{name}", "x").parent
                assert any(
                    p.stat().st_ino == second.path(name, 0).stat().st_ino
                    for p in entry.glob("*.parquet")
                ), name


def test_a_rebuilt_shard_reuses_its_unchanged_documents_and_equals_a_fresh_build(tmp_path):
    """One page edited: its shard is not in the cache, the document-local stages run on
    that page alone and take the others' rows from the cache, and every dataset equals
    a build without any cache."""
    after = pipeline.stages_after("docs")
    edited = dict(SITE)
    edited["1.txt"] = SITE["1.txt"].replace("orbit", "a lower orbit", 1)
    assert edited["1.txt"] != SITE["1.txt"]

    def run(texts, name, with_cache):
        work = WorkArea(tmp_path / name)
        work.write("docs", docs_frame(texts), 0)
        spec = dataclasses.replace(_spec(), shard_paths=(tuple(texts),))
        cache = ShardCache(tmp_path / "datasets", "test") if with_cache else None  # a run's
        return work, runner.run_pipeline(runner.InlineExecutor(), work, spec, cache, after)

    run(SITE, "first", True)
    work, results = run(edited, "second", True)
    fresh, _ = run(edited, "fresh", False)
    local = [s for s in after if s.document_local]
    assert {s.name for s in local} >= {"clean", "label-boilerplate", "structure", "enrich"}
    for stage in local:
        (result,) = results[stage.name]
        assert not result.cache_hit and result.documents_built == 1, stage.name
    for stage in after:
        for name in stage.outputs:
            shard = None if stage.grain == "run" else 0
            assert work.read(name, shard).equals(fresh.read(name, shard)), name
