"""Runs the declared pipeline (`taikong.pipeline.STAGES`) on any executor.

`run_stage` is the one function every executor calls, for one stage and one shard (or
the whole run): it reads the stage's inputs from the work area, serves or fills the
shard cache, calls the stage function and writes its outputs. An executor decides only
where that call runs: `InlineExecutor` here (this process, in order), Prefect tasks on
threads, processes or Dask in flows/.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from taikong import pipeline
from taikong.io import ShardCache, WorkArea
from taikong.io.files import source_digest
from taikong.pipeline import STAGES, Dataset, Stage, lineage_versions
from taikong.progress import ShardProgress
from taikong.stages import RunSpec, StageContext


@dataclass(frozen=True)
class StageResult:
    stage: str
    shard: int | None
    rows: dict[str, int]  # output dataset -> rows written
    cache_hit: bool
    # documents the stage ran on, when it reused the cached rows of the shard's others
    documents_built: int | None = None


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


def frame_digest(frame: pl.DataFrame) -> str:
    """A frame's content hash: its schema and, row by row in order, two 64-bit polars
    row hashes with different seeds (128 bits a row).

    Unlike the bytes of the frame as Parquet or Arrow IPC, it does not depend on how the
    frame is chunked (a frame read back from the cache and the same frame computed hash
    alike), and it runs at ~1 GB/s. Polars documents the row hash as stable within a
    version only: keys built on it carry the polars version.
    """
    h = hashlib.sha256(f"{frame.schema!r}|{frame.height}".encode())
    if frame.height and frame.width:
        for seed in (0, 1):
            h.update(frame.hash_rows(seed=seed).to_numpy().tobytes())
    return h.hexdigest()


def _digest_name(dataset: str) -> str:
    """Where a per-shard dataset's digest is kept beside it in the work area."""
    return f"{dataset}.digest"


def digested_datasets() -> frozenset[str]:
    """The per-shard datasets a stage cached by content reads whole: each is hashed once,
    when it is written, not once per reader."""
    return frozenset(
        name
        for stage in STAGES
        if stage.cached_by == "content"
        for name in stage.inputs
        if pipeline.producer(name).grain == "shard"
    )


def _shard_digest(work: WorkArea, name: str, shard: int) -> str:
    try:
        return work.read_meta(_digest_name(name), shard)["digest"]
    except FileNotFoundError:  # written by a run without a cache
        return frame_digest(work.read(name, shard))


def _sliced(work: WorkArea, stage: Stage, shard: int) -> dict[str, pl.DataFrame]:
    """The rows of each run-level input that the shard's output depends on (Slice)."""
    frames = {}
    for sl in stage.slices:
        by = work.read(sl.by, shard, columns=list(sl.match)).unique()
        frames[sl.input] = work.read(sl.input).join(
            by.rename(dict(zip(sl.match, sl.on, strict=True))),
            on=list(sl.on),
            how="semi",
            maintain_order="left",
        )
    return frames


def content_run(stage: Stage, work: WorkArea, run: RunSpec, shard: int) -> RunSpec:
    """The run as a stage cached by content sees it: its `run_fields` only (the catalog
    as the entries of the shard's documents), the rest blank, so nothing it is not keyed
    on can reach its output."""
    kept = {name: getattr(run, name) for name in stage.run_fields}
    if "catalog" in kept:
        paths = work.read("docs", shard, columns=["source_path"])["source_path"]
        kept["catalog"] = {p: run.catalog[p] for p in paths if p in run.catalog}
    blank = RunSpec(Path(), (), 0, float("nan"), {}, {})
    return dataclasses.replace(blank, **kept)


@dataclass(frozen=True)
class StageInputs:
    """What a shard stage is given beyond the datasets read whole: for a stage cached by
    content, the slices of its run-level inputs and the run as `content_run` shows it
    (with a cache or without, so its output never depends on whether it was keyed)."""

    given: dict[str, pl.DataFrame]
    run: RunSpec


def stage_inputs(stage: Stage, work: WorkArea, run: RunSpec, shard: int | None) -> StageInputs:
    if stage.cached_by != "content" or shard is None:
        return StageInputs({}, run)
    return StageInputs(_sliced(work, stage, shard), content_run(stage, work, run, shard))


