"""Row-level changelog between two releases, matched by primary key."""

from __future__ import annotations

import polars as pl

from taikong.changelog import diff_table


def test_added_removed_and_changed_rows_name_their_columns():
    old = pl.LazyFrame(
        {"paragraph_id": ["p1", "p2", "p3"], "text": ["a", "b", "c"], "seq": [1, 2, 3]}
    )
    new = pl.LazyFrame(
        {"paragraph_id": ["p1", "p3", "p4"], "text": ["a", "C", "d"], "seq": [1, 3, 4]}
    )
    diff = diff_table(old, new, "paragraphs", "paragraph_id")
    rows = {r["key"]: (r["change"], r["changed_columns"]) for r in diff.iter_rows(named=True)}
    assert rows == {"p2": ("removed", []), "p3": ("changed", ["text"]), "p4": ("added", [])}
    assert set(diff["table"]) == {"paragraphs"} and set(diff["key_column"]) == {"paragraph_id"}


def test_first_release_lists_every_row_as_added():
    new = pl.LazyFrame({"doc_id": ["d2", "d1"], "title": ["x", None]})
    diff = diff_table(None, new, "documents", "doc_id")
    assert diff.select("key", "change").rows() == [("d1", "added"), ("d2", "added")]


def test_a_layout_1_predecessor_diffs_against_a_release_of_part_files(tmp_path):
    """Releases published before the part layout (one <table>.parquet) stay diffable."""
    from taikong.changelog import diff_releases
    from taikong.io import ReleaseDir

    old = pl.DataFrame({"doc_id": ["d1", "d2"], "title": ["a", "b"]})
    old.write_parquet(tmp_path / "old" / "documents.parquet", mkdir=True)
    new_release = ReleaseDir(tmp_path / "new")
    new = pl.DataFrame({"doc_id": ["d1", "d2", "d3"], "title": ["a", "B", "c"]})
    halves = [new.head(2), new.tail(1)]
    info = new_release.write_table(
        "documents", halves, new.to_arrow().schema, row_group_bytes=1, part_bytes=1
    )
    assert len(info["files"]) == 3  # 1-byte row groups and parts: a part per row
    diff = diff_releases(ReleaseDir(tmp_path / "old"), new_release)
    assert diff.select("key", "change", "changed_columns").rows() == [
        ("d3", "added", []),
        ("d2", "changed", ["title"]),
    ]
