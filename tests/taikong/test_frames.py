"""taikong.frames: columns computed on some rows only."""

import polars as pl

from taikong.frames import on_rows, with_columns_on_rows


def test_features_on_some_rows_keep_row_order_and_fill_the_others():
    frame = pl.DataFrame({"doc_id": ["b", "a", "b"], "n": [3, 1, 2]})
    out = with_columns_on_rows(frame, pl.col("n") >= 2, {"double": (pl.col("n") * 2, -1)})
    assert out.to_dict(as_series=False) == {
        "doc_id": ["b", "a", "b"],
        "n": [3, 1, 2],
        "double": [6, -1, 4],
    }


def test_a_frame_function_sees_only_the_chosen_rows_in_order():
    frame = pl.DataFrame({"doc_id": ["b", "a", "b", "c"], "n": [3, 1, 2, 5]})
    seen = []

    def running_total(rows: pl.DataFrame) -> pl.DataFrame:
        seen.append(rows["n"].to_list())
        return rows.with_columns(pl.col("n").cum_sum().over("doc_id").alias("total"))

    out = on_rows(frame, pl.col("doc_id") == "b", running_total, {"total": 0})
    assert seen == [[3, 2]]
    assert out["total"].to_list() == [3, 0, 5, 0]
    assert out.columns == ["doc_id", "n", "total"]


def test_no_row_chosen_gives_the_fill():
    frame = pl.DataFrame({"n": [1, 2]})
    out = with_columns_on_rows(frame, pl.col("n") > 5, {"flag": (pl.col("n") > 0, False)})
    assert out["flag"].to_list() == [False, False]
