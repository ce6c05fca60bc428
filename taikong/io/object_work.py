"""A run's work area and the shard cache in object storage (s3://bucket/prefix).

With these, a stage task needs nothing on the lead's disk: Dask workers on other
machines (or in their own mount namespaces) read and write the shard intermediates and
the cache under the datasets URL. Writes go through pyarrow's filesystems (the release
store's seam; a PUT appears whole or not at all, so no temporary name is needed), reads
through polars' own object-store reader. Endpoint and credentials come from the usual
`AWS_*` variables of each process, so every worker needs them too.

Both are plain values (a URL and names): they are pickled to the workers, and each
process opens its own filesystem on first use.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache

import polars as pl


def _filesystem(url: str):
    """(filesystem, path) of an object-store URL, opened once per process and settings
    (the endpoint and credentials are read from the AWS_* variables when it opens)."""
    settings = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    return _open_filesystem(url, settings)


@cache
def _open_filesystem(url: str, settings: tuple[tuple[str, str], ...]):
    import pyarrow.fs as pafs

    return pafs.FileSystem.from_uri(url)


@dataclass(frozen=True)
class ObjectPrefix:
    """A 'directory' in object storage: the objects whose keys start with `url/`."""

    url: str

    def child(self, *parts: str) -> ObjectPrefix:
        return ObjectPrefix("/".join([self.url.rstrip("/"), *parts]))

    @property
    def _fs(self):
        return _filesystem(self.url)[0]

    @property
    def _path(self) -> str:
        return _filesystem(self.url)[1]

    def put_parquet(self, name: str, frame: pl.DataFrame, compression: str = "lz4") -> str:
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression=compression)
        return self.put_bytes(name, buffer.getvalue())

    def put_bytes(self, name: str, data: bytes) -> str:
        with self._fs.open_output_stream(f"{self._path}/{name}") as stream:
            stream.write(data)
        return f"{self.url}/{name}"

    def get_bytes(self, name: str) -> bytes:
        """An object's bytes; FileNotFoundError if there is none."""
        try:
            with self._fs.open_input_stream(f"{self._path}/{name}") as stream:
                return stream.read()
        except OSError:
            if not self.exists(name):
                raise FileNotFoundError(f"{self.url}/{name}") from None
            raise

    def exists(self, name: str) -> bool:
        import pyarrow.fs as pafs

        return self._fs.get_file_info(f"{self._path}/{name}").type == pafs.FileType.File

    def files(self, name: str = "", recursive: bool = False) -> list[str]:
        """Names (relative to this prefix) of the objects under `name`, sorted."""
        import pyarrow.fs as pafs

        base = f"{self._path}/{name}".rstrip("/")
        selector = pafs.FileSelector(base, allow_not_found=True, recursive=recursive)
        return sorted(
            info.path[len(self._path) + 1 :]
            for info in self._fs.get_file_info(selector)
            if info.type == pafs.FileType.File
        )

    def directories(self) -> list[str]:
        import pyarrow.fs as pafs

        selector = pafs.FileSelector(self._path, allow_not_found=True)
        return sorted(
            info.base_name
            for info in self._fs.get_file_info(selector)
            if info.type == pafs.FileType.Directory
        )

    def delete(self, name: str) -> None:
        self._fs.delete_file(f"{self._path}/{name}")

    def delete_all(self, name: str = "") -> None:
        """Remove every object under `name`, and the directory entry some servers keep
        (nothing to remove is fine)."""
        import pyarrow.fs as pafs

        path = f"{self._path}/{name}".rstrip("/")
        if self._fs.get_file_info(path).type != pafs.FileType.NotFound:
            with suppress(FileNotFoundError):  # an empty directory entry, gone meanwhile
                self._fs.delete_dir(path)


