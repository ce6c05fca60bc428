"""Site boilerplate: label the lines that are page furniture, never body text.

Cross-document furniture is found map -> reduce -> map:
  map     `line_fingerprints`: per shard, (document, template hash) pairs;
  reduce  `template_counts`: per template, how many near-dup clusters / documents carry it,
          and `template_levels`: what the labels read of those counts (see there);
  map     `label_boilerplate`: per shard, each line's reason and template;
  reduce  `template_table`: the templates of the removed lines with their counts (the
          `templates` table: counts live there, once per template, not on every line).

A template is a line with digits, month names, case and punctuation masked, so
"Copyright 2002-2013" and "Copyright 2002-2014" are one template. Templates are
counted per near-duplicate cluster, so an article re-published on two sites does not
make its own body look like furniture.

Repetition alone is not enough: two articles quoting the same sentence keep it. A
repeated line is furniture only when it sits at an edge of its document (little
unique text before or after it) and is short or part of a run of repeated lines.
In hard-wrapped (PDF) text, where a paragraph's lines run on without blank lines, it
must also lie in a blank-separated block with no unique line: a repeated line glued to
unique text is a fragment of it (the short last line of a stock sentence, the heading
over the body). A lone repeated one-line block counts only beside page furniture or a
multi-line repeated block (cover blurb), so a report's front matter ("Institute of X
(IX)") is kept; so is a block that finishes, after a page break, a sentence left open.

Single-document furniture is found by shape: the trailing footer zone that holds a
copyright or contact line, a copyright line anywhere, and the running header/footer
blocks of PDF text (short isolated blocks carrying a page number or year, or repeated
inside the document).
"""

from __future__ import annotations

import polars as pl

from contracts import Templates
from contracts.arrow import polars_schema
from taikong.dedup.front_matter import mark_titles
from taikong.dedup.line_roles import ROLE_REASONS, line_role_reasons
from taikong.dedup.templates import key_hash, template_hash, template_id, template_key
from taikong.text import (
    CONTACT_RE,
    COPYRIGHT_RE,
    DATE_RE,
    ORDINAL_RE,
    PAGE_MARK_LINE_RE,
    SHORT_LINE_WORDS,
)

BOILERPLATE_VERSION = "boilerplate_v9"

# A repeated line counts as edge furniture when at most this many characters of the
# document's unique text lie on one side of it (room for a title and a byline).
EDGE_CHARS = 200
# A long line repeated in this many near-dup clusters is site-wide furniture on its own.
SITE_WIDE_CLUSTERS = 3
MIN_CLUSTERS = 2
# Fingerprint rows per counting pass of `template_counts` (bounds the keys it holds).
TEMPLATES_PER_PASS = 2_000_000

_SHAPE_REASONS = ("repeated_template", "site_footer", "copyright_notice", "running_header")
REASONS = (*_SHAPE_REASONS, *(r for r in ROLE_REASONS if r not in _SHAPE_REASONS))

_FILENAME_RE = r"(?i)\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|txt|csv)$"


def line_fingerprints(lines: pl.DataFrame) -> pl.DataFrame:
    """map: distinct (doc_id, template hash) pairs of one shard.

    Depends on each document alone, so it can be cached by document content.
    """
    # Lazy: an eager select evaluates the key once per reference to it (no common
    # subexpression elimination), four times here.
    return (
        lines.lazy()
        .filter(pl.col("is_blank").not_())
        .select("doc_id", template_hash(pl.col("text")).alias("template"))
        .drop_nulls("template")
        .unique()
        .sort("doc_id", "template")
        .collect()
    )


