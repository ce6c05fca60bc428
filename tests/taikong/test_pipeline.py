"""The declared pipeline: a sound stage list, derived views, and the generic runner."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, docs_frame, news_page, run_in_memory, run_spec

from taikong import pipeline, progress, runner
from taikong.io import ShardCache
from taikong.io.memory import MemoryWorkArea
from taikong.pipeline import STAGES, Stage, check_declaration, lineage_versions
from taikong.stages import RunSpec

TEXTS = {
    "a.txt": news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY),
    "b.txt": news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY),
}


def test_the_declared_stage_list_is_sound():
    assert check_declaration() == []
    assert tuple(s.name for s in STAGES if s.grain == "shard") == progress.SHARD_STAGES
    assert [s.name for s in STAGES].count("enrich") == 1  # enrichment is its own stage


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s + (dataclasses.replace(s[3], name="again"),), "again: overwrites 'lines'"),
        (lambda s: s[1:], "resolve-duplicate-files: reads 'file_fates'"),
        (
            lambda s: tuple(
                dataclasses.replace(x, cached_by="doc_ids") if x.name == "label-boilerplate" else x
                for x in s
            ),
            "label-boilerplate: cached by doc_ids but reads run-level ['template_levels']",
        ),
        (
            lambda s: tuple(x for x in s if x.name != "mark-duplicates"),
            "table paragraphs: dataset 'paragraphs' is written by no stage",
        ),
        (
            lambda s: _changed(s, "mark-duplicates", slices=()),
            "mark-duplicates: cached by content but reads 'paragraph_duplicates' unsliced",
        ),
        (
            lambda s: _changed(
                s,
                "label-boilerplate",
                slices=(pipeline.Slice("template_levels", ("template",), by="labelled_lines"),),
            ),
            "label-boilerplate: slices by 'labelled_lines', not an earlier shard dataset",
        ),
        (
            lambda s: _changed(
                s,
                "describe-documents",
                slices=(pipeline.Slice("clusters", ("cluster_id",), by="docs"),),
            ),
            "describe-documents: slices 'clusters' on undeclared ('cluster_id',)",
        ),
        (
            lambda s: _changed(s, "structure", run_fields=("shard_paths",)),
            "structure: cached by content but reads run field 'shard_paths'",
        ),
        (
            lambda s: _changed(s, "enrich", cached_by=None),
            "",  # still sound: a stage may always be left uncached
        ),
        (
            lambda s: _changed(s, "cluster-near-duplicates", cached_by="content"),
            "cluster-near-duplicates: cached by content per run",
        ),
    ],
)
def test_a_broken_stage_list_is_named(change, problem):
    problems = check_declaration(change(STAGES))
    if problem:
        assert any(p.startswith(problem) for p in problems), problems
    else:
        assert problems == []


def _changed(stage_list: tuple[Stage, ...], name: str, **change) -> tuple[Stage, ...]:
    return tuple(dataclasses.replace(s, **change) if s.name == name else s for s in stage_list)


def test_lineage_versions_carry_every_upstream_heuristic():
    structure = pipeline.STAGE_BY_NAME["structure"]
    versions = lineage_versions(structure)
    for upstream in ("ingest", "clean", "label-boilerplate", "cluster-near-duplicates"):
        assert set(pipeline.STAGE_BY_NAME[upstream].versions) <= set(versions), upstream
    assert not set(pipeline.STAGE_BY_NAME["enrich"].versions) & set(versions)


def _spec() -> RunSpec:
    return run_spec(TEXTS)


def test_cache_keys_follow_versions_libraries_and_documents(monkeypatch):
    work = MemoryWorkArea()
    work.write("docs", docs_frame(TEXTS), 0)
    clean = pipeline.STAGE_BY_NAME["clean"]
    key = runner.cache_key(clean, work, _spec(), 0)
    assert key == runner.cache_key(clean, work, _spec(), 0)
    # an upstream heuristic bump (ingest's decode version) changes the key
    ingest = pipeline.STAGE_BY_NAME["ingest"]
    monkeypatch.setitem(
        pipeline.STAGE_BY_NAME, "ingest", dataclasses.replace(ingest, versions=("decode_v99",))
    )
    monkeypatch.setattr(pipeline, "STAGES", tuple(pipeline.STAGE_BY_NAME[s.name] for s in STAGES))
    assert runner.cache_key(clean, work, _spec(), 0) != key
    monkeypatch.undo()
    # so does another polars version, and another set of documents
    monkeypatch.setattr(runner, "library_versions", lambda libs: (("polars", "0.0.1"),))
    assert runner.cache_key(clean, work, _spec(), 0) != key
    monkeypatch.undo()
    work.write("docs", docs_frame({"a.txt": TEXTS["a.txt"]}), 0)
    assert runner.cache_key(clean, work, _spec(), 0) != key
    # a stage without a cache declaration has no key
    assert runner.cache_key(pipeline.STAGE_BY_NAME["select-documents"], work, _spec(), 0) is None


def test_a_second_run_is_served_from_the_cache_with_identical_outputs(tmp_path):
    cache = ShardCache(tmp_path, "test")
    outputs = []
    for _ in range(2):
        work = MemoryWorkArea()
        work.write("docs", docs_frame(TEXTS), 0)
        results = runner.run_pipeline(
            runner.InlineExecutor(), work, _spec(), cache, pipeline.stages_after("docs")
        )
        outputs.append({name: work.read(name, 0) for name in ("lines", "paragraphs")})
    cached = [s.name for s in pipeline.stages_after("docs") if s.cached_by is not None]
    assert "structure" in cached and "mark-duplicates" in cached
    assert runner.cache_hits(results) == dict.fromkeys(cached, 1)
    for name, frame in outputs[0].items():
        assert frame.equals(outputs[1][name]), name


def test_the_runner_refuses_an_output_without_its_declared_columns(monkeypatch):
    stage = pipeline.STAGE_BY_NAME["clean"]
    broken = dataclasses.replace(stage, fn=lambda ctx, docs: pl.DataFrame({"x": [1]}))
    monkeypatch.setitem(pipeline.STAGE_BY_NAME, "clean", broken)
    work = MemoryWorkArea()
    work.write("docs", docs_frame(TEXTS), 0)
    with pytest.raises(TypeError, match=r"stage 'clean' wrote 'lines' without columns"):
        runner.run_stage("clean", work, _spec(), None, 0)


def count_words(ctx, paragraphs: pl.DataFrame) -> pl.DataFrame:
    return paragraphs.select(
        "paragraph_id", pl.col("text").str.split(" ").list.len().alias("n_words")
    )


def test_adding_a_stage_is_one_entry_and_its_function(monkeypatch):
    """A stage counting words per paragraph, appended to the list: it is sound, it runs,
    and its dataset is written; nothing else is edited."""
    extra = Stage(
        name="count-words",
        fn=count_words,
        grain="shard",
        inputs=("paragraphs",),
        writes=(pipeline.Dataset("word_counts", ("paragraph_id", "n_words"), "per paragraph"),),
    )
    assert check_declaration(STAGES + (extra,)) == []
    monkeypatch.setitem(pipeline.STAGE_BY_NAME, "count-words", extra)
    work = MemoryWorkArea()
    work.write("docs", docs_frame(TEXTS), 0)
    stage_list = pipeline.stages_after("docs") + (extra,)
    runner.run_pipeline(runner.InlineExecutor(), work, _spec(), None, stage_list)
    counts = work.read("word_counts", 0)
    assert counts.height == work.read("paragraphs", 0).height > 0
    texts = work.read("paragraphs", 0)["text"].to_list()
    assert counts["n_words"].to_list() == [len(t.split(" ")) for t in texts]


def test_the_in_memory_run_is_the_declared_pipeline():
    tables, labelled = run_in_memory(TEXTS)
    assert tables.documents.height == 2
    assert set(tables.paragraphs.columns) >= {"paragraph_id", "duplicate_of", "n_chars"}
    assert labelled["bp_reason"].is_not_null().any()


def test_every_stage_version_is_recorded_in_the_manifest_heuristics():
    from taikong.versions import HEURISTICS

    declared = {v for stage in pipeline.STAGES for v in stage.versions}
    assert declared - set(HEURISTICS.values()) == set()
