"""Scheduled runs as a user sets them up: a real Prefect server, `prefect deploy --all`
from the project directory (prefect.yaml), a process worker, the on-demand deployment run
twice with parameters, and `taikong serve`."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time

import polars as pl
from integration_stack import (
    POOL,
    ROOT,
    SERVER_START_TIMEOUT,
    copy_tree,
    flow_run_id_from,
    timings,
    wait_until,
)

from taikong.pipeline import STAGES as PIPELINE

# The run's log names each declared stage it ran, between the plan and the audit.
STAGES = ("plan:", *(f"{s.name}:" for s in PIPELINE), "audit: passed", "publish: published")


def _releases(datasets) -> list[str]:
    """The release directories (not `latest`, not the hidden work areas)."""
    return sorted(
        p.name
        for p in datasets.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )


def test_daily_deployment_is_a_utc_cron_on_the_process_pool(prefect_stack, deployed_project):
    api = prefect_stack.api
    daily = api.deployment("release", "daily")
    assert daily is not None, "release/daily was not deployed"
    assert daily["work_pool_name"] == POOL
    assert daily["entrypoint"] == "flows/release.py:release"
    assert daily["parameters"] == {"seeds_dir": "seeds", "datasets_dir": "datasets"}
    [schedule] = daily["schedules"]
    assert schedule["active"] is True
    assert schedule["schedule"]["cron"] == "0 2 * * *"
    assert schedule["schedule"]["timezone"] == "UTC"
    # The project directory is stamped at deploy time: workers need no variable or cwd.
    assert daily["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(deployed_project)}}
    ]

    on_demand = api.deployment("release", "on-demand")
    assert on_demand is not None, "release/on-demand was not deployed"
    assert on_demand["work_pool_name"] == POOL
    assert on_demand["schedules"] == []
    assert on_demand["pull_steps"] == daily["pull_steps"]

    # The server's scheduler turns the cron into runs at 02:00 UTC.
    def scheduled():
        return api.post(
            "/flow_runs/filter",
            {
                "flow_runs": {
                    "deployment_id": {"any_": [daily["id"]]},
                    "state": {"type": {"any_": ["SCHEDULED"]}},
                }
            },
        )

    runs = wait_until(scheduled, 60, "scheduled runs of release/daily", interval=1)
    for run in runs:
        start = dt.datetime.fromisoformat(run["expected_start_time"].replace("Z", "+00:00"))
        assert start.utcoffset() == dt.timedelta(0)
        assert (start.hour, start.minute, start.second) == (2, 0, 0), start


def test_on_demand_run_publishes_then_reports_unchanged(prefect_stack, worker, tmp_path):
    api = prefect_stack.api
    seeds = copy_tree(ROOT / "seeds", tmp_path / "seeds")
    datasets = tmp_path / "datasets"

    # First run: the README's command, with both parameters overridden.
    started = time.monotonic()
    done = prefect_stack.prefect(
        "deployment",
        "run",
        "release/on-demand",
        "--param",
        f"seeds_dir={seeds}",
        "--param",
        f"datasets_dir={datasets}",
        cwd=tmp_path,
    )
    first_id = flow_run_id_from(done.stdout)
    first = prefect_stack.wait_for_final_state(first_id, watch=worker)
    timings["flow run 1 (trigger to final state)"] = time.monotonic() - started
    assert first["state_type"] == "COMPLETED", prefect_stack.failure_report(first, worker)
    assert first["parameters"]["seeds_dir"] == str(seeds)
    assert first["parameters"]["datasets_dir"] == str(datasets)

    manifest = datasets / "latest" / "manifest.json"
    assert manifest.is_file()
    assert pl.read_parquet(datasets / "latest" / "documents" / "*.parquet").height == 5
    release_id = (datasets / "latest").resolve().name
    assert _releases(datasets) == [release_id]

    logs = prefect_stack.wait_for_log(first_id, "publish:")
    for stage in STAGES:
        assert any(m.startswith(stage) for m in logs), (stage, logs)
    assert any(m == f"publish: published {release_id}" for m in logs), logs
    # The final state says what happened, for whoever looks at the run in the UI.
    assert release_id in (first["state"]["message"] or ""), first["state"]

    # Second run, same inputs, through the API: completes without publishing anything.
    started = time.monotonic()
    second = api.post(
        f"/deployments/{first['deployment_id']}/create_flow_run",
        {"parameters": {"seeds_dir": str(seeds), "datasets_dir": str(datasets)}},
    )
    second = prefect_stack.wait_for_final_state(second["id"], watch=worker)
    timings["flow run 2 (trigger to final state)"] = time.monotonic() - started
    assert second["state_type"] == "COMPLETED", prefect_stack.failure_report(second, worker)
    logs = prefect_stack.wait_for_log(second["id"], "unchanged:")
    assert f"unchanged: inputs and code match release {release_id}" in logs, logs
    assert not any(m.startswith("publish:") for m in logs), logs
    assert _releases(datasets) == [release_id]
    assert (datasets / "latest").resolve().name == release_id
    message = second["state"]["message"] or ""
    assert "unchanged" in message and release_id in message, second["state"]


def test_a_run_that_cannot_release_fails_with_the_reason(prefect_stack, worker, tmp_path):
    missing = tmp_path / "no-such-seeds"
    run = prefect_stack.api.post(
        f"/deployments/{prefect_stack.api.deployment('release', 'on-demand')['id']}"
        "/create_flow_run",
        {"parameters": {"seeds_dir": str(missing), "datasets_dir": str(tmp_path / "out")}},
    )
    run = prefect_stack.wait_for_final_state(run["id"], watch=worker)
    assert run["state_type"] == "FAILED", run["state"]
    assert "no-such-seeds" in run["state"]["message"], run["state"]
    assert not (tmp_path / "out" / "latest").exists()


def test_taikong_serve_registers_a_utc_cron_deployment_and_runs_it(prefect_stack, tmp_path):
    api = prefect_stack.api
    copy_tree(ROOT / "seeds", tmp_path / "seeds")
    datasets = tmp_path / "datasets"
    started = time.monotonic()
    serve = prefect_stack.start(
        "serve",
        [sys.executable, "-m", "taikong_cli", "serve", "--seeds", "seeds"]
        + ["--datasets", "datasets", "--cron", "30 3 * * 1", "--name", "integration-served"],
        cwd=tmp_path,
    )

    def registered():
        if not serve.alive():
            raise AssertionError(f"taikong serve exited\n{serve.tail()}")
        return api.deployment("release", "integration-served")

    deployment = wait_until(
        registered, SERVER_START_TIMEOUT, "release/integration-served", on_timeout=serve.tail
    )
    timings["taikong serve (to deployment)"] = time.monotonic() - started
    [schedule] = deployment["schedules"]
    assert schedule["active"] is True
    assert schedule["schedule"]["cron"] == "30 3 * * 1"
    assert schedule["schedule"]["timezone"] == "UTC"
    # Relative options are made absolute: runs do not depend on the runner's directory.
    assert deployment["parameters"] == {
        "seeds_dir": str((tmp_path / "seeds").resolve()),
        "datasets_dir": str(datasets.resolve()),
    }
    assert deployment["work_pool_name"] is None

    started = time.monotonic()
    run = api.post(f"/deployments/{deployment['id']}/create_flow_run", {})
    run = prefect_stack.wait_for_final_state(run["id"], watch=serve)
    timings["served flow run (trigger to final state)"] = time.monotonic() - started
    assert run["state_type"] == "COMPLETED", prefect_stack.failure_report(run, serve)
    assert (datasets / "latest" / "manifest.json").is_file()
    assert "publish: published" in "\n".join(prefect_stack.wait_for_log(run["id"], "publish:"))

    # Ctrl-C (SIGINT to the process group, as a terminal sends it) stops serving cleanly
    # and pauses the deployment, so no schedule fires with nobody serving it.
    assert serve.stop(first=signal.SIGINT, grace=30) == 0, serve.tail()
    assert api.deployment("release", "integration-served")["paused"] is True