def _identity(stage: Stage, work: WorkArea, run: RunSpec, shard: int, seen: StageInputs):
    """What names the shard's inputs for the key (see cache_key); None: no safe key."""
    if stage.cached_by == "content":
        digests = [
            (name, frame_digest(seen.given[name]))
            if name in seen.given
            else (name, _shard_digest(work, name, shard))
            for name in stage.inputs
        ]
        return digests, [(name, _canonical(getattr(seen.run, name))) for name in stage.run_fields]
    if stage.cached_by == "input_files":
        if not run.input_shas:
            return None  # without hashes there is no safe key
        paths = run.shard_paths[shard]
        return run.max_bytes, [(p, run.input_shas.get(p)) for p in paths]
    if stage.cached_by == "doc_ids":
        # doc_id is the hash of the document's bytes: the shard's content identity.
        return sorted(work.read("docs", shard, columns=["doc_id"])["doc_id"].to_list())
    return None


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return sorted((k, _canonical(v)) for k, v in value.items())
    return value


def cache_key(
    stage: Stage, work: WorkArea, run: RunSpec, shard: int, seen: StageInputs | None = None
) -> str | None:
    """What decides the stage's output for this shard: its and its upstream stages'
    heuristic versions, the versions of the libraries it names, and the shard's inputs:
    file names and hashes ("input_files"), the ids of its documents ("doc_ids"), or the
    digest of exactly what the stage is given ("content": each per-shard input whole,
    the slices of run-level inputs, its run fields). None: not cacheable."""
    seen = seen or stage_inputs(stage, work, run, shard)
    identity = _identity(stage, work, run, shard, seen)
    if identity is None:
        return None
    return content_key(*_key_base(stage), identity)


def _key_base(stage: Stage) -> tuple:
    """What every key of the stage starts with: its name, versions, libraries, code."""
    libraries = stage.libraries
    if stage.cached_by == "content" or stage.document_local:
        libraries = tuple(sorted({"polars", *libraries}))  # the row hash's version
    return (
        stage.name,
        lineage_versions(stage),
        library_versions(libraries),
        source_digest(stage.code),
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
    seen = stage_inputs(stage, work, run, shard)
    key = (
        cache_key(stage, work, run, shard, seen)
        if cache is not None and shard is not None
        else None
    )
    if key is not None and (hit := _serve_from_cache(stage, work, cache, key, shard)):
        return hit
    return _build(stage, work, run, cache, shard, seen, key)


def serve_cached(
    stage_name: str, work: WorkArea, run: RunSpec, cache: ShardCache | None, shard: int
) -> StageResult | None:
    """The shard's outputs put in place from the cache, if it holds them (the stage is
    not run), else None: an executor serves the hits where it stands and hands only the
    misses to its workers (a task run costs more than serving a hit)."""
    stage = pipeline.STAGE_BY_NAME[stage_name]
    if cache is None or stage.cached_by is None:
        return None
    key = cache_key(stage, work, run, shard)
    return _serve_from_cache(stage, work, cache, key, shard) if key is not None else None


def _build(
    stage: Stage,
    work: WorkArea,
    run: RunSpec,
    cache: ShardCache | None,
    shard: int | None,
    seen: StageInputs,
    key: str | None,
) -> StageResult:
    """Run the stage (reusing cached documents where it may) and write its outputs."""
    frames = {
        name: seen.given[name] if name in seen.given else _read_input(work, stage, name, shard)
        for name in stage.inputs
    }
    doc_keys, built = None, None
    if key is not None and stage.document_local:
        doc_keys = document_keys(stage, work, run, shard, frames)
        outputs, built = _reusing_documents(stage, work, cache, shard, frames, seen, doc_keys)
    else:
        outputs = _call(stage, seen, shard, frames)
    digested = digested_datasets() if cache is not None and shard is not None else ()
    for dataset, frame in zip(stage.writes, outputs, strict=True):
        _check_columns(stage, dataset, frame)
        work.write(dataset.name, frame, shard)
        if key is None and dataset.name not in digested:
            continue
        meta: dict = {"digest": frame_digest(frame), "rows": frame.height}
        if doc_keys is not None:
            meta["documents"] = {k: d for d, k in doc_keys.items()}
        work.write_meta(_digest_name(dataset.name), meta, shard)
        if key is not None:
            cache.put(f"{stage.name}.{dataset.name}", key, frame)
            cache.put_meta(f"{stage.name}.{dataset.name}", key, meta)
    return StageResult(
        stage.name,
        shard,
        {name: frame.height for name, frame in zip(stage.outputs, outputs, strict=True)},
        False,
        built,
    )


def _call(stage: Stage, seen: StageInputs, shard: int | None, frames: dict) -> list[pl.DataFrame]:
    result = stage.fn(StageContext(seen.run, shard), **frames)
    outputs = [result] if len(stage.outputs) == 1 else list(result)
    if len(outputs) != len(stage.outputs):
        raise TypeError(f"stage {stage.name!r} returned {len(outputs)} outputs")
    return outputs


def _digests_by_document(frame: pl.DataFrame) -> dict[str, str]:
    """doc_id -> the digest of that document's rows of `frame` (in order)."""
    if frame.height == 0:
        return {}
    hashed = (
        pl.DataFrame(
            {
                "doc_id": frame["doc_id"],
                "h0": frame.hash_rows(seed=0),
                "h1": frame.hash_rows(seed=1),
            }
        )
        .group_by("doc_id", maintain_order=True)
        .agg("h0", "h1")
    )
    schema = repr(frame.schema).encode()
    out = {}
    for doc_id, h0, h1 in hashed.iter_rows():
        h = hashlib.sha256(schema)
        h.update(pl.Series(h0, dtype=pl.UInt64).to_numpy().tobytes())
        h.update(pl.Series(h1, dtype=pl.UInt64).to_numpy().tobytes())
        out[doc_id] = h.hexdigest()
    return out


def document_keys(
    stage: Stage, work: WorkArea, run: RunSpec, shard: int, frames: dict[str, pl.DataFrame]
) -> dict[str, str]:
    """doc_id -> what decides that document's rows of a document-local stage's outputs:
    the stage's key without the shard, with the document's own rows of every input (of a
    sliced input, the rows its own rows of the slice's `by` dataset select) and its
    catalog entry, in the shard's document order."""
    docs = work.read("docs", shard, columns=["doc_id", "source_path"])
    base = _key_base(stage)
    if stage.cached_by == "doc_ids":
        return {d: content_key(*base, d) for d in docs["doc_id"]}
    slices = {sl.input: sl for sl in stage.slices}
    parts: dict[str, list] = {d: [] for d in docs["doc_id"]}
    for name in stage.inputs:
        frame = frames[name]
        if name in slices and "doc_id" not in frame.columns:
            sl = slices[name]
            by = work.read(sl.by, shard, columns=["doc_id", *sl.match]).unique(maintain_order=True)
            by = by.rename(dict(zip(sl.match, sl.on, strict=True)))
            frame = by.join(frame, on=list(sl.on), how="inner", maintain_order="left_right")
            frame = frame.select(
                "doc_id", *(c for c in frames[name].columns if c not in sl.on), *sl.on
            )
        digests = _digests_by_document(frame)
        for doc_id, found in parts.items():
            found.append((name, digests.get(doc_id)))
    catalog = dict(_canonical(run.catalog)) if "catalog" in stage.run_fields else {}
    paths = dict(docs.iter_rows())
    return {
        d: content_key(*base, found, _canonical(catalog.get(paths[d])) if catalog else None)
        for d, found in parts.items()
    }


_INDEX_LOCK = threading.Lock()
_INDEXES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}


