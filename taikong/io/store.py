"""The one IO seam: every Parquet read/write and the release layout live here.

Layout under the datasets directory:

    <release_id>/            a published, read-only release (e.g. 2026-11-21, 2026-11-21.2)
        <table>/part-00000.parquet, part-00001.parquet, ...
                             one directory of part files per table (and for the
                             changelog), zstd, schema derived from the contract
        manifest.json        written last inside staging; describes everything above
        validation/          the validation report of the release
    latest -> <release_id>   symlink, switched atomically after a publish
    releases.jsonl           append-only log: each publish (with its manifest's sha256),
                             withdrawal and rollback, with the reason
    .staging/<run_id>/       a run in progress: work/ (per-shard intermediates) and release/
    .failed/<run_id>/        a run whose validation failed: its tables and report, kept
    .lock                    held while a run decides its release id and publishes
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

RELEASE_ID_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?$")
MANIFEST = "manifest.json"
# `sha256sum -c SHA256SUMS` inside a release checks every file, the manifest included.
CHECKSUMS = "SHA256SUMS"
LATEST = "latest"
RELEASES_LOG = "releases.jsonl"
# Written into a run's staging directory before its release is renamed into place: what
# recovery may complete after a crash, and nothing else.
PUBLISH_JOURNAL = "publish.json"
FILE_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0o444
DIR_MODE = FILE_MODE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH  # 0o555
# Uncompressed bytes per batch when a table is read back for validation.
BATCH_BYTES = 64 * 1024 * 1024

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


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def ensure_writable(directory: Path, error: BaseException | None = None) -> None:
    """Raise the OSError (ENOSPC, EROFS, EACCES, EDQUOT...) that writing 1 MiB into
    `directory` gives now, chained to `error`; return if the write succeeds.

    polars reports a full disk during a Parquet write as "File out of specification:
    Invalid thrift: transport error", without the OS error: probing with a small write of
    our own recovers the real cause, so the CLI can say "could not write" (exit 3).
    Great Expectations logs a failed Data Docs write and carries on: the publish probes
    the staging directory too before it writes the manifest.
    """
    probe = directory / f".probe.{os.getpid()}"
    try:
        with probe.open("wb") as handle:
            handle.write(b"\0" * (1 << 20))  # a polars write fails on chunks this big
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as cause:
        raise cause from error
    finally:
        with suppress(OSError):
            probe.unlink()


def empty_directories(root: Path) -> list[str]:
    """Directories under `root` holding nothing (a writer that gave up half-way)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_dir() and not p.is_symlink() and not any(p.iterdir())
    )


def _polars_write(write, path: Path) -> None:
    """Run a polars write into `path`; a failure caused by the filesystem is re-raised as
    its OSError (see ensure_writable)."""
    try:
        write()
    except OSError:
        raise
    except Exception as exc:
        ensure_writable(path.parent, exc)
        raise


def _write_then_rename(write, tmp: Path, path: Path) -> None:
    """Write `tmp` and rename it to `path`; a failed write (disk full) leaves no `tmp`."""
    try:
        _polars_write(write, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)  # a retried task never leaves half a file behind


