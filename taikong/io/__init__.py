"""The one IO seam: every file Taikong reads or writes goes through this package.

    files.py          primitives: atomic/durable writes, sha256, read-only modes, trees,
                      single JSON/text/Parquet files, the open/scan of input files
    work_area.py      WorkArea: a run's per-shard intermediates
    object_work.py    ObjectWorkArea, ObjectShardCache: the same two in object storage
    release_dir.py    ReleaseDir: one release's files (tables as part files), LAYOUT_VERSION
    staging.py        Staging: a run in progress; the run locks that recovery relies on
    shard_cache.py    ShardCache: per-shard stage results kept between runs
    release_store.py  ReleaseStoreProtocol, which both stores honour; names and errors
    local_store.py    ReleaseStore: releases in a local directory (rename, symlink, log)
    s3_store.py       RemoteReleaseStore: releases in object storage
    stores.py         open_store: the store a --datasets value names
    scratch_sqlite.py scratch_database, write_sqlite_table: a temporary SQLite file
                      that GX checks the data views in

Names are exported lazily (PEP 562): importing a light module such as `taikong.io.files`
(the seeds and catalog checks use it) runs this file first, and must not import polars
and pyarrow, so that the CLI answers bad input before loading them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "files": ("DIR_MODE", "FILE_MODE", "sha256_file", "ensure_writable", "empty_directories"),
    "work_area": ("WorkArea",),
    "object_work": ("ObjectShardCache", "ObjectWorkArea"),
    "release_dir": ("CHECKSUMS", "LAYOUT_VERSION", "MANIFEST", "PART_FILE", "ReleaseDir"),
    "staging": ("Staging",),
    "shard_cache": ("ShardCache", "ShardCacheProtocol"),
    "release_store": (
        "LATEST",
        "RELEASE_ID_RE",
        "RELEASES_LOG",
        "ReleaseExists",
        "ReleaseNotFound",
        "ReleaseStateError",
        "ReleaseStoreProtocol",
    ),
    "local_store": ("ReleaseStore",),
    "s3_store": ("RemoteReleaseStore",),
    "stores": ("open_store",),
    "spill": ("spilled_buckets",),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = [
    "CHECKSUMS",
    "DIR_MODE",
    "FILE_MODE",
    "LATEST",
    "LAYOUT_VERSION",
    "MANIFEST",
    "ObjectShardCache",
    "ObjectWorkArea",
    "PART_FILE",
    "RELEASES_LOG",
    "RELEASE_ID_RE",
    "ReleaseDir",
    "ReleaseExists",
    "ReleaseNotFound",
    "ReleaseStateError",
    "ReleaseStore",
    "ReleaseStoreProtocol",
    "RemoteReleaseStore",
    "ShardCache",
    "ShardCacheProtocol",
    "Staging",
    "WorkArea",
    "empty_directories",
    "ensure_writable",
    "open_store",
    "sha256_file",
    "spilled_buckets",
]

if TYPE_CHECKING:
    from taikong.io.files import (
        DIR_MODE,
        FILE_MODE,
        empty_directories,
        ensure_writable,
        sha256_file,
    )
    from taikong.io.local_store import ReleaseStore
    from taikong.io.object_work import ObjectShardCache, ObjectWorkArea
    from taikong.io.release_dir import CHECKSUMS, LAYOUT_VERSION, MANIFEST, PART_FILE, ReleaseDir
    from taikong.io.release_store import (
        LATEST,
        RELEASE_ID_RE,
        RELEASES_LOG,
        ReleaseExists,
        ReleaseNotFound,
        ReleaseStateError,
        ReleaseStoreProtocol,
    )
    from taikong.io.s3_store import RemoteReleaseStore
    from taikong.io.shard_cache import ShardCache, ShardCacheProtocol
    from taikong.io.spill import spilled_buckets
    from taikong.io.staging import Staging
    from taikong.io.stores import open_store
    from taikong.io.work_area import WorkArea


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'taikong.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"taikong.io.{module}"), name)
    globals()[name] = value
    return value
