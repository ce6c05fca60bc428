import polars as pl

from taikong.io import spilled_buckets


def test_every_row_lands_in_exactly_one_bucket_and_empty_buckets_keep_the_schema():
    frame = pl.DataFrame({"doc_id": ["a", "b", "c", "a", None], "n": [1, 2, 3, 4, 5]})
    with spilled_buckets({"t": frame.lazy()}, "doc_id", 7) as bucket:
        parts = [bucket(b)["t"].collect() for b in range(7)]
    assert all(p.schema == frame.schema for p in parts)
    assert any(p.height == 0 for p in parts)  # 5 rows, at most 4 keys: some bucket is empty
    assert pl.concat(parts).sort("n").equals(frame)
    for part in parts:  # a document's rows stay together
        others = [p for p in parts if p is not part]
        assert not set(part["doc_id"].drop_nulls()) & {d for p in others for d in p["doc_id"]}