def document_index(cache: ShardCache, entry: str) -> dict[str, tuple[str, str]]:
    """document key -> (entry key, doc_id) over the entries of `entry` in the cache as
    this run first sees it, read once per process and run (`cache.run_token`): reading
    every entry's record at every rebuilt shard would cost shards² reads. Entries the
    run adds hold documents it built itself, never wanted again in the same run."""
    scope = (cache.run_token, entry)
    with _INDEX_LOCK:
        if scope not in _INDEXES:
            for old in [k for k in _INDEXES if k[0] != cache.run_token]:
                del _INDEXES[old]  # a previous run's
            _INDEXES[scope] = {
                doc_key: (entry_key, doc_id)
                for entry_key, meta in cache.metas(entry)
                for doc_key, doc_id in meta.get("documents", {}).items()
            }
        return _INDEXES[scope]


def _reusing_documents(
    stage: Stage,
    work: WorkArea,
    cache: ShardCache,
    shard: int,
    frames: dict[str, pl.DataFrame],
    seen: StageInputs,
    doc_keys: dict[str, str],
) -> tuple[list[pl.DataFrame], int]:
    """A document-local stage's outputs for a shard not in the cache: the rows of its
    documents that some cached entry holds under the same document key, and the stage
    run on the rest; returns (outputs, documents built)."""
    index = document_index(cache, f"{stage.name}.{stage.outputs[0]}")
    sources: dict[str, list[str]] = {}  # entry key -> doc_ids to take from it
    for doc_key in doc_keys.values():
        if doc_key in index:
            entry_key, doc_id = index[doc_key]
            sources.setdefault(entry_key, []).append(doc_id)
    reused = {d for ids in sources.values() for d in ids}
    if not reused:
        return _call(stage, seen, shard, frames), len(doc_keys)
    pieces: list[list[pl.DataFrame]] = [[] for _ in stage.outputs]
    for entry_key, ids in sources.items():
        for i, name in enumerate(stage.outputs):
            frame = cache.get(f"{stage.name}.{name}", entry_key)
            if frame is None:  # swept meanwhile
                return _call(stage, seen, shard, frames), len(doc_keys)
            pieces[i].append(frame.filter(pl.col("doc_id").is_in(ids)))
    rest = [d for d in doc_keys if d not in reused]
    if rest:
        subset = {
            name: frame.filter(pl.col("doc_id").is_in(rest)) if "doc_id" in frame.columns else frame
            for name, frame in frames.items()
        }
        for i, frame in enumerate(_call(stage, seen, shard, subset)):
            pieces[i].append(frame)
    order = pl.DataFrame({"doc_id": list(doc_keys)}).with_row_index("_doc_rank")
    outputs = []
    for dataset, parts in zip(stage.writes, pieces, strict=True):
        parts = [p for p in parts if p.height] or parts[:1]
        if any(p.schema != parts[0].schema for p in parts):
            return _call(stage, seen, shard, frames), len(doc_keys)  # a typed-empty part
        combined = pl.concat(parts, how="vertical")
        if dataset.doc_order == "doc_id":
            combined = combined.sort("doc_id", maintain_order=True)
        else:
            combined = (
                combined.join(order, on="doc_id", how="left", maintain_order="left")
                .sort("_doc_rank", maintain_order=True)
                .drop("_doc_rank")
            )
        outputs.append(combined)
    return outputs, len(rest)


