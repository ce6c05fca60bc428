"""Releases in object storage (s3://bucket/prefix), via pyarrow's filesystems."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

from taikong.io.local_store import ReleaseStore
from taikong.io.object_work import ObjectPrefix, ObjectShardCache
from taikong.io.release_dir import MANIFEST, ReleaseDir
from taikong.io.release_store import (
    LATEST,
    RELEASE_ID_RE,
    ReleaseExists,
    ReleaseStateError,
    release_sort_key,
)
from taikong.io.shard_cache import ShardCacheProtocol
from taikong.io.staging import RUN_LOCKS, Staging

# Under the URL, beside the releases: runs in progress and the shard cache, when the work
# area is in object storage (their names are no release ids, so no listing shows them).
STAGING_PREFIX = ".staging"
CACHE_PREFIX = ".cache"


class RemoteReleaseStore(ReleaseStore):
    """Releases in object storage (s3://bucket/prefix, via pyarrow's filesystems).

    With `work_in_store` (the default), a run's work area (the shard intermediates) is
    `<url>/.staging/<run_id>/work/` and the shard cache `<url>/.cache/`, so stage tasks
    on workers that share no filesystem with this process need nothing from its disk.
    The rest of what a run writes first (the staged release and its audit, failed runs,
    mirrors, the lock) stays in a local work directory, on the machine that runs the
    release flow; without `work_in_store` the work area and the cache stay there too.
    Only a validated release is uploaded, under a fresh prefix
    `<url>/<release_id>/`. Its `manifest.json` is uploaded after every other file and the
    `<url>/latest` object (holding the release id) after that, so a reader who follows
    `latest`, or lists releases by their manifests, never sees a partial release.
    Published releases are mirrored locally on demand (`release()`), e.g. to compute the
    next release's changelog. Object stores have no rename or lock: one writer at a time
    (runs on one machine are serialized by the local lock).
    """

    def __init__(self, url: str, local_root: Path, work_in_store: bool = True):
        super().__init__(local_root)
        import pyarrow.fs as pafs

        self.url = url.rstrip("/")
        self.fs, self.prefix = pafs.FileSystem.from_uri(self.url)
        self.work_in_store = work_in_store

    # ---- the work area and the cache in object storage -------------------------------
    def _run_prefix(self, run_id: str) -> ObjectPrefix:
        return ObjectPrefix(f"{self.url}/{STAGING_PREFIX}/{run_id}")

    def begin(self, run_id: str) -> Staging:
        staging = super().begin(run_id)
        if not self.work_in_store:
            return staging
        run_prefix = self._run_prefix(run_id)
        run_prefix.delete_all()  # a retried run restarts from clean scratch space
        return Staging(staging.root, run_id, work_url=f"{run_prefix.url}/work")

    def discard(self, staging: Staging) -> None:
        super().discard(staging)
        if staging.work_url:
            self._run_prefix(staging.run_id).delete_all()

    def shard_cache(self, namespace: str) -> ShardCacheProtocol:
        if not self.work_in_store:
            return super().shard_cache(namespace)
        return ObjectShardCache(f"{self.url}/{CACHE_PREFIX}", namespace)

    def _recover_object_work(self) -> list[str]:
        """Remove work areas in object storage whose run is not alive on this machine
        (one writer per URL: a run elsewhere is not expected)."""
        actions = []
        local = self.root / ".staging"
        for run_id in ObjectPrefix(f"{self.url}/{STAGING_PREFIX}").directories():
            if not (local / run_id).is_dir() or RUN_LOCKS.is_free(local / run_id):
                run_prefix = self._run_prefix(run_id)
                if run_prefix.files(recursive=True):  # not just an empty directory entry
                    actions.append(f"removed stale work area {STAGING_PREFIX}/{run_id}")
                run_prefix.delete_all()
        return actions

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
        return sorted(ids, key=release_sort_key)

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

    def publish(self, staging: Staging, release_id: str) -> str:
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

    def remove_release(self, release_id: str) -> str:
        if release_id == self.latest_id():
            raise ValueError(f"{release_id} is what `latest` points to; it is never removed")
        if release_id not in self.releases():
            raise FileNotFoundError(f"no release {release_id!r} under {self.url}")
        self.fs.delete_file(self._key(release_id, MANIFEST))  # invisible from here on
        self.fs.delete_dir(self._key(release_id))
        shutil.rmtree(self.root / ".mirror" / release_id, ignore_errors=True)
        return self.location(release_id)

    def recover(self) -> list[str]:
        # Dead runs' staging, local and their work areas in the bucket. A dead run's
        # partial upload has no manifest, so it is no release; its name stays taken
        # (next_release_id skips it).
        actions = []
        staging_root = self.root / ".staging"
        if staging_root.is_dir():
            for run_dir in sorted(staging_root.iterdir()):
                if RUN_LOCKS.is_free(run_dir):
                    shutil.rmtree(run_dir, ignore_errors=True)
                    actions.append(f"removed stale staging {run_dir.name}")
        return actions + self._recover_object_work()

    def withdraw(self, release_id: str, reason: str) -> list[str]:
        raise ReleaseStateError(f"{self.url}: withdraw works on a local datasets directory only")

    def rollback(self, release_id: str, reason: str) -> list[str]:
        raise ReleaseStateError(f"{self.url}: rollback works on a local datasets directory only")