def template_counts(
    fingerprints: pl.DataFrame | pl.LazyFrame, clusters: pl.DataFrame
) -> pl.DataFrame:
    """reduce: per template, distinct near-dup clusters and documents; repeated ones only.

    Fingerprints (one row per distinct line per document) are the largest reduce input,
    and most of their templates occur once. A fingerprint row is a distinct (document,
    template) pair (each shard's are unique, and a published document lies in one
    shard), so a template's documents are its rows: a count of a 64-bit key, taken in
    passes over disjoint ranges of template hashes so that one pass holds at most
    TEMPLATES_PER_PASS keys. A template's clusters are its documents less the extra
    members of the clusters that carry it more than once, counted on the repeated
    templates' rows of documents in a cluster of two or more.
    """
    fp = fingerprints.lazy().select("doc_id", "template")
    passes = max(1, -(-fp.select(pl.len()).collect().item() // TEMPLATES_PER_PASS))
    n_docs = pl.concat(
        [
            fp.filter(pl.col("template") % passes == i)
            .group_by("template")
            .agg(pl.len().cast(pl.Int32).alias("n_docs"))
            .filter(pl.col("n_docs") >= 2)
            .collect(engine="streaming")
            for i in range(passes)
        ],
        how="vertical",
    )
    members = (
        clusters.lazy().select("doc_id", "cluster_id").filter(pl.len().over("cluster_id") >= 2)
    )
    in_clusters = (
        fp.join(n_docs.lazy().select("template"), on="template", how="semi")
        .join(members, on="doc_id", how="inner")
        .group_by("template")
        .agg(
            pl.len().cast(pl.Int32).alias("_members"),
            pl.col("cluster_id").n_unique().cast(pl.Int32).alias("_clusters"),
        )
    )
    return (
        n_docs.lazy()
        .join(in_clusters, on="template", how="left")
        .select(
            "template",
            (
                pl.col("n_docs")
                - pl.col("_members").fill_null(0)
                + pl.col("_clusters").fill_null(0)
            ).alias("n_clusters"),
            "n_docs",
        )
        .collect(engine="streaming")
        .sort("template")  # group_by order is arbitrary; keep the file deterministic
    )


def template_levels(counts: pl.DataFrame) -> pl.DataFrame:
    """What `label_boilerplate` reads of the counts: per template carried by at least
    MIN_CLUSTERS clusters, its cluster count clipped at SITE_WIDE_CLUSTERS, the highest
    threshold a rule tests (idempotent: levels give the same levels).

    The labels depend on the counts only through these thresholds, so a page that raises
    a count without taking it across one leaves every shard's levels, and so its labels,
    as they were: an added page reruns labelling only in the shards holding a template
    whose level moved, and the run tells which from this frame (its cache key).
    """
    return (
        counts.lazy()
        .filter(pl.col("n_clusters") >= MIN_CLUSTERS)
        .select("template", pl.col("n_clusters").clip(upper_bound=SITE_WIDE_CLUSTERS))
        .collect()
    )


def _by_doc(expr: pl.Expr) -> pl.Expr:
    return expr.over("doc_id", order_by="line_no")


def label_boilerplate(lines: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """map: add `bp_reason`, `bp_template_key` and `is_title` to every line of a shard.

    `bp_reason` is null for lines that are kept. The labels are final: the title of each
    document is decided here with them (taikong.dedup.front_matter), so a title other
    documents share is kept, and nothing downstream relabels a line.
    """
    text = pl.col("text")
    nb = pl.col("is_blank").not_()
    # The masked key is the costliest expression here (several regexes): computed once.
    # (Lazy, so that the key's shared subexpressions are evaluated once.)
    df = (
        lines.lazy()
        .with_columns(template_key(text).alias("_key"))
        .with_columns(key_hash(pl.col("_key")).alias("template"))
        .join(template_levels(counts).lazy(), on="template", how="left", maintain_order="left")
        .with_columns(
            pl.col("n_clusters").fill_null(1),
            text.str.contains(COPYRIGHT_RE).alias("_copyright"),
            text.str.contains(CONTACT_RE).alias("_contact"),
        )
        .collect()
    )
    df = df.join(line_role_reasons(df), on=["doc_id", "line_no"], how="left", maintain_order="left")
    df = _running_headers(df)
    df = _footer_zone(df)
    single_doc = pl.col("_running_header") | pl.col("_footer") | pl.col("_copyright")

    # Edge test for repeated lines: unique characters before and after each line.
    repeated = nb & (pl.col("n_clusters") >= MIN_CLUSTERS)
    unique_chars = (
        pl.when(nb & repeated.not_() & single_doc.not_()).then(text.str.len_chars()).otherwise(0)
    )
    df = df.with_columns(repeated.alias("_repeated"), unique_chars.alias("_unique"))
    df = df.with_columns(
        (_by_doc(pl.col("_unique").cum_sum()) - pl.col("_unique")).alias("_before"),
        (pl.col("_unique").sum().over("doc_id") - _by_doc(pl.col("_unique").cum_sum())).alias(
            "_after"
        ),
    )
    # A long repeated line is furniture only when short repeated furniture fences it off
    # from the content (a teaser under its heading), or when many clusters carry it. Two
    # sites carrying the same long paragraphs is syndicated content.
    short_repeated = pl.col("_repeated") & (pl.col("n_words") <= SHORT_LINE_WORDS)
    content = (
        df.filter(nb)
        .with_columns(short_repeated.alias("_short_repeated"))
        .with_columns(
            _by_doc(pl.col("_short_repeated").shift(1)).fill_null(False).alias("_prev_short"),
            _by_doc(pl.col("_short_repeated").shift(-1)).fill_null(False).alias("_next_short"),
        )
    )
    df = df.join(
        content.select("doc_id", "line_no", "_prev_short", "_next_short"),
        on=["doc_id", "line_no"],
        how="left",
        maintain_order="left",
    )
    df = _furniture_blocks(df, single_doc)
    short = pl.col("n_words") <= SHORT_LINE_WORDS
    edge_distance = pl.min_horizontal("_before", "_after")
    # When a document's long repeated lines outweigh its unique text, they are its body:
    # a story carried by several sites that near-duplicate detection did not group (only
    # a title of its own). Furniture blurbs are small next to a page's own text.
    long_repeated_chars = (
        pl.when(pl.col("_repeated") & short.not_()).then(text.str.len_chars()).otherwise(0)
    )
    body_is_own = long_repeated_chars.sum().over("doc_id") <= pl.col("_unique").sum().over("doc_id")
    edge_furniture = pl.col("_repeated") & (
        # Menus, widgets, headings: near an edge (a title or byline may come first).
        (short & (edge_distance <= EDGE_CHARS))
        # Long lines (teasers, blurbs): strictly at an edge (no unique text on one side)
        # and fenced off from the content by short furniture on the inner side, or
        # carried site-wide. The last paragraph of a syndicated article has content,
        # not furniture, on its inner side.
        | (
            body_is_own
            & (
                ((pl.col("_after") == 0) & pl.col("_prev_short").fill_null(False))
                | ((pl.col("_before") == 0) & pl.col("_next_short").fill_null(False))
                | ((edge_distance == 0) & (pl.col("n_clusters") >= SITE_WIDE_CLUSTERS))
            )
        )
    )
    # Hard-wrapped (PDF) text: a paragraph's lines run on without blank lines, so a
    # repeated line that shares its block with unique text is a fragment of that text
    # (the last line of a stock sentence, a heading over the body), not furniture.
    edge_furniture = edge_furniture & (pl.col("wrapped").not_() | pl.col("_furniture_block"))
    reason = (
        pl.when(nb.not_())
        .then(None)
        # A metadata line says what it is on its own page ("Updated: Dec 01, 2025 09:02
        # PM"): other sites writing the same template do not make it repeated furniture,
        # and its reason is what the documents table reads its dates and credits from.
        .when(
            edge_furniture
            & pl.col("role_reason").str.starts_with("metadata_").fill_null(False).not_()
        )
        .then(pl.lit("repeated_template"))
        .when(pl.col("_running_header"))
        .then(pl.lit("running_header"))
        .when(pl.col("_footer"))
        .then(pl.lit("site_footer"))
        .when(pl.col("_copyright"))
        .then(pl.lit("copyright_notice"))
        # What the line shows on its own page (taikong.dedup.line_roles).
        .otherwise(pl.col("role_reason"))
    )
    out = df.with_columns(
        reason.alias("bp_reason"),
        pl.col("_key").alias("bp_template_key"),
    )
    candidates = out.drop(
        [c for c in out.columns if c.startswith("_")] + ["template", "n_clusters", "role_reason"]
    ).sort("doc_id", "line_no")
    return mark_titles(candidates)


def template_table(labelled: pl.DataFrame | pl.LazyFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """reduce: one row per template of a removed line, with its document and cluster
    counts (a template no other document carries counts its one document), by id."""
    keys = (
        labelled.lazy()
        .filter(pl.col("bp_reason").is_not_null() & pl.col("bp_template_key").is_not_null())
        .select(pl.col("bp_template_key").alias("masked_text"))
        .unique()
        .collect(engine="streaming")
    )
    return (
        keys.with_columns(key_hash(pl.col("masked_text")).alias("template"))
        .join(counts, on="template", how="left")
        .with_columns(
            pl.col("masked_text")
            .map_elements(template_id, return_dtype=pl.String)
            .alias("template_id"),
            pl.col("n_docs").fill_null(1),
            pl.col("n_clusters").fill_null(1),
        )
        .select(polars_schema(Templates).keys())
        .cast(polars_schema(Templates))
        .sort("template_id")
    )


def _running_headers(df: pl.DataFrame) -> pl.DataFrame:
    """PDF page furniture: short blank-isolated blocks with a page mark or a repeat.

    `df` carries each line's template key in `_key`."""
    block = _by_doc(
        (pl.col("is_blank") != pl.col("is_blank").shift(1).fill_null(True)).cum_sum()
    ).alias("_block")
    df = df.with_columns(block)
    per_block = (
        df.filter(pl.col("is_blank").not_())
        .with_columns(pl.len().over("doc_id", "_key").alias("_key_repeats"))
        .group_by("doc_id", "_block")
        .agg(
            pl.len().alias("_block_lines"),
            pl.col("n_words").max().alias("_max_words"),
            pl.col("ends_sentence").any().alias("_any_sentence"),
            pl.col("text").str.contains(PAGE_MARK_LINE_RE).any().alias("_page_mark"),
            ((pl.col("_key_repeats") >= 3) & pl.col("_key").is_not_null()).all().alias("_repeats"),
            pl.col("line_no").min().alias("_first"),
            pl.col("line_no").max().alias("_last"),
            pl.col("wrapped").first().alias("_wrapped"),
            # A numbered heading ("II. Title", "(2) Title") is never page furniture.
            pl.col("text").str.contains(ORDINAL_RE).any().alias("_ordinal"),
        )
    )
    n_lines = df.group_by("doc_id").agg(pl.col("line_no").max().alias("_doc_last"))
    candidate = (
        pl.col("_wrapped")
        & (pl.col("_block_lines") <= 3)
        & (pl.col("_max_words") <= 6)
        & pl.col("_any_sentence").not_()
        & pl.col("_ordinal").not_()
        # Isolated: a blank line on both sides, not the document's first or last block.
        & (pl.col("_first") > 0)
        & (pl.col("_last") < pl.col("_doc_last"))
    )
    marked = pl.col("_candidate") & (pl.col("_page_mark") | pl.col("_repeats"))
    per_block = (
        per_block.join(n_lines, on="doc_id")
        .with_columns(candidate.alias("_candidate"))
        .with_columns(marked.alias("_marked"))
        .with_columns(
            # A page mark often sits in its own block next to the running title.
            (pl.col("_marked") | (pl.col("_candidate") & _next_to("_marked"))).alias(
                "_running_header"
            )
        )
    )
    return _onto_lines(df, per_block, "_running_header")


_BY_BLOCK = {"order_by": "_block"}


def _next_to(flag: str) -> pl.Expr:
    """Per block: the block before or after it, in the same document, has `flag`."""
    return pl.any_horizontal(
        pl.col(flag).shift(n).over("doc_id", **_BY_BLOCK).fill_null(False) for n in (1, -1)
    )


def _onto_lines(df: pl.DataFrame, per_block: pl.DataFrame, flag: str) -> pl.DataFrame:
    """A per-block flag joined onto the block's lines (False on blank lines)."""
    return df.join(
        per_block.select("doc_id", "_block", flag),
        on=["doc_id", "_block"],
        how="left",
        maintain_order="left",
    ).with_columns(pl.col(flag).fill_null(False))


def _furniture_blocks(df: pl.DataFrame, single_doc: pl.Expr) -> pl.DataFrame:
    """Add `_furniture_block`: the line's blank-separated block may be furniture.

    Only a block with no unique line may: every line repeated across documents or
    furniture of this document. A block of one line must also sit next to such a block
    that holds page furniture or several lines (a running title beside its page number,
    a heading over a cover blurb); a lone repeated line between other blocks is a
    report's front matter ("Institute of X (IX)" under a title that other reports of
    the series share, masked years aside) or a heading. A block that starts in lower
    case after text left open before it (page furniture between them) finishes that
    sentence across a page break: text, however repeated.
    `df` carries `_block` (from `_running_headers`) and `_repeated`.
    """
    per_block = (
        df.filter(pl.col("is_blank").not_())
        .group_by("doc_id", "_block")
        .agg(
            (pl.col("_repeated") | single_doc).all().alias("_no_unique"),
            single_doc.any().alias("_page_furniture"),
            pl.len().alias("_n_block_lines"),
            pl.col("starts_upper").sort_by("line_no").first().alias("_starts_upper"),
            pl.col("ends_sentence").sort_by("line_no").last().alias("_ends_sentence"),
        )
        .with_columns(
            (pl.col("_no_unique") & pl.col("_page_furniture")).alias("_page_block"),
            (
                pl.col("_no_unique") & (pl.col("_page_furniture") | (pl.col("_n_block_lines") >= 2))
            ).alias("_anchor"),
        )
    )
    # Is the last text before this block (page furniture skipped) an unfinished sentence?
    open_before = (
        pl.when(pl.col("_page_block").not_())
        .then(pl.col("_ends_sentence").not_())
        .shift(1)
        .forward_fill()
        .over("doc_id", **_BY_BLOCK)
        .fill_null(False)
    )
    continues = pl.col("_starts_upper").not_() & open_before
    per_block = per_block.with_columns(
        (
            pl.col("_no_unique")
            & ((pl.col("_n_block_lines") >= 2) | _next_to("_anchor"))
            & continues.not_()
        ).alias("_furniture_block")
    )
    return _onto_lines(df, per_block, "_furniture_block")


def _footer_zone(df: pl.DataFrame) -> pl.DataFrame:
    """The trailing run of short, non-sentence lines, if it holds a copyright or contact line."""
    text = pl.col("text")
    dateline = text.str.contains(DATE_RE) & (pl.col("n_words") <= 6)
    footer_like = (
        pl.col("is_blank")
        | pl.col("_copyright")
        | pl.col("_contact")
        | dateline
        | (
            (pl.col("n_words") <= 8)
            & pl.col("ends_sentence").not_()
            & text.str.contains(_FILENAME_RE).not_()
        )
    )
    df = df.with_columns(footer_like.alias("_footer_like"))
    last_body = (
        pl.col("line_no")
        .filter(pl.col("_footer_like").not_())
        .max()
        .over("doc_id")
        .alias("_last_body")
    )
    df = df.with_columns(last_body)
    in_zone = pl.col("_last_body").is_not_null() & (pl.col("line_no") > pl.col("_last_body"))
    zone_strong = (in_zone & (pl.col("_copyright") | pl.col("_contact"))).any().over("doc_id")
    zone_lines = (in_zone & pl.col("is_blank").not_()).sum().over("doc_id")
    return df.with_columns(
        (in_zone & zone_strong & (zone_lines <= 20) & pl.col("is_blank").not_()).alias("_footer")
    )
