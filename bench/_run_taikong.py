"""Taikong side of the benchmark: one release flow run in this process (a child of
run_benchmark.py, which samples the RSS of this process and its children).

    python bench/_run_taikong.py --seeds DIR --datasets DIR --out result.json [--profile F]

Records, on the wall clock of this process:
  process_start  the process's creation time (psutil)
  imports_done   after `from flows.release import release` (Prefect, polars, Taikong)
  flow_begin     Prefect's "Beginning flow run" log line: the temporary server is up
  stage marks    time of each stage log line (plan:, ingest:, clean:, ...)
  flow_end       the flow call returned
then asks the Prefect API (the same temporary server, still running) for the flow run's
task runs: count, names, start/end times. With --profile, every thread is profiled with
cProfile (Prefect runs mapped tasks in worker threads) and the stats are merged; run
it with PREFECT_TASK_RUNNER_THREAD_POOL_MAX_WORKERS=1 so thread times add up to wall.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import resource
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_profiles: list = []


def _enable_thread_profiling() -> None:
    import cProfile

    run = threading.Thread.run

    def profiled_run(self):
        prof = cProfile.Profile()
        _profiles.append(prof)
        prof.enable()
        try:
            run(self)
        finally:
            prof.disable()

    threading.Thread.run = profiled_run  # type: ignore[method-assign]


class _Marks(logging.Handler):
    STAGES = ("plan:", "ingest:", "clean:", "deduplicate:", "audit:", "cache:", "publish:")

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.marks: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001
            return
        if msg.startswith("Beginning flow run") or msg.startswith(self.STAGES):
            self.marks.append((record.created, msg[:300]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", help="write merged cProfile stats of all threads here")
    ap.add_argument("--shard-docs", type=int)
    ap.add_argument("--shard-bytes", type=int)
    ap.add_argument("--runner", default="default", choices=["default", "processes", "dask"])
    ap.add_argument("--dask-workers", type=int, default=2)
    args = ap.parse_args()

    process_start = psutil.Process().create_time()
    t_main = time.time()
    prof_main = None
    if args.profile:
        import cProfile

        _enable_thread_profiling()
        prof_main = cProfile.Profile()
        prof_main.enable()

    from flows.release import release  # noqa: E402  (timed: the imports are part of startup)

    imports_done = time.time()
    try:  # which Taikong code ran (the working tree may change between runs)
        from taikong.versions import code_version

        code = code_version()
    except Exception as exc:  # noqa: BLE001
        code = {"error": repr(exc)}
    marks = _Marks()
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).addHandler(marks)

    kwargs = {"seeds_dir": args.seeds, "datasets_dir": args.datasets}
    if args.shard_docs:
        kwargs["shard_docs"] = args.shard_docs
    if args.shard_bytes:
        kwargs["shard_bytes"] = args.shard_bytes
    if args.runner != "default":
        kwargs |= {"runner": args.runner, "dask_workers": args.dask_workers}
    flow_call = time.time()
    state = release(**kwargs, return_state=True)
    flow_end = time.time()
    if prof_main is not None:
        prof_main.disable()
    ru = resource.getrusage(resource.RUSAGE_SELF)

    result, error = None, None
    try:
        result = state.result(raise_on_failure=True)
    except Exception as exc:  # noqa: BLE001  (an audit failure still measured the run)
        error = f"{type(exc).__name__}: {str(exc)[:2000]}"
        result = getattr(exc, "result", None)

    flow_run_id = state.state_details.flow_run_id
    task_runs, flow_run = _task_runs(flow_run_id)
    audit_seconds_detail = None  # the audit's own timings (GX import kept apart)
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        report = Path(result["path"]) / "validation" / "report.json"
        audit_seconds_detail = json.loads(report.read_text()).get("seconds")

    out = {
        "state": state.type.value,
        "code_version": code,
        "error": error,
        "result": result,
        "flow_run_id": str(flow_run_id),
        "times": {
            "process_start": process_start,
            "main_start": t_main,
            "imports_done": imports_done,
            "flow_call": flow_call,
            "flow_end": flow_end,
        },
        "marks": marks.marks,
        "audit_seconds_detail": audit_seconds_detail,
        "flow_run": flow_run,
        "task_runs": task_runs,
        "cpu_self": {"user": ru.ru_utime, "system": ru.ru_stime, "maxrss_kb": ru.ru_maxrss},
        "threads_profiled": len(_profiles),
    }
    if args.profile:
        import pstats

        stats = pstats.Stats(prof_main)
        for p in _profiles:
            with contextlib.suppress(TypeError):  # a thread still running: incomplete
                stats.add(p)
        stats.dump_stats(args.profile)
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))
    return 0


def _task_runs(flow_run_id) -> tuple[list[dict], dict]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )

    runs: list[dict] = []
    with get_client(sync_client=True) as client:
        # Other runners run the shard tasks in a subflow (release-body): count its tasks.
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])
            )
        )
        run_ids = [flow_run_id, *(c.id for c in children)]
        offset = 0
        while True:
            page = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)),
                limit=200,
                offset=offset,
            )
            for tr in page:
                if tr.name.startswith("release-body"):
                    continue  # the subflow's placeholder in the parent, not a task
                runs.append(
                    {
                        "name": tr.name,
                        "task_key": tr.task_key,
                        "state": tr.state_type.value if tr.state_type else None,
                        "start": tr.start_time.timestamp() if tr.start_time else None,
                        "end": tr.end_time.timestamp() if tr.end_time else None,
                        "run_seconds": tr.total_run_time.total_seconds(),
                        "run_count": tr.run_count,
                    }
                )
            if len(page) < 200:
                break
            offset += 200
        fr = client.read_flow_run(flow_run_id)
        flow_run = {
            "name": fr.name,
            "state": fr.state_type.value if fr.state_type else None,
            "start": fr.start_time.timestamp() if fr.start_time else None,
            "end": fr.end_time.timestamp() if fr.end_time else None,
            "run_seconds": fr.total_run_time.total_seconds(),
        }
    return runs, flow_run


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    raise SystemExit(main())
