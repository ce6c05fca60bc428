"""What identifies a run's output without importing the heuristics: the code's hash and
the release fingerprint (so that an unchanged run is answered in plain Python, fast)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from taikong import __version__
from taikong.io.files import files_under, read_bytes

_SOURCE_PACKAGES = ("taikong", "contracts", "flows")


@cache
def code_version() -> dict:
    """Package version plus a hash of every source file that shapes the output."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for package in _SOURCE_PACKAGES:
        for path in files_under(root / package, "*.py"):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(read_bytes(path))
    return {"package": __version__, "source_sha256": h.hexdigest()[:16]}


def release_fingerprint(
    inputs: list[tuple[str, str | None]], catalog_sha: str | None, options: dict
) -> str:
    """Same inputs (paths and bytes), catalog, options and code => same fingerprint."""
    h = hashlib.sha256()
    for path, sha in sorted(inputs):
        h.update(f"{path}\0{sha}\n".encode())
    h.update(f"catalog\0{catalog_sha}\n".encode())
    h.update(repr(sorted(options.items())).encode())
    h.update(repr(sorted(code_version().items())).encode())
    return h.hexdigest()
