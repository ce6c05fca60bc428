"""Per-shard results of the document-local stages, kept between runs, addressed by content."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import polars as pl

from taikong.io.files import read_json, write_json_atomically, write_parquet_atomically


class ShardCacheProtocol(Protocol):
    """What the runner needs of a shard cache: `ShardCache` on a local disk, or
    `ObjectShardCache` in object storage (taikong.io.object_work)."""

    run_token: str

    def get(self, stage: str, key: str) -> pl.DataFrame | None: ...

    def put(self, stage: str, key: str, frame: pl.DataFrame) -> None: ...

    def sweep(self, run_started: float) -> int: ...

    def put_meta(self, stage: str, key: str, payload: dict) -> None: ...

    def get_meta(self, stage: str, key: str) -> dict | None: ...

    def metas(self, stage: str) -> Iterator[tuple[str, dict]]: ...

    def copy_to(self, stage: str, key: str, target: str) -> bool: ...


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
        # Names this run's view of the cache (kept when the object is pickled to a
        # worker): what the runner reads once per run, it reads once per token.
        self.run_token = uuid.uuid4().hex

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

    def put_meta(self, stage: str, key: str, payload: dict) -> None:
        """A small JSON record beside an entry (its digest and rows)."""
        write_json_atomically(self._path(stage, key).with_suffix(".json"), payload)

    def get_meta(self, stage: str, key: str) -> dict | None:
        path = self._path(stage, key).with_suffix(".json")
        try:
            payload = read_json(path)
            os.utime(path)  # mark as used by this run
        except (FileNotFoundError, ValueError, OSError):
            return None
        return payload

    def metas(self, stage: str) -> Iterator[tuple[str, dict]]:
        """(key, record) of every entry of `stage` that has one."""
        for path in sorted((self.root / stage).glob("*.json")):
            try:
                yield path.stem, read_json(path)
            except (FileNotFoundError, ValueError):
                continue  # swept or cut short: not a source

    def copy_to(self, stage: str, key: str, target: str | Path) -> bool:
        """Put the entry's file at `target` (a work-area path) without decoding it: a
        hard link where the filesystem allows (entries and work files are only ever
        replaced by a rename, never written in place), else a copy. False if missing."""
        path, target = self._path(stage, key), Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        try:
            try:
                os.link(path, tmp)
            except OSError:  # another filesystem, or links not allowed: copy
                shutil.copyfile(path, tmp)
            os.utime(path)  # mark as used by this run
        except FileNotFoundError:
            tmp.unlink(missing_ok=True)
            return False
        except BaseException:
            tmp.unlink(missing_ok=True)  # a failed copy (disk full) leaves nothing behind
            raise
        tmp.replace(target)
        return True

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
            for path in [*self.root.rglob("*.parquet"), *self.root.rglob("*.json")]:
                if path.stat().st_mtime < run_started:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
