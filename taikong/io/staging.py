"""A run in progress: its scratch work area and the release it assembles, not yet visible
to readers; and the lock that tells recovery the run is alive."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl
import pyarrow as pa

from taikong.io.object_work import ObjectWorkArea
from taikong.io.release_dir import ReleaseDir
from taikong.io.work_area import WorkArea

RUN_LOCK = ".run.lock"
# Written into a run's staging directory before its release is renamed into place: what
# recovery may complete after a crash, and nothing else.
PUBLISH_JOURNAL = "publish.json"


@dataclass(frozen=True)
class Staging:
    """A release being assembled: tables and reports, not yet visible to readers.

    Its work area is `root/work`, or the object-store prefix `work_url` when the run
    keeps its intermediates in object storage (workers that share no filesystem).
    """

    root: Path
    run_id: str
    work_url: str | None = None

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def release(self) -> ReleaseDir:
        return ReleaseDir(self.release_dir)

    @property
    def work(self) -> WorkArea | ObjectWorkArea:
        return ObjectWorkArea(self.work_url) if self.work_url else WorkArea(self.root / "work")

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

    def put_json(self, relpath: str, payload: dict) -> Path:
        return self.release.put_json(relpath, payload)


class RunLocks:
    """The run locks this process holds, by staging directory.

    A flock lasts as long as its open file, so the handle must outlive `begin()` and be
    closed at `discard()`. It is kept here, not on `Staging`: a Staging is a frozen value
    that is pickled to task workers, and an open file cannot travel with it.
    """

    def __init__(self) -> None:
        self._held: dict[str, IO[str]] = {}

    def acquire(self, staging_root: Path) -> None:
        """Lock a fresh staging directory for this process (raises if another holds it)."""
        handle = (staging_root / RUN_LOCK).open("w")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._held[str(staging_root)] = handle

    def release(self, staging_root: Path) -> None:
        handle = self._held.pop(str(staging_root), None)
        if handle is not None:
            handle.close()

    @staticmethod
    def is_free(staging_root: Path) -> bool:
        """True if no live process holds the run lock of `staging_root` (it died)."""
        path = staging_root / RUN_LOCK
        if not path.exists():
            return True
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True


# One per process: the kernel's flocks are per open file, held by this process.
RUN_LOCKS = RunLocks()


def read_journal(path: Path) -> dict | None:
    try:
        journal = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # no journal, or cut short: the run had not reached its rename
    return journal if isinstance(journal, dict) and "release_id" in journal else None
