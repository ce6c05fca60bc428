"""Per-shard results of the document-local stages, kept between runs, addressed by content."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol

import polars as pl

from taikong.io.files import write_parquet_atomically


class ShardCacheProtocol(Protocol):
    """What the runner needs of a shard cache: `ShardCache` on a local disk, or
    `ObjectShardCache` in object storage (taikong.io.object_work)."""

    def get(self, stage: str, key: str) -> pl.DataFrame | None: ...

    def put(self, stage: str, key: str, frame: pl.DataFrame) -> None: ...

    def sweep(self, run_started: float) -> int: ...


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
        write_parquet_atomically(frame, path, path.with_suffix(f".{os.getpid()}.tmp"), "lz4")

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
