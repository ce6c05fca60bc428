"""The stage functions of the pipeline (declared in `taikong.pipeline`).

Each takes the run's context and its input frames by dataset name, and returns its
outputs in the order the declaration lists them. No stage reads or writes a file: the
runner does. The transforms they call are plain polars functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from taikong.clean.lines import clean_shard
from taikong.dedup import boilerplate, near_duplicates
from taikong.dedup import paragraph_duplicates as duplicate_paragraphs
from taikong.ingest.shards import DOC_SCHEMA, INPUT_SCHEMA, ingest_files
from taikong.structure import tables


@dataclass(frozen=True)
class RunSpec:
    """What a run's stages need beyond their input frames (picklable, for any executor)."""

    seeds_dir: Path
    shard_paths: tuple[tuple[str, ...], ...]  # the OS names of each shard's files
    max_bytes: int
    near_duplicate_threshold: float
    catalog: dict[str, dict[str, str]]
    input_shas: dict[str, str]  # path -> sha256; empty: ingest is not cached

    @property
    def shards(self) -> list[int]:
        return list(range(len(self.shard_paths)))


@dataclass(frozen=True)
class StageContext:
    run: RunSpec
    shard: int | None  # None for a run stage


# ---- ingest ---------------------------------------------------------------------------
def ingest(ctx: StageContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decode one shard's files: (documents, every input with its fate)."""
    docs, inputs = ingest_files(
        ctx.run.seeds_dir, list(ctx.run.shard_paths[ctx.shard]), max_bytes=ctx.run.max_bytes
    )
    # The documents in the inputs' order, typed as DOC_SCHEMA even when the shard has none.
    inputs = inputs.select(INPUT_SCHEMA.keys())
    docs = (
        inputs.join(
            docs.select("source_path", *(c for c in DOC_SCHEMA if c not in INPUT_SCHEMA)),
            on="source_path",
            how="left",
            maintain_order="left",
        )
        .filter(pl.col("fate") == "published")
        .select(DOC_SCHEMA.keys())
    )
    return docs, inputs


def resolve_duplicate_files(ctx: StageContext, file_fates: pl.DataFrame) -> pl.DataFrame:
    """Identical files in different shards become one document (first path wins)."""
    inputs = file_fates
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
    return inputs.sort("source_path")


def select_documents(
    ctx: StageContext, ingested_docs: pl.DataFrame, inputs: pl.DataFrame
) -> pl.DataFrame:
    """The shard's documents that are still published once duplicate files are known."""
    published = inputs.filter(pl.col("fate") == "published").select("source_path")
    return ingested_docs.join(published, on="source_path", how="semi", maintain_order="left")


# ---- clean ----------------------------------------------------------------------------
def clean(ctx: StageContext, docs: pl.DataFrame) -> pl.DataFrame:
    return clean_shard(docs)


# ---- deduplicate ----------------------------------------------------------------------
def minhash(ctx: StageContext, lines: pl.DataFrame, docs: pl.DataFrame) -> pl.DataFrame:
    return near_duplicates.minhash_signatures(lines, docs)


def cluster_near_duplicates(ctx: StageContext, signatures: pl.DataFrame) -> pl.DataFrame:
    return near_duplicates.near_duplicate_clusters(signatures, ctx.run.near_duplicate_threshold)


def fingerprint(ctx: StageContext, lines: pl.DataFrame) -> pl.DataFrame:
    return boilerplate.line_fingerprints(lines)


def count_templates(
    ctx: StageContext, fingerprints: pl.LazyFrame, clusters: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    counts = boilerplate.template_counts(fingerprints, clusters)
    return counts, boilerplate.template_levels(counts)


def label_boilerplate(
    ctx: StageContext, lines: pl.DataFrame, template_levels: pl.DataFrame
) -> pl.DataFrame:
    return boilerplate.label_boilerplate(lines, template_levels)


def describe_templates(
    ctx: StageContext, labelled_lines: pl.LazyFrame, template_counts: pl.DataFrame
) -> pl.DataFrame:
    """The templates table: one row per template of a removed line, with its counts."""
    return boilerplate.template_table(labelled_lines, template_counts)


# ---- structure and enrich -------------------------------------------------------------
def structure(ctx: StageContext, docs: pl.DataFrame, labelled_lines: pl.DataFrame) -> tuple:
    built = tables.build_structure(docs, labelled_lines)
    return (
        built.lines,
        built.blocks,
        built.pieces,
        built.sections,
        built.paragraphs,
        built.boilerplate,
        built.edits,
    )


def enrich(
    ctx: StageContext,
    docs: pl.DataFrame,
    located_paragraphs: pl.DataFrame,
    blocks: pl.DataFrame,
    pieces: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mentions and quantities found in the shard's paragraphs."""
    return tables.find_in_paragraphs(docs, located_paragraphs, blocks, pieces)


def describe_documents(
    ctx: StageContext,
    docs: pl.DataFrame,
    structured_lines: pl.DataFrame,
    blocks: pl.DataFrame,
    clusters: pl.DataFrame,
    **counted: pl.DataFrame,
) -> pl.DataFrame:
    """The documents table: metadata, catalog facts and the other tables' row counts."""
    counted["paragraphs"] = counted.pop("located_paragraphs")
    return tables.build_documents(
        docs, structured_lines, blocks, counted, clusters, ctx.run.catalog
    )


# ---- duplicate paragraphs -------------------------------------------------------------
def paragraph_keys(
    ctx: StageContext, located_paragraphs: pl.DataFrame, docs: pl.DataFrame
) -> pl.DataFrame:
    return duplicate_paragraphs.paragraph_keys(located_paragraphs, docs)


def find_duplicate_paragraphs(ctx: StageContext, paragraph_keys: pl.LazyFrame) -> pl.DataFrame:
    return duplicate_paragraphs.first_occurrences(paragraph_keys)


def mark_duplicates(
    ctx: StageContext, located_paragraphs: pl.DataFrame, paragraph_duplicates: pl.DataFrame
) -> pl.DataFrame:
    """The paragraphs table: located paragraphs with `duplicate_of` (null for firsts)."""
    return duplicate_paragraphs.mark_duplicates(
        tables.paragraph_table(located_paragraphs), paragraph_duplicates
    )


# ---- audit ----------------------------------------------------------------------------
def audit_shard(ctx: StageContext, **shard_tables: pl.DataFrame) -> tuple:
    """The shard's table rows checked against their contracts and one another within
    each document (taikong.shard_audit): (failure cases, violations, rows per table)."""
    from taikong.shard_audit import audit_shard as audit  # pandera, on first use

    return audit(shard_tables)
