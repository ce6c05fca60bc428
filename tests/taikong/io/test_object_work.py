"""The work area and the shard cache in object storage (SeaweedFS on 127.0.0.1) behave as
their local counterparts do, and a run's work area in the bucket lives as long as it."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from s3_server import S3_BUCKET

from taikong.io import ObjectShardCache, ObjectWorkArea, RemoteReleaseStore, WorkArea
from taikong.io.object_work import ObjectPrefix

pytestmark = pytest.mark.slow  # starts a server

LINES = [
    pl.DataFrame({"doc_id": ["b", "a"], "line_no": [2, 1], "text": ["x", None]}),
    pl.DataFrame({"doc_id": ["c"], "line_no": [7], "text": ["zé"]}),
    pl.DataFrame(
        {"doc_id": [], "line_no": [], "text": []},
        schema={"doc_id": pl.String, "line_no": pl.Int64, "text": pl.String},
    ),
]


def test_the_object_work_area_reads_back_what_the_local_one_does(s3, tmp_path):
    remote = ObjectWorkArea(f"s3://{S3_BUCKET}/run/work")
    local = WorkArea(tmp_path / "local")
    counts = pl.DataFrame({"template": ["t"], "n_docs": [3]})
    for area in (remote, local):
        for shard, frame in zip((10, 0, 1), LINES, strict=True):
            area.write("lines", frame, shard)
        area.write("counts", counts)
    assert remote.shards("lines") == local.shards("lines") == [0, 1, 10]
    assert_frame_equal(remote.read_all("lines"), local.read_all("lines"))
    assert_frame_equal(remote.scan_all("lines").collect(), local.scan_all("lines").collect())
    assert_frame_equal(remote.read("lines", 10, columns=["text"]), LINES[0].select("text"))
    assert_frame_equal(remote.read("counts"), counts)
    assert remote.shards("nothing") == [] and remote.read_all("nothing").is_empty()
    assert remote.in_object_store and not local.in_object_store


def test_the_object_cache_keeps_exactly_what_the_last_run_used(s3):
    base = f"s3://{S3_BUCKET}/cache"
    frame = LINES[0]
    ObjectShardCache(base, "v0").put("clean.lines", "k0", frame)  # another code version
    first_run = ObjectShardCache(base, "v1")
    assert first_run.get("clean.lines", "k1") is None
    first_run.put("clean.lines", "k1", frame)
    first_run.put("clean.lines", "k2", frame)
    assert first_run.sweep(run_started=0.0) == 1  # the v0 cache
    second_run = ObjectShardCache(base, "v1")  # a new run, its own marks
    assert_frame_equal(second_run.get("clean.lines", "k1"), frame)
    assert second_run.sweep(run_started=0.0) == 1  # k2: not used by this run
    assert ObjectPrefix(base).files(recursive=True) == ["v1/clean.lines/k1.parquet"]


def test_a_runs_work_area_in_the_bucket_lives_as_long_as_the_run(s3, tmp_path):
    url = f"s3://{S3_BUCKET}/releases"
    store = RemoteReleaseStore(url, tmp_path / "lead")
    dead = ObjectWorkArea(f"{url}/.staging/dead-run/work")
    dead.write("docs", LINES[1], 0)  # a run killed on another day: no local staging left
    staging = store.begin("live-run")
    assert staging.work_url == f"{url}/.staging/live-run/work"
    staging.work.write("docs", LINES[1], 0)

    assert store.recover() == ["removed stale work area .staging/dead-run"]
    assert dead.shards("docs") == [] and staging.work.shards("docs") == [0]  # alive: kept
    store.discard(staging)
    assert ObjectPrefix(f"{url}/.staging").files(recursive=True) == []

    local = RemoteReleaseStore(url, tmp_path / "lead", work_in_store=False).begin("other")
    assert local.work_url is None and local.work.root == tmp_path / "lead/.staging/other/work"


def test_an_object_cache_entry_is_copied_into_the_work_area_inside_the_bucket(s3):
    cache = ObjectShardCache(f"s3://{S3_BUCKET}/cache-copy", "v1")
    work = ObjectWorkArea(f"s3://{S3_BUCKET}/copy-run/work")
    cache.put("clean.lines", "k1", LINES[0])
    cache.put_meta("clean.lines", "k1", {"digest": "d", "rows": 2})
    assert cache.get_meta("clean.lines", "k1") == {"digest": "d", "rows": 2}
    assert cache.get_meta("clean.lines", "k2") is None
    assert list(cache.metas("clean.lines")) == [("k1", {"digest": "d", "rows": 2})]
    assert cache.copy_to("clean.lines", "k1", work.path("lines", 3))
    assert not cache.copy_to("clean.lines", "k2", work.path("lines", 4))
    assert_frame_equal(work.read("lines", 3), LINES[0])
    assert work.shards("lines") == [3]
    work.write_meta("lines.digest", {"digest": "d", "rows": 2}, 3)
    assert work.read_meta("lines.digest", 3) == {"digest": "d", "rows": 2}
    with pytest.raises(FileNotFoundError):
        work.read_meta("lines.digest", 4)
    assert cache.sweep(run_started=0.0) == 0  # the copied entry counts as used
