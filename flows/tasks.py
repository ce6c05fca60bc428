"""Prefect tasks made from the declared stage list, and the executor that runs them.

Every stage of `taikong.pipeline.STAGES` becomes one task named after it; a shard
stage is mapped over the shards, a run stage called once. The lifecycle steps the
release calls through `Executor.call` (fingerprint-inputs, write-tables, audit-release,
publish-release) become tasks of their own name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from prefect import task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.progress import RunProgress
from taikong.io import ShardCache, WorkArea
from taikong.pipeline import STAGES, Stage
from taikong.progress import ShardProgress
from taikong.runner import StageResult, run_stage, runs_on_lead, serve_cached
from taikong.stages import RunSpec

# Stages read and write the run's work area, so Prefect's input-based result cache must
# not skip them; retries are safe because every write replaces its file atomically.
TASK_DEFAULTS = {"cache_policy": NO_CACHE, "retries": 2, "retry_delay_seconds": 1}


class Opaque:
    """A task parameter Prefect does not walk. Prefect visits every element of a task's
    parameters (dataclasses and collections) looking for upstream futures, and the run
    spec lists every input file: at 1 GB, 69,000 paths and hashes, seconds per task run
    times ~10,000 task runs. It does not look inside other objects. (Prefect's `quote`
    does the same on threads, but the Dask runner walks it as the tuple it is.)"""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _run_stage(
    stage_name: str, work: Opaque, run: Opaque, cache: Opaque, shard: int | None
) -> StageResult:
    return run_stage(stage_name, work.value, run.value, cache.value, shard)


STAGE_TASKS = {s.name: task(_run_stage, name=s.name, **TASK_DEFAULTS) for s in STAGES}


class PrefectExecutor:
    """Runs stages as Prefect tasks on the flow's task runner, with a progress artifact
    (and a terminal bar when `show_bar`)."""

    def __init__(self, show_bar: bool = False):
        self.show_bar = show_bar
        self.progress: RunProgress | None = None

    def begin(self, shard_plan: ShardProgress) -> None:
        self.progress = RunProgress(shard_plan, show_bar=self.show_bar)

    def finish(self, description: str, done: bool = True) -> None:
        if self.progress is not None:
            self.progress.finish(description, done=done)

    def map(
        self,
        stage: Stage,
        shards: Sequence[int],
        work: WorkArea,
        run: RunSpec,
        cache: ShardCache | None,
    ) -> list[StageResult]:
        # Cache hits are served here, without a task run each (a task run costs more
        # than linking a shard's cached files); only the misses become tasks.
        served = {
            s: hit
            for s in shards
            if (hit := serve_cached(stage.name, work, run, cache, s)) is not None
        }
        if self.progress is not None and served:
            self.progress.served(stage.name, list(served), final=len(served) == len(shards))
        missed = [s for s in shards if s not in served]
        built = {}
        if missed:
            if runs_on_lead(stage, work):
                results = self._map_on_lead(stage, missed, work, run, cache)
            else:
                futures = STAGE_TASKS[stage.name].map(
                    stage.name,
                    unmapped(Opaque(work)),
                    unmapped(Opaque(run)),
                    unmapped(Opaque(cache)),
                    missed,
                )
                results = self._gather(stage, futures, missed)
            built = dict(zip(missed, results, strict=True))
        return [served.get(s) or built[s] for s in shards]

    def _gather(self, stage: Stage, futures, shards: list[int]) -> list[StageResult]:
        if self.progress is None:
            return [f.result() for f in futures]
        return self.progress.gather(stage.name, futures, shards)

    def _map_on_lead(
        self,
        stage: Stage,
        shards: list[int],
        work: WorkArea,
        run: RunSpec,
        cache: ShardCache | None,
    ) -> list[StageResult]:
        """The stage's tasks on threads of this process, whatever the flow's task runner
        (see `taikong.runner.runs_on_lead`)."""
        from prefect.task_runners import ThreadPoolTaskRunner

        from flows.release import TASK_THREADS

        stage_task = STAGE_TASKS[stage.name]
        same = {
            "stage_name": stage.name,
            "work": Opaque(work),
            "run": Opaque(run),
            "cache": Opaque(cache),
        }
        with ThreadPoolTaskRunner(max_workers=TASK_THREADS) as here:
            futures = [here.submit(stage_task, {**same, "shard": s}) for s in shards]
            return self._gather(stage, futures, shards)

    def reduce(
        self, stage: Stage, work: WorkArea, run: RunSpec, cache: ShardCache | None
    ) -> StageResult:
        return STAGE_TASKS[stage.name](stage.name, Opaque(work), Opaque(run), Opaque(cache), None)

    def call(self, name: str, fn: Callable[..., Any], /, *, retry: bool = True, **kwargs):
        options = {**TASK_DEFAULTS, "retries": TASK_DEFAULTS["retries"] if retry else 0}
        # Called in the flow's own thread (never sent to a worker): `quote` suffices and
        # keeps `fn`'s own signature.
        return task(fn, name=name, **options)(**{k: quote(v) for k, v in kwargs.items()})
