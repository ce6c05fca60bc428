"""Frames split into buckets on local scratch disk, so that a pass over a large release
holds one bucket in memory and reads each table once, not once per bucket."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

_BUCKET = "_bucket"


@contextmanager
def spilled_buckets(
    frames: dict[str, pl.LazyFrame], key: str, buckets: int
) -> Iterator[Callable[[int], dict[str, pl.LazyFrame]]]:
    """Write every frame once, split into `buckets` by a hash of its `key` column, to a
    temporary directory; yield `bucket(b)`: bucket b's rows of every frame, as scans.
    The directory is removed on exit."""
    with tempfile.TemporaryDirectory(prefix="taikong-buckets-") as scratch:
        root = Path(scratch)
        for name, frame in frames.items():
            by_key = {_BUCKET: pl.col(key).hash(seed=11) % buckets}
            frame.sink_parquet(pl.PartitionBy(root / name, key=by_key, include_key=False))

        def bucket(b: int) -> dict[str, pl.LazyFrame]:
            out = {}
            for name, frame in frames.items():
                part = root / name / f"{_BUCKET}={b}"
                # A bucket no row of this table fell into has no directory.
                out[name] = pl.scan_parquet(part) if part.is_dir() else frame.head(0)
            return out

        yield bucket