def _serve_from_cache(
    stage: Stage, work: WorkArea, cache: ShardCache, key: str, shard: int
) -> StageResult | None:
    """Put a cached shard's outputs, and beside each its digest and row count, into the
    work area without decoding them (a link or a copy of the files, where the work area
    has files); None if the entry is incomplete."""
    entries = [f"{stage.name}.{name}" for name in stage.outputs]
    metas = [cache.get_meta(entry, key) for entry in entries]
    if any(meta is None for meta in metas):
        return None
    for entry, name, meta in zip(entries, stage.outputs, metas, strict=True):
        if hasattr(work, "path"):  # not the in-memory work area
            if not cache.copy_to(entry, key, work.path(name, shard)):
                return None  # swept meanwhile: build it
        else:
            frame = cache.get(entry, key)
            if frame is None:
                return None
            work.write(name, frame, shard)
        work.write_meta(_digest_name(name), meta, shard)
    rows = {name: meta["rows"] for name, meta in zip(stage.outputs, metas, strict=True)}
    return StageResult(stage.name, shard, rows, True)


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


# Why a shard stage built a shard anew instead of serving it from the cache.
REBUILT_NOT_CACHED = "not cached (a cheap stage, rebuilt every run)"
REBUILT_NO_PREDECESSOR = "no previous release"
REBUILT_NEW_DOCUMENTS = "new or changed documents in its shard"
REBUILT_VERSIONS = "heuristic versions changed since the previous release"
REBUILT_UPSTREAM = (
    "same documents, other input: its slice of the run-level results (template counts, "
    "near-duplicate clusters, duplicate paragraphs) or its shard's membership changed"
)


def rebuild_record(
    results: dict[str, list[StageResult]],
    work: WorkArea,
    run: RunSpec,
    known_doc_ids: set[str] | None,
    previous_versions: set[str] | None,
) -> dict:
    """How much of the run each shard stage built anew, in documents, and why (the
    manifest's `rebuilt`): a stage that served a shard from the cache rebuilt none of its
    documents. `known_doc_ids` and `previous_versions`: the previous release's documents
    and heuristic versions (None: no predecessor); a stage's versions changed when one of
    its lineage's is not among them."""
    shard_docs = {
        s: work.read("docs", s, columns=["doc_id"])["doc_id"].to_list() for s in run.shards
    }

    def cause(stage: Stage, shard: int) -> str:
        if stage.cached_by is None:
            return REBUILT_NOT_CACHED
        if known_doc_ids is None:
            return REBUILT_NO_PREDECESSOR
        if not known_doc_ids.issuperset(shard_docs[shard]):
            return REBUILT_NEW_DOCUMENTS
        if previous_versions is not None and not previous_versions.issuperset(
            lineage_versions(stage)
        ):
            return REBUILT_VERSIONS
        return REBUILT_UPSTREAM

    stages = {}
    for name, stage_results in results.items():
        stage = pipeline.STAGE_BY_NAME[name]
        if stage.grain != "shard":
            continue
        why: dict[str, int] = {}
        for r in stage_results:
            if not r.cache_hit:
                reason = cause(stage, r.shard)
                built = len(shard_docs[r.shard]) if r.documents_built is None else r.documents_built
                if built:
                    why[reason] = why.get(reason, 0) + built
        stages[name] = {
            "shards_rebuilt": sum(not r.cache_hit for r in stage_results),
            "documents_rebuilt": sum(why.values()),
            "why": why,
        }
    return {
        "documents": sum(len(d) for d in shard_docs.values()),
        "shards": len(run.shards),
        "stages": stages,
    }
