"""The seeds walk and file reading: only regular files inside the seeds are read, and
every entry the walk meets ends up published or quarantined with its reason."""

from __future__ import annotations

import os
import socket

import polars as pl
import pytest

from taikong.ingest.shards import (
    INPUT_SCHEMA,
    InputError,
    account_for_walk,
    check_not_nested,
    ingest_files,
    plan_shards,
    walk_seeds,
)

SECRET = b"root:x:0:0:secret outside the seeds\n"
TEXT = b"Tianwen-1 entered Mars orbit in February 2021.\n"


def write(path, data: bytes = TEXT):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def reasons(walk) -> dict[str, str]:
    return {r["source_path"]: r["reason"].split(":")[0] for r in walk.skipped}


def ingest_all(seeds, walk, max_bytes=1 << 20) -> pl.DataFrame:
    paths = [p for shard in plan_shards(walk.files) for p in shard]
    _docs, inputs = ingest_files(seeds, paths, max_bytes=max_bytes)
    return account_for_walk(inputs, walk)


@pytest.fixture
def hostile(tmp_path):
    """A seeds directory holding every kind of entry that is not a plain text file."""
    outside = write(tmp_path / "outside" / "passwd", SECRET)
    (tmp_path / "outside" / "dir").mkdir()
    seeds = tmp_path / "seeds"
    write(seeds / "good.txt")
    write(seeds / "news" / "b.txt", b"Chang'e-6 returned samples from the far side.\n")
    os.symlink(outside, seeds / "abs_link.txt")
    os.symlink("../outside/passwd", seeds / "rel_link.txt")
    os.symlink("loop_b", seeds / "loop_a")
    os.symlink("loop_a", seeds / "loop_b")
    os.symlink("missing.txt", seeds / "dangling.txt")
    os.symlink("news", seeds / "dir_link")
    os.symlink(tmp_path / "outside" / "dir", seeds / "outside_dir_link")
    os.symlink("good.txt", seeds / "inside_link.txt")
    os.mkfifo(seeds / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(seeds / "sock"))
    write(seeds / ".hidden.txt")
    write(seeds / ".git" / "config", b"[core]\n")
    write(seeds / "news" / ".DS_Store", b"junk")
    yield seeds
    sock.close()


def test_walk_classifies_every_entry(hostile):
    walk = walk_seeds(hostile)
    assert [f.source_path for f in walk.files] == ["good.txt", "inside_link.txt", "news/b.txt"]
    assert reasons(walk) == {
        ".git": "hidden",  # listed once, its contents not walked
        ".hidden.txt": "hidden",
        "abs_link.txt": "symlink_outside",
        "dangling.txt": "dangling_symlink",
        "dir_link": "symlink_to_directory",
        "loop_a": "symlink_loop",
        "loop_b": "symlink_loop",
        "news/.DS_Store": "hidden",
        "outside_dir_link": "symlink_outside",
        "pipe.txt": "special_file",
        "rel_link.txt": "symlink_outside",
        "sock": "special_file",
    }
    assert walk.n_entries == 15


def test_nothing_outside_the_seeds_is_read_and_every_entry_is_accounted_for(hostile):
    walk = walk_seeds(hostile)
    inputs = ingest_all(hostile, walk)
    assert inputs.height == walk.n_entries == 15
    published = inputs.filter(pl.col("fate") == "published")["source_path"].to_list()
    assert published == ["good.txt", "news/b.txt"]
    fates = dict(inputs.select("source_path", "reason").iter_rows())
    assert fates["inside_link.txt"] == "duplicate_file: same bytes as good.txt"
    assert fates["pipe.txt"] == "special_file: a named pipe (FIFO) is not a text file"
    # The outside file's bytes were never hashed, so never read.
    secret_sha = __import__("hashlib").sha256(SECRET).hexdigest()
    assert secret_sha not in inputs["raw_sha256"].to_list()


def test_accounting_refuses_a_lost_entry(hostile):
    walk = walk_seeds(hostile)
    paths = [p for shard in plan_shards(walk.files) for p in shard]
    _docs, inputs = ingest_files(hostile, paths[1:])  # one file "lost" on the way
    with pytest.raises(RuntimeError, match="the walk met 15 entries but 14 inputs"):
        account_for_walk(inputs, walk)


def test_a_file_swapped_for_a_link_after_the_walk_is_not_followed(tmp_path):
    outside = write(tmp_path / "secret.txt", SECRET)
    seeds = tmp_path / "seeds"
    write(seeds / "a.txt")
    walk = walk_seeds(seeds)
    (seeds / "a.txt").unlink()
    os.symlink(outside, seeds / "a.txt")
    inputs = ingest_all(seeds, walk)
    assert inputs.row(0, named=True)["reason"] == (
        "symlink_outside: the path resolves outside the seeds directory"
    )


def test_size_is_checked_before_reading(tmp_path):
    seeds = tmp_path / "seeds"
    write(seeds / "big.txt", b"x" * 11)
    inputs = ingest_all(seeds, walk_seeds(seeds), max_bytes=10)
    row = inputs.row(0, named=True)
    assert row["reason"] == "too_large: 11 bytes exceeds the 10-byte limit"
    assert row["n_bytes"] == 11
    assert row["raw_sha256"] is None  # not read, so not hashed


def test_non_utf8_file_name_is_kept_losslessly_and_shown_escaped(tmp_path):
    seeds = tmp_path / "seeds"
    name = "嫦娥.txt".encode("gbk")  # b'\xe6\xcf\xb6\xf0.txt': not UTF-8
    seeds.mkdir()
    with open(os.path.join(os.fsencode(seeds), name), "wb") as f:
        f.write(TEXT)
    walk = walk_seeds(seeds)
    assert [f.source_path for f in walk.files] == ["\\xe6\\xcf\\xb6\\xf0.txt"]
    docs, inputs = ingest_files(seeds, plan_shards(walk.files)[0])
    row = inputs.row(0, named=True)
    assert row["fate"] == "published"
    assert row["source_path"] == "\\xe6\\xcf\\xb6\\xf0.txt"
    assert bytes.fromhex(row["name_hex"]) == name
    assert docs["raw_text"].to_list() == [TEXT.decode()]


def test_utf8_names_have_no_hex(tmp_path):
    seeds = tmp_path / "seeds"
    write(seeds / "嫦娥.txt")
    _docs, inputs = ingest_files(seeds, plan_shards(walk_seeds(seeds).files)[0])
    assert inputs.select("source_path", "name_hex").row(0) == ("嫦娥.txt", None)


@pytest.mark.parametrize(
    ("seeds", "datasets"),
    [("seeds", "seeds/datasets"), ("seeds", "seeds"), ("data/seeds", "data")],
)
def test_nested_seeds_and_datasets_are_refused(tmp_path, seeds, datasets):
    (tmp_path / seeds).mkdir(parents=True, exist_ok=True)
    with pytest.raises(InputError, match="inside"):
        check_not_nested(tmp_path / seeds, tmp_path / datasets)


def test_side_by_side_is_fine(tmp_path):
    check_not_nested(tmp_path / "seeds", tmp_path / "seeds-datasets")


def test_skipped_rows_follow_the_input_schema(hostile):
    skipped = pl.DataFrame(walk_seeds(hostile).skipped, schema=INPUT_SCHEMA)
    assert skipped["fate"].unique().to_list() == ["quarantined"]
    assert skipped["doc_id"].null_count() == skipped.height
