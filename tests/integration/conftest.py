"""Fixtures for the integration tests: a real Prefect server with its own database, the
project deployed from a copy of it, and a process worker. Module-scoped, so nothing keeps
running while the rest of the suite runs; torn down in reverse order (worker, then server),
then every process still carrying the module's token is killed, whatever the tests did."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import pytest
from integration_stack import (
    POOL,
    ROOT,
    WORKER_START_TIMEOUT,
    Child,
    copy_tree,
    kill_marked,
    start_server,
    timings,
    wait_until,
)


def pytest_terminal_summary(terminalreporter):
    if timings:
        terminalreporter.write_sep("-", "prefect integration timings")
        for name, seconds in timings.items():
            terminalreporter.write_line(f"{name:<40} {seconds:6.1f} s")


@pytest.fixture(scope="module")
def prefect_stack(tmp_path_factory):
    """A Prefect server on 127.0.0.1 with its own database; stops everything at the end."""
    root = tmp_path_factory.mktemp("prefect-stack")
    token = uuid.uuid4().hex
    stack = None
    try:
        started = time.monotonic()
        for attempt in (1, 2):  # a second port if another process took the free one
            stack, up = start_server(root, token, f"server-{attempt}")
            if up:
                break
            log = stack.server.tail()
            stack.server.stop()
            if attempt == 2 or "address already in use" not in log.lower():
                pytest.fail(f"the Prefect server exited\n{log}")
        timings["server start (to /api/health)"] = time.monotonic() - started
        yield stack
    finally:
        # Workers and served flows before the server, then anything left with our token.
        if stack is not None:
            for child in reversed(stack.children):
                child.stop()
            if stack.server is not None:
                stack.server.stop()
        kill_marked(token)


@pytest.fixture(scope="module")
def deployed_project(prefect_stack, tmp_path_factory) -> Path:
    """A copy of the project, deployed from its directory as the README says."""
    project = copy_tree(ROOT, tmp_path_factory.mktemp("project") / "taikong").resolve()
    started = time.monotonic()
    prefect_stack.prefect("work-pool", "create", POOL, "--type", "process", cwd=project)
    timings["work-pool create"] = time.monotonic() - started
    started = time.monotonic()
    prefect_stack.prefect("--no-prompt", "deploy", "--all", cwd=project)
    timings["deploy --all"] = time.monotonic() - started
    return project


@pytest.fixture(scope="module")
def worker(prefect_stack, deployed_project) -> Child:
    """A process worker started from the project directory, polling every 2 s."""
    started = time.monotonic()
    child = prefect_stack.start(
        "worker",
        [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL]
        + ["--name", "integration-worker"],
        cwd=deployed_project,
    )

    def online():
        if not child.alive():
            pytest.fail(f"the worker exited\n{child.tail()}")
        workers = prefect_stack.api.post(f"/work_pools/{POOL}/workers/filter")
        return any(w["name"] == "integration-worker" for w in workers)

    wait_until(online, WORKER_START_TIMEOUT, "the worker's first heartbeat", on_timeout=child.tail)
    timings["worker start (to first heartbeat)"] = time.monotonic() - started
    yield child
    child.stop()
