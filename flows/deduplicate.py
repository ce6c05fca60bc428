"""Deduplicate stage: near-duplicate documents, then boilerplate lines; and, after
structure, duplicate paragraphs. Each is map -> reduce -> map over shards."""

from __future__ import annotations

from prefect import task, unmapped

from flows._common import TASK_DEFAULTS, gather
from flows.progress import RunProgress
from taikong import steps
from taikong.io import ShardCache, WorkArea


@task(name="minhash-shard", **TASK_DEFAULTS)
def signatures_shard(work: WorkArea, shard: int, cache: ShardCache | None) -> bool:
    return steps.signatures_shard(work, shard, cache)


@task(name="cluster-near-duplicates", **TASK_DEFAULTS)
def cluster_near_duplicates(work: WorkArea, threshold: float) -> int:
    return steps.cluster_near_duplicates(work, threshold)


@task(name="fingerprint-shard", **TASK_DEFAULTS)
def fingerprints_shard(work: WorkArea, shard: int, cache: ShardCache | None) -> bool:
    return steps.fingerprints_shard(work, shard, cache)


@task(name="count-templates", **TASK_DEFAULTS)
def count_templates(work: WorkArea) -> int:
    return steps.count_templates(work)


@task(name="label-boilerplate-shard", **TASK_DEFAULTS)
def label_boilerplate_shard(work: WorkArea, shard: int) -> None:
    steps.label_boilerplate_shard(work, shard)


@task(name="find-duplicate-paragraphs", **TASK_DEFAULTS)
def find_duplicate_paragraphs(work: WorkArea) -> int:
    return steps.find_duplicate_paragraphs(work)


@task(name="mark-duplicates-shard", **TASK_DEFAULTS)
def mark_duplicates_shard(work: WorkArea, shard: int) -> None:
    steps.mark_duplicates_shard(work, shard)


def deduplicate_documents(
    work: WorkArea,
    shards: list[int],
    threshold: float,
    cache: ShardCache | None = None,
    progress: RunProgress | None = None,
) -> dict:
    sig_futures = signatures_shard.map(unmapped(work), shards, unmapped(cache))
    sig_hits = gather("minhash", sig_futures, shards, progress)
    near_dups = cluster_near_duplicates(work, threshold)
    # Cross-document statistics are recomputed from (cached) per-document fingerprints.
    fp_futures = fingerprints_shard.map(unmapped(work), shards, unmapped(cache))
    fp_hits = gather("fingerprint", fp_futures, shards, progress)
    templates = count_templates(work)
    labelled = label_boilerplate_shard.map(unmapped(work), shards)
    gather("label-boilerplate", labelled, shards, progress)
    return {
        "near_duplicate_documents": near_dups,
        "repeated_templates": templates,
        "cache_hits": sum(sig_hits) + sum(fp_hits),
    }


def deduplicate_paragraphs(
    work: WorkArea, shards: list[int], progress: RunProgress | None = None
) -> int:
    n = find_duplicate_paragraphs(work)
    marked = mark_duplicates_shard.map(unmapped(work), shards)
    gather("mark-duplicates", marked, shards, progress)
    return n
