"""The release flow: the release lifecycle (`taikong.release`) on Prefect tasks."""

from __future__ import annotations

import os

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.settings import get_current_settings
from prefect.states import Completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from flows.artifacts import record_artifacts
from flows.tasks import PrefectExecutor
from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
from taikong.ingest.decode import DEFAULT_MAX_BYTES
from taikong.ingest.shards import DEFAULT_SHARD_BYTES, DEFAULT_SHARD_DOCS
from taikong.publish import ReleaseOutcome
from taikong.release import ReleaseRequest, run_release

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
    work_area: str = "auto",
):
    """Build, validate and publish a dated release of `seeds_dir` into `datasets_dir`.

    runner="default" runs shard tasks on one thread per core (polars work runs in
    parallel; Taikong's own Python steps share one core). runner="processes" runs them on
    one process per core (Prefect's ProcessPoolTaskRunner): every step in parallel, at
    the cost of each worker importing Taikong. runner="dask" runs them on a Dask cluster
    (prefect-dask): the scheduler at `dask_address`, or a local cluster of `dask_workers`
    worker processes. The shards' work area and the shard cache must be reachable from
    every worker: with `work_area` "store" (the default, "auto", for an s3:// datasets
    URL) they live in the object store, the stage that reads the seeds (ingest) runs in
    this process and the workers need no filesystem in common with it (only the AWS_*
    variables); with a local work area, workers must share this machine's filesystem.
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
        "work_area": work_area,
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
    work_area: str = "auto",
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
        work_area,
    )


def _release(
    seeds_dir: str,
    datasets_dir: str,
    shard_docs: int,
    shard_bytes: int,
    max_bytes: int,
    near_duplicate_threshold: float,
    progress_bar: bool = False,
    work_area: str = "auto",
):
    sizes = (shard_docs, shard_bytes, max_bytes)
    request = ReleaseRequest(seeds_dir, datasets_dir, *sizes, near_duplicate_threshold, work_area)
    run_id = flow_run.get_id()
    done = run_release(
        request,
        PrefectExecutor(show_bar=progress_bar),
        run_id=str(run_id) if run_id else None,
        log=get_run_logger(),
    )
    outcome = done.outcome
    if done.report is not None:
        record_artifacts(done.report, done.tables, done.report_dir)
    if outcome.status == "failed":
        # Fail the flow run with the reason, after the report has been kept.
        raise ValidationFailed(_result(outcome))
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
