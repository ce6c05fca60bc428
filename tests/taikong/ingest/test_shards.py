"""Unit tests for taikong.ingest.shards on a small seeds directory built in tmp_path."""

from __future__ import annotations

import polars as pl
import pytest

from taikong.ingest.decode import content_id
from taikong.ingest.shards import (
    DOC_SCHEMA,
    INPUT_SCHEMA,
    InputFile,
    ingest_files,
    list_inputs,
    plan_shards,
)


def write(root, rel: str, data: bytes):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- list_inputs --------------------------------------------------------------------------


def test_list_inputs_skips_catalog_and_hidden_and_recurses(tmp_path):
    write(tmp_path, "a.txt", b"alpha")
    write(tmp_path, "catalog.csv", b"path,title\na.txt,A\n")
    write(tmp_path, ".DS_Store", b"junk")
    write(tmp_path, ".git/config", b"[core]\n")
    write(tmp_path, "news/b.txt", b"bravo!")
    write(tmp_path, "news/.hidden.txt", b"secret")
    write(tmp_path, "news/2003/c.html", b"<p>charlie</p>")
    (tmp_path / "empty_dir").mkdir()

    files = list_inputs(tmp_path)

    assert files == [
        InputFile("a.txt", 5),
        InputFile("news/2003/c.html", 14),
        InputFile("news/b.txt", 6),
    ]
    assert all("\\" not in f.source_path for f in files)


def test_list_inputs_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        list_inputs(tmp_path / "nope")


# ---- plan_shards --------------------------------------------------------------------------


def files(*sizes: int) -> list[InputFile]:
    return [InputFile(f"f{i:02d}.txt", n) for i, n in enumerate(sizes)]


def test_plan_shards_max_docs():
    fs = files(*[1] * 7)
    shards = plan_shards(fs, max_docs=3, max_bytes=1_000)
    assert shards == [
        ["f00.txt", "f01.txt", "f02.txt"],
        ["f03.txt", "f04.txt", "f05.txt"],
        ["f06.txt"],
    ]


def test_plan_shards_max_bytes():
    fs = files(5, 5, 5, 20, 1)
    shards = plan_shards(fs, max_docs=100, max_bytes=10)
    # 5+5 fits exactly; the oversize file gets a shard of its own.
    assert shards == [["f00.txt", "f01.txt"], ["f02.txt"], ["f03.txt"], ["f04.txt"]]


@pytest.mark.parametrize(("max_docs", "max_bytes"), [(1, 10**9), (2, 7), (4, 12), (1000, 10**9)])
def test_plan_shards_limits_and_order(max_docs, max_bytes):
    sizes = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    fs = files(*sizes)
    by_name = {f.source_path: f.n_bytes for f in fs}
    shards = plan_shards(fs, max_docs=max_docs, max_bytes=max_bytes)
    assert [p for shard in shards for p in shard] == [f.source_path for f in fs]
    for shard in shards:
        assert 1 <= len(shard) <= max_docs
        assert len(shard) == 1 or sum(by_name[p] for p in shard) <= max_bytes


def test_plan_shards_empty():
    assert plan_shards([]) == []


# ---- ingest_files -------------------------------------------------------------------------

GOOD = b"Shenzhou-5 landed safely in Inner Mongolia.\r\nThe mission was a success.\r\n"
OTHER = "天宫空间站完成建造。\n".encode()


@pytest.fixture
def seeds(tmp_path):
    write(tmp_path, "good.txt", GOOD)
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", b"  \n\n")
    write(tmp_path, "scan.pdf", b"%PDF-1.4\n1 0 obj\n")
    write(tmp_path, "img/photo.png", b"\x89PNG\r\n\x1a\nrest")
    write(tmp_path, "copy/good_again.txt", GOOD)
    write(tmp_path, "zh/other.txt", OTHER)
    return tmp_path


ORDER = [
    "good.txt",
    "empty.txt",
    "blank.txt",
    "scan.pdf",
    "img/photo.png",
    "copy/good_again.txt",
    "zh/other.txt",
]


