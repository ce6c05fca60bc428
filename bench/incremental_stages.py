"""CPU seconds per stage of a full, an add-one and a change-one release (no Prefect).

    uv run --frozen python bench/incremental_stages.py --size 100MB [--out FILE]

Where an incremental release spends its time, stage by stage: the release lifecycle
(`taikong.release.run_release`) runs in this process with the `InlineExecutor` (one
shard after another), over a local datasets directory and its shard cache, as a
default release does, audit and publish included. Each stage's figure is the CPU time of
this process (all threads: polars' own included) while the stage ran. The steps are
those of `bench/incremental.py` (the same added article, the same changed word), without
its fresh builds; that script, through Prefect, gives the shares users see. One JSON line
per step goes to stdout and to --out (default bench/incremental_stages.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import incremental  # noqa: E402

from taikong.release import ReleaseRequest, run_release  # noqa: E402
from taikong.runner import InlineExecutor  # noqa: E402


class TimedExecutor(InlineExecutor):
    """The inline executor, adding up the process CPU time of each stage and step."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = defaultdict(float)

    def _timed(self, name: str, fn, *args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            self.cpu[name] += time.process_time() - start

    def map(self, stage, shards, work, run, cache):
        return self._timed(stage.name, super().map, stage, shards, work, run, cache)

    def reduce(self, stage, work, run, cache):
        return self._timed(stage.name, super().reduce, stage, work, run, cache)

    def call(self, name, fn, /, *, retry=True, **kwargs):
        return self._timed(name, fn, **kwargs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    incremental.common_arguments(ap, "100MB", "incremental_stages")
    args = ap.parse_args()

    meta, seeds, datasets = incremental.scratch_seeds(args)
    steps = []

    def step(name: str) -> None:
        executor = TimedExecutor()
        cpu, wall = time.process_time(), time.perf_counter()
        done = run_release(ReleaseRequest(seeds, datasets), executor)
        record = {
            "step": name,
            "size": args.size,
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "wall_seconds": round(time.perf_counter() - wall, 2),
            "status": done.outcome.status,
            "cache_hits": done.outcome.summary.get("cache_hits"),
            "stage_cpu_seconds": {
                k: round(v, 2) for k, v in sorted(executor.cpu.items(), key=lambda kv: -kv[1])
            },
        }
        steps.append(record)
        print(json.dumps(record), flush=True)

    step("full")
    path, text = incremental.new_article(args.seed, meta["files"] + 10_000)
    (seeds / path).parent.mkdir(parents=True, exist_ok=True)
    (seeds / path).write_text(text, encoding="utf-8")
    step("add")
    incremental.changed_article(seeds)
    step("change")
    args.out.write_text(json.dumps(steps, indent=1) + "\n")
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
