"""Ingest stage: read and decode each shard of input files."""

from __future__ import annotations

from pathlib import Path

from prefect import task, unmapped

from flows._common import TASK_DEFAULTS, gather
from flows.progress import RunProgress
from taikong import steps
from taikong.io import ShardCache, WorkArea


@task(name="ingest-shard", **TASK_DEFAULTS)
def ingest_shard(
    work: WorkArea,
    shard: int,
    seeds_dir: Path,
    paths: list[str],
    max_bytes: int,
    cache: ShardCache | None,
    input_shas: dict[str, str],
) -> dict:
    return steps.ingest_shard(work, shard, seeds_dir, paths, max_bytes, cache, input_shas)


@task(name="resolve-duplicate-files", **TASK_DEFAULTS)
def resolve_duplicate_files(work: WorkArea):
    return steps.resolve_duplicate_files(work)


def ingest(
    work: WorkArea,
    seeds_dir: Path,
    shards: list[list[str]],
    max_bytes: int,
    cache: ShardCache | None = None,
    input_shas: dict[str, str] | None = None,
    progress: RunProgress | None = None,
):
    """Map ingest over shards, then reduce duplicate files: (inputs frame, cache hits)."""
    futures = ingest_shard.map(
        unmapped(work),
        list(range(len(shards))),
        unmapped(seeds_dir),
        shards,
        unmapped(max_bytes),
        unmapped(cache),
        unmapped(input_shas or {}),
    )
    results = gather("ingest", futures, list(range(len(shards))), progress)
    return resolve_duplicate_files(work), sum(r["cache_hit"] for r in results)
