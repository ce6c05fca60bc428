"""Unit tests for the local release store and release directories: release ids, publish, failed runs and table writes."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import stat
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taikong.io import MANIFEST, ReleaseExists, ReleaseStore
from taikong.io.staging import RUN_LOCKS

DAY = dt.date(2026, 11, 21)


def stage_release(store: ReleaseStore, run_id: str, marker: str):
    """Begin a run and stage a minimal release (a data file and its manifest)."""
    staging = store.begin(run_id)
    staging.release_dir.mkdir(parents=True, exist_ok=True)
    (staging.release_dir / "data.txt").write_text(marker)
    staging.put_json("validation/report.json", {"passed": True})
    staging.put_json(MANIFEST, {"run_id": run_id, "marker": marker})
    return staging


def fake_release(root, name: str, manifest: bool = True):
    d = root / name
    d.mkdir(parents=True)
    if manifest:
        (d / MANIFEST).write_text("{}")
    return d


# ---- release ids ---------------------------------------------------------------------------


def test_next_release_id_sequence(tmp_path):
    store = ReleaseStore(tmp_path / "datasets")  # does not exist yet
    assert store.next_release_id(DAY) == "2026-11-21"

    for expected in ("2026-11-21", "2026-11-21.2", "2026-11-21.3"):
        rid = store.next_release_id(DAY)
        assert rid == expected
        with store.lock():
            store.publish(stage_release(store, f"run-{expected}", expected), rid)

    assert store.next_release_id(DAY) == "2026-11-21.4"
    assert store.next_release_id(dt.date(2026, 11, 22)) == "2026-11-22"
    assert store.releases() == ["2026-11-21", "2026-11-21.2", "2026-11-21.3"]


def test_next_release_id_skips_names_taken_by_unpublished_dirs(tmp_path):
    fake_release(tmp_path, "2026-11-21", manifest=False)  # e.g. a half-copied directory
    store = ReleaseStore(tmp_path)
    assert store.next_release_id(DAY) == "2026-11-21.2"


def test_next_release_id_after_gap(tmp_path):
    fake_release(tmp_path, "2026-11-21")
    fake_release(tmp_path, "2026-11-21.3")
    store = ReleaseStore(tmp_path)
    rid = store.next_release_id(DAY)
    assert rid not in {"2026-11-21", "2026-11-21.3"}
    assert rid.startswith("2026-11-21.")


# ---- releases() / latest ---------------------------------------------------------------------


def test_releases_ignores_dirs_without_manifest_and_sorts_numerically(tmp_path):
    for name in ("2026-11-22", "2026-11-21.10", "2026-11-21", "2026-11-21.2"):
        fake_release(tmp_path, name)
    fake_release(tmp_path, "2026-11-23", manifest=False)
    fake_release(tmp_path, "scratch")  # not a release id, even with a manifest
    fake_release(tmp_path, ".failed/run1")
    (tmp_path / "notes.txt").write_text("x")
    os.symlink("2026-11-22", tmp_path / "latest")

    store = ReleaseStore(tmp_path)
    assert store.releases() == ["2026-11-21", "2026-11-21.2", "2026-11-21.10", "2026-11-22"]
    assert store.latest_id() == "2026-11-22"


def test_releases_of_missing_root(tmp_path):
    store = ReleaseStore(tmp_path / "missing")
    assert store.releases() == []
    assert store.latest_id() is None


def test_latest_id_none_when_target_has_no_manifest(tmp_path):
    fake_release(tmp_path, "2026-11-21", manifest=False)
    os.symlink("2026-11-21", tmp_path / "latest")
    assert ReleaseStore(tmp_path).latest_id() is None


# ---- publish -------------------------------------------------------------------------------


def test_publish_moves_staging_into_place(tmp_path):
    store = ReleaseStore(tmp_path)
    staging = stage_release(store, "run1", "first")
    with store.lock():
        location = store.publish(staging, "2026-11-21")

    target = tmp_path / "2026-11-21"
    assert location == str(target) == store.location("2026-11-21")
    assert (target / "data.txt").read_text() == "first"
    assert json.loads((target / MANIFEST).read_text())["marker"] == "first"
    assert (target / "validation" / "report.json").is_file()
    assert not staging.release_dir.exists()
    assert not staging.root.exists()

    for path in target.rglob("*"):
        if path.is_file():
            mode = path.stat().st_mode
            assert mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0, path
            assert mode & stat.S_IRUSR

    latest = tmp_path / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == "2026-11-21"  # relative link: the tree can be moved
    assert (latest / "data.txt").read_text() == "first"
    assert store.latest_id() == "2026-11-21"
    assert store.releases() == ["2026-11-21"]
    assert store.manifest("2026-11-21")["run_id"] == "run1"


def test_publish_switches_latest_to_newest(tmp_path):
    store = ReleaseStore(tmp_path)
    store.publish(stage_release(store, "run1", "first"), "2026-11-21")
    store.publish(stage_release(store, "run2", "second"), "2026-11-21.2")
    assert os.readlink(tmp_path / "latest") == "2026-11-21.2"
    assert store.latest_id() == "2026-11-21.2"
    assert (tmp_path / "2026-11-21" / "data.txt").read_text() == "first"
    # No temporary symlink is left behind.
    assert [p.name for p in tmp_path.iterdir() if p.is_symlink()] == ["latest"]


def test_publish_to_existing_release_raises_and_keeps_it(tmp_path):
    store = ReleaseStore(tmp_path)
    store.publish(stage_release(store, "run1", "first"), "2026-11-21")
    before = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in (tmp_path / "2026-11-21").rglob("*")
        if p.is_file()
    }

    staging = stage_release(store, "run2", "second")
    with pytest.raises(ReleaseExists):
        store.publish(staging, "2026-11-21")

    after = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in (tmp_path / "2026-11-21").rglob("*")
        if p.is_file()
    }
    assert after == before
    assert store.latest_id() == "2026-11-21"
    assert store.manifest("2026-11-21")["marker"] == "first"
    # The rejected run's staged files are still there (nothing was moved or deleted).
    assert (staging.release_dir / "data.txt").read_text() == "second"


def test_begin_restarts_from_clean_scratch(tmp_path):
    store = ReleaseStore(tmp_path)
    staging = store.begin("run1")
    (staging.root / "leftover.txt").write_text("x")
    staging = store.begin("run1")
    # Only the run's own lock file: the leftover scratch is gone.
    assert [p.name for p in staging.root.iterdir()] == [".run.lock"]


# ---- keep_failed / discard -----------------------------------------------------------------


def test_keep_failed_moves_release_to_failed_dir(tmp_path):
    store = ReleaseStore(tmp_path)
    staging = stage_release(store, "run-bad", "broken")
    target = store.keep_failed(staging)

    assert target == tmp_path / ".failed" / "run-bad"
    assert (target / "data.txt").read_text() == "broken"
    assert (target / "validation" / "report.json").is_file()
    assert not staging.root.exists()
    assert store.releases() == []
    assert not (tmp_path / "latest").exists()


def test_keep_failed_replaces_previous_failure_of_same_run(tmp_path):
    store = ReleaseStore(tmp_path)
    store.keep_failed(stage_release(store, "run-bad", "attempt 1"))
    target = store.keep_failed(stage_release(store, "run-bad", "attempt 2"))
    assert (target / "data.txt").read_text() == "attempt 2"


def test_discard_removes_staging(tmp_path):
    store = ReleaseStore(tmp_path)
    staging = stage_release(store, "run1", "x")
    store.discard(staging)
    assert not staging.root.exists()
    assert store.releases() == []


# ---- write_table ---------------------------------------------------------------------------

SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False, metadata={"description": "id"}),
        pa.field("n", pa.int32(), nullable=False, metadata={"description": "count"}),
        pa.field("note", pa.string(), nullable=True, metadata={"description": "free text"}),
    ],
    metadata={"taikong.table": "things"},
)


def test_write_table_zstd_with_schema(tmp_path):
    store = ReleaseStore(tmp_path)
    staging = store.begin("run1")
    frames = [
        # polars defaults: Int64 and extra/reordered columns; write_table selects and casts
        pl.DataFrame(
            {
                "n": [1, 2, 3],
                "extra": ["x", "y", "z"],
                "doc_id": ["a", "b", "c"],
                "note": ["one", None, "three"],
            }
        ),
        pl.DataFrame(schema={"doc_id": pl.String, "n": pl.Int64, "note": pl.String}),
        pl.DataFrame({"doc_id": ["d", "e"], "n": [4, 5], "note": [None, "五"]}),
    ]
    info = staging.write_table("things", iter(frames), SCHEMA)

    (path,) = staging.table_files("things")
    assert path == staging.release_dir / "things" / "part-00000.parquet"
    assert info["dir"] == "things"
    assert info["files"] == ["things/part-00000.parquet"]
    assert info["rows"] == 5
    assert info["bytes"] == path.stat().st_size
    assert info["parts"] == [
        {
            "file": "things/part-00000.parquet",
            "rows": 5,
            "bytes": path.stat().st_size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    ]

    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 5
    # Three small frames are gathered into one row group, not one group per shard.
    assert meta.num_row_groups == 1
    for rg in range(meta.num_row_groups):
        for col in range(meta.num_columns):
            assert meta.row_group(rg).column(col).compression == "ZSTD"

    written = pq.read_schema(path)
    assert written.names == ["doc_id", "n", "note"]
    assert written.equals(SCHEMA, check_metadata=True)

    table = pq.read_table(path)
    assert table.column("doc_id").to_pylist() == ["a", "b", "c", "d", "e"]
    assert table.column("n").to_pylist() == [1, 2, 3, 4, 5]
    assert table.column("note").to_pylist() == ["one", None, "three", None, "五"]


def test_write_table_with_no_rows_writes_one_part_with_the_schema(tmp_path):
    staging = ReleaseStore(tmp_path).begin("run1")
    info = staging.write_table("things", [], SCHEMA)
    (path,) = staging.table_files("things")
    assert info["rows"] == 0 and info["files"] == ["things/part-00000.parquet"]
    assert pq.ParquetFile(path).metadata.num_rows == 0
    assert pq.read_schema(path).equals(SCHEMA)
    assert info["parts"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [b.height for b in staging.iter_table_batches("things")] == [0]


def _things(n: int, offset: int = 0) -> pl.DataFrame:
    ids = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(offset, offset + n)]
    return pl.DataFrame({"doc_id": ids, "n": list(range(offset, offset + n)), "note": ids})


def test_write_table_splits_row_groups_by_bytes_and_parts_by_size(tmp_path):
    release = ReleaseStore(tmp_path).begin("run1").release
    frames = [_things(3000, offset=i * 3000) for i in range(4)]  # ~1.9 MB uncompressed
    info = release.write_table(
        "things", frames, SCHEMA, row_group_bytes=200_000, part_bytes=300_000
    )
    files = release.table_files("things")
    assert len(files) >= 3
    assert info["files"] == [f"things/{p.name}" for p in files]
    assert [p.name for p in files] == [f"part-{i:05d}.parquet" for i in range(len(files))]
    assert info["rows"] == sum(p["rows"] for p in info["parts"]) == 12_000
    groups = []
    for part, path in zip(info["parts"], files, strict=True):
        meta = pq.ParquetFile(path).metadata
        assert part["rows"] == meta.num_rows and part["bytes"] == path.stat().st_size
        groups += [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]
    # Row groups near the target size; only the table's last one may be small (rows left
    # over by a flush wait for the next frame instead of making a small group).
    assert all(100_000 <= size <= 2 * 200_000 for size in groups[:-1]), groups
    # Every part but the last reached the part size; none is far over it.
    assert all(p["bytes"] >= 300_000 // 2 for p in info["parts"][:-1])
    # Rows keep their order across parts.
    assert release.read_table("things")["n"].to_list() == list(range(12_000))
    assert release.scan_table("things").select(pl.len()).collect().item() == 12_000
    assert sum(b.height for b in release.iter_table_batches("things")) == 12_000


def test_rewriting_a_table_leaves_no_stale_parts(tmp_path):
    release = ReleaseStore(tmp_path).begin("run1").release
    release.write_table("things", [_things(5000)], SCHEMA, row_group_bytes=50_000, part_bytes=1)
    assert len(release.table_files("things")) > 2
    info = release.write_table("things", [_things(3)], SCHEMA)
    assert info["files"] == ["things/part-00000.parquet"]
    assert [p.name for p in release.table_files("things")] == ["part-00000.parquet"]


def test_a_release_of_layout_1_is_still_read(tmp_path):
    """A predecessor published before the part layout (one <table>.parquet) is read."""
    from taikong.io import ReleaseDir

    old = ReleaseDir(tmp_path)
    pq.write_table(_things(4).to_arrow().cast(SCHEMA), tmp_path / "things.parquet")
    assert old.table_files("things") == [tmp_path / "things.parquet"]
    assert old.scan_table("things").select(pl.len()).collect().item() == 4
    assert old.table_files("missing") == []
    with pytest.raises(FileNotFoundError, match="missing"):
        old.scan_table("missing")


def test_write_table_rejects_missing_column(tmp_path):
    staging = ReleaseStore(tmp_path).begin("run1")
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        staging.write_table("things", [pl.DataFrame({"doc_id": ["a"], "n": [1]})], SCHEMA)


def test_work_area_roundtrip(tmp_path):
    work = ReleaseStore(tmp_path).begin("run1").work
    a = pl.DataFrame({"x": [1, 2]})
    b = pl.DataFrame({"x": [3]})
    work.write("lines", b, shard=1)
    work.write("lines", a, shard=0)
    assert work.shards("lines") == [0, 1]
    assert work.read("lines", 0).equals(a)
    assert work.read_all("lines")["x"].to_list() == [1, 2, 3]
    assert work.read_all("missing").height == 0
    assert not list(work.root.rglob("*.tmp"))


def _publish_then_die_before_pointer_switch(store: ReleaseStore, run_id: str, release_id: str):
    """A run killed after renaming its release into place, before `latest` moved."""
    staging = stage_release(store, run_id, release_id)

    def die(self, rid):
        raise SystemExit("killed")

    real = ReleaseStore._point_latest
    ReleaseStore._point_latest = die
    try:
        with pytest.raises(SystemExit), store.lock():
            store.publish(staging, release_id)
    finally:
        ReleaseStore._point_latest = real
    RUN_LOCKS.release(staging.root)  # what the kernel does when the process is killed
    return staging


def test_recover_removes_only_stale_staging_and_completes_a_journaled_publish(tmp_path):
    store = ReleaseStore(tmp_path)
    with store.lock():
        store.publish(stage_release(store, "old", "old"), "2026-11-20")
    live = store.begin("live-run")  # held by this process: not stale
    stale = tmp_path / ".staging" / "dead-run"
    stale.mkdir(parents=True)
    (stale / ".run.lock").write_text("")  # nobody holds it: its process died
    crashed = _publish_then_die_before_pointer_switch(store, "crashed", "2026-11-21")
    assert os.readlink(tmp_path / "latest") == "2026-11-20"
    actions = store.recover()
    assert not stale.exists()
    assert live.root.exists()
    assert os.readlink(tmp_path / "latest") == "2026-11-21"
    assert any("the run had published it" in a for a in actions)
    assert not crashed.root.exists()
    published = [e["release_id"] for e in store.log_events() if e["event"] == "published"]
    assert published == ["2026-11-20", "2026-11-21"]


def test_recover_never_rolls_forward_without_a_journal(tmp_path):
    """The manual rollback of issue 12: `latest` pointed back by hand stays there."""
    store = ReleaseStore(tmp_path)
    with store.lock():
        store.publish(stage_release(store, "a", "a"), "2026-11-20")
        store.publish(stage_release(store, "b", "b"), "2026-11-21")
    store._point_latest("2026-11-20")
    assert store.recover() == []
    assert os.readlink(tmp_path / "latest") == "2026-11-20"


def test_rollback_survives_recovery_of_the_crashed_run_that_published_the_withdrawn(tmp_path):
    store = ReleaseStore(tmp_path)
    with store.lock():
        store.publish(stage_release(store, "a", "a"), "2026-11-20")
    _publish_then_die_before_pointer_switch(store, "crashed", "2026-11-21")
    actions = store.rollback("2026-11-20", "bad titles in 2026-11-21")
    assert "withdrew 2026-11-21" in actions
    store.recover()  # the crashed run's journal says it published 2026-11-21
    assert os.readlink(tmp_path / "latest") == "2026-11-20"
    assert store.withdrawn()["2026-11-21"]["reason"] == (
        "rolled back to 2026-11-20: bad titles in 2026-11-21"
    )


def test_withdraw_latest_falls_back_to_the_newest_earlier_release(tmp_path):
    from taikong.io import ReleaseNotFound, ReleaseStateError

    store = ReleaseStore(tmp_path)
    with store.lock():
        for n, rid in enumerate(("2026-11-19", "2026-11-20", "2026-11-21")):
            store.publish(stage_release(store, f"r{n}", rid), rid)
    store.withdraw("2026-11-20", "wrong catalog")
    store.withdraw("2026-11-21", "truncated inputs")
    assert os.readlink(tmp_path / "latest") == "2026-11-19"  # skips the withdrawn one
    with pytest.raises(ReleaseStateError, match="no earlier release"):
        store.withdraw("2026-11-19", "everything is wrong")
    assert os.readlink(tmp_path / "latest") == "2026-11-19"
    with pytest.raises(ReleaseStateError, match="withdrawn"):
        store.rollback("2026-11-20", "change of mind")
    with pytest.raises(ReleaseNotFound):
        store.withdraw("2026-01-01", "no such release")


def test_published_release_directories_are_read_only_and_prunable(tmp_path):
    store = ReleaseStore(tmp_path)
    with store.lock():
        target = Path(store.publish(stage_release(store, "a", "a"), "2026-11-20"))
        store.publish(stage_release(store, "b", "b"), "2026-11-21")
    for path in [target, target / "validation"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o555, path
    for path in [target / "data.txt", target / MANIFEST, target / "validation" / "report.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, path
    with store.lock():
        assert store.remove_release("2026-11-20") == str(target)
    assert not target.exists()


def test_validation_batches_are_bounded_by_bytes_not_rows(tmp_path, monkeypatch):
    from taikong.io import release_dir as release_dir_module

    release = release_dir_module.ReleaseDir(tmp_path)
    texts = [hashlib.sha256(str(i).encode()).hexdigest() * 32 for i in range(1000)]  # 2 KB
    frame = pl.DataFrame({"doc_id": [f"d{i}" for i in range(1000)], "raw_text": texts})
    schema = frame.to_arrow().schema
    release.write_table("documents", [frame], schema)
    monkeypatch.setattr(release_dir_module, "BATCH_BYTES", 400_000)  # about 200 rows of 2 KB
    batches = list(release.iter_table_batches("documents"))
    assert sum(b.height for b in batches) == 1000
    assert 3 <= len(batches) <= 10 and max(b.height for b in batches) <= 400
    assert pl.concat(batches).equals(frame)


def test_batches_of_some_columns_are_sized_by_those_columns(tmp_path, monkeypatch):
    """Reading only doc_id of documents: batches sized by doc_id's bytes, not by the raw
    text left unread."""
    from taikong.io import release_dir as release_dir_module

    release = release_dir_module.ReleaseDir(tmp_path)
    texts = [hashlib.sha256(str(i).encode()).hexdigest() * 32 for i in range(1000)]  # 2 KB
    frame = pl.DataFrame({"doc_id": [f"d{i}" for i in range(1000)], "raw_text": texts})
    release.write_table("documents", [frame], frame.to_arrow().schema)
    monkeypatch.setattr(release_dir_module, "BATCH_BYTES", 400_000)
    batches = list(release.iter_table_batches("documents", columns=["doc_id"]))
    assert len(batches) == 1 and batches[0].columns == ["doc_id"]
    assert batches[0].equals(frame.select("doc_id"))


def _enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_at_the_log_append_publishes_nothing(tmp_path, monkeypatch):
    store = ReleaseStore(tmp_path)
    with store.lock():
        store.publish(stage_release(store, "a", "a"), "2026-11-20")
    staging = stage_release(store, "b", "b")
    monkeypatch.setattr(ReleaseStore, "_append_log", _enospc)
    with pytest.raises(OSError) as failure, store.lock():
        store.publish(staging, "2026-11-21")
    assert failure.value.errno == errno.ENOSPC
    store.discard(staging)
    monkeypatch.undo()
    assert store.releases() == ["2026-11-20"]
    assert os.readlink(tmp_path / "latest") == "2026-11-20"
    assert store.recover() == []


def test_disk_full_at_the_pointer_switch_is_completed_by_the_next_recover(tmp_path, monkeypatch):
    store = ReleaseStore(tmp_path)
    with store.lock():
        store.publish(stage_release(store, "a", "a"), "2026-11-20")
    staging = stage_release(store, "b", "b")
    monkeypatch.setattr(ReleaseStore, "_point_latest", _enospc)
    with pytest.raises(OSError), store.lock():
        store.publish(staging, "2026-11-21")
    store.discard(staging)  # what the flow does on any error: here it keeps the journal
    monkeypatch.undo()
    assert os.readlink(tmp_path / "latest") == "2026-11-20"
    assert (staging.root / "publish.json").exists()
    store.recover()
    assert os.readlink(tmp_path / "latest") == "2026-11-21"
    assert not staging.root.exists()
