"""Helpers for the integration tests: a real Prefect server, worker and CLI, each a child
process with its own PREFECT_HOME, database and port, stopped at the end even when a test
fails.

Every wait is bounded. Every child carries a token in its environment, so the flow-run
processes that a worker or `taikong serve` starts in process groups of their own are found
and killed too (Linux /proc). Nothing is written to the repository: deployments are made
from a copy of the project in a temporary directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POOL = "taikong-process"
TOKEN_VAR = "TAIKONG_INTEGRATION_TOKEN"
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

# Hard limits (seconds). A normal run takes a fraction of each (see README, Scheduled runs).
SERVER_START_TIMEOUT = 120
CLI_TIMEOUT = 180
WORKER_START_TIMEOUT = 90
FLOW_RUN_TIMEOUT = 240
LOG_TIMEOUT = 30
API_RETRY_SECONDS = 45
STOP_GRACE = 8

# What a copy of the project leaves out: VCS, environments, caches, built outputs.
SKIP_NAMES = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}
SKIP_PATHS = {"datasets", "bench/corpus"}


timings: dict[str, float] = {}


def copy_tree(src: Path, dst: Path) -> Path:
    """Copy `src` to `dst` with every directory writable (seeds/ is read-only in git)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).relative_to(src)
        return {n for n in names if n in SKIP_NAMES or (rel / n).as_posix() in SKIP_PATHS}

    shutil.copytree(src, dst, ignore=ignore, symlinks=True)
    for path in [dst, *dst.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    return dst


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """Minimal JSON client for the Prefect REST API: no proxy, bounded requests, and, like
    Prefect's own client, retries of the answers that mean "busy, try again" (a SQLite
    server under load answers 503 when its database is locked)."""

    RETRY_CODES = {429, 502, 503, 504}

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request(self, method: str, path: str, body: object = None, timeout: float = 15):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        deadline = time.monotonic() + API_RETRY_SECONDS
        delay = 0.5
        while True:
            try:
                with self._opener.open(req, timeout=timeout) as resp:
                    raw = resp.read()
                return json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                if exc.code not in self.RETRY_CODES or time.monotonic() > deadline:
                    raise
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 4)

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, body: object = None):
        return self.request("POST", path, body if body is not None else {})

    def healthy(self) -> bool:
        try:
            return self.get("/health") is True
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def deployment(self, flow: str, name: str) -> dict | None:
        try:
            return self.get(f"/deployments/name/{flow}/{name}")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def flow_run(self, flow_run_id: str) -> dict:
        return self.get(f"/flow_runs/{flow_run_id}")

    def logs(self, flow_run_id: str) -> list[str]:
        """Every log message of a flow run (its tasks' included), oldest first."""
        messages: list[str] = []
        while True:
            page = self.post(
                "/logs/filter",
                {
                    "logs": {"flow_run_id": {"any_": [flow_run_id]}},
                    "sort": "TIMESTAMP_ASC",
                    "offset": len(messages),
                    "limit": 200,
                },
            )
            messages += [entry["message"] for entry in page]
            if len(page) < 200:
                return messages


def _parent_death_signal():
    """A preexec_fn that makes a child get SIGKILL if pytest dies without cleaning up
    (Linux prctl PR_SET_PDEATHSIG), resolved here so that the child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGKILL)


_DIE_WITH_PARENT = _parent_death_signal()


class Child:
    """A child process in a process group of its own, output to a log file."""

    def __init__(self, name: str, args: list[str], env: dict, cwd: Path, log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_DIE_WITH_PARENT,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, n: int = 40) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return f"--- last lines of {self.log} ---\n" + "\n".join(lines[-n:])

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def stop(self, first: int = signal.SIGTERM, grace: float = STOP_GRACE) -> int | None:
        """`first` to the group, then SIGKILL after `grace` s (a worker ignores a first
        SIGTERM while it shuts down); SIGKILL again for members that outlive the leader."""
        if self.alive():
            self.signal_group(first)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(10)
        self.signal_group(signal.SIGKILL)
        self._out.close()
        return self.proc.poll()


def kill_marked(token: str) -> list[int]:
    """SIGKILL every process whose environment carries `token`: our children and whatever
    they started, even in other process groups or reparented (Linux only)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    needle = f"\0{TOKEN_VAR}={token}\0".encode()
    killed = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = b"\0" + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                pass
    return killed


