"""What every release store offers (a local directory or object storage), the names of
its shared files, and its errors. Callers type against `ReleaseStoreProtocol`."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from taikong.io.release_dir import ReleaseDir
from taikong.io.shard_cache import ShardCacheProtocol
from taikong.io.staging import Staging

RELEASE_ID_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?$")
LATEST = "latest"
RELEASES_LOG = "releases.jsonl"


class ReleaseExists(RuntimeError):
    pass


class ReleaseNotFound(FileNotFoundError):
    """No such release (bad input: the CLI answers with exit status 2)."""


class ReleaseStateError(ValueError):
    """A rollback or withdrawal that the releases' state does not allow (exit status 2)."""


def release_sort_key(release_id: str) -> tuple[str, int]:
    m = RELEASE_ID_RE.match(release_id)
    assert m
    return m[1], int(m[2] or 1)


class ReleaseStoreProtocol(Protocol):
    """Published releases plus the local work space of the runs that make them.

    `root` is a local directory in both stores: the releases themselves for a local
    store; staging, failed runs, mirrors and the lock for object storage (and the work
    area and cache, unless they are in the bucket: see `RemoteReleaseStore`).
    Locations (`location`, `publish`, `remove_release`) are strings: a path for a local
    store, a URL for object storage.
    """

    root: Path

    def releases(self) -> list[str]:
        """Published release ids, oldest first."""
        ...

    def latest_id(self) -> str | None: ...

    def manifest(self, release_id: str) -> dict: ...

    def manifest_sha256(self, release_id: str) -> str: ...

    def log_events(self) -> list[dict]: ...

    def withdrawn(self) -> dict[str, dict]: ...

    def location(self, release_id: str) -> str:
        """Where readers find a release."""
        ...

    def release(self, release_id: str) -> ReleaseDir:
        """A published release (or 'latest') as local files."""
        ...

    def next_release_id(self, today: dt.date) -> str: ...

    def begin(self, run_id: str) -> Staging: ...

    def shard_cache(self, namespace: str) -> ShardCacheProtocol:
        """The per-shard cache of the document-local stages (a `ShardCache` or, for a
        work area in object storage, an `ObjectShardCache`)."""
        ...

    def recover(self) -> list[str]: ...

    def lock(self) -> AbstractContextManager[None]: ...

    def publish(self, staging: Staging, release_id: str) -> str:
        """Make a staged release visible; returns its location."""
        ...

    def keep_failed(self, staging: Staging) -> Path:
        """Move a staged release that failed validation aside (always local)."""
        ...

    def discard(self, staging: Staging) -> None: ...

    def remove_release(self, release_id: str) -> str:
        """Delete a published release; returns the location it had."""
        ...

    # An operator's decisions, recorded in the local releases log: object storage keeps
    # no such log, and its store refuses both (ReleaseStateError).
    def withdraw(self, release_id: str, reason: str) -> list[str]: ...

    def rollback(self, release_id: str, reason: str) -> list[str]: ...
