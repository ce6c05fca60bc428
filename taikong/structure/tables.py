"""Build the release tables of one shard.

documents, sections, paragraphs and boilerplate, plus what is found in the paragraphs:
edits (hyphens rejoined or restored, references and mojibake repaired), mentions and
quantities. The documents' metadata (title, date, publisher, doc_type) is decided in
taikong.structure.metadata; this module assembles the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from contracts import Boilerplate, Documents, Edits, Mentions, Paragraphs, Quantities, Sections
from contracts.arrow import polars_schema
from taikong.clean.hyphens import as_extracted
from taikong.dedup.boilerplate import template_table
from taikong.dedup.templates import template_id
from taikong.enrich.mentions import find_mentions
from taikong.enrich.quantities import find_quantities
from taikong.structure.metadata import day_first_by_doc, document_metadata, updated_dates
from taikong.structure.offsets import to_raw_spans
from taikong.structure.paragraphs import (
    DECIMAL_LEVEL_STEP,
    HEADING_PATTERNS,
    UNNUMBERED_RANK,
    assemble_blocks,
    markup_heading,
    segment,
)


@dataclass(frozen=True)
class ShardTables:
    documents: pl.DataFrame
    sections: pl.DataFrame
    paragraphs: pl.DataFrame
    boilerplate: pl.DataFrame
    templates: pl.DataFrame
    edits: pl.DataFrame
    mentions: pl.DataFrame
    quantities: pl.DataFrame

    NAMES = (
        "documents",
        "sections",
        "paragraphs",
        "boilerplate",
        "templates",
        "edits",
        "mentions",
        "quantities",
    )


def _sections_and_paragraphs(blocks: pl.DataFrame) -> tuple[list[dict], list[dict]]:
    """Nest headings by style rank and give every block its innermost section."""
    ranks = {style: rank for style, (_, rank) in HEADING_PATTERNS.items()}
    ranks["unnumbered"] = UNNUMBERED_RANK
    patterns = {style: re.compile(p) for style, (p, _) in HEADING_PATTERNS.items()}
    sections: list[dict] = []
    paragraphs: list[dict] = []
    for (doc_id,), doc_blocks in blocks.group_by("doc_id", maintain_order=True):
        stack: list[dict] = []
        n_sec = n_par = 0
        for row in doc_blocks.iter_rows(named=True):
            if row["kind"] == "heading":
                style = row["heading_style"]
                rank = ranks.get(style, UNNUMBERED_RANK)
                if style == "markup":
                    heading, rank = markup_heading(row["text"], row["markup_level"])
                elif style == "decimal":
                    depth = patterns[style].match(row["text"])[1].count(".")
                    rank += DECIMAL_LEVEL_STEP * (depth - 1)
                while stack and stack[-1]["_rank"] >= rank:
                    stack.pop()
                if style == "markup":
                    ordinal = None
                elif style == "unnumbered":
                    ordinal, heading = None, row["text"]
                else:
                    m = patterns[style].match(row["text"])
                    ordinal, heading = m[1], m[2].strip()
                    if style == "dash":
                        ordinal = None
                n_sec += 1
                section = {
                    "section_id": f"{doc_id}-s{n_sec:03d}",
                    "doc_id": doc_id,
                    "parent_id": stack[-1]["section_id"] if stack else None,
                    "level": len(stack) + 1,
                    "seq": n_sec,
                    "ordinal": ordinal,
                    "heading": heading,
                    "heading_style": style,
                    "raw_start": row["raw_start"],
                    "raw_end": row["raw_end"],
                    "_rank": rank,
                }
                sections.append(section)
                stack.append(section)
                continue
            n_par += 1
            for open_section in stack:
                open_section["raw_end"] = max(open_section["raw_end"], row["raw_end"])
            paragraphs.append(
                {
                    "paragraph_id": f"{doc_id}-p{n_par:04d}",
                    "doc_id": doc_id,
                    "section_id": stack[-1]["section_id"] if stack else None,
                    "seq": n_par,
                    "para_no": row["para_no"],
                    "kind": row["kind"],
                    "text": row["text"],
                    "raw_start": row["raw_start"],
                    "raw_end": row["raw_end"],
                }
            )
    for s in sections:
        del s["_rank"]
    return sections, paragraphs


# Dtypes come from the contracts; these are the columns structure fills itself
# (documents.n_* counts and paragraphs.n_chars/duplicate_of are added later).
_SECTION_COLUMNS = polars_schema(Sections)
_PARAGRAPH_COLUMNS = {
    **polars_schema(
        Paragraphs,
        ["paragraph_id", "doc_id", "section_id", "seq", "kind", "text", "raw_start", "raw_end"],
    ),
    "para_no": pl.Int32,
}


@dataclass(frozen=True)
class Structure:
    """One shard's structure: what the enrichment and documents stages build on.

    `paragraphs` keep `para_no` (their block in `blocks`); `pieces` map block offsets
    back to raw offsets (see `assemble_blocks`).
    """

    lines: pl.DataFrame
    blocks: pl.DataFrame
    pieces: pl.DataFrame
    sections: pl.DataFrame
    paragraphs: pl.DataFrame
    boilerplate: pl.DataFrame
    edits: pl.DataFrame


def structural_lines(labelled: pl.DataFrame) -> pl.DataFrame:
    """The labelled lines as structure reads them: removed furniture keeps its words as
    extracted (clean kept them), so repairs are shown, and recorded as edits, only in
    paragraphs."""
    return as_extracted(labelled, pl.col("bp_reason").is_not_null())


def build_structure(docs: pl.DataFrame, labelled: pl.DataFrame) -> Structure:
    """Structure one shard: blocks, sections, paragraphs, boilerplate and edits.
    `labelled` are the shard's lines with their boilerplate labels."""
    lines = structural_lines(labelled)
    # Headings, too, keep their words as extracted.
    segmented = as_extracted(segment(lines), pl.col("block_kind") == "heading")
    blocks, pieces, block_edits = assemble_blocks(segmented, lines)
    sec_rows, par_rows = _sections_and_paragraphs(blocks)
    sections = pl.DataFrame(sec_rows, schema=_SECTION_COLUMNS)
    located = pl.DataFrame(par_rows, schema=_PARAGRAPH_COLUMNS)
    raw_texts = dict(docs.select("doc_id", "raw_text").iter_rows())
    edits = _found_in_paragraphs(
        block_edits.rename(
            {"start": "char_start", "raw_start": "_known_start", "raw_end": "_known_end"}
        ).with_columns(
            (pl.col("char_start") + pl.col("after").str.len_chars())
            .cast(pl.Int32)
            .alias("char_end")
        ),
        paragraph_index(located),
        pieces,
        raw_texts,
        Edits,
        "e",
    )
    # `before` is what the raw text says (a line break included, for a rejoined word).
    edits = edits.with_columns(
        pl.Series(
            "before",
            [
                raw_texts[d][a:b]
                for d, a, b in edits.select("doc_id", "raw_start", "raw_end").iter_rows()
            ],
            dtype=pl.String,
        )
    )
    bp = lines.filter(pl.col("bp_reason").is_not_null())
    boilerplate = pl.DataFrame(
        [
            {
                "boilerplate_id": f"{r['doc_id']}-b{r['line_no']:05d}",
                "doc_id": r["doc_id"],
                "line_no": r["line_no"],
                "text": r["text"],
                "reason": r["bp_reason"],
                "template_id": template_id(r["bp_template_key"]),
                "raw_start": r["raw_start"],
                "raw_end": r["raw_end"],
            }
            for r in bp.iter_rows(named=True)
        ],
        schema=polars_schema(Boilerplate),
    )
    return Structure(
        lines=lines,
        blocks=blocks,
        pieces=pieces,
        sections=in_source_order(sections, docs, "seq"),
        paragraphs=in_source_order(located, docs, "seq"),
        boilerplate=in_source_order(boilerplate, docs, "line_no"),
        edits=in_source_order(edits, docs, "seq"),
    )


