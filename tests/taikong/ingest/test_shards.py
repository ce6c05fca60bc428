"""Unit tests for taikong.ingest.shards on a small seeds directory built in tmp_path."""

from __future__ import annotations

import polars as pl
import pytest

from taikong.ingest.decode import content_id
from taikong.ingest.shards import (
    DOC_SCHEMA,
    INPUT_SCHEMA,
    InputFile,
    ends_shard,
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


def test_every_file_is_a_boundary_when_the_target_is_one_file():
    # max_docs 4 targets a quarter: one file, so every draw (< 1) ends a shard.
    assert plan_shards(files(*[1] * 5), max_docs=4, max_bytes=10**9) == [
        [f"f{i:02d}.txt"] for i in range(5)
    ]


def test_the_hard_limits_guard_a_run_without_boundaries():
    fs = files(*[1] * 300)
    target_docs, target_bytes = 10**6, 10**9  # no content-defined boundary at all
    assert not any(ends_shard(f, target_docs, target_bytes, None) for f in fs)
    shards = plan_shards(fs, max_docs=4 * target_docs, max_bytes=4 * target_bytes)
    assert shards == [[f.source_path for f in fs]]
    # a lower guard cuts that run at exactly max_docs files
    sizes = {len(s) for s in plan_shards(fs, max_docs=100, max_bytes=10**9)}
    assert max(sizes) <= 100


def test_a_file_over_the_byte_limit_gets_a_shard_of_its_own():
    fs = files(5, 5, 5, 20, 1)
    shards = plan_shards(fs, max_docs=100, max_bytes=10)
    assert ["f03.txt"] in shards
    # never read (over the read limit): it weighs nothing and joins its neighbours
    assert ["f03.txt"] not in plan_shards(fs, max_docs=10**6, max_bytes=10**9, read_limit=10)


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


def corpus(n: int) -> list[InputFile]:
    # sizes vary (1-9 KB) so both the document and the byte weight decide boundaries
    return [InputFile(f"site/{i:04d}.txt", 1_000 + (i * 7_919) % 8_000) for i in range(n)]


# 200 files of ~5 KB against targets of 10 files / 40 KB: ~20 shards, limits far away.
LIMITS = {"max_docs": 40, "max_bytes": 160_000}


def _boundary(f: InputFile) -> bool:
    return ends_shard(f, LIMITS["max_docs"] // 4, LIMITS["max_bytes"] // 4, None)


def _shard_of(shards: list[list[str]], name: str) -> int:
    return next(i for i, s in enumerate(shards) if name in s)


@pytest.mark.parametrize("position", range(0, 200, 7))
def test_adding_a_file_changes_only_the_shard_it_falls_in(position):
    fs = corpus(200)
    before = plan_shards(fs, **LIMITS)
    assert 10 <= len(before) <= 40 and max(map(len, before)) < LIMITS["max_docs"]
    added = InputFile(f"site/{position:04d}a.txt", 3_000)  # sorts right after fs[position]
    after = plan_shards(sorted([*fs, added], key=lambda f: f.source_path), **LIMITS)
    # The rule: the file joins its predecessor's shard, or starts the next shard when
    # the predecessor ends its own; if the file is a boundary, that shard splits after it.
    i = _shard_of(before, fs[position].source_path)
    home = before[i]
    if home[-1] == fs[position].source_path:
        i, home = i + 1, [added.source_path, *before[i + 1]]
    else:
        at = home.index(fs[position].source_path) + 1
        home = [*home[:at], added.source_path, *home[at:]]
    at = home.index(added.source_path) + 1
    pieces = [home[:at], home[at:]] if _boundary(added) else [home]
    assert after == [*before[:i], *[p for p in pieces if p], *before[i + 1 :]]
    changed = {tuple(s) for s in after} - {tuple(s) for s in before}
    assert 1 <= len(changed) <= 2


@pytest.mark.parametrize("position", range(0, 200, 7))
def test_removing_a_file_changes_only_its_shard(position):
    fs = corpus(200)
    before = plan_shards(fs, **LIMITS)
    removed = fs[position]
    after = plan_shards([f for f in fs if f is not removed], **LIMITS)
    # The rule: its shard loses it; when it ended that shard (a boundary), what is left
    # merges with the next shard.
    i = _shard_of(before, removed.source_path)
    rest = [p for p in before[i] if p != removed.source_path]
    if before[i][-1] == removed.source_path and i + 1 < len(before):
        assert _boundary(removed)
        expected = [*before[:i], rest + before[i + 1], *before[i + 2 :]]
    else:
        expected = [*before[:i], *([rest] if rest else []), *before[i + 1 :]]
    assert after == expected
    assert len({tuple(s) for s in before} - {tuple(s) for s in after}) <= 2


def test_editing_a_file_keeps_every_boundary_when_its_test_holds():
    fs = corpus(200)
    before = plan_shards(fs, **LIMITS)
    for i, f in enumerate(fs):
        edited = InputFile(f.source_path, f.n_bytes + 10)
        if _boundary(edited) == _boundary(f):
            assert plan_shards([*fs[:i], edited, *fs[i + 1 :]], **LIMITS) == before
            return
    raise AssertionError("no file keeps its boundary test after a 10-byte edit")


def test_shards_keep_the_path_order():
    fs = corpus(200)
    assert [p for s in plan_shards(fs, **LIMITS) for p in s] == [f.source_path for f in fs]


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
