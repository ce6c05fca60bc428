"""Releases in object storage: a real S3-compatible server (SeaweedFS) on 127.0.0.1."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, TWO_SITES_PAGES, news_page, write_seeds
from s3_server import S3_BUCKET, free_port, stop_process_group

from contracts import TABLES
from flows.release import release

BUCKET = S3_BUCKET


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


# ---- a Dask cluster whose workers share no filesystem with the lead ------------------
DASK = str(Path(sys.executable).parent / "dask")


def _isolate(hidden: Path) -> str:
    """Shell steps that give a worker, in its own mount namespace, a private empty tmpfs
    over `hidden` (pytest's temporary root: the lead's seeds, its local work directory and
    every test file) and its home inside it. Not over all of /tmp: the project and its
    environment may live there (a CI clone does), and the worker must run its code."""
    root = shlex.quote(str(hidden))
    return (
        f"mount --make-rprivate / && mount -t tmpfs tmpfs {root} "
        f"&& mkdir {root}/home && cd {root}/home"
    )


# A mount namespace needs root, or a user namespace of its own (mapped to root in it).
UNSHARE = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-Urm"]


def _can_isolate() -> bool:
    probe = subprocess.run(
        [*UNSHARE, "sh", "-c", "mount -t tmpfs tmpfs /tmp"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


@pytest.fixture
def isolated_dask(s3, prefect_server, tmp_path, tmp_path_factory):
    """A Dask scheduler and two workers, each worker in its own mount namespace (its own
    empty tmpfs over pytest's temporary root, its HOME, TMPDIR and working directory in
    it); they reach the lead only through the network: the scheduler, the Prefect API and
    the object store. Yields the scheduler address."""
    hidden = tmp_path_factory.getbasetemp()
    home = shlex.quote(str(hidden / "home"))
    if shutil.which("unshare") is None or not _can_isolate():
        pytest.fail(f"needs `{' '.join(UNSHARE)}` (mount namespaces) to isolate the workers")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAIKONG_", "PREFECT_", "PYTEST_", "TMP"))
    }
    env.update(
        PREFECT_API_URL=prefect_server,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=(logs / "scheduler.log").open("w"),
                env=env,
                start_new_session=True,
            )
        )
        worker = (
            f"{_isolate(hidden)} && exec env HOME={home} TMPDIR={home} "
            f"{DASK} worker {address} --nthreads 1 --no-dashboard "
            f"--local-directory {home}/dask"
        )
        for n in range(2):
            processes.append(
                subprocess.Popen(
                    [*UNSHARE, "sh", "-c", worker],
                    stdout=subprocess.DEVNULL,
                    stderr=(logs / f"worker-{n}.log").open("w"),
                    env=env,
                    start_new_session=True,
                )
            )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            stop_process_group(process)


def _visible(client, path: Path) -> dict[str, bool]:
    return client.run(os.path.exists, str(path))


def _table_digests(fs: pafs.FileSystem, base: str) -> dict[str, list[str]]:
    """sha256 of every part file of every table, in part order."""
    digests = {}
    for table in TABLES:
        parts = fs.get_file_info(pafs.FileSelector(f"{base}/{table}"))
        digests[table] = [
            hashlib.sha256(fs.open_input_stream(p.path).read()).hexdigest()
            for p in sorted(parts, key=lambda p: p.path)
        ]
    return digests


@pytest.mark.slow
def test_dask_workers_that_share_no_filesystem_publish_the_default_runners_tables(
    isolated_dask, tmp_path
):
    from distributed import Client

    seeds = write_seeds(tmp_path / "seeds", TWO_SITES_PAGES)
    lead_work = Path(os.environ["TAIKONG_WORK_DIR"])
    lead_work.mkdir(parents=True)
    with Client(isolated_dask) as client:
        # The workers see neither the seeds nor the lead's local work directory.
        assert set(_visible(client, seeds).values()) == {False}
        assert set(_visible(client, lead_work).values()) == {False}
        assert set(_visible(client, Path(sys.executable)).values()) == {True}  # the code is
        before = client.run(lambda dask_worker: dask_worker.state.transition_counter)

    default = release(seeds_dir=str(seeds), datasets_dir=str(tmp_path / "default"), shard_docs=1)
    url = f"s3://{BUCKET}/cluster"
    on_cluster = functools.partial(
        release, str(seeds), url, shard_docs=1, runner="dask", dask_address=isolated_dask
    )
    on_dask = on_cluster()
    assert on_dask["status"] == "published" and on_dask["summary"]["documents"] == 4

    with Client(isolated_dask) as client:
        after = client.run(lambda dask_worker: dask_worker.state.transition_counter)
    assert all(after[w] > before[w] for w in after), "both workers ran shard tasks"
    # Byte for byte: the same Parquet part files (writing is deterministic for the same
    # frames and library versions), so any difference in a value, a type, the row order
    # or the schema metadata shows.
    fs, _ = pafs.FileSystem.from_uri(url)
    local = pafs.LocalFileSystem()
    published = _table_digests(fs, f"{BUCKET}/cluster/{on_dask['release_id']}")
    assert published == _table_digests(local, str(tmp_path / "default" / default["release_id"]))
    assert all(published[t] for t in TABLES)
    # Nothing of the run is left in the bucket but the release and the cache.
    left = fs.get_file_info(pafs.FileSelector(f"{BUCKET}/cluster/.staging", recursive=True))
    assert [i for i in left if i.type == pafs.FileType.File] == [], left

    # The shard cache is in the bucket too: workers serve unchanged shards from it.
    (seeds / "e.txt").write_text(news_page("Lander Sleeps", "Mar 12, 2024", PROBE_BODY))
    second = on_cluster()
    assert second["status"] == "published" and second["summary"]["documents"] == 5
    hits = second["summary"]["cache_hits"]
    assert hits["shards"] == 5 and hits["clean"] == hits["fingerprint"] == 4
