"""List the inputs of a seeds directory and cut them into shards."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from taikong.ingest.catalog import CATALOG_FILE
from taikong.ingest.decode import DEFAULT_MAX_BYTES, content_id, decode_bytes

# A shard is cut at whichever limit comes first. Task runs grow with shards, not files;
# memory grows with the shards in flight (one per task thread), so shards stay small.
DEFAULT_SHARD_DOCS = 1_000
DEFAULT_SHARD_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    source_path: str  # relative to the seeds directory, with forward slashes
    n_bytes: int


def list_inputs(seeds_dir: Path) -> list[InputFile]:
    """Every regular file under seeds_dir except the catalog and hidden files, sorted."""
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    files = []
    for path in sorted(seeds_dir.rglob("*")):
        rel = path.relative_to(seeds_dir)
        if any(part.startswith(".") for part in rel.parts) or rel.as_posix() == CATALOG_FILE:
            continue
        if path.is_file():
            files.append(InputFile(rel.as_posix(), path.stat().st_size))
    return files


def plan_shards(
    files: list[InputFile],
    max_docs: int = DEFAULT_SHARD_DOCS,
    max_bytes: int = DEFAULT_SHARD_BYTES,
) -> list[list[str]]:
    shards: list[list[str]] = []
    current: list[str] = []
    size = 0
    for f in files:
        if current and (len(current) >= max_docs or size + f.n_bytes > max_bytes):
            shards.append(current)
            current, size = [], 0
        current.append(f.source_path)
        size += f.n_bytes
    if current:
        shards.append(current)
    return shards


INPUT_SCHEMA = {
    "source_path": pl.String,
    "doc_id": pl.String,
    "raw_sha256": pl.String,
    "n_bytes": pl.Int64,
    "fate": pl.String,
    "reason": pl.String,
}
DOC_SCHEMA = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "raw_text": pl.String,
    "raw_sha256": pl.String,
    "n_bytes": pl.Int64,
    "encoding": pl.String,
}


def ingest_files(
    seeds_dir: Path, paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and decode one shard: (documents to process, every input with its fate).

    An input whose bytes equal an earlier input of the same shard is quarantined as a
    duplicate file: one document per content.
    """
    docs, inputs = [], []
    seen: dict[str, str] = {}
    for rel in paths:
        path = seeds_dir / rel
        try:
            data = path.read_bytes()
        except OSError as exc:
            inputs.append(
                {
                    "source_path": rel,
                    "doc_id": None,
                    "raw_sha256": None,
                    "n_bytes": None,
                    "fate": "quarantined",
                    "reason": f"unreadable: {exc.strerror or exc}",
                }
            )
            continue
        doc_id, sha = content_id(data)
        decoded = decode_bytes(data, max_bytes=max_bytes)
        reason = decoded.reason
        if reason is None and doc_id in seen:
            reason = f"duplicate_file: same bytes as {seen[doc_id]}"
        entry = {"source_path": rel, "doc_id": doc_id, "raw_sha256": sha, "n_bytes": len(data)}
        if reason is not None:
            inputs.append({**entry, "fate": "quarantined", "reason": reason})
            continue
        seen[doc_id] = rel
        inputs.append({**entry, "fate": "published", "reason": None})
        docs.append({**entry, "raw_text": decoded.text, "encoding": decoded.encoding})
    return pl.DataFrame(docs, schema=DOC_SCHEMA), pl.DataFrame(inputs, schema=INPUT_SCHEMA)
