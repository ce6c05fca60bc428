"""Tables split into buckets on local scratch disk, so that a pass over a large release
holds one bucket in memory and reads each table once, not once per bucket."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from taikong.io.release_dir import ReleaseDir


@contextmanager
def spilled_buckets(
    release: ReleaseDir, tables: Iterable[str], key: str, buckets: int
) -> Iterator[Callable[[int], dict[str, pl.LazyFrame]]]:
    """Read each table once in bounded batches and write its rows, split into
    `buckets` by a hash of their `key` column, to a temporary directory; yield
    `bucket(b)`: bucket b's rows of every table, as scans. Removed on exit."""
    with tempfile.TemporaryDirectory(prefix="taikong-buckets-") as scratch:
        root = Path(scratch)
        schemas = {}
        for table in tables:
            schemas[table] = _spill(release.iter_table_batches(table), root / table, key, buckets)

        def bucket(b: int) -> dict[str, pl.LazyFrame]:
            out = {}
            for table, schema in schemas.items():
                path = root / table / f"{b:05d}.parquet"
                # A bucket no row of this table fell into has no file.
                out[table] = pl.scan_parquet(path) if path.is_file() else schema.lazy()
            return out

        yield bucket


@contextmanager
def spilled_frames(
    frames: dict[str, pl.LazyFrame],
) -> Iterator[tuple[dict[str, pl.LazyFrame], dict[str, int]]]:
    """Each frame streamed to a Parquet file on scratch disk (never held whole);
    yields scans of them and their row counts. Removed on exit."""
    with tempfile.TemporaryDirectory(prefix="taikong-spill-") as scratch:
        scans, rows = {}, {}
        for name, frame in frames.items():
            path = Path(scratch) / f"{name}.parquet"
            frame.sink_parquet(path)
            scans[name] = pl.scan_parquet(path)
            rows[name] = pq.ParquetFile(path).metadata.num_rows
        yield scans, rows


def _spill(batches: Iterator[pl.DataFrame], directory: Path, key: str, buckets: int):
    """Write each batch's rows to the file of their bucket; the table's empty frame."""
    directory.mkdir(parents=True)
    empty = None
    with ExitStack() as files:
        writers: dict[int, pq.ParquetWriter] = {}
        for batch in batches:
            empty = batch.clear() if empty is None else empty
            which = (batch[key].hash(seed=11) % buckets).alias("_bucket")
            for (b,), part in (
                batch.with_columns(which).partition_by("_bucket", as_dict=True).items()
            ):
                rows = part.drop("_bucket").to_arrow()
                if b not in writers:
                    path = directory / f"{b:05d}.parquet"
                    writers[b] = files.enter_context(pq.ParquetWriter(path, rows.schema))
                writers[b].write_table(rows.cast(writers[b].schema))
    return empty if empty is not None else pl.DataFrame()