def paragraph_index(located: pl.DataFrame) -> pl.DataFrame:
    return located.select("doc_id", "para_no", "paragraph_id", "seq")


def find_in_paragraphs(
    docs: pl.DataFrame, located: pl.DataFrame, blocks: pl.DataFrame, pieces: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Enrichment of one shard: (mentions, quantities) found in its paragraphs."""
    raw_texts = dict(docs.select("doc_id", "raw_text").iter_rows())
    index = paragraph_index(located)
    # Acronyms may be defined in headings ("Telemetry, Tracking and Command (TT&C)").
    block_texts = dict(
        blocks.group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").str.join("\n\n"))
        .iter_rows()
    )
    mentions = _found_in_paragraphs(
        find_mentions(located, block_texts), index, pieces, raw_texts, Mentions, "m"
    )
    quantities = _found_in_paragraphs(
        find_quantities(located), index, pieces, raw_texts, Quantities, "q"
    )
    return in_source_order(mentions, docs, "seq"), in_source_order(quantities, docs, "seq")


def paragraph_table(located: pl.DataFrame) -> pl.DataFrame:
    """The paragraphs table's columns of the located paragraphs (before duplicates)."""
    return located.drop("para_no").with_columns(
        pl.col("text").str.len_chars().cast(pl.Int32).alias("n_chars")
    )


def in_source_order(frame: pl.DataFrame, docs: pl.DataFrame, position: str) -> pl.DataFrame:
    """Rows follow the inputs' order (source_path), then position in the document, so
    the release does not depend on how the corpus was cut into shards."""
    order = docs.select("doc_id").with_row_index("_doc_order")
    return (
        frame.join(order, on="doc_id", how="left", maintain_order="left")
        .sort("_doc_order", position)
        .drop("_doc_order")
    )


def build_tables(
    docs: pl.DataFrame,
    labelled: pl.DataFrame,
    counts: pl.DataFrame,
    clusters: pl.DataFrame,
    catalog: dict[str, dict],
) -> ShardTables:
    """All tables of one shard in one call (the stages run these same steps apart);
    `counts` are the template counts the lines were labelled with."""
    structure = build_structure(docs, labelled)
    mentions, quantities = find_in_paragraphs(
        docs, structure.paragraphs, structure.blocks, structure.pieces
    )
    paragraphs = paragraph_table(structure.paragraphs)
    tables = {
        "sections": structure.sections,
        "paragraphs": paragraphs,
        "boilerplate": structure.boilerplate,
        "edits": structure.edits,
        "mentions": mentions,
        "quantities": quantities,
    }
    documents = build_documents(docs, structure.lines, structure.blocks, tables, clusters, catalog)
    return ShardTables(documents=documents, templates=template_table(labelled, counts), **tables)


# Id column and digits of the seq in it, per table of things found in paragraphs.
_ID_COLUMNS = {
    "edits": ("edit_id", 4),
    "mentions": ("mention_id", 5),
    "quantities": ("quantity_id", 5),
}


def _found_in_paragraphs(
    found: pl.DataFrame,
    index: pl.DataFrame,
    pieces: pl.DataFrame,
    raw_texts: dict[str, str],
    model,
    letter: str,
) -> pl.DataFrame:
    """Spans found in paragraph texts (doc_id, para_no, char_start, char_end, ...) as
    rows of `model`: paragraph id, per-document seq and id, raw span."""
    schema = polars_schema(model)
    id_column, width = _ID_COLUMNS[model.__table_name__]
    rows = (
        found.join(index.rename({"seq": "_p_seq"}), on=["doc_id", "para_no"], how="inner")
        .sort("doc_id", "_p_seq", "char_start")
        .with_columns(pl.int_range(1, pl.len() + 1).over("doc_id").cast(pl.Int32).alias("seq"))
        .with_columns(
            pl.format(
                "{}-{}{}",
                "doc_id",
                pl.lit(letter),
                pl.col("seq").cast(pl.String).str.zfill(width),
            ).alias(id_column)
        )
    )
    rows = to_raw_spans(rows, pieces, raw_texts)
    if "_known_start" in rows.columns:  # an exact raw span wins over the aligned one
        rows = rows.with_columns(
            pl.coalesce("_known_start", "raw_start").alias("raw_start"),
            pl.coalesce("_known_end", "raw_end").alias("raw_end"),
        )
    return rows.select(
        [
            pl.col(c).cast(dtype) if c in rows.columns else pl.lit(None, dtype=dtype).alias(c)
            for c, dtype in schema.items()
        ]
    )


def build_documents(
    docs: pl.DataFrame,
    lines: pl.DataFrame,
    blocks: pl.DataFrame,
    tables: dict[str, pl.DataFrame],
    clusters: pl.DataFrame,
    catalog: dict[str, dict],
) -> pl.DataFrame:
    """The documents table of one shard; `tables` are its other tables (for counts)."""
    # One block per line: every block stands for at least one raw line and its newline.
    clean_text = dict(
        blocks.group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
        .iter_rows()
    )
    day_first = day_first_by_doc(lines)
    metadata = document_metadata(
        docs,
        lines,
        blocks,
        tables["paragraphs"],
        tables["boilerplate"],
        clean_text,
        catalog,
        day_first,
    )
    counts = {
        name: dict(frame.group_by("doc_id").len().iter_rows()) for name, frame in tables.items()
    }
    links = {
        r[0]: r[1:]
        for r in clusters.select(
            "doc_id", "near_duplicate_of", "near_duplicate_similarity"
        ).iter_rows()
    }
    updated = updated_dates(tables["boilerplate"], day_first)
    rows = []
    for d in docs.iter_rows(named=True):
        doc_id = d["doc_id"]
        facts = catalog.get(d["source_path"], {})
        near_of, near_sim = links.get(doc_id, (None, None))
        rows.append(
            {
                "doc_id": doc_id,
                "source_path": d["source_path"],
                **metadata[doc_id],
                "encoding": d["encoding"],
                "encoding_evidence": d.get("encoding_evidence"),
                "n_replaced_bytes": d.get("n_replaced") or 0,
                "converted_from": d.get("converted_from"),
                "raw_sha256": d["raw_sha256"],
                "n_bytes": d["n_bytes"],
                "n_chars_raw": len(d["raw_text"]),
                "n_chars_clean": len(clean_text.get(doc_id, "")),
                **{f"n_{name}": n.get(doc_id, 0) for name, n in counts.items()},
                "near_duplicate_of": near_of,
                "near_duplicate_similarity": near_sim,
                "catalog_fields": sorted(facts),
                "raw_text": d["raw_text"],
                "updated_date": updated.get(doc_id),
            }
        )
    return pl.DataFrame(
        rows,
        schema=polars_schema(Documents),
    )
