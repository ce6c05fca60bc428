"""Clean stage: lines with normalized text and layout features, per shard."""

from __future__ import annotations

from prefect import task, unmapped

from flows._common import TASK_DEFAULTS, gather
from flows.progress import RunProgress
from taikong import steps
from taikong.io import ShardCache, WorkArea


@task(name="clean-shard", **TASK_DEFAULTS)
def clean_shard(work: WorkArea, shard: int, cache: ShardCache | None) -> dict:
    return steps.clean_shard(work, shard, cache)


def clean(
    work: WorkArea,
    shards: list[int],
    cache: ShardCache | None = None,
    progress: RunProgress | None = None,
) -> tuple[int, int]:
    """Clean every shard: (lines, cache hits)."""
    futures = clean_shard.map(unmapped(work), shards, unmapped(cache))
    results = gather("clean", futures, shards, progress)
    return sum(r["lines"] for r in results), sum(r["cache_hit"] for r in results)
