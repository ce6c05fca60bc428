"""Executor-agnostic pipeline steps: read a shard from the work area, transform, write.

Each `*_shard` step is a map over one shard; the steps without a shard argument are
reduces over all shards. Prefect tasks (flows/) or any other executor call these;
the transforms they call are plain polars functions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from taikong.clean.lines import clean_shard as clean_lines
from taikong.dedup import boilerplate, near_duplicates, paragraph_duplicates
from taikong.ingest.catalog import Catalog
from taikong.ingest.shards import DOC_SCHEMA, INPUT_SCHEMA, ingest_files
from taikong.io import ShardCache, WorkArea
from taikong.structure.tables import ShardTables, build_tables


# ---- ingest ---------------------------------------------------------------------------
def content_key(*parts: object) -> str:
    """Cache key: hash of everything a stage's output depends on."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _doc_key(stage: str, docs: pl.DataFrame) -> str:
    # doc_id is the hash of the document's bytes: the shard's content identity.
    return content_key(stage, sorted(docs["doc_id"].to_list()))


def _cached(cache: ShardCache | None, stage: str, key: str, compute) -> tuple[pl.DataFrame, bool]:
    if cache is not None and (hit := cache.get(stage, key)) is not None:
        return hit, True
    frame = compute()
    if cache is not None:
        cache.put(stage, key, frame)
    return frame, False


def ingest_shard(
    work: WorkArea,
    shard: int,
    seeds_dir: Path,
    paths: list[str],
    max_bytes: int,
    cache: ShardCache | None = None,
    input_shas: dict[str, str] | None = None,
) -> dict:
    """Decode one shard's files; `input_shas` (path -> sha256) lets a cache hit skip reading."""
    key = content_key("ingest", max_bytes, [(p, (input_shas or {}).get(p)) for p in paths])
    usable = cache if input_shas else None  # without hashes there is no safe key

    def compute() -> pl.DataFrame:
        docs, inputs = ingest_files(seeds_dir, paths, max_bytes=max_bytes)
        return inputs.join(
            docs.select("source_path", *(c for c in DOC_SCHEMA if c not in INPUT_SCHEMA)),
            on="source_path",
            how="left",
            maintain_order="left",
        )

    both, hit = _cached(usable, "ingest", key, compute)
    inputs = both.select(INPUT_SCHEMA.keys())
    docs = both.filter(pl.col("fate") == "published").select(DOC_SCHEMA.keys())
    work.write("docs", docs, shard)
    work.write("inputs", inputs, shard)
    return {"documents": docs.height, "quarantined": inputs.height - docs.height, "cache_hit": hit}


def resolve_duplicate_files(work: WorkArea) -> pl.DataFrame:
    """reduce: identical files in different shards become one document (first path wins)."""
    inputs = work.read_all("inputs")
    published = inputs.filter(pl.col("fate") == "published").sort("source_path")
    first = published.group_by("doc_id", maintain_order=True).agg(
        pl.col("source_path").first().alias("_first")
    )
    dupes = published.join(first, on="doc_id").filter(pl.col("source_path") != pl.col("_first"))
    if dupes.height:
        reason = pl.concat_str([pl.lit("duplicate_file: same bytes as "), pl.col("_first")])
        fix = dupes.select("source_path", reason.alias("_reason"))
        inputs = (
            inputs.join(fix, on="source_path", how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("_reason").is_not_null())
                .then(pl.lit("quarantined"))
                .otherwise(pl.col("fate"))
                .alias("fate"),
                pl.coalesce("_reason", "reason").alias("reason"),
            )
            .drop("_reason")
        )
        drop = set(dupes["source_path"].to_list())
        for shard in work.shards("docs"):
            docs = work.read("docs", shard)
            if docs["source_path"].is_in(list(drop)).any():
                work.write(
                    "docs", docs.filter(pl.col("source_path").is_in(list(drop)).not_()), shard
                )
    work.write("inputs_all", inputs.sort("source_path"))
    return inputs


# ---- clean ----------------------------------------------------------------------------
def clean_shard(work: WorkArea, shard: int, cache: ShardCache | None = None) -> dict:
    docs = work.read("docs", shard)
    lines, hit = _cached(cache, "lines", _doc_key("lines", docs), lambda: clean_lines(docs))
    work.write("lines", lines, shard)
    return {"lines": lines.height, "cache_hit": hit}


# ---- deduplicate ----------------------------------------------------------------------
def signatures_shard(work: WorkArea, shard: int, cache: ShardCache | None = None) -> bool:
    docs = work.read("docs", shard)
    sigs, hit = _cached(
        cache,
        "signatures",
        _doc_key("signatures", docs),
        lambda: near_duplicates.minhash_signatures(work.read("lines", shard), docs),
    )
    work.write("signatures", sigs, shard)
    return hit


def cluster_near_duplicates(work: WorkArea, threshold: float) -> int:
    clusters = near_duplicates.near_duplicate_clusters(work.read_all("signatures"), threshold)
    work.write("clusters", clusters)
    return clusters.filter(pl.col("near_duplicate_of").is_not_null()).height


def _clusters(work: WorkArea) -> pl.DataFrame:
    return work.read("clusters")


def fingerprints_shard(work: WorkArea, shard: int, cache: ShardCache | None = None) -> bool:
    docs = work.read("docs", shard)
    fp, hit = _cached(
        cache,
        "fingerprints",
        _doc_key("fingerprints", docs),
        lambda: boilerplate.line_fingerprints(work.read("lines", shard)),
    )
    work.write("fingerprints", fp, shard)
    return hit


def count_templates(work: WorkArea) -> int:
    counts = boilerplate.template_counts(work.scan_all("fingerprints"), _clusters(work))
    work.write("template_counts", counts)
    return counts.height


def label_boilerplate_shard(work: WorkArea, shard: int) -> None:
    labelled = boilerplate.label_boilerplate(
        work.read("lines", shard), work.read("template_counts")
    )
    work.write("labelled_lines", labelled, shard)


# ---- structure ------------------------------------------------------------------------
def structure_shard(work: WorkArea, shard: int, catalog: Catalog) -> dict:
    tables = build_tables(
        work.read("docs", shard),
        work.read("labelled_lines", shard),
        _clusters(work),
        catalog.entries,
    )
    for name in ShardTables.NAMES:
        work.write(f"t_{name}", getattr(tables, name), shard)
    keys = paragraph_duplicates.paragraph_keys(tables.paragraphs, tables.documents)
    work.write("paragraph_keys", keys, shard)
    return {"documents": tables.documents.height, "paragraphs": tables.paragraphs.height}


def find_duplicate_paragraphs(work: WorkArea) -> int:
    dupes = paragraph_duplicates.first_occurrences(work.read_all("paragraph_keys"))
    work.write("paragraph_duplicates", dupes)
    return dupes.height


def mark_duplicates_shard(work: WorkArea, shard: int) -> None:
    marked = paragraph_duplicates.mark_duplicates(
        work.read("t_paragraphs", shard), work.read("paragraph_duplicates")
    )
    work.write("t_paragraphs", marked, shard)
