"""File primitives every other module uses instead of touching the filesystem itself:
atomic and durable writes, hashing, read-only modes, trees, and the plain reads and
writes of single files (JSON, text, Parquet) that callers outside `taikong.io` need.

A seam test (tests/taikong/io/test_io_seam.py) fails when a module outside this package
opens, writes, lists or removes files on its own.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import stat
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # not imported at run time: the CLI's bad-input checks use this module
    import polars as pl

FILE_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0o444
DIR_MODE = FILE_MODE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH  # 0o555


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def ensure_writable(directory: Path, error: BaseException | None = None) -> None:
    """Raise the OSError (ENOSPC, EROFS, EACCES, EDQUOT...) that writing 1 MiB into
    `directory` gives now, chained to `error`; return if the write succeeds.

    polars reports a full disk during a Parquet write as "File out of specification:
    Invalid thrift: transport error", without the OS error: probing with a small write of
    our own recovers the real cause, so the CLI can say "could not write" (exit 3).
    Great Expectations logs a failed Data Docs write and carries on: the publish probes
    the staging directory too before it writes the manifest.
    """
    probe = directory / f".probe.{os.getpid()}"
    try:
        with probe.open("wb") as handle:
            handle.write(b"\0" * (1 << 20))  # a polars write fails on chunks this big
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as cause:
        raise cause from error
    finally:
        with suppress(OSError):
            probe.unlink()


def empty_directories(root: Path) -> list[str]:
    """Directories under `root` holding nothing (a writer that gave up half-way)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_dir() and not p.is_symlink() and not any(p.iterdir())
    )


def polars_write(write: Callable[[], object], path: Path) -> None:
    """Run a polars write into `path`; a failure caused by the filesystem is re-raised as
    its OSError (see ensure_writable)."""
    try:
        write()
    except OSError:
        raise
    except Exception as exc:
        ensure_writable(path.parent, exc)
        raise


def write_then_rename(write: Callable[[], object], tmp: Path, path: Path) -> None:
    """Write `tmp` and rename it to `path`; a failed write (disk full) leaves no `tmp`."""
    try:
        polars_write(write, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)  # a retried task never leaves half a file behind


def write_parquet_atomically(frame: pl.DataFrame, path: Path, tmp: Path, compression: str) -> None:
    """A Parquet file written beside `path` as `tmp`, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_then_rename(lambda: frame.write_parquet(tmp, compression=compression), tmp, path)


def write_parquet(frame: pl.DataFrame, path: Path, compression: str = "zstd") -> Path:
    """One Parquet file at `path` (parents created); filesystem failures as OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    polars_write(lambda: frame.write_parquet(path, compression=compression), path)
    return path


def json_text(payload: Any) -> str:
    """The JSON text Taikong writes: indented, UTF-8, never NaN (invalid JSON)."""
    return json.dumps(payload, indent=2, default=str, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: Path, payload: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json_text(payload))
    return path


def write_json_atomically(path: Path, payload: Any) -> Path:
    """Compact JSON written beside `path` under a name of this process, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(payload, allow_nan=False), encoding="utf-8")
    except BaseException:
        tmp.unlink(missing_ok=True)  # a failed write (disk full) leaves nothing behind
        raise
    tmp.replace(path)
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_text_atomically(path: Path, text: str) -> Path:
    """Write `.<name>.tmp` beside `path`, then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def read_bytes(path: Path) -> bytes:
    return path.read_bytes()


def read_package_text(package: str, relpath: str) -> str:
    """A data file shipped inside a package (importlib.resources: found in a wheel too)."""
    from importlib.resources import files

    resource = files(package)
    for part in relpath.split("/"):
        resource = resource / part
    return resource.read_text(encoding="utf-8")


def append_text(path: Path, text: str) -> None:
    """Append to a text file (parents created), e.g. a crashed command's log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def append_line_durably(path: Path, line: str) -> None:
    """Append one line and fsync it (an append-only log that must survive a crash)."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)


def make_dirs(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def files_under(root: Path, pattern: str = "*") -> list[Path]:
    """Regular files under `root` matching `pattern` (recursively), sorted by path."""
    return sorted(p for p in root.rglob(pattern) if p.is_file())


def entries_by_age(folder: Path) -> list[Path]:
    """The entries of `folder`, oldest first (by mtime, then name)."""
    return sorted(folder.iterdir(), key=lambda p: (p.stat().st_mtime, p.name))


def remove_path(path: Path) -> None:
    """Remove a file or a directory tree (read-only directories included)."""
    if path.is_dir() and not path.is_symlink():
        remove_tree(path)
    else:
        path.unlink()


def copy_tree(source: Path, target: Path, ignore: tuple[str, ...] = ()) -> None:
    """Copy a directory tree over `target` (replacing it), leaving out `ignore` patterns."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*ignore))


def make_read_only(directory: Path) -> None:
    """Files 0o444 and subdirectories 0o555, deepest first (the top one is the caller's)."""
    for path in sorted(directory.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_symlink():
            continue
        path.chmod(DIR_MODE if path.is_dir() else FILE_MODE)


def remove_tree(path: Path) -> None:
    """rmtree that also works on read-only directories (published releases)."""
    for sub in path.rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(DIR_MODE | stat.S_IWUSR)
    if path.exists():
        path.chmod(DIR_MODE | stat.S_IWUSR)
        shutil.rmtree(path)


@dataclass(frozen=True)
class TreeEntry:
    """One entry met by `walk_tree` (symlinks not followed)."""

    kind: str  # "file", "dir", "symlink", "other"
    mode: int  # permission bits
    size: int


def walk_tree(root: Path) -> dict[str, TreeEntry]:
    """Every entry under `root` (posix relative path), symlinks not followed."""
    entries: dict[str, TreeEntry] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                kind = "symlink"
            elif stat.S_ISDIR(st.st_mode):
                kind = "dir"
            elif stat.S_ISREG(st.st_mode):
                kind = "file"
            else:
                kind = "other"
            rel = path.relative_to(root).as_posix()
            entries[rel] = TreeEntry(kind, stat.S_IMODE(st.st_mode), st.st_size)
    return entries


def permission_bits(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def link_target(path: Path) -> str:
    return os.readlink(path)


# ---- input reading (the rules about what may be read live in taikong.ingest) ----------
def scan_directory(path: str) -> list[os.DirEntry]:
    """The entries of one directory, in the order of their names' bytes."""
    with os.scandir(path) as it:
        return sorted(it, key=lambda e: os.fsencode(e.name))


def open_no_follow(path: str) -> IO[bytes]:
    """Open a file for reading without following a final symlink and without blocking
    on a FIFO (the caller fstat()s the handle before it reads, and closes it)."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb")


@cache
def source_digest(modules: tuple[str, ...]) -> str | None:
    """The digest of the Python source of `modules` (a package: all its files)."""
    if not modules:
        return None
    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        roots = spec.submodule_search_locations if spec else None
        files = (
            sorted(p for r in roots for p in Path(r).rglob("*.py"))
            if roots
            else [Path(spec.origin)]
        )
        for path in files:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]
