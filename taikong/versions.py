"""Versions that identify what produced a release: code, heuristics, contracts."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from taikong import __version__
from taikong.clean.hyphens import HYPHENS_VERSION
from taikong.clean.lines import CLEAN_VERSION
from taikong.dedup.boilerplate import BOILERPLATE_VERSION
from taikong.dedup.near_duplicates import NEAR_DUP_VERSION
from taikong.dedup.paragraph_duplicates import PARAGRAPH_DUP_VERSION
from taikong.enrich.mentions import MENTIONS_VERSION
from taikong.enrich.quantities import QUANTITIES_VERSION
from taikong.ingest.decode import DECODE_VERSION
from taikong.structure.paragraphs import STRUCTURE_VERSION
from taikong.structure.tables import METADATA_VERSION

# Every heuristic that changes output carries a version; all of them go in the manifest.
HEURISTICS = {
    "decode": DECODE_VERSION,
    "clean": CLEAN_VERSION,
    "hyphens": HYPHENS_VERSION,
    "boilerplate": BOILERPLATE_VERSION,
    "near_duplicates": NEAR_DUP_VERSION,
    "paragraph_duplicates": PARAGRAPH_DUP_VERSION,
    "structure": STRUCTURE_VERSION,
    "metadata": METADATA_VERSION,
    "mentions": MENTIONS_VERSION,
    "quantities": QUANTITIES_VERSION,
}

_SOURCE_PACKAGES = ("taikong", "contracts", "flows")


@cache
def code_version() -> dict:
    """Package version plus a hash of every source file that shapes the output."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for package in _SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
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
