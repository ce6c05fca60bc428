"""One release's files, staged or published: tables as directories of part files, the
manifest, checksums and reports; and the layout version that says how they are laid out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from contracts.arrow import as_arrow
from taikong.io.files import (
    read_json,
    read_text,
    sha256_file,
    write_json,
    write_parquet,
    write_text,
    write_text_atomically,
)

MANIFEST = "manifest.json"
# `sha256sum -c SHA256SUMS` inside a release checks every file, the manifest included.
CHECKSUMS = "SHA256SUMS"
# Uncompressed bytes per batch when a table is read back for validation: decoding one
# takes several times its size (pyarrow buffers, the conversion to polars), so small.
BATCH_BYTES = 16 * 1024 * 1024
# Bytes read from a column chunk at a time when batches stream from a part file.
READ_BUFFER_BYTES = 1024 * 1024

# Version of the release layout (how tables map to files), recorded in every manifest.
# 1.x: one `<table>.parquet` per table. 2.0.0: one directory per table holding part files
# `part-00000.parquet`, ..., so that a reader's first query, a glob over the directory
# (`paragraphs/*.parquet`), matches exactly one table; a major bump, since readers of
# 1.x paths break.
LAYOUT_VERSION = "2.0.0"
PART_FILE = "part-{:05d}.parquet"
# Row groups hold about 64 MiB of uncompressed data (at most 1 Mi rows): DuckDB, polars
# and pyarrow parallelize and skip by row group, so groups far smaller than this cost
# per-group overhead (one per shard would be a few hundred KB), and far larger ones make
# a reader hold a lot in memory to decode one group. Sized by bytes, not rows, since a
# documents row carries a whole raw text and a mentions row a few words.
ROW_GROUP_BYTES = 64 * 1024 * 1024
ROW_GROUP_ROWS = 1024 * 1024
# A new part starts once a part holds ~128 MiB on disk: few enough files that listing and
# opening them is cheap, small enough to download, cache or hand to one worker each
# (Spark/Hugging Face split work by file), and below the sizes where object stores
# want multipart uploads.
PART_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class PartFacts:
    """What the footer and the bytes of one part file say (for the release card)."""

    file: str  # posix path relative to the release directory
    schema: pa.Schema
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ReleaseDir:
    """The files of one release (staged or published): tables, reports, metadata."""

    root: Path

    def table_dir(self, table: str) -> Path:
        """The directory holding a table's part files."""
        return self.root / table

    def table_files(self, table: str) -> list[Path]:
        """A table's part files in order; [] if the release has no such table.

        Releases of layout 1.x (one `<table>.parquet`) are read too, e.g. as the
        predecessor a changelog is computed against.
        """
        directory = self.table_dir(table)
        if directory.is_dir():
            return sorted(directory.glob("*.parquet"))
        legacy = self.root / f"{table}.parquet"
        return [legacy] if legacy.is_file() else []

    def _existing_table_files(self, table: str) -> list[Path]:
        files = self.table_files(table)
        if not files:
            raise FileNotFoundError(f"{self.table_dir(table)}: no Parquet part files")
        return files

    def write_table(
        self,
        table: str,
        frames: Iterable[pl.DataFrame],
        schema: pa.Schema,
        *,
        row_group_bytes: int | None = None,
        part_bytes: int | None = None,
    ) -> dict:
        """Stream shard frames into a directory of zstd part files with the contract's schema.

        Frames are gathered into row groups of ~`row_group_bytes` (uncompressed) and a new
        part starts once the current one holds `part_bytes` on disk (see ROW_GROUP_BYTES,
        PART_BYTES). A table without rows still gets one part, holding only the schema,
        so every glob over it finds a file and its columns.
        """
        writer = _PartWriter(
            self.root,
            table,
            schema,
            row_group_bytes or ROW_GROUP_BYTES,
            part_bytes or PART_BYTES,
        )
        try:
            for frame in frames:
                if frame.height:
                    writer.add(as_arrow(frame, schema))
            parts = writer.finish()
        finally:
            writer.close()
            return_freed_arrow_memory()
        return {
            "dir": table,
            "files": [p["file"] for p in parts],
            "rows": sum(p["rows"] for p in parts),
            "bytes": sum(p["bytes"] for p in parts),
            "parts": parts,
        }

    def scan_tables(self, tables: Iterable[str]) -> dict[str, pl.LazyFrame]:
        return {t: self.scan_table(t) for t in tables}

    def scan_table(self, table: str) -> pl.LazyFrame:
        return pl.scan_parquet(self._existing_table_files(table))

    def read_table(self, table: str, columns: list[str] | None = None) -> pl.DataFrame:
        return pl.read_parquet(self._existing_table_files(table), columns=columns)

    def iter_table_batches(
        self, table: str, batch_rows: int | None = None, columns: list[str] | None = None
    ) -> Iterator[pl.DataFrame]:
        """Read a table back in bounded batches (for contract validation), part by part;
        `columns`: only these.

        By default a batch holds about BATCH_BYTES of uncompressed data: 100,000 rows of
        paragraphs are a few MB, but 100,000 documents carry their whole raw text.
        (pyarrow's batch reader, not polars' streaming scan: at 1 GB, reading paragraphs'
        text with one more column through the streaming engine held ~1 GB.) Column
        chunks are read as a stream of READ_BUFFER_BYTES, not pre-buffered whole: at
        1 GB, paragraphs' doc_id and text read in 40,000-row batches peaked at 237
        instead of 369 MB, in the same time.
        """
        total_rows = 0
        schema = None
        for path in self._existing_table_files(table):
            pf = pq.ParquetFile(path, pre_buffer=False, buffer_size=READ_BUFFER_BYTES)
            schema = pf.schema_arrow
            if columns is not None:
                schema = pa.schema([schema.field(c) for c in columns])
            meta = pf.metadata
            total_rows += meta.num_rows
            rows = batch_rows
            if rows is None:
                wanted = set(schema.names)
                size = sum(
                    group.column(i).total_uncompressed_size
                    for group in (meta.row_group(g) for g in range(meta.num_row_groups))
                    for i in range(group.num_columns)
                    if group.column(i).path_in_schema.split(".")[0] in wanted
                )
                per_row = size / max(meta.num_rows, 1)
                rows = int(min(100_000, max(100, BATCH_BYTES / max(per_row, 1.0))))
            for batch in pf.iter_batches(batch_size=rows, columns=columns):
                yield pl.from_arrow(batch)  # type: ignore[misc]
        if total_rows == 0 and schema is not None:
            yield pl.from_arrow(schema.empty_table())  # type: ignore[misc]
        return_freed_arrow_memory()

    def part_facts(self, table: str) -> list[PartFacts]:
        """Facts of the part files directly in `<table>/`, in order ([] if none)."""
        directory = self.table_dir(table)
        facts = []
        for path in self.table_files(table):
            if path.parent != directory:
                continue  # a layout 1.x `<table>.parquet`: not a part file
            rows = pq.ParquetFile(path).metadata.num_rows
            facts.append(
                PartFacts(
                    f"{table}/{path.name}",
                    pq.read_schema(path),
                    rows,
                    path.stat().st_size,
                    sha256_file(path),
                )
            )
        return facts

    def distinct_values(self, table: str, column: str) -> list:
        """The distinct values of one column of a table (nulls included), any order."""
        return self.scan_table(table).select(column).unique().collect()[column].to_list()

    def parquet_facts(self, relpath: str) -> tuple[int, pa.Schema]:
        """Row count (from the footer) and schema of a Parquet file; raises if unreadable."""
        pf = pq.ParquetFile(self.root / relpath)
        return pf.metadata.num_rows, pf.schema_arrow

    # put_*: not write_*, so that the IO seam test can tell them from polars' writers.
    def put_frame(self, relpath: str, frame: pl.DataFrame) -> Path:
        """One zstd Parquet file (e.g. failure cases, quarantined rows)."""
        return write_parquet(frame, self.root / relpath)

    def put_json(self, relpath: str, payload: dict) -> Path:
        # A NaN would make the file invalid JSON: json_text fails loudly instead.
        return write_json(self.root / relpath, payload)

    def put_text(self, relpath: str, text: str) -> Path:
        return write_text(self.root / relpath, text)

    def put_text_atomically(self, relpath: str, text: str) -> Path:
        """Written beside as `.<name>.tmp`, then renamed: never a half-written file."""
        return write_text_atomically(self.root / relpath, text)

    def read_json(self, relpath: str) -> dict:
        return read_json(self.root / relpath)

    def get_text(self, relpath: str) -> str:
        return read_text(self.root / relpath)

    def inventory(self, exclude: tuple[str, ...] = (MANIFEST, CHECKSUMS)) -> dict[str, dict]:
        """Every file under the release (posix relative path -> bytes, sha256)."""
        files = {}
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            rel = path.relative_to(self.root).as_posix()
            if rel not in exclude:
                files[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        return files


def return_freed_arrow_memory() -> None:
    """Give Arrow's freed buffers back to the OS. Its allocator (mimalloc) keeps them
    for reuse: after a 1 GB release's paragraphs, mentions and quantities were written,
    ~190 MB that nothing used, under whatever ran next (the audit, in the flow)."""
    pa.default_memory_pool().release_unused()


class _PartWriter:
    """Writes one table's part files: row groups by uncompressed size, parts by disk size."""

    def __init__(
        self, root: Path, table: str, schema: pa.Schema, row_group_bytes: int, part_bytes: int
    ):
        self.root, self.table, self.schema = root, table, schema
        self.row_group_bytes, self.part_bytes = row_group_bytes, part_bytes
        directory = root / table
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.parquet"):  # a retried write never mixes in old parts
            stale.unlink()
        self.pending: list[pa.Table] = []
        self.pending_bytes = 0
        self.parts: list[dict] = []
        self.sink: pa.NativeFile | None = None
        self.writer: pq.ParquetWriter | None = None
        self.part_rows = 0

    def add(self, batch: pa.Table) -> None:
        self.pending.append(batch)
        self.pending_bytes += batch.nbytes
        if self.pending_bytes >= self.row_group_bytes:
            self._flush(final=False)

    def finish(self) -> list[dict]:
        self._flush(final=True)
        if self.writer is None and not self.parts:
            self._open()  # no rows: one part with the schema only
        self._close_part()
        return self.parts

    def close(self) -> None:
        """Release the open file, if any (after an error)."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.sink is not None:
            self.sink.close()
            self.sink = None

    def _flush(self, final: bool) -> None:
        """Write the pending rows as full row groups; the rest waits for more rows,
        unless this is the end of the table."""
        if not self.pending:
            return
        data = pa.concat_tables(self.pending)
        per_row = max(data.nbytes / max(data.num_rows, 1), 1.0)
        group_rows = int(max(1, min(ROW_GROUP_ROWS, self.row_group_bytes // per_row)))
        start = 0
        while data.num_rows - start >= group_rows or (final and start < data.num_rows):
            if self.writer is None:
                self._open()
            assert self.writer is not None and self.sink is not None
            group = data.slice(start, group_rows)
            self.writer.write_table(group, row_group_size=group.num_rows)
            self.part_rows += group.num_rows
            start += group.num_rows
            if self.sink.tell() >= self.part_bytes:
                self._close_part()
        rest = data.slice(start)
        self.pending = [rest] if rest.num_rows else []
        self.pending_bytes = rest.nbytes if rest.num_rows else 0

    def _open(self) -> None:
        rel = f"{self.table}/{PART_FILE.format(len(self.parts))}"
        self.sink = pa.OSFile(str(self.root / rel), "wb")
        self.writer = pq.ParquetWriter(self.sink, self.schema, compression="zstd")
        self.part_rows = 0
        self.parts.append({"file": rel})

    def _close_part(self) -> None:
        if self.writer is None:
            return
        self.close()
        part = self.parts[-1]
        path = self.root / part["file"]
        part.update(rows=self.part_rows, bytes=path.stat().st_size, sha256=sha256_file(path))
