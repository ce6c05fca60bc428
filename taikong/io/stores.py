"""Open the release store a `--datasets` value names."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from taikong.io.local_store import ReleaseStore
from taikong.io.release_store import ReleaseStoreProtocol
from taikong.io.s3_store import RemoteReleaseStore

WORK_AREAS = ("auto", "local", "store")


def open_store(datasets: str | Path, work_area: str = "auto") -> ReleaseStoreProtocol:
    """A local directory, or an object-store URL (s3://bucket/prefix).

    `work_area` says where a run keeps its shard intermediates and the shard cache:
    "store" in the object store beside the releases (what workers that share no
    filesystem need), "local" in the local work directory; "auto" is "store" for an
    object-store URL and the datasets directory itself otherwise.
    """
    if work_area not in WORK_AREAS:
        raise ValueError(f"work area must be one of {WORK_AREAS}, not {work_area!r}")
    text = str(datasets)
    if "://" not in text:
        if work_area == "store":
            raise ValueError(f"{text}: a work area in object storage needs an s3:// --datasets")
        return ReleaseStore(Path(text).resolve())
    work = os.environ.get("TAIKONG_WORK_DIR")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    local = Path(work) if work else Path(tempfile.gettempdir()) / "taikong-work" / digest
    return RemoteReleaseStore(text, local, work_in_store=work_area != "local")
