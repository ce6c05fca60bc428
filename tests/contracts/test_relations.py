"""The span reader behind the text checks reads what polars' str.slice reads."""

from __future__ import annotations

import random

import polars as pl
import pytest

from contracts import relations
from contracts.relations import _text_at


def _spans(seed: int) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    rng = random.Random(seed)
    texts = ["".join(rng.choice("ab中é ") for _ in range(rng.randint(0, 30))) for _ in range(8)]
    keys = pl.LazyFrame({"key": range(9), "_text": [*texts, None]})
    rows = []
    for _ in range(400):
        start = rng.randint(-40, 40)
        end = start + rng.randint(0, 40)
        rows.append(
            (
                rng.randint(0, 10) if rng.random() > 0.05 else None,  # 9, 10: no such key
                start if rng.random() > 0.05 else None,
                end if rng.random() > 0.05 else None,
            )
        )
    spans = pl.LazyFrame(rows, schema=["key", "start", "end"], orient="row").with_row_index("i")
    return spans, keys


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("long_text_bytes", [0, 12, 1_000])  # all texts long, some, none
def test_text_at_reads_what_str_slice_reads(seed, long_text_bytes, monkeypatch):
    monkeypatch.setattr(relations, "LONG_TEXT_BYTES", long_text_bytes)
    spans, keys = _spans(seed)
    expected = (
        spans.join(keys, on="key", how="inner")
        .with_columns(
            pl.col("_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")).alias("at")
        )
        .drop("_text")
        .collect()
        .sort("i")
    )
    got = _text_at(spans, keys, "key", "start", "end", "at").collect().sort("i")
    assert got.equals(expected)


def test_text_at_reads_a_span_ending_before_its_start_in_a_long_text_as_null(monkeypatch):
    monkeypatch.setattr(relations, "LONG_TEXT_BYTES", 0)
    spans = pl.LazyFrame({"key": [0], "start": [3], "end": [1]})
    keys = pl.LazyFrame({"key": [0], "_text": ["abcdef"]})
    assert _text_at(spans, keys, "key", "start", "end", "at").collect()["at"].to_list() == [None]
