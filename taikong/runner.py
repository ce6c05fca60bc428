"""Runs the declared pipeline (`taikong.pipeline.STAGES`) on any executor.

`run_stage` is the one function every executor calls, for one stage and one shard (or
the whole run): it reads the stage's inputs from the work area, serves or fills the
shard cache, calls the stage function and writes its outputs. An executor decides only
where that call runs: `InlineExecutor` here (this process, in order), Prefect tasks on
threads, processes or Dask in flows/.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any, Protocol

import polars as pl

from taikong import pipeline
from taikong.io import ShardCache, WorkArea
from taikong.pipeline import STAGES, Dataset, Stage, lineage_versions
from taikong.progress import ShardProgress
from taikong.stages import RunSpec, StageContext


@dataclass(frozen=True)
class StageResult:
    stage: str
    shard: int | None
    rows: dict[str, int]  # output dataset -> rows written
    cache_hit: bool


def content_key(*parts: object) -> str:
    """Cache key: hash of everything a stage's output depends on."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


@cache
def library_versions(libraries: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, metadata.version(name)) for name in libraries)


def cache_key(stage: Stage, work: WorkArea, run: RunSpec, shard: int) -> str | None:
    """What decides the stage's output for this shard: its and its upstream stages'
    heuristic versions, the versions of the libraries it names, and the shard's inputs
    (file names and hashes, or the ids of its documents). None: not cacheable."""
    if stage.cached_by == "input_files":
        if not run.input_shas:
            return None  # without hashes there is no safe key
        paths = run.shard_paths[shard]
        identity: object = (run.max_bytes, [(p, run.input_shas.get(p)) for p in paths])
    elif stage.cached_by == "doc_ids":
        # doc_id is the hash of the document's bytes: the shard's content identity.
        identity = sorted(work.read("docs", shard, columns=["doc_id"])["doc_id"].to_list())
    else:
        return None
    return content_key(
        stage.name, lineage_versions(stage), library_versions(stage.libraries), identity
    )


def _read_input(work: WorkArea, stage: Stage, name: str, shard: int | None):
    if pipeline.producer(name).grain == "run":
        return work.read(name)
    if stage.grain == "shard":
        return work.read(name, shard)
    return work.scan_all(name) if name in stage.lazy else work.read_all(name)


def _check_columns(stage: Stage, dataset: Dataset, frame: pl.DataFrame) -> None:
    missing = [c for c in dataset.columns if c not in frame.columns]
    if missing:
        raise TypeError(f"stage {stage.name!r} wrote {dataset.name!r} without columns {missing}")


def run_stage(
    stage_name: str,
    work: WorkArea,
    run: RunSpec,
    cache: ShardCache | None,
    shard: int | None,
) -> StageResult:
    """Run one stage on one shard (or, for a run stage, shard=None) and write its outputs."""
    stage = pipeline.STAGE_BY_NAME[stage_name]
    key = cache_key(stage, work, run, shard) if cache is not None and shard is not None else None
    outputs = None
    if key is not None:
        hits = [cache.get(f"{stage.name}.{name}", key) for name in stage.outputs]
        if all(hit is not None for hit in hits):
            outputs = hits
    hit = outputs is not None
    if outputs is None:
        frames = {name: _read_input(work, stage, name, shard) for name in stage.inputs}
        result = stage.fn(StageContext(run, shard), **frames)
        outputs = [result] if len(stage.outputs) == 1 else list(result)
        if len(outputs) != len(stage.outputs):
            raise TypeError(f"stage {stage.name!r} returned {len(outputs)} outputs")
        for dataset, frame in zip(stage.writes, outputs, strict=True):
            _check_columns(stage, dataset, frame)
            if key is not None:
                cache.put(f"{stage.name}.{dataset.name}", key, frame)
    for name, frame in zip(stage.outputs, outputs, strict=True):
        work.write(name, frame, shard)
    return StageResult(
        stage.name,
        shard,
        {name: frame.height for name, frame in zip(stage.outputs, outputs, strict=True)},
        hit,
    )


def runs_on_lead(stage: Stage, work: Any) -> bool:
    """Whether `stage` must run in the lead process, the one that has the seeds.

    A stage with no work-area inputs reads the seeds directory itself (ingest). With the
    work area in object storage, workers are not assumed to share any filesystem with
    the lead, so such a stage runs where the seeds are and writes its output to the
    object store; every later stage reads and writes only the object store. With a
    local work area the workers share the lead's filesystem, seeds included.
    """
    return not stage.inputs and getattr(work, "in_object_store", False)


class Executor(Protocol):
    """Where stages run. `map` runs a shard stage on every shard (results in shard
    order); `reduce` runs a run stage once; `call` runs one lifecycle step; `begin` and
    `finish` frame the shard stages (progress)."""

    def begin(self, shard_plan: ShardProgress) -> None: ...

    def finish(self, description: str, done: bool = True) -> None: ...

    def map(
        self, stage: Stage, shards: Sequence[int], work: WorkArea, run: RunSpec, cache
    ) -> list[StageResult]: ...

    def reduce(self, stage: Stage, work: WorkArea, run: RunSpec, cache) -> StageResult: ...

    def call(self, name: str, fn: Callable[..., Any], /, *, retry: bool = True, **kwargs): ...


class InlineExecutor:
    """Everything in this process, one shard after another; `on_shard_done(stage, shard)`
    is told of each finished shard (progress)."""

    def __init__(self, on_shard_done: Callable[[str, int], None] | None = None):
        self.on_shard_done = on_shard_done
        self.shard_plan: ShardProgress | None = None

    def begin(self, shard_plan: ShardProgress) -> None:
        self.shard_plan = shard_plan

    def finish(self, description: str, done: bool = True) -> None:
        pass

    def map(self, stage, shards, work, run, cache) -> list[StageResult]:
        results = []
        for shard in shards:
            results.append(run_stage(stage.name, work, run, cache, shard))
            if self.on_shard_done is not None:
                self.on_shard_done(stage.name, shard)
        return results

    def reduce(self, stage, work, run, cache) -> StageResult:
        return run_stage(stage.name, work, run, cache, None)

    def call(self, name, fn, /, *, retry=True, **kwargs):
        return fn(**kwargs)


def run_pipeline(
    executor: Executor,
    work: WorkArea,
    run: RunSpec,
    cache: ShardCache | None = None,
    stage_list: Sequence[Stage] = STAGES,
) -> dict[str, list[StageResult]]:
    """Every stage in order; returns each stage's results (one per shard for a shard stage)."""
    done: dict[str, list[StageResult]] = {}
    for stage in stage_list:
        if stage.grain == "shard":
            done[stage.name] = executor.map(stage, run.shards, work, run, cache)
        else:
            done[stage.name] = [executor.reduce(stage, work, run, cache)]
    return done


def cache_hits(results: dict[str, list[StageResult]]) -> dict[str, int]:
    """Shards served from the cache, per cached stage."""
    return {
        name: sum(r.cache_hit for r in rs)
        for name, rs in results.items()
        if pipeline.STAGE_BY_NAME[name].cached_by is not None
    }
