"""The release flow: ingest -> clean -> deduplicate -> structure -> validate -> publish."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect.settings import get_current_settings
from prefect.states import Completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from flows._common import TASK_DEFAULTS
from flows.clean import clean
from flows.deduplicate import deduplicate_documents, deduplicate_paragraphs
from flows.ingest import ingest
from flows.progress import RunProgress
from flows.publish import publish
from flows.structure import structure
from flows.validate import audit, record_artifacts, stage_tables
from taikong.audit_settings import load_audit_settings
from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.shards import (
    DEFAULT_SHARD_BYTES,
    DEFAULT_SHARD_DOCS,
    account_for_walk,
    plan_shards,
)
from taikong.io import ShardCache, open_store
from taikong.plan import fingerprint as run_fingerprint
from taikong.plan import input_shas, known_release, plan_run, readable_paths, run_options
from taikong.progress import ShardProgress
from taikong.publish import ReleaseOutcome, unchanged_outcome
from taikong.report.expectations import DATA_CHECK_IDS
from taikong.validation import warning_summary
from taikong.versions import code_version


@task(name="fingerprint-inputs", **TASK_DEFAULTS)
def fingerprint_inputs(seeds_dir: Path, paths: list[str]) -> list[tuple[str, str]]:
    return input_shas(seeds_dir, paths)


RUNNERS = ("default", "processes", "dask")
# Prefect's thread pool is unbounded by default, which puts every shard of a map stage in
# memory at once. One task thread per core (or Prefect's own setting) bounds memory to
# that many shards in flight; the work is CPU-bound, so more threads would not help.
# The same number sizes the process pool of runner="processes" (one process per core).
TASK_THREADS = get_current_settings().tasks.runner.thread_pool_max_workers or os.cpu_count() or 2


@flow(name="release", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS))
def release(
    seeds_dir: str = "seeds",
    datasets_dir: str = "datasets",
    shard_docs: int = DEFAULT_SHARD_DOCS,
    shard_bytes: int = DEFAULT_SHARD_BYTES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    near_duplicate_threshold: float = DEFAULT_THRESHOLD,
    runner: str = "default",
    dask_address: str | None = None,
    dask_workers: int = 2,
    progress_bar: bool = False,
):
    """Build, validate and publish a dated release of `seeds_dir` into `datasets_dir`.

    runner="default" runs shard tasks on one thread per core (polars work runs in
    parallel; Taikong's own Python steps share one core). runner="processes" runs them on
    one process per core (Prefect's ProcessPoolTaskRunner): every step in parallel, at
    the cost of each worker importing Taikong. runner="dask" runs them on a Dask cluster
    (prefect-dask): the scheduler at `dask_address`, or a local cluster of `dask_workers`
    worker processes. The shards' work area must be reachable from every worker (same
    machine or shared filesystem).
    Progress goes to the `taikong-progress` artifact, and to a terminal bar on stderr
    when `progress_bar` is set (the CLI sets it when stderr is a terminal).
    """
    params = {
        "seeds_dir": seeds_dir,
        "datasets_dir": datasets_dir,
        "shard_docs": shard_docs,
        "shard_bytes": shard_bytes,
        "max_bytes": max_bytes,
        "near_duplicate_threshold": near_duplicate_threshold,
        "progress_bar": progress_bar,
    }
    if runner not in RUNNERS:
        raise ValueError(f"runner must be one of {RUNNERS}, not {runner!r}")
    if runner == "default":
        return _release(**params)
    if runner == "processes":
        task_runner = ProcessPoolTaskRunner(max_workers=TASK_THREADS)
    else:
        from prefect_dask import DaskTaskRunner  # only Dask runs pay for importing it

        cluster = (
            {"address": dask_address}
            if dask_address
            else {"cluster_kwargs": {"n_workers": dask_workers, "threads_per_worker": 1}}
        )
        task_runner = DaskTaskRunner(**cluster)
    body = release_body.with_options(task_runner=task_runner)
    state = body(**params, return_state=True)
    # .result() re-raises the subflow's failure; success keeps its message.
    return Completed(message=state.message, data=state.result())


@flow(name="release-body", log_prints=True)
def release_body(
    seeds_dir: str,
    datasets_dir: str,
    shard_docs: int,
    shard_bytes: int,
    max_bytes: int,
    near_duplicate_threshold: float,
    progress_bar: bool = False,
):
    """The release body as a subflow, so that it can take another task runner."""
    return _release(
        seeds_dir,
        datasets_dir,
        shard_docs,
        shard_bytes,
        max_bytes,
        near_duplicate_threshold,
        progress_bar,
    )


def _release(
    seeds_dir: str,
    datasets_dir: str,
    shard_docs: int,
    shard_bytes: int,
    max_bytes: int,
    near_duplicate_threshold: float,
    progress_bar: bool = False,
):
    log = get_run_logger()
    store = open_store(datasets_dir)
    settings = load_audit_settings(known_ids=DATA_CHECK_IDS)
    options = run_options(max_bytes, near_duplicate_threshold, settings)
    plan = plan_run(seeds_dir, store.root)
    seeds, catalog, files, walk = plan.seeds, plan.catalog, plan.files, plan.walk
    shards = plan_shards(files, shard_docs, shard_bytes)
    log.info(
        "plan: %d input(s) in %d shard(s) from %s; %d entr(ies) skipped by the walk",
        len(files),
        len(shards),
        seeds,
        len(walk.skipped),
    )

    run_started = time.time()
    # Files over the size limit are never read: their size stands in for their hash.
    shas = dict(fingerprint_inputs(seeds, readable_paths(plan, max_bytes)))
    fingerprint = run_fingerprint(plan, shas, options)
    cache = ShardCache(store.root, code_version()["source_sha256"])
    for action in store.recover():
        log.warning("recover: %s", action)
    known = known_release(store, fingerprint)
    if known is not None:
        outcome = unchanged_outcome(store, known)
        log.info("unchanged: %s", outcome.summary["unchanged"])
        return _completed(outcome)
    latest = store.latest_id()

    sizes = {f.os_path: f.n_bytes for f in files}
    progress = RunProgress(
        ShardProgress([len(s) for s in shards], [sum(sizes[p] for p in s) for s in shards]),
        show_bar=progress_bar,
    )
    run_id = str(flow_run.get_id() or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f"))
    staging = store.begin(run_id)
    try:
        work = staging.work
        inputs, ingest_hits = ingest(work, seeds, shards, max_bytes, cache, shas, progress=progress)
        inputs = account_for_walk(inputs, walk)
        shard_ids = work.shards("docs")
        log.info(
            "ingest: %d published, %d quarantined (%d/%d shards from cache)",
            (inputs["fate"] == "published").sum(),
            (inputs["fate"] == "quarantined").sum(),
            ingest_hits,
            len(shard_ids),
        )
        n_lines, clean_hits = clean(work, shard_ids, cache, progress=progress)
        log.info("clean: %d line(s) (%d/%d shards from cache)", n_lines, clean_hits, len(shard_ids))
        dedup = deduplicate_documents(
            work, shard_ids, near_duplicate_threshold, cache, progress=progress
        )
        log.info("deduplicate: %s", dedup)
        cache_hits = {"ingest": ingest_hits, "clean": clean_hits, "dedup": dedup["cache_hits"]}
        structure(work, shard_ids, catalog, progress=progress)
        n_duplicates = deduplicate_paragraphs(work, shard_ids, progress=progress)
        log.info("deduplicate: %d duplicate paragraph(s)", n_duplicates)
        tables = stage_tables(staging)
        previous = store.release(latest) if latest else None
        report, inputs, tables = audit(staging, inputs, tables, previous, run_id, settings)
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
        outcome = publish(
            store=store,
            staging=staging,
            inputs=inputs,
            tables=tables,
            audit=report,
            fingerprint=fingerprint,
            options=options,
            catalog_sha=catalog.sha256,
            today=dt.datetime.now(dt.UTC).date(),
        )
    except BaseException as exc:
        # A failed or cancelled run leaves nothing half-written behind; the error
        # (disk full, permission denied, a bug) propagates with its own message.
        store.discard(staging)
        progress.finish(f"stopped: {type(exc).__name__}: {exc}"[:500], done=False)
        raise
    swept = cache.sweep(run_started)
    log.info("cache: hits per stage %s; %d stale entries removed", cache_hits, swept)
    outcome.summary["cache_hits"] = {**cache_hits, "shards": len(shard_ids)}
    report_dir = outcome.path if outcome.status != "unchanged" else None
    record_artifacts(report, tables, str(report_dir or staging.release_dir))
    log.info("publish: %s %s", outcome.status, outcome.release_id or outcome.path)
    progress.finish(f"{outcome.status}: {outcome.release_id or outcome.path}")
    result = _result(outcome)
    if outcome.status == "failed":
        # Fail the flow run with the reason, after the report has been kept.
        raise ValidationFailed(result)
    return _completed(outcome)


class ValidationFailed(RuntimeError):
    def __init__(self, result: dict):
        super().__init__("validation failed; nothing published. " + "; ".join(result["problems"]))
        self.result = result


def _completed(outcome: ReleaseOutcome):
    """Final state whose message says what happened, for people watching the UI."""
    withdrawn = outcome.summary.get("withdrawn_match")
    message = (
        f"published release {outcome.release_id}"
        if outcome.status == "published"
        else f"unchanged: latest is {outcome.release_id}" + (f"; {withdrawn}" if withdrawn else "")
    )
    return Completed(message=message, data=_result(outcome))


def _result(outcome: ReleaseOutcome) -> dict:
    return {
        "status": outcome.status,
        "release_id": outcome.release_id,
        "path": str(outcome.path) if outcome.path else None,
        "summary": outcome.summary,
        "problems": outcome.problems,
    }
