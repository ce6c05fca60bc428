import polars as pl
import pyarrow as pa

from taikong.io import ReleaseDir, spilled_buckets


def test_every_row_lands_in_exactly_one_bucket_and_empty_buckets_keep_the_schema(tmp_path):
    frame = pl.DataFrame({"doc_id": ["a", "b", "c", "a", None], "n": [1, 2, 3, 4, 5]})
    release = ReleaseDir(tmp_path / "release")
    schema = pa.schema([("doc_id", pa.string()), ("n", pa.int64())])
    release.write_table("t", [frame[:2], frame[2:]], schema, row_group_bytes=1)
    with spilled_buckets(release, ["t"], "doc_id", 7) as bucket:
        parts = [bucket(b)["t"].collect() for b in range(7)]
    assert all(p.schema == frame.schema for p in parts)
    assert any(p.height == 0 for p in parts)  # 5 rows, at most 4 keys: some bucket is empty
    assert pl.concat(parts).sort("n").equals(frame)
    for part in parts:  # a document's rows stay together
        others = [p for p in parts if p is not part]
        assert not set(part["doc_id"].drop_nulls()) & {d for p in others for d in p["doc_id"]}
