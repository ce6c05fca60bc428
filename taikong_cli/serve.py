"""Serve the release flow on a cron schedule from one process: no work pool, no worker.

`taikong serve` registers a deployment of the release flow with a Prefect server, with a
cron schedule in UTC and the seeds/datasets directories as its parameters, then stays in
the foreground and runs the flow whenever a run of that deployment is due (scheduled, or
started by hand from the UI or `prefect deployment run`). Stopping it stops the schedule.

It needs a Prefect server that outlives it (PREFECT_API_URL): the schedule, the run history
and the logs live there. Without one Prefect would fall back to a temporary in-process
server that is gone with the process, so serving refuses to start instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEFAULT_CRON = "0 2 * * *"
DEFAULT_NAME = "daily-served"
TIMEZONE = "UTC"


class ServeError(RuntimeError):
    """The schedule cannot be served (no server, bad cron, missing seeds directory)."""


def release_schedule(cron: str = DEFAULT_CRON) -> Any:
    """A Prefect cron schedule in UTC; ServeError if `cron` is not a valid expression."""
    from prefect.schedules import Cron

    try:
        return Cron(cron, timezone=TIMEZONE)
    except ValueError as exc:
        raise ServeError(f"invalid cron expression {cron!r}: {exc}") from exc


def release_parameters(seeds: Path | str, datasets: Path | str) -> dict[str, str]:
    """Flow parameters with absolute paths: runs do not depend on anyone's working directory."""
    seeds_dir = Path(seeds).expanduser().resolve()
    if not seeds_dir.is_dir():
        raise ServeError(f"seeds directory not found: {seeds_dir}")
    return {
        "seeds_dir": str(seeds_dir),
        "datasets_dir": str(Path(datasets).expanduser().resolve()),
    }


def check_server() -> str:
    """Return the configured PREFECT_API_URL after checking that the server answers."""
    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise ServeError(
            "PREFECT_API_URL is not set: serving a schedule needs a Prefect server that keeps "
            "running. Start one (uv run prefect server start) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise ServeError(f"Prefect server at {url} is not reachable: {problem}")
    return url


def serve_release(
    seeds: Path | str,
    datasets: Path | str,
    cron: str = DEFAULT_CRON,
    name: str = DEFAULT_NAME,
) -> None:
    """Register release/<name> with its schedule and run its flow runs until interrupted."""
    schedule = release_schedule(cron)
    parameters = release_parameters(seeds, datasets)
    url = check_server()

    from flows.release import release

    print(f"serving release/{name} on {url}: cron {cron!r} ({TIMEZONE}), parameters {parameters}")
    release.serve(
        name=name,
        schedule=schedule,
        parameters=parameters,
        description=f"Release of {parameters['seeds_dir']} served by `taikong serve`.",
        tags=["taikong", "served"],
        # One release at a time: two runs publishing into one datasets directory gain nothing.
        limit=1,
    )
