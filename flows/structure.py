"""Structure stage: documents, sections, paragraphs and boilerplate tables per shard."""

from __future__ import annotations

from prefect import task, unmapped

from flows._common import TASK_DEFAULTS, gather
from flows.progress import RunProgress
from taikong import steps
from taikong.ingest.catalog import Catalog
from taikong.io import WorkArea


@task(name="structure-shard", **TASK_DEFAULTS)
def structure_shard(work: WorkArea, shard: int, catalog: Catalog) -> dict:
    return steps.structure_shard(work, shard, catalog)


def structure(
    work: WorkArea, shards: list[int], catalog: Catalog, progress: RunProgress | None = None
) -> list[dict]:
    futures = structure_shard.map(unmapped(work), shards, unmapped(catalog))
    return gather("structure", futures, shards, progress)
