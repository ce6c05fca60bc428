import polars as pl

from taikong.dedup.paragraph_duplicates import first_occurrences, mark_duplicates


def _keys(rows):
    return pl.DataFrame(
        rows,
        schema={
            "text_hash": pl.UInt64,
            "paragraph_id": pl.String,
            "source_path": pl.String,
            "seq": pl.Int64,
        },
        orient="row",
    )


def test_later_copies_point_at_the_first_in_corpus_order():
    keys = _keys(
        [
            (7, "b-p0", "b.txt", 0),
            (7, "a-p3", "a.txt", 3),
            (9, "a-p1", "a.txt", 1),  # occurs once: no row
            (7, "a-p5", "a.txt", 5),
            (8, "c-p0", "c.txt", 0),
            (8, "b-p2", "b.txt", 2),
        ]
    )
    for given in (keys, keys.lazy()):
        found = first_occurrences(given).sort("paragraph_id")
        assert found.rows() == [("a-p5", "a-p3"), ("b-p0", "a-p3"), ("c-p0", "b-p2")]


def test_no_repeats_and_no_rows_give_empty_typed_frames():
    for keys in (_keys([(1, "a-p0", "a.txt", 0), (2, "a-p1", "a.txt", 1)]), _keys([])):
        found = first_occurrences(keys.lazy())
        assert found.height == 0
        assert found.schema == pl.Schema({"paragraph_id": pl.String, "duplicate_of": pl.String})


def test_mark_duplicates_leaves_firsts_null():
    paragraphs = pl.DataFrame({"paragraph_id": ["a-p3", "a-p5", "b-p0"]})
    dupes = pl.DataFrame({"paragraph_id": ["a-p5", "b-p0"], "duplicate_of": ["a-p3", "a-p3"]})
    marked = mark_duplicates(paragraphs, dupes)
    assert marked["duplicate_of"].to_list() == [None, "a-p3", "a-p3"]
