"""Duplicate paragraphs across the corpus: kept once, marked `duplicate_of` elsewhere.

map: `paragraph_keys` per shard (hash of normalized text + ordering key);
reduce: `first_occurrences` keeps, per repeated hash, the first paragraph in corpus
order (source_path, then position); map: `mark_duplicates` joins it back.
"""

from __future__ import annotations

import polars as pl

PARAGRAPH_DUP_VERSION = "exact_paragraph_v1"


def _normalized_hash() -> pl.Expr:
    return (
        pl.col("text")
        .str.to_lowercase()
        .str.replace_all(r"[^\w]+", " ")
        .str.strip_chars()
        .hash(seed=11)
        .alias("text_hash")
    )


def paragraph_keys(paragraphs: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """map: text_hash, paragraph_id, source_path, seq for every paragraph of a shard."""
    return paragraphs.join(
        documents.select("doc_id", "source_path"), on="doc_id", how="left", maintain_order="left"
    ).select(_normalized_hash(), "paragraph_id", "source_path", "seq")


def first_occurrences(keys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """reduce: for each later occurrence of a repeated text, the id of the first one.

    Most paragraphs occur once: a streaming count of the 64-bit hashes finds the
    repeated ones, so only their rows are held and sorted, not every paragraph's.
    """
    lazy = keys.lazy()
    repeated = (
        lazy.group_by("text_hash")
        .agg(pl.len().alias("_copies"))
        .filter(pl.col("_copies") >= 2)
        .select("text_hash")
    )
    return (
        lazy.join(repeated, on="text_hash", how="semi")
        .sort("source_path", "seq")
        .with_columns(pl.col("paragraph_id").first().over("text_hash").alias("duplicate_of"))
        .filter(pl.col("paragraph_id") != pl.col("duplicate_of"))
        .select("paragraph_id", "duplicate_of")
        .collect(engine="streaming")
    )


def mark_duplicates(paragraphs: pl.DataFrame, duplicates: pl.DataFrame) -> pl.DataFrame:
    """map: add `duplicate_of` (null for first occurrences)."""
    return paragraphs.join(duplicates, on="paragraph_id", how="left", maintain_order="left")