@dataclass(frozen=True)
class WorkArea:
    """Per-run scratch space for shard intermediates, addressed by (stage, shard)."""

    root: Path

    def path(self, stage: str, shard: int | None = None) -> Path:
        name = f"{stage}.parquet" if shard is None else f"{stage}/{shard:05d}.parquet"
        return self.root / name

    def write(self, stage: str, df: pl.DataFrame, shard: int | None = None) -> Path:
        path = self.path(stage, shard)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        _write_then_rename(lambda: df.write_parquet(tmp, compression="lz4"), tmp, path)
        return path

    def read(
        self, stage: str, shard: int | None = None, columns: list[str] | None = None
    ) -> pl.DataFrame:
        return pl.read_parquet(self.path(stage, shard), columns=columns)

    def read_all(self, stage: str) -> pl.DataFrame:
        """All shards of a stage, concatenated (for the small reduce inputs)."""
        files = sorted((self.root / stage).glob("*.parquet"))
        return (
            pl.concat([pl.read_parquet(f) for f in files], how="vertical")
            if files
            else pl.DataFrame()
        )

    def scan_all(self, stage: str) -> pl.LazyFrame:
        """All shards of a stage as one lazy scan (for reduces over large inputs)."""
        return pl.scan_parquet(self.root / stage / "*.parquet")

    def shards(self, stage: str) -> list[int]:
        return sorted(int(p.stem) for p in (self.root / stage).glob("*.parquet"))


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
                    writer.add(frame.select(schema.names).to_arrow().cast(schema))
            parts = writer.finish()
        finally:
            writer.close()
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
        self, table: str, batch_rows: int | None = None
    ) -> Iterator[pl.DataFrame]:
        """Read a table back in bounded batches (for contract validation), part by part.

        By default a batch holds about BATCH_BYTES of uncompressed data: 100,000 rows of
        paragraphs are a few MB, but 100,000 documents carry their whole raw text.
        """
        total_rows = 0
        schema = None
        for path in self._existing_table_files(table):
            pf = pq.ParquetFile(path)
            schema = pf.schema_arrow
            meta = pf.metadata
            total_rows += meta.num_rows
            rows = batch_rows
            if rows is None:
                size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
                per_row = size / max(meta.num_rows, 1)
                rows = int(min(100_000, max(100, BATCH_BYTES / max(per_row, 1.0))))
            for batch in pf.iter_batches(batch_size=rows):
                yield pl.from_arrow(batch)  # type: ignore[misc]
        if total_rows == 0 and schema is not None:
            yield pl.from_arrow(schema.empty_table())  # type: ignore[misc]

    def parquet_facts(self, relpath: str) -> tuple[int, pa.Schema]:
        """Row count (from the footer) and schema of a Parquet file; raises if unreadable."""
        pf = pq.ParquetFile(self.root / relpath)
        return pf.metadata.num_rows, pf.schema_arrow

    def write_parquet(self, relpath: str, frame: pl.DataFrame) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        _polars_write(lambda: frame.write_parquet(path, compression="zstd"), path)
        return path

    def write_json(self, relpath: str, payload: dict) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        # allow_nan=False: a NaN would make the file invalid JSON; fail loudly instead.
        text = json.dumps(payload, indent=2, default=str, ensure_ascii=False, allow_nan=False)
        path.write_text(text + "\n")
        return path

    def write_text(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read_json(self, relpath: str) -> dict:
        return json.loads((self.root / relpath).read_text())

    def inventory(self, exclude: tuple[str, ...] = (MANIFEST, CHECKSUMS)) -> dict[str, dict]:
        """Every file under the release (posix relative path -> bytes, sha256)."""
        files = {}
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            rel = path.relative_to(self.root).as_posix()
            if rel not in exclude:
                files[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        return files


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


@dataclass(frozen=True)
class Staging:
    """A release being assembled: tables and reports, not yet visible to readers."""

    root: Path
    run_id: str

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def release(self) -> ReleaseDir:
        return ReleaseDir(self.release_dir)

    @property
    def work(self) -> WorkArea:
        return WorkArea(self.root / "work")

    def table_files(self, table: str) -> list[Path]:
        return self.release.table_files(table)

    def write_table(self, table: str, frames: Iterable[pl.DataFrame], schema: pa.Schema) -> dict:
        return self.release.write_table(table, frames, schema)

    def scan_tables(self, tables: Iterable[str]) -> dict[str, pl.LazyFrame]:
        return self.release.scan_tables(tables)

    def iter_table_batches(
        self, table: str, batch_rows: int | None = None
    ) -> Iterator[pl.DataFrame]:
        return self.release.iter_table_batches(table, batch_rows)

    def write_json(self, relpath: str, payload: dict) -> Path:
        return self.release.write_json(relpath, payload)


class ShardCache:
    """Per-shard results of the document-local stages, addressed by content.

    A key hashes everything a stage's output depends on (code version, options, the
    shard's document contents), so a hit is always valid. Lives at
    `<datasets>/.cache/<code version>/<stage>/<key>.parquet`; `sweep` drops entries the
    last run did not use (their mtime is older than the run: every hit touches its file,
    which works from any worker process) and caches of other code versions.
    """

    def __init__(self, datasets_root: Path, code_key: str):
        self.base = Path(datasets_root) / ".cache"
        self.root = self.base / code_key

    def _path(self, stage: str, key: str) -> Path:
        return self.root / stage / f"{key}.parquet"

    def get(self, stage: str, key: str) -> pl.DataFrame | None:
        path = self._path(stage, key)
        try:
            frame = pl.read_parquet(path)
            os.utime(path)  # mark as used by this run
        except (FileNotFoundError, pl.exceptions.ComputeError, OSError):
            return None  # missing or unreadable (e.g. cut short by a crash): recompute
        return frame

    def put(self, stage: str, key: str, frame: pl.DataFrame) -> None:
        path = self._path(stage, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        _write_then_rename(lambda: frame.write_parquet(tmp, compression="lz4"), tmp, path)

    def sweep(self, run_started: float) -> int:
        """Remove entries not used since `run_started` (a time.time()) and caches of
        other code versions; returns how many were removed."""
        removed = 0
        if self.base.is_dir():
            for other in self.base.iterdir():
                if other != self.root:
                    shutil.rmtree(other, ignore_errors=True)
                    removed += 1
        if self.root.is_dir():
            for path in self.root.rglob("*.parquet"):
                if path.stat().st_mtime < run_started:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed


class ReleaseExists(RuntimeError):
    pass


class ReleaseNotFound(FileNotFoundError):
    """No such release (bad input: the CLI answers with exit status 2)."""


class ReleaseStateError(ValueError):
    """A rollback or withdrawal that the releases' state does not allow (exit status 2)."""


class ReleaseStore:
    """Releases under one datasets directory."""

    def __init__(self, root: Path):
        self.root = Path(root)

    # ---- reading -----------------------------------------------------------------
    def releases(self) -> list[str]:
        """Published release ids, oldest first."""
        if not self.root.exists():
            return []
        ids = [p.name for p in self.root.iterdir() if p.is_dir() and not p.is_symlink()]
        ids = [i for i in ids if RELEASE_ID_RE.match(i) and (self.root / i / MANIFEST).exists()]
        return sorted(ids, key=_release_sort_key)

    def latest_id(self) -> str | None:
        link = self.root / LATEST
        if link.is_symlink() and (self.root / os.readlink(link) / MANIFEST).exists():
            return os.readlink(link)
        return None

    def manifest(self, release_id: str) -> dict:
        return json.loads((self.root / release_id / MANIFEST).read_text())

    def manifest_sha256(self, release_id: str) -> str:
        return sha256_file(self.root / release_id / MANIFEST)

    def log_events(self) -> list[dict]:
        """The releases log, oldest first (empty if none was written yet)."""
        path = self.root / RELEASES_LOG
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def withdrawn(self) -> dict[str, dict]:
        """Withdrawn release id -> the log event that withdrew it (with its reason)."""
        return {e["release_id"]: e for e in self.log_events() if e["event"] == "withdrawn"}

    def location(self, release_id: str) -> str:
        """Where readers find a release (a path here, a URL for object storage)."""
        return str(self.root / release_id)

    def release(self, release_id: str) -> ReleaseDir:
        """A published release by id (or 'latest'); raises if it is not a release."""
        path = self.root / release_id
        if not (path / MANIFEST).exists():
            raise ReleaseNotFound(f"no release {release_id!r} under {self.root}")
        return ReleaseDir(path.resolve())

    def next_release_id(self, today: dt.date) -> str:
        day = today.isoformat()
        same_day = [r for r in self.releases() if r.split(".")[0] == day]
        taken = {p.name for p in self.root.iterdir()} if self.root.exists() else set()
        n = len(same_day) + 1
        while True:
            candidate = day if n == 1 else f"{day}.{n}"
            if candidate not in taken:
                return candidate
            n += 1

    # ---- writing -----------------------------------------------------------------
    def begin(self, run_id: str) -> Staging:
        """Fresh staging for a run, locked by this process until it publishes or fails.

        The lock is what tells `recover` that a staging directory belongs to a live run;
        a killed run's lock is released by the kernel, and its directory is stale.
        """
        root = self.root / ".staging" / run_id
        if root.exists():  # a retried run restarts from clean scratch space
            shutil.rmtree(root)
        root.mkdir(parents=True)
        handle = (root / RUN_LOCK).open("w")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _RUN_LOCKS[str(root)] = handle
        return Staging(root, run_id)

    def recover(self) -> list[str]:
        """Clean up after killed runs; returns what was done, for the run's log.

        - staging directories whose run lock is free (their process died) are removed;
        - if such a run's journal shows it had already renamed its complete release into
          place (the manifest's sha256 matches), its publish is completed: logged, and
          `latest` pointed at it unless `latest` has moved since or it was withdrawn.
          Nothing else rolls `latest` forward: a release without that journal, or an
          operator's rollback or withdrawal, stays as it is;
        - leftover temporary symlinks are removed.
        """
        actions: list[str] = []
        staging_root = self.root / ".staging"
        if not self.root.exists():
            return actions
        with self.lock():
            if staging_root.is_dir():
                for run_dir in sorted(staging_root.iterdir()):
                    if not _lock_is_free(run_dir / RUN_LOCK):
                        continue
                    journal = _read_journal(run_dir / PUBLISH_JOURNAL)
                    if journal is not None:
                        rid = journal["release_id"]
                        manifest = self.root / rid / MANIFEST
                        if manifest.exists() and sha256_file(manifest) == journal.get(
                            "manifest_sha256"
                        ):
                            actions += self._complete_publish(journal)
                    _remove_tree(run_dir)
                    actions.append(f"removed stale staging {run_dir.name}")
            for tmp in self.root.glob(f".{LATEST}.*"):
                tmp.unlink(missing_ok=True)
                actions.append(f"removed stale pointer {tmp.name}")
        return actions

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Serialize release-id choice and publish between concurrent runs."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def publish(self, staging: Staging, release_id: str) -> Path:
        """Move the staged release into place in one rename, then switch `latest`.

        Call under `lock()`. The rename is atomic on one filesystem, and staging lives
        under the datasets directory, so readers see no release or a whole release.
        """
        target = self.root / release_id
        if target.exists():
            raise ReleaseExists(
                f"release {release_id} already exists at {target}; never overwritten"
            )
        journal = {
            "release_id": release_id,
            "manifest_sha256": sha256_file(staging.release_dir / MANIFEST),
            "predecessor": self.latest_id(),
        }
        _write_durably(staging.root / PUBLISH_JOURNAL, json.dumps(journal) + "\n")
        # Logged before the rename: a full disk fails here, with nothing in place yet.
        self._log_published(journal)
        _make_read_only(staging.release_dir)
        os.rename(staging.release_dir, target)
        # The top directory last: renaming a directory into another parent needs write
        # permission on it (to update its `..`) when not run as root.
        target.chmod(DIR_MODE)
        self._complete_publish(journal)
        self.discard(staging)
        return target

    def _log_published(self, journal: dict) -> bool:
        """Log a publish unless this very manifest is logged already; True if logged now."""
        if any(
            e["event"] == "published"
            and e["release_id"] == journal["release_id"]
            and e.get("manifest_sha256") == journal["manifest_sha256"]
            for e in self.log_events()
        ):
            return False
        self._append_log(
            {
                "event": "published",
                "release_id": journal["release_id"],
                "manifest_sha256": journal["manifest_sha256"],
                "predecessor": journal["predecessor"],
            }
        )
        return True

    def _complete_publish(self, journal: dict) -> list[str]:
        """Log a release that is in place and point `latest` at it (call under `lock()`).

        Also what recovery does for a run that died after its rename: `latest` moves only
        if it still points where it did when that run published (no rollback, withdrawal
        or other publish since) and the release was not withdrawn.
        """
        release_id, actions = journal["release_id"], []
        if self._log_published(journal):
            actions.append(f"logged release {release_id}")
        current = self.latest_id()
        if (
            current != release_id
            and current == journal["predecessor"]
            and release_id not in self.withdrawn()
        ):
            self._point_latest(release_id)
            actions.append(f"latest {current} -> {release_id} (the run had published it)")
        return actions

    def _append_log(self, event: dict) -> None:
        """Append one event to the releases log (call under `lock()`)."""
        record = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **event}
        path = self.root / RELEASES_LOG
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def withdraw(self, release_id: str, reason: str) -> list[str]:
        """Record that a release must not be served; if it is `latest`, point `latest` at
        the newest earlier release that is not withdrawn. Returns what was done."""
        with self.lock():
            releases, withdrawn = self.releases(), self.withdrawn()
            if release_id not in releases:
                raise ReleaseNotFound(f"no release {release_id!r} under {self.root}")
            actions = []
            if self.latest_id() == release_id:
                earlier = [
                    r
                    for r in releases[: releases.index(release_id)]
                    if r not in withdrawn and r != release_id
                ]
                if not earlier:
                    raise ReleaseStateError(
                        f"{release_id} is latest and no earlier release is left to serve; "
                        "nothing was changed"
                    )
                self._point_latest(earlier[-1])
                actions.append(f"latest {release_id} -> {earlier[-1]}")
            if release_id not in withdrawn:
                self._append_log({"event": "withdrawn", "release_id": release_id, "reason": reason})
            actions.insert(0, f"withdrew {release_id}: {reason}")
            return actions

    def rollback(self, release_id: str, reason: str) -> list[str]:
        """Point `latest` at `release_id` and withdraw every newer release, so that no
        run or recovery brings them back. Returns what was done."""
        with self.lock():
            releases, withdrawn = self.releases(), self.withdrawn()
            if release_id not in releases:
                raise ReleaseNotFound(f"no release {release_id!r} under {self.root}")
            if release_id in withdrawn:
                raise ReleaseStateError(
                    f"{release_id} was withdrawn ({withdrawn[release_id]['reason']}); "
                    "it cannot be made latest again"
                )
            current = self.latest_id()
            self._append_log(
                {"event": "rollback", "release_id": release_id, "from": current, "reason": reason}
            )
            actions = []
            for newer in releases[releases.index(release_id) + 1 :]:
                if newer not in withdrawn:
                    self._append_log(
                        {
                            "event": "withdrawn",
                            "release_id": newer,
                            "reason": f"rolled back to {release_id}: {reason}",
                        }
                    )
                    actions.append(f"withdrew {newer}")
            if current != release_id:
                self._point_latest(release_id)
            actions.insert(0, f"latest {current} -> {release_id}: {reason}")
            return actions

    def _point_latest(self, release_id: str) -> None:
        tmp = self.root / f".{LATEST}.{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(release_id, tmp)
        os.replace(tmp, self.root / LATEST)  # atomic switch

    def remove_release(self, release_id: str) -> Path:
        """Delete a published release (call under `lock()`); never `latest`'s target."""
        if release_id == self.latest_id():
            raise ValueError(f"{release_id} is what `latest` points to; it is never removed")
        path = self.root / release_id
        if not RELEASE_ID_RE.match(release_id) or not (path / MANIFEST).exists():
            raise FileNotFoundError(f"no release {release_id!r} under {self.root}")
        # Hide it first with one rename, so readers never see a half-deleted release.
        doomed = self.root / ".staging" / f"pruned-{release_id}"
        doomed.parent.mkdir(parents=True, exist_ok=True)
        path.chmod(DIR_MODE | stat.S_IWUSR)  # a non-root rename must update its `..`
        os.rename(path, doomed)
        _remove_tree(doomed)
        return path

    def keep_failed(self, staging: Staging) -> Path:
        """Move a staged release that failed validation aside, with its report."""
        target = self.root / ".failed" / staging.run_id
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging.release_dir, target)
        self.discard(staging)
        return target

    def discard(self, staging: Staging) -> None:
        _release_run_lock(staging)
        journal = _read_journal(staging.root / PUBLISH_JOURNAL)
        if (
            journal is not None
            and (self.root / journal["release_id"] / MANIFEST).exists()
            and not (staging.release_dir / MANIFEST).exists()
            and self.latest_id() != journal["release_id"]
        ):
            # The release is in place but the publish did not finish (e.g. the disk
            # filled up at the pointer switch): keep the journal for `recover`.
            return
        # What cannot be removed is stale staging: the next run's `recover` removes it.
        with suppress(OSError):
            _remove_tree(staging.root)


RUN_LOCK = ".run.lock"
_RUN_LOCKS: dict[str, object] = {}


def _lock_is_free(path: Path) -> bool:
    if not path.exists():
        return True
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def _release_run_lock(staging: Staging) -> None:
    handle = _RUN_LOCKS.pop(str(staging.root), None)
    if handle is not None:
        handle.close()


def _release_sort_key(release_id: str) -> tuple[str, int]:
    m = RELEASE_ID_RE.match(release_id)
    assert m
    return m[1], int(m[2] or 1)


def _make_read_only(directory: Path) -> None:
    """Files 0o444 and subdirectories 0o555, deepest first (the top one is the caller's)."""
    for path in sorted(directory.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_symlink():
            continue
        path.chmod(DIR_MODE if path.is_dir() else FILE_MODE)


def _remove_tree(path: Path) -> None:
    """rmtree that also works on read-only directories (published releases)."""
    for sub in path.rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(DIR_MODE | stat.S_IWUSR)
    if path.exists():
        path.chmod(DIR_MODE | stat.S_IWUSR)
        shutil.rmtree(path)


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _read_journal(path: Path) -> dict | None:
    try:
        journal = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # no journal, or cut short: the run had not reached its rename
    return journal if isinstance(journal, dict) and "release_id" in journal else None


class RemoteReleaseStore(ReleaseStore):
    """Releases in object storage (s3://bucket/prefix, via pyarrow's filesystems).

    Everything a run writes first (staging, cache, failed runs, the lock) stays in a
    local work directory; only a validated release is uploaded, under a fresh prefix
    `<url>/<release_id>/`. Its `manifest.json` is uploaded after every other file and the
    `<url>/latest` object (holding the release id) after that, so a reader who follows
    `latest`, or lists releases by their manifests, never sees a partial release.
    Published releases are mirrored locally on demand (`release()`), e.g. to compute the
    next release's changelog. Object stores have no rename or lock: one writer at a time
    (runs on one machine are serialized by the local lock).
    """

    def __init__(self, url: str, local_root: Path):
        super().__init__(local_root)
        import pyarrow.fs as pafs

        self.url = url.rstrip("/")
        self.fs, self.prefix = pafs.FileSystem.from_uri(self.url)

    def location(self, release_id: str) -> str:
        return f"{self.url}/{release_id}"

    def _key(self, *parts: str) -> str:
        return "/".join([self.prefix, *parts])

    def _exists(self, key: str) -> bool:
        import pyarrow.fs as pafs

        return self.fs.get_file_info(key).type != pafs.FileType.NotFound

    def _read(self, key: str) -> bytes:
        with self.fs.open_input_stream(key) as stream:
            return stream.read()

    def _write(self, key: str, data: bytes) -> None:
        with self.fs.open_output_stream(key) as stream:
            stream.write(data)

    def _names(self) -> list[str]:
        import pyarrow.fs as pafs

        selector = pafs.FileSelector(self.prefix, allow_not_found=True)
        return [
            info.base_name
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.Directory
        ]

    def releases(self) -> list[str]:
        ids = [n for n in self._names() if RELEASE_ID_RE.match(n)]
        ids = [i for i in ids if self._exists(self._key(i, MANIFEST))]
        return sorted(ids, key=_release_sort_key)

    def latest_id(self) -> str | None:
        key = self._key(LATEST)
        if not self._exists(key):
            return None
        release_id = self._read(key).decode().strip()
        return release_id if self._exists(self._key(release_id, MANIFEST)) else None

    def manifest(self, release_id: str) -> dict:
        return json.loads(self._read(self._key(release_id, MANIFEST)))

    def manifest_sha256(self, release_id: str) -> str:
        return hashlib.sha256(self._read(self._key(release_id, MANIFEST))).hexdigest()

    def next_release_id(self, today: dt.date) -> str:
        day = today.isoformat()
        taken = set(self._names())  # partial uploads of dead runs hold their name too
        n = 1
        while (candidate := day if n == 1 else f"{day}.{n}") in taken:
            n += 1
        return candidate

    def release(self, release_id: str) -> ReleaseDir:
        """A local mirror of a published release (downloaded once)."""
        if release_id == LATEST:
            latest = self.latest_id()
            if latest is None:
                raise FileNotFoundError(f"no release 'latest' under {self.url}")
            release_id = latest
        mirror = self.root / ".mirror" / release_id
        if not (mirror / MANIFEST).exists():
            import pyarrow.fs as pafs

            if not self._exists(self._key(release_id, MANIFEST)):
                raise FileNotFoundError(f"no release {release_id!r} under {self.url}")
            tmp = mirror.with_name(f".{release_id}.{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.parent.mkdir(parents=True, exist_ok=True)
            pafs.copy_files(
                self._key(release_id),
                str(tmp),
                source_filesystem=self.fs,
                destination_filesystem=pafs.LocalFileSystem(),
            )
            shutil.rmtree(mirror, ignore_errors=True)
            os.rename(tmp, mirror)
        return ReleaseDir(mirror.resolve())

    def publish(self, staging: Staging, release_id: str) -> str:  # type: ignore[override]
        if release_id in set(self._names()):
            raise ReleaseExists(f"{self.location(release_id)} already exists; never overwritten")
        files = sorted(p for p in staging.release_dir.rglob("*") if p.is_file())
        for path in files:  # the manifest goes last: until then this is no release
            rel = path.relative_to(staging.release_dir).as_posix()
            if rel != MANIFEST:
                self._write(self._key(release_id, rel), path.read_bytes())
        self._write(self._key(release_id, MANIFEST), (staging.release_dir / MANIFEST).read_bytes())
        self._write(self._key(LATEST), release_id.encode())
        mirror = self.root / ".mirror" / release_id
        mirror.parent.mkdir(parents=True, exist_ok=True)
        if not mirror.exists():
            os.rename(staging.release_dir, mirror)
        self.discard(staging)
        return self.location(release_id)

    def remove_release(self, release_id: str) -> str:  # type: ignore[override]
        if release_id == self.latest_id():
            raise ValueError(f"{release_id} is what `latest` points to; it is never removed")
        if release_id not in self.releases():
            raise FileNotFoundError(f"no release {release_id!r} under {self.url}")
        self.fs.delete_file(self._key(release_id, MANIFEST))  # invisible from here on
        self.fs.delete_dir(self._key(release_id))
        shutil.rmtree(self.root / ".mirror" / release_id, ignore_errors=True)
        return self.location(release_id)

    def recover(self) -> list[str]:
        # Local leftovers only: a dead run's partial upload has no manifest, so it is no
        # release; its name stays taken (next_release_id skips it).
        actions = []
        staging_root = self.root / ".staging"
        if staging_root.is_dir():
            for run_dir in sorted(staging_root.iterdir()):
                if _lock_is_free(run_dir / RUN_LOCK):
                    shutil.rmtree(run_dir, ignore_errors=True)
                    actions.append(f"removed stale staging {run_dir.name}")
        return actions


def open_store(datasets: str | Path) -> ReleaseStore:
    """A local directory, or an object-store URL (s3://bucket/prefix)."""
    text = str(datasets)
    if "://" not in text:
        return ReleaseStore(Path(text).resolve())
    work = os.environ.get("TAIKONG_WORK_DIR")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    local = Path(work) if work else Path(tempfile.gettempdir()) / "taikong-work" / digest
    return RemoteReleaseStore(text, local)