@dataclass(frozen=True)
class ObjectWorkArea:
    """`WorkArea` in object storage: `<url>/<stage>/<shard>.parquet`, `<url>/<stage>.parquet`."""

    url: str
    # Workers that share no filesystem with the lead can reach it (see runner.runs_on_lead).
    in_object_store = True

    @property
    def _prefix(self) -> ObjectPrefix:
        return ObjectPrefix(self.url)

    @staticmethod
    def _name(stage: str, shard: int | None) -> str:
        return f"{stage}.parquet" if shard is None else f"{stage}/{shard:05d}.parquet"

    def path(self, stage: str, shard: int | None = None) -> str:
        return f"{self.url}/{self._name(stage, shard)}"

    def write(self, stage: str, df: pl.DataFrame, shard: int | None = None) -> str:
        return self._prefix.put_parquet(self._name(stage, shard), df)

    def read(
        self, stage: str, shard: int | None = None, columns: list[str] | None = None
    ) -> pl.DataFrame:
        return pl.read_parquet(self.path(stage, shard), columns=columns)

    def write_meta(self, name: str, payload: dict, shard: int) -> None:
        self._prefix.put_bytes(f"{name}/{shard:05d}.json", json.dumps(payload).encode())

    def read_meta(self, name: str, shard: int) -> dict:
        return json.loads(self._prefix.get_bytes(f"{name}/{shard:05d}.json"))

    def read_all(self, stage: str) -> pl.DataFrame:
        """All shards of a stage, concatenated in shard order."""
        files = self._prefix.files(stage)
        return (
            pl.concat([pl.read_parquet(f"{self.url}/{f}") for f in files], how="vertical")
            if files
            else pl.DataFrame()
        )

    def scan_all(self, stage: str) -> pl.LazyFrame:
        return pl.scan_parquet(f"{self.url}/{stage}/*.parquet")

    def shards(self, stage: str) -> list[int]:
        return [int(f.rsplit("/", 1)[1].split(".")[0]) for f in self._prefix.files(stage)]


@dataclass(frozen=True)
class ObjectShardCache:
    """`ShardCache` in object storage: `<base>/<code key>/<stage>/<key>.parquet`.

    Objects cannot be touched, so a run marks what it used with an empty object under
    `<base>/<code key>/.used/<run token>/` (on any worker); `sweep` keeps the entries this
    run marked and removes the rest, the marks and the caches of other code versions.
    No clock takes part (the lead's and the object store's clocks may differ).
    """

    base_url: str
    code_key: str
    run_token: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def _root(self) -> ObjectPrefix:
        return ObjectPrefix(self.base_url).child(self.code_key)

    def _mark_used(self, name: str) -> None:
        self._root.put_bytes(f".used/{self.run_token}/{name}", b"")

    def get(self, stage: str, key: str) -> pl.DataFrame | None:
        name = f"{stage}/{key}.parquet"
        if not self._root.exists(name):
            return None
        try:
            frame = pl.read_parquet(f"{self._root.url}/{name}")
        except (FileNotFoundError, pl.exceptions.ComputeError, OSError):
            return None  # unreadable: recompute (and overwrite it)
        self._mark_used(name)
        return frame

    def put(self, stage: str, key: str, frame: pl.DataFrame) -> None:
        name = f"{stage}/{key}.parquet"
        self._root.put_parquet(name, frame)
        self._mark_used(name)

    def put_meta(self, stage: str, key: str, payload: dict) -> None:
        name = f"{stage}/{key}.json"
        self._root.put_bytes(name, json.dumps(payload).encode())
        self._mark_used(name)

    def _record(self, name: str) -> dict | None:
        try:
            return json.loads(self._root.get_bytes(name))
        except (FileNotFoundError, ValueError):
            return None  # missing, or cut short

    def get_meta(self, stage: str, key: str) -> dict | None:
        name = f"{stage}/{key}.json"
        payload = self._record(name)
        if payload is not None:
            self._mark_used(name)
        return payload

    def metas(self, stage: str):
        """(key, record) of every entry of `stage` that has one (not marked used: an
        entry is used when its rows are taken, through `get`)."""
        for name in self._root.files(stage):
            if name.endswith(".json") and (payload := self._record(name)) is not None:
                yield name.rsplit("/", 1)[1][: -len(".json")], payload

    def copy_to(self, stage: str, key: str, target: str) -> bool:
        """Copy the entry to `target` (a work-area URL on the same store) inside the
        object store (no download); False if the entry is missing."""
        name = f"{stage}/{key}.parquet"
        fs, source = self._root._fs, f"{self._root._path}/{name}"
        try:
            fs.copy_file(source, _filesystem(target)[1])
        except OSError:
            if not self._root.exists(name):  # S3 names a missing key NO_SUCH_KEY
                return False
            raise
        self._mark_used(name)
        return True

    def sweep(self, run_started: float) -> int:
        """Remove entries this run did not use (`run_started` is not needed: the run's
        marks say what it used) and caches of other code versions; returns how many."""
        base = ObjectPrefix(self.base_url)
        removed = 0
        for other in base.directories():
            if other != self.code_key:
                base.delete_all(other)
                removed += 1
        marks = f".used/{self.run_token}/"
        used = {f[len(marks) :] for f in self._root.files(marks, recursive=True)}
        for name in self._root.files(recursive=True):
            if not name.startswith(".used/") and name not in used:
                self._root.delete(name)
                removed += 1
        self._root.delete_all(".used")
        return removed
