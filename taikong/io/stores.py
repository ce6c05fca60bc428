"""Open the release store a `--datasets` value names."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from taikong.io.local_store import ReleaseStore
from taikong.io.release_store import ReleaseStoreProtocol
from taikong.io.s3_store import RemoteReleaseStore


def open_store(datasets: str | Path) -> ReleaseStoreProtocol:
    """A local directory, or an object-store URL (s3://bucket/prefix)."""
    text = str(datasets)
    if "://" not in text:
        return ReleaseStore(Path(text).resolve())
    work = os.environ.get("TAIKONG_WORK_DIR")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    local = Path(work) if work else Path(tempfile.gettempdir()) / "taikong-work" / digest
    return RemoteReleaseStore(text, local)
