"""Wall time per pipeline stage for a corpus, in one process (no Prefect, no audit).

    uv run --frozen python bench/stage_times.py /tmp/c20v
    uv run --frozen python bench/stage_times.py /tmp/c20v --profile enrich --shards 2
    uv run --frozen python bench/stage_times.py /tmp/c20v --save /tmp/c20v-tables

The run uses the pipeline's own stage list (`taikong.pipeline.STAGES`), its shard plan
and `run_pipeline` with the in-process `InlineExecutor` over an in-memory work area, so
each stage's time is its own work (no file IO between stages, no task overhead).
`--profile STAGE` runs cProfile around that stage only and prints its top functions;
`--save DIR` writes the release tables (one Parquet file per table) to compare the
output of two code versions.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
from pathlib import Path

from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
from taikong.ingest.decode import DEFAULT_MAX_BYTES as MAX_BYTES
from taikong.ingest.shards import DEFAULT_SHARD_BYTES, DEFAULT_SHARD_DOCS, plan_shards
from taikong.io.files import write_parquet
from taikong.io.memory import MemoryWorkArea
from taikong.pipeline import STAGES, TABLE_DATASETS
from taikong.plan import input_shas, plan_run, readable_paths
from taikong.runner import InlineExecutor, run_pipeline
from taikong.stages import RunSpec


class TimedExecutor(InlineExecutor):
    """The inline executor, adding up each stage's wall time (and profiling one stage)."""

    def __init__(self, profile_stage: str | None = None) -> None:
        super().__init__()
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.profile_stage = profile_stage
        self.profiler = cProfile.Profile()

    def _timed(self, stage, run):
        profiling = stage.name == self.profile_stage
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiling:
            self.profiler.enable()
        try:
            return run()
        finally:
            if profiling:
                self.profiler.disable()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            self.seconds[stage.name] = self.seconds.get(stage.name, 0.0) + wall
            self.cpu_seconds[stage.name] = self.cpu_seconds.get(stage.name, 0.0) + cpu

    def map(self, stage, shards, work, run, cache):
        return self._timed(
            stage, lambda: super(TimedExecutor, self).map(stage, shards, work, run, cache)
        )

    def reduce(self, stage, work, run, cache):
        return self._timed(
            stage, lambda: super(TimedExecutor, self).reduce(stage, work, run, cache)
        )


def run_spec(corpus: Path, n_shards: int | None) -> tuple[RunSpec, dict[str, int]]:
    """The run the release would plan for `corpus` (its first `n_shards` shards), and
    the size of each input."""
    plan = plan_run(corpus)
    shards = plan_shards(plan.files, DEFAULT_SHARD_DOCS, DEFAULT_SHARD_BYTES)
    if n_shards is not None:
        shards = shards[:n_shards]
    paths = [p for s in shards for p in s]
    wanted = set(paths)
    sizes = {f.os_path: f.n_bytes for f in plan.files if f.os_path in wanted}
    spec = RunSpec(
        seeds_dir=plan.seeds,
        shard_paths=tuple(tuple(s) for s in shards),
        max_bytes=MAX_BYTES,
        near_duplicate_threshold=DEFAULT_THRESHOLD,
        catalog=plan.catalog.entries,
        input_shas=dict(
            input_shas(plan.seeds, [p for p in readable_paths(plan, MAX_BYTES) if p in wanted])
        ),
    )
    return spec, sizes


def _rounded(seconds: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--shards", type=int, default=None, help="only the first N shards")
    parser.add_argument("--profile", default=None, metavar="STAGE", help="cProfile this stage")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    parser.add_argument("--save", type=Path, default=None, help="write the tables here")
    args = parser.parse_args()

    run, run_bytes = run_spec(args.corpus, args.shards)
    executor = TimedExecutor(args.profile)
    work = MemoryWorkArea()
    started, cpu_started = time.perf_counter(), time.process_time()
    run_pipeline(executor, work, run, cache=None, stage_list=STAGES)
    total, cpu_total = time.perf_counter() - started, time.process_time() - cpu_started
    n_bytes = sum(run_bytes.values())
    print(
        f"{args.corpus}: {n_bytes / 1e6:.1f} MB in {len(run.shard_paths)} shard(s), "
        f"{total:.1f} s wall, {cpu_total:.1f} s CPU (all threads)"
    )
    print(f"  {'stage':28s} {'wall':>9s} {'CPU':>9s}  {'% wall':>6s}")
    for name, seconds in executor.seconds.items():
        cpu = executor.cpu_seconds[name]
        print(f"  {name:28s} {seconds:7.2f} s {cpu:7.2f} s  {100 * seconds / total:5.1f} %")
    print(
        json.dumps(
            {
                "wall": {"total": round(total, 2), **_rounded(executor.seconds)},
                "cpu": {"total": round(cpu_total, 2), **_rounded(executor.cpu_seconds)},
            }
        )
    )
    if args.save is not None:
        for table, dataset in TABLE_DATASETS.items():
            frame = work.read_all(dataset)
            write_parquet(frame, args.save / f"{table}.parquet")
    if args.profile:
        pstats.Stats(executor.profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(executor.profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
