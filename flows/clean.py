"""Clean stage: lines with normalized text and layout features, per shard."""

from __future__ import annotations

from prefect import task, unmapped

from flows._common import TASK_DEFAULTS
from taikong import steps
from taikong.io.store import WorkArea


@task(name="clean-shard", **TASK_DEFAULTS)
def clean_shard(work: WorkArea, shard: int) -> int:
    return steps.clean_shard(work, shard)


def clean(work: WorkArea, shards: list[int]) -> int:
    return sum(clean_shard.map(unmapped(work), shards).result())