def test_ingest_files_fates(seeds):
    docs, inputs = ingest_files(seeds, ORDER)

    assert dict(docs.schema) == DOC_SCHEMA
    assert dict(inputs.schema) == INPUT_SCHEMA
    assert inputs["source_path"].to_list() == ORDER  # one row per input, in order

    fate = dict(zip(inputs["source_path"], inputs["fate"], strict=True))
    reason = dict(zip(inputs["source_path"], inputs["reason"], strict=True))
    assert fate == {
        "good.txt": "published",
        "empty.txt": "quarantined",
        "blank.txt": "quarantined",
        "scan.pdf": "quarantined",
        "img/photo.png": "quarantined",
        "copy/good_again.txt": "quarantined",
        "zh/other.txt": "published",
    }
    assert reason["good.txt"] is None
    assert reason["zh/other.txt"] is None
    assert reason["empty.txt"].startswith("empty")
    assert reason["blank.txt"].startswith("empty")
    assert reason["scan.pdf"].startswith("binary")
    assert reason["img/photo.png"].startswith("binary")
    assert reason["copy/good_again.txt"].startswith("duplicate_file")
    assert "good.txt" in reason["copy/good_again.txt"]

    n_quarantined = inputs.filter(pl.col("fate") == "quarantined").height
    assert inputs.height == docs.height + n_quarantined
    assert docs["source_path"].to_list() == ["good.txt", "zh/other.txt"]


def test_ingest_files_document_rows(seeds):
    docs, inputs = ingest_files(seeds, ORDER)
    good = docs.row(0, named=True)
    doc_id, sha = content_id(GOOD)
    assert good["doc_id"] == doc_id
    assert good["raw_sha256"] == sha
    assert good["n_bytes"] == len(GOOD)
    assert good["raw_text"] == GOOD.decode("utf-8")  # CRLF kept
    assert (good["encoding"], good["encoding_evidence"], good["n_replaced"]) == (
        "utf-8",
        "valid UTF-8",
        0,
    )
    other = docs.row(1, named=True)
    assert other["raw_text"] == OTHER.decode("utf-8")

    # The duplicate input row carries the same content id as the published one.
    dup = inputs.filter(pl.col("source_path") == "copy/good_again.txt").row(0, named=True)
    assert (dup["doc_id"], dup["raw_sha256"], dup["n_bytes"]) == (doc_id, sha, len(GOOD))
    empty = inputs.filter(pl.col("source_path") == "empty.txt").row(0, named=True)
    assert empty["n_bytes"] == 0


def test_duplicate_is_relative_to_first_published_copy(seeds):
    # Order reversed: the copy comes first and is published, the original is the duplicate.
    docs, inputs = ingest_files(seeds, ["copy/good_again.txt", "good.txt"])
    assert docs["source_path"].to_list() == ["copy/good_again.txt"]
    assert inputs["fate"].to_list() == ["published", "quarantined"]
    assert inputs["reason"][1].startswith("duplicate_file")
    assert "copy/good_again.txt" in inputs["reason"][1]


def test_ingest_files_missing_file_is_unreadable(seeds):
    docs, inputs = ingest_files(seeds, ["good.txt", "gone.txt"])
    assert docs.height == 1
    row = inputs.row(1, named=True)
    assert row["fate"] == "quarantined"
    assert row["reason"].startswith("unreadable")
    assert row["doc_id"] is None


def test_ingest_files_too_large(seeds):
    docs, inputs = ingest_files(seeds, ["good.txt", "zh/other.txt"], max_bytes=len(OTHER))
    assert docs["source_path"].to_list() == ["zh/other.txt"]
    assert inputs["reason"][0].startswith("too_large")


def test_ingest_files_empty_shard(seeds):
    docs, inputs = ingest_files(seeds, [])
    assert docs.height == 0 and inputs.height == 0
    assert dict(docs.schema) == DOC_SCHEMA
    assert dict(inputs.schema) == INPUT_SCHEMA
