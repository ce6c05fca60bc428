"""Task defaults shared by the stage modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect.cache_policies import NO_CACHE

if TYPE_CHECKING:
    from flows.progress import RunProgress

# Steps read and write the run's work area, so Prefect's input-based result cache must
# not skip them; retries are safe because every write replaces its file atomically.
TASK_DEFAULTS = {"cache_policy": NO_CACHE, "retries": 2, "retry_delay_seconds": 1}


def gather(stage: str, futures, shards: list[int], progress: RunProgress | None = None) -> list:
    """Results of a map stage (future i works on `shards[i]`), reported to `progress`."""
    return progress.gather(stage, futures, shards) if progress is not None else futures.result()