def wait_until(condition, timeout: float, what: str, interval: float = 0.5, on_timeout=None):
    """Poll `condition` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = on_timeout() if on_timeout else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{detail}")
        time.sleep(interval)


@dataclass
class PrefectStack:
    """The server and everything the tests started against it."""

    root: Path
    env: dict
    api: Api
    token: str
    server: Child | None = None
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: list[str], cwd: Path, env: dict | None = None) -> Child:
        child = Child(name, args, env or self.env, cwd, self.root)
        self.children.append(child)
        return child

    def prefect(self, *args: str, cwd: Path, timeout: float = CLI_TIMEOUT):
        """Run the `prefect` CLI of this environment against the server."""
        try:
            done = subprocess.run(
                [sys.executable, "-m", "prefect", *args],
                cwd=cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"`prefect {' '.join(args)}` did not finish in {timeout} s: {exc}")
        assert done.returncode == 0, (
            f"`prefect {' '.join(args)}` exited {done.returncode}\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
        return done

    def wait_for_final_state(self, flow_run_id: str, watch: Child | None = None) -> dict:
        """Poll the flow run until it reaches a final state (fail if `watch` dies)."""

        def final():
            if watch is not None and not watch.alive():
                pytest.fail(f"{watch.name} exited while flow run {flow_run_id} ran\n{watch.tail()}")
            run = self.api.flow_run(flow_run_id)
            return run if run["state_type"] in FINAL_STATES else None

        def describe():
            run = self.api.flow_run(flow_run_id)
            return f"state: {run['state_type']} {run['state']}\n" + (watch.tail() if watch else "")

        return wait_until(
            final, FLOW_RUN_TIMEOUT, f"flow run {flow_run_id}", interval=1, on_timeout=describe
        )

    def wait_for_log(self, flow_run_id: str, fragment: str) -> list[str]:
        """The flow run's log messages once one contains `fragment` (logs reach the API in
        batches, possibly just after the final state)."""

        def found():
            messages = self.api.logs(flow_run_id)
            return messages if any(fragment in m for m in messages) else None

        return wait_until(
            found,
            LOG_TIMEOUT,
            f"a log line with {fragment!r} in flow run {flow_run_id}",
            on_timeout=lambda: "\n".join(self.api.logs(flow_run_id)[-40:]),
        )

    def failure_report(self, run: dict, watch: Child | None = None) -> str:
        logs = "\n".join(self.api.logs(run["id"])[-40:])
        return (
            f"flow run {run['id']} ended {run['state_type']}: {run['state']['message']}\n"
            f"--- flow run logs ---\n{logs}\n{watch.tail() if watch else ''}"
        )


def child_env(root: Path, port: int, token: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(root / "prefect-home"),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": (
                f"sqlite+aiosqlite:///{root / 'prefect.db'}"
            ),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            # Workers and served flows poll every 10 s by default.
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
            "PREFECT_CLI_COLORS": "false",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "COLUMNS": "200",
            "PYTHONUNBUFFERED": "1",
            TOKEN_VAR: token,
        }
    )
    return env


def start_server(root: Path, token: str, name: str) -> tuple[PrefectStack, bool]:
    """Start `prefect server start` on a free port of 127.0.0.1 with its own database and
    PREFECT_HOME under `root`: (stack, True) once /api/health answers, (stack, False) if
    the server exited first."""
    port = free_port()
    env = child_env(root, port, token)
    stack = PrefectStack(root=root, env=env, api=Api(env["PREFECT_API_URL"]), token=token)
    server = stack.server = Child(
        name,
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        + ["--port", str(port)],
        env,
        root,
        root,
    )
    status = wait_until(
        lambda: "up" if stack.api.healthy() else (not server.alive() and "exited"),
        SERVER_START_TIMEOUT,
        "the Prefect server /api/health",
        on_timeout=server.tail,
    )
    return stack, status == "up"


def flow_run_id_from(output: str) -> str:
    match = re.search(
        r"UUID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", output
    )
    assert match, f"no flow run id in:\n{output}"
    return match[1]
