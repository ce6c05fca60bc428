"""Releases under one local datasets directory.

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
import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from taikong.io.files import (
    DIR_MODE,
    append_line_durably,
    make_read_only,
    remove_tree,
    sha256_file,
    write_durably,
)
from taikong.io.release_dir import MANIFEST, ReleaseDir
from taikong.io.release_store import (
    LATEST,
    RELEASE_ID_RE,
    RELEASES_LOG,
    ReleaseExists,
    ReleaseNotFound,
    ReleaseStateError,
    release_sort_key,
)
from taikong.io.shard_cache import ShardCache, ShardCacheProtocol
from taikong.io.staging import PUBLISH_JOURNAL, RUN_LOCKS, Staging, read_journal


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
        return sorted(ids, key=release_sort_key)

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
    def shard_cache(self, namespace: str) -> ShardCacheProtocol:
        """The per-shard cache of the document-local stages (`.cache/<namespace>/`)."""
        return ShardCache(self.root, namespace)

    def begin(self, run_id: str) -> Staging:
        """Fresh staging for a run, locked by this process until it publishes or fails.

        The lock is what tells `recover` that a staging directory belongs to a live run;
        a killed run's lock is released by the kernel, and its directory is stale.
        """
        root = self.root / ".staging" / run_id
        if root.exists():  # a retried run restarts from clean scratch space
            shutil.rmtree(root)
        root.mkdir(parents=True)
        RUN_LOCKS.acquire(root)
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
                    if not RUN_LOCKS.is_free(run_dir):
                        continue
                    journal = read_journal(run_dir / PUBLISH_JOURNAL)
                    if journal is not None:
                        rid = journal["release_id"]
                        manifest = self.root / rid / MANIFEST
                        if manifest.exists() and sha256_file(manifest) == journal.get(
                            "manifest_sha256"
                        ):
                            actions += self._complete_publish(journal)
                    remove_tree(run_dir)
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

    def publish(self, staging: Staging, release_id: str) -> str:
        """Move the staged release into place in one rename, then switch `latest`;
        returns its location (see `location`).

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
        write_durably(staging.root / PUBLISH_JOURNAL, json.dumps(journal) + "\n")
        # Logged before the rename: a full disk fails here, with nothing in place yet.
        self._log_published(journal)
        make_read_only(staging.release_dir)
        os.rename(staging.release_dir, target)
        # The top directory last: renaming a directory into another parent needs write
        # permission on it (to update its `..`) when not run as root.
        target.chmod(DIR_MODE)
        self._complete_publish(journal)
        self.discard(staging)
        return self.location(release_id)

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
        append_line_durably(self.root / RELEASES_LOG, json.dumps(record, ensure_ascii=False))

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

    def remove_release(self, release_id: str) -> str:
        """Delete a published release (call under `lock()`); never `latest`'s target.
        Returns the location it had."""
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
        remove_tree(doomed)
        return self.location(release_id)

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
        RUN_LOCKS.release(staging.root)
        journal = read_journal(staging.root / PUBLISH_JOURNAL)
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
            remove_tree(staging.root)
