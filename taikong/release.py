"""The release lifecycle, in plain Python: plan, fingerprint, unchanged check, recover,
stage, run the pipeline, audit, publish, sweep.

It takes the executor as an argument (`taikong.runner.InlineExecutor` in this process;
Prefect tasks in flows/), so a release runs the same way with or without Prefect. The
caller owns logging and progress: it passes a logger, and the executor reports the
shards it finishes (`begin` gives it the shard plan, `finish` the run's end).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from taikong.audit_settings import AuditSettings, load_audit_settings
from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.shards import (
    DEFAULT_SHARD_BYTES,
    DEFAULT_SHARD_DOCS,
    account_for_walk,
    plan_shards,
)
from taikong.io import open_store
from taikong.plan import fingerprint as run_fingerprint
from taikong.plan import input_shas, known_release, plan_run, readable_paths, run_options
from taikong.progress import ShardProgress
from taikong.publish import ReleaseOutcome, finish_release, unchanged_outcome, write_tables
from taikong.quarantine import audit_staged
from taikong.report.expectations import DATA_CHECK_IDS
from taikong.runner import Executor, cache_hits, rebuild_record, run_pipeline
from taikong.stages import RunSpec
from taikong.validation import warning_summary

# The shard cache's namespace: bump it when the layout of cache entries changes. What
# decides an entry's content is in its key (versions, libraries, inputs).
CACHE_NAMESPACE = "stages-v3"


@dataclass(frozen=True)
class ReleaseRequest:
    seeds_dir: str | Path = "seeds"
    datasets_dir: str | Path = "datasets"
    shard_docs: int = DEFAULT_SHARD_DOCS
    shard_bytes: int = DEFAULT_SHARD_BYTES
    max_bytes: int = DEFAULT_MAX_BYTES
    near_duplicate_threshold: float = DEFAULT_THRESHOLD
    # Where the shard intermediates and the cache live: "auto", "local" or "store"
    # (object storage beside the releases; see taikong.io.stores.open_store).
    work_area: str = "auto"


@dataclass
class ReleaseRun:
    """What a run did: its outcome, and (unless unchanged) the audit and table facts."""

    outcome: ReleaseOutcome
    report: dict | None = None
    tables: dict | None = None
    report_dir: str | None = None
    stage_rows: dict[str, dict[str, int]] = field(default_factory=dict)


def run_release(
    request: ReleaseRequest,
    executor: Executor,
    run_id: str | None = None,
    log: logging.Logger | logging.LoggerAdapter | None = None,
    settings: AuditSettings | None = None,
) -> ReleaseRun:
    """Build, audit and publish one release of `request.seeds_dir`. A failed audit
    returns an outcome with status "failed" (the report kept aside); an error removes
    the staging area and propagates."""
    log = log or logging.getLogger("taikong.release")
    store = open_store(request.datasets_dir, request.work_area)
    settings = settings or load_audit_settings(known_ids=DATA_CHECK_IDS)
    options = run_options(request.max_bytes, request.near_duplicate_threshold, settings)
    plan = plan_run(request.seeds_dir, store.root)
    shards = plan_shards(plan.files, request.shard_docs, request.shard_bytes, request.max_bytes)
    log.info(
        "plan: %d input(s) in %d shard(s) from %s; %d entr(ies) skipped by the walk",
        len(plan.files),
        len(shards),
        plan.seeds,
        len(plan.walk.skipped),
    )
    run_started = time.time()
    # Files over the size limit are never read: their size stands in for their hash.
    shas = dict(
        executor.call(
            "fingerprint-inputs",
            input_shas,
            seeds=plan.seeds,
            paths=readable_paths(plan, request.max_bytes),
        )
    )
    fingerprint = run_fingerprint(plan, shas, options)
    cache = store.shard_cache(CACHE_NAMESPACE)
    for action in store.recover():
        log.warning("recover: %s", action)
    known = known_release(store, fingerprint)
    if known is not None:
        outcome = unchanged_outcome(store, known)
        log.info("unchanged: %s", outcome.summary["unchanged"])
        return ReleaseRun(outcome)
    latest = store.latest_id()

    sizes = {f.os_path: f.n_bytes for f in plan.files}
    shard_plan = ShardProgress([len(s) for s in shards], [sum(sizes[p] for p in s) for s in shards])
    run_id = run_id or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    spec = RunSpec(
        seeds_dir=plan.seeds,
        shard_paths=tuple(tuple(s) for s in shards),
        max_bytes=request.max_bytes,
        near_duplicate_threshold=request.near_duplicate_threshold,
        catalog=plan.catalog.entries,
        input_shas=shas,
    )
    staging = store.begin(run_id)
    executor.begin(shard_plan)
    try:
        work = staging.work
        results = run_pipeline(executor, work, spec, cache)
        inputs = account_for_walk(work.read("inputs"), plan.walk)
        _log_stages(log, inputs, results)
        tables = executor.call("write-tables", write_tables, staging=staging)
        previous = store.release(latest) if latest else None
        rebuilt = rebuild_record(
            results,
            work,
            spec,
            set(previous.read_table("documents", ["doc_id"])["doc_id"]) if previous else None,
            set(store.manifest(latest).get("heuristics", {}).values()) if latest else None,
        )
        report, inputs, tables = executor.call(
            "audit-release",
            audit_staged,
            staging=staging,
            inputs=inputs,
            tables=tables,
            previous=previous,
            run_name=run_id,
            settings=settings,
            rewrite_tables=lambda exclude: write_tables(staging, exclude),
        )
        _log_audit(log, report)
        outcome = executor.call(
            "publish-release",
            finish_release,
            retry=False,  # all-or-nothing under the datasets lock
            store=store,
            staging=staging,
            inputs=inputs,
            tables=tables,
            audit=report,
            fingerprint=fingerprint,
            options=options,
            catalog_sha=plan.catalog.sha256,
            today=dt.datetime.now(dt.UTC).date(),
            rebuilt=rebuilt,
        )
    except BaseException as exc:
        # A failed or cancelled run leaves nothing half-written behind; the error
        # (disk full, permission denied, a bug) propagates with its own message.
        store.discard(staging)
        executor.finish(f"stopped: {type(exc).__name__}: {exc}"[:500], done=False)
        raise
    swept = cache.sweep(run_started)
    hits = cache_hits(results)
    log.info("cache: hits per stage %s; %d stale entries removed", hits, swept)
    outcome.summary["cache_hits"] = {**hits, "shards": len(spec.shards)}
    report_dir = outcome.path if outcome.status != "unchanged" else None
    log.info("publish: %s %s", outcome.status, outcome.release_id or outcome.path)
    executor.finish(f"{outcome.status}: {outcome.release_id or outcome.path}")
    return ReleaseRun(
        outcome,
        report,
        tables,
        str(report_dir or staging.release_dir),
        {name: _rows(rs) for name, rs in results.items()},
    )


def _rows(results) -> dict[str, int]:
    total: dict[str, int] = {}
    for r in results:
        for name, n in r.rows.items():
            total[name] = total.get(name, 0) + n
    return total


def _log_stages(log, inputs: pl.DataFrame, results) -> None:
    log.info(
        "ingest: %d published, %d quarantined",
        (inputs["fate"] == "published").sum(),
        (inputs["fate"] == "quarantined").sum(),
    )
    for name, rs in results.items():
        hits = sum(r.cache_hit for r in rs)
        cached = f" ({hits}/{len(rs)} shards from cache)" if hits else ""
        log.info("%s: %s%s", name, _rows(rs), cached)


def _log_audit(log, report: dict) -> None:
    for q in report["quarantined"]:
        log.warning("audit: quarantined %s (%s)", q["source_path"], q["reason"])
    for message in warning_summary(report):
        log.warning("audit warning: %s", message)
    log.info(
        "audit: %s",
        ("passed with warnings" if report["max_severity"] else "passed")
        if report["passed"]
        else "FAILED",
    )
