"""Progress of a release run, shown two ways: a terminal bar (tqdm, when asked for) and a
Prefect progress artifact that the UI updates while the run goes on."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.futures import PrefectFuture, as_completed
from tqdm import tqdm

from taikong.progress import MB, ShardProgress, Snapshot

ARTIFACT_KEY = "taikong-progress"
# The artifact is an API call: at most one update per interval, plus every stage's end.
ARTIFACT_INTERVAL_S = 1.0


class RunProgress:
    def __init__(self, plan: ShardProgress, show_bar: bool = False):
        self.plan, self.show_bar = plan, show_bar
        self._last_update = 0.0
        self.percent = 0.0
        self.artifact_id = create_progress_artifact(
            progress=0.0,
            key=ARTIFACT_KEY,
            description=f"planned: {plan.docs_total:,} documents, "
            f"{plan.bytes_total / MB:,.1f} MB in {len(plan.shard_docs)} shard(s)",
        )

    def gather(self, stage: str, futures: Sequence[PrefectFuture], shards: list[int]) -> list:
        """Wait for one map stage's futures (future i works on `shards[i]`), reporting each
        shard done; returns the results in that order."""
        shard_of = {id(f): shard for f, shard in zip(futures, shards, strict=True)}
        bar = tqdm(
            total=self.plan.bytes_total / MB,
            unit="MB",
            desc=f"{stage:>17}",
            disable=not self.show_bar,
            file=sys.stderr,
            bar_format="{desc} {percentage:3.0f}%|{bar:24}| {n:.1f}/{total:.1f} MB "
            "[{elapsed}<{remaining}, {rate_fmt}{postfix}]",
        )
        with bar, _quiet_task_runs_on_console(self.show_bar):
            for n_done, future in enumerate(as_completed(list(futures)), start=1):
                shard = shard_of[id(future)]
                snapshot = self.plan.done(stage, shard)
                bar.update(self.plan.shard_bytes[shard] / MB)  # exact: rounding is display
                bar.set_postfix_str(f"{snapshot.docs_done:,}/{snapshot.docs_total:,} docs")
                self._update_artifact(snapshot, final=n_done == len(futures))
        return [f.result() for f in futures]

    def served(self, stage: str, shards: list[int], final: bool) -> None:
        """Shards of a map stage served from the cache, without a task run."""
        snapshot = None
        for shard in shards:
            snapshot = self.plan.done(stage, shard)
        if snapshot is not None:
            self._update_artifact(snapshot, final=final)

    def finish(self, description: str, done: bool = True) -> None:
        """The run's end: 100% once it published or was rejected; a run stopped by an
        error keeps the share it reached."""
        self.percent = 100.0 if done else self.percent
        update_progress_artifact(self.artifact_id, progress=self.percent, description=description)

    def _update_artifact(self, snapshot: Snapshot, final: bool) -> None:
        now = time.monotonic()
        if not final and now - self._last_update < ARTIFACT_INTERVAL_S:
            return
        self._last_update = now
        self.percent = snapshot.percent
        update_progress_artifact(
            self.artifact_id, progress=snapshot.percent, description=snapshot.describe()
        )


class _BelowWarningFromTaskRuns(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith("prefect.task_runs")


@contextmanager
def _quiet_task_runs_on_console(active: bool) -> Iterator[None]:
    """While the bar is drawn, one "Finished" line per task would break it up on the
    terminal: drop task runs' info lines from the console only (the API still gets them)."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if active
        and isinstance(h, logging.StreamHandler)
        and not isinstance(h, logging.FileHandler)
    ]
    quiet = _BelowWarningFromTaskRuns()
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)
