"""Task defaults shared by the stage modules."""

from prefect.cache_policies import NO_CACHE

# Steps read and write the run's work area, so Prefect's input-based result cache must
# not skip them; retries are safe because every write replaces its file atomically.
TASK_DEFAULTS = {"cache_policy": NO_CACHE, "retries": 2, "retry_delay_seconds": 1}
