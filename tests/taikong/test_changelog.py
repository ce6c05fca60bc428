"""Row-level changelog between two releases, matched by primary key."""

from __future__ import annotations

import polars as pl
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, doc_id_of, news_page, run_in_memory

from taikong.changelog import (
    ChangeTally,
    diff_table,
    diff_table_parts,
    diff_tables,
    summary_markdown,
)


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


def test_first_release_lists_every_row_as_added_in_the_tables_order():
    new = pl.LazyFrame({"doc_id": ["d2", "d1"], "title": ["x", None]})
    diff = diff_table(None, new, "documents", "doc_id")
    assert diff.select("key", "change").rows() == [("d2", "added"), ("d1", "added")]


def test_a_whole_table_comes_in_parts_of_bounded_size():
    """A first release at 1 GB lists millions of rows: never one frame of them all."""
    new = pl.LazyFrame({"doc_id": [f"d{i}" for i in range(7)], "title": ["t"] * 7})
    parts = list(diff_table_parts(None, new, "documents", "doc_id", part_rows=3))
    assert [p.height for p in parts] == [3, 3, 1]
    assert pl.concat(parts)["key"].to_list() == [f"d{i}" for i in range(7)]
    removed = pl.concat(diff_table_parts(new, None, "documents", "doc_id", part_rows=3))
    assert set(removed["change"]) == {"removed"} and removed.height == 7


def _reference_diff(old: pl.DataFrame, new: pl.DataFrame, key: str) -> set[tuple]:
    """Row by row in Python: what the changelog must say."""
    before = {r[key]: r for r in old.iter_rows(named=True)}
    after = {r[key]: r for r in new.iter_rows(named=True)}
    shared = [c for c in new.columns if c in old.columns and c != key]
    out = {(k, "added", ()) for k in after.keys() - before.keys()}
    out |= {(k, "removed", ()) for k in before.keys() - after.keys()}
    for k in before.keys() & after.keys():
        cols = tuple(c for c in shared if before[k][c] != after[k][c])
        if cols:
            out.add((k, "changed", cols))
    return out


def test_matching_by_row_hash_in_buckets_finds_what_a_row_by_row_comparison_finds():
    """Only keys and row hashes are joined, a bucket of keys at a time; rows whose
    hashes differ are then compared column by column. Lists and nulls included."""
    n = 60
    old = pl.DataFrame(
        {
            "id": [f"k{i:03d}" for i in range(n)],
            "text": [f"t{i}" for i in range(n)],
            "n": list(range(n)),
            "tags": [[f"a{i % 3}"] for i in range(n)],
            "note": [None if i % 4 else "x" for i in range(n)],
        }
    )
    new = (
        old.filter(pl.col("n") % 10 != 3)  # removed
        .with_columns(
            pl.when(pl.col("n") % 7 == 1).then(pl.lit("T")).otherwise("text").alias("text"),
            pl.when(pl.col("n") % 11 == 2).then(pl.lit(["b"])).otherwise("tags").alias("tags"),
            pl.when(pl.col("n") % 13 == 5).then(pl.lit("y")).otherwise("note").alias("note"),
        )
        .vstack(
            pl.DataFrame(
                {
                    "id": ["z1", "z2"],
                    "text": ["new", "new"],
                    "n": [100, 101],
                    "tags": [["c"], []],
                    "note": [None, "q"],
                }
            )
        )
    )
    want = _reference_diff(old, new, "id")
    assert {c for _, c, _ in want} == {"added", "removed", "changed"}
    for keys_per_bucket in (1, 7, 1_000):
        for part_rows in (2, 1_000):
            got = pl.concat(
                diff_table_parts(old.lazy(), new.lazy(), "t", "id", part_rows, keys_per_bucket)
            )
            assert {
                (k, c, tuple(cols))
                for k, c, cols in got.select("key", "change", "changed_columns").iter_rows()
            } == want
            assert got.select("change", "key").rows() == sorted(got.select("change", "key").rows())


def test_a_row_hash_that_differs_with_equal_values_is_not_a_change():
    """A column widened between releases (Int32 -> Int64) hashes differently but holds
    the same values: no row changed."""
    old = pl.LazyFrame({"id": ["a", "b"], "n": pl.Series([1, 2], dtype=pl.Int32)})
    new = pl.LazyFrame({"id": ["a", "b"], "n": pl.Series([1, 3], dtype=pl.Int64)})
    diff = diff_table(old, new, "t", "id")
    assert diff.select("key", "change", "changed_columns").rows() == [("b", "changed", ["n"])]


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


ROVER_BODY = [
    "A six-wheeled rover drove forty metres across a dusty plain on its first full day of work, stopping twice to photograph rocks.",
    "Its team said the wheels had handled the soft ground well and that a drill test would follow once the batteries were topped up.",
    "The rover will spend the coming month near the landing site before heading towards a crater rim about two kilometres away.",
]


def test_one_new_page_changes_its_own_rows_and_the_counts_of_its_templates():
    """A site's footer repeated on every page: a new page adds its rows and changes one
    row per template it shares (the count in `templates`), not every removed copy of
    that footer in the other pages."""
    pages = {
        "a.txt": news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY),
        "b.txt": news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY),
        "c.txt": news_page("Spacewalk Done", "Mar 7, 2024", STATION_BODY),
    }
    new_page = news_page("Rover Starts Driving", "Mar 9, 2024", ROVER_BODY)
    before, _ = run_in_memory(pages)
    after, _ = run_in_memory({**pages, "d.txt": new_page})
    changelog = diff_tables(_scans(before), _scans(after))

    new_doc = doc_id_of(new_page)
    added = changelog.filter(pl.col("change") == "added")
    scoped = added.filter(pl.col("table") != "templates")
    assert scoped.height and scoped["key"].str.starts_with(new_doc).all()
    assert changelog.filter(pl.col("change") == "removed").height == 0

    # What changed: the counts of the templates the new page shares with the others.
    changed = changelog.filter(pl.col("change") == "changed")
    assert set(changed["table"]) == {"templates"}
    assert set(changed["changed_columns"].explode()) <= {"n_docs", "n_clusters"}
    new_templates = after.boilerplate.filter(pl.col("doc_id") == new_doc)["template_id"]
    shared = before.templates.filter(pl.col("template_id").is_in(new_templates.implode()))
    assert sorted(changed["key"]) == sorted(shared["template_id"])
    assert shared.height >= 5  # navigation, share bar, footer lines
    # With the counts on every removed line, each old copy of those lines changed too.
    old_copies = before.boilerplate.filter(
        pl.col("template_id").is_in(shared["template_id"].implode())
    )
    assert old_copies.height == 3 * shared.height
    assert changed.height < old_copies.height

    changes = summary_markdown(ChangeTally.of(changelog), "old", "new")
    n_bp = scoped.filter(pl.col("table") == "boilerplate").height
    assert f"| boilerplate | {n_bp} | 0 | 0 |" in changes
    assert f"- templates.n_docs: {shared.height} row(s)" in changes


def _scans(tables) -> dict[str, pl.LazyFrame]:
    return {name: getattr(tables, name).lazy() for name in tables.NAMES}
