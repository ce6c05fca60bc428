"""Cross-table checks: every foreign key resolves and every span lies inside its document.

Each check is a lazy polars query over the staged tables that returns the offending
rows, so it runs on Parquet scans of any size. On a large release memory follows a
bucket, not the corpus: the checks that compare texts or spans within one document
(`per_document`) run on one bucket of documents at a time (its rows read once for all
of them), and those that join on a key across documents (`by_key`) on one bucket of
that key's hashes at a time, reading only the key columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from taikong.records import RelationResult
from taikong.vocabulary import CHARACTER_REPAIRS

Tables = dict[str, pl.LazyFrame]
# A frame's rows whose `column` falls in the current bucket of key hashes.
KeyBucket = Callable[[pl.LazyFrame, str], pl.LazyFrame]


def _every_key(frame: pl.LazyFrame, column: str) -> pl.LazyFrame:
    return frame


@dataclass(frozen=True)
class RelationCheck:
    name: str
    table: str
    description: str
    # violations(tables) or, for a `by_key` check, violations(tables, key_bucket)
    violations: Callable[..., pl.LazyFrame]
    # Rows only meet rows of their own document (joined on doc_id, or on a key whose
    # cross-document use another check reports): safe to run per bucket of documents.
    per_document: bool = False

    @property
    def by_key(self) -> bool:
        """Rows meet rows of any document only through equal values of one key per
        table: safe to run per bucket of key hashes (violations take the bucket)."""
        return getattr(self.violations, "by_key", False)


def _keyed(query: Callable[..., pl.LazyFrame]) -> Callable[..., pl.LazyFrame]:
    query.by_key = True  # type: ignore[attr-defined]
    return query


def _fk(child: str, column: str, parent: str, key: str) -> Callable[..., pl.LazyFrame]:
    def query(t: Tables, part: KeyBucket = _every_key) -> pl.LazyFrame:
        # Keys only in the joins; the full rows of the few dangling keys are read after.
        keys = part(t[parent].select(pl.col(key).alias(column)), column).unique()
        used = part(t[child].select(column).filter(pl.col(column).is_not_null()), column)
        dangling = used.join(keys, on=column, how="anti").unique()
        return part(t[child], column).join(dangling, on=column, how="semi")

    return _keyed(query)


def _span_inside_document(table: str) -> Callable[[Tables], pl.LazyFrame]:
    def query(t: Tables) -> pl.LazyFrame:
        return (
            t[table]
            .join(t["documents"].select("doc_id", "n_chars_raw"), on="doc_id", how="left")
            .filter(pl.col("n_chars_raw").is_null() | (pl.col("raw_end") > pl.col("n_chars_raw")))
            .drop("n_chars_raw")
        )

    return query


def _same_document(child: str, column: str, parent: str, key: str) -> Callable[..., pl.LazyFrame]:
    def query(t: Tables, part: KeyBucket = _every_key) -> pl.LazyFrame:
        parents = t[parent].select(pl.col(key).alias(column), pl.col("doc_id").alias("_parent_doc"))
        # Keys only in the join; the full rows of the few mismatches are read after.
        mismatched = (
            part(t[child].select(column, "doc_id"), column)
            .join(part(parents, column), on=column, how="inner")
            .filter(pl.col("_parent_doc") != pl.col("doc_id"))
            .select(column, "doc_id")
            .unique()
        )
        return part(t[child], column).join(mismatched, on=[column, "doc_id"], how="semi")

    return _keyed(query)


def _count_matches(column: str, table: str) -> Callable[[Tables], pl.LazyFrame]:
    def query(t: Tables) -> pl.LazyFrame:
        counts = t[table].group_by("doc_id").agg(pl.len().cast(pl.Int64).alias("_n"))
        return (
            t["documents"]
            .join(counts, on="doc_id", how="left")
            .filter(pl.col("_n").fill_null(0) != pl.col(column).cast(pl.Int64))
            .drop("_n")
        )

    return query


def _counts_cover_documents() -> Callable[[Tables], pl.LazyFrame]:
    """Templates counted in fewer documents than the removed lines referring to them."""

    def query(t: Tables) -> pl.LazyFrame:
        referring = (
            t["boilerplate"]
            .filter(pl.col("template_id").is_not_null())
            .group_by("template_id")
            .agg(pl.col("doc_id").n_unique().cast(pl.Int64).alias("_referring_docs"))
        )
        return (
            t["templates"]
            .join(referring, on="template_id", how="inner")
            .filter(pl.col("n_docs").cast(pl.Int64) < pl.col("_referring_docs"))
        )

    return query


def _paragraph_text_at(child: str, column: str) -> Callable[[Tables], pl.LazyFrame]:
    """Rows whose `column` is not the paragraph text at [char_start, char_end)."""

    def query(t: Tables) -> pl.LazyFrame:
        texts = t["paragraphs"].select("paragraph_id", pl.col("text").alias("_text"))
        return (
            _text_at(t[child], texts, "paragraph_id", "char_start", "char_end", "_at")
            .filter(pl.col("_at").ne_missing(pl.col(column)))
            .drop("_at")
        )

    return query


def _raw_text_at(child: str, column: str, *, loose: bool) -> Callable[[Tables], pl.LazyFrame]:
    """Rows whose `column` is not the raw text at [raw_start, raw_end).

    loose: compare letters and digits only (the paragraph text joins lines, collapses
    spaces and may rejoin or restore hyphens).
    """

    def query(t: Tables) -> pl.LazyFrame:
        raws = t["documents"].select("doc_id", pl.col("raw_text").alias("_text"))
        value = pl.col(column)
        if not loose:
            return (
                _text_at(t[child], raws, "doc_id", "raw_start", "raw_end", "_at")
                .filter(pl.col("_at").ne_missing(value))
                .drop("_at")
            )
        letters = lambda e: e.str.replace_all(r"[^\p{L}\p{N}]", "")  # noqa: E731
        mismatched = (
            _text_at(t[child].with_row_index("_row"), raws, "doc_id", "raw_start", "raw_end", "_at")
            .with_columns(letters(pl.col("_at")).alias("_at"), letters(value).alias("_value"))
            .filter(pl.col("_at").ne_missing(pl.col("_value")))
            # Read once: the repairs and furniture below each join these few rows again.
            .collect(engine="streaming")
            .lazy()
        )
        mismatched = _with_repairs(mismatched, t, raws, letters)
        # A span that runs across a page break also covers the removed running header:
        # compare once the furniture lines inside the span are taken out.
        furniture = (
            mismatched.select("_row", "doc_id", "raw_start", "raw_end")
            .join(
                t["boilerplate"].select(
                    "doc_id",
                    pl.col("raw_start").alias("_b_start"),
                    pl.col("raw_end").alias("_b_end"),
                    "line_no",
                    letters(pl.col("text")).alias("_b_text"),
                ),
                on="doc_id",
            )
            .filter(
                (pl.col("_b_start") >= pl.col("raw_start"))
                & (pl.col("_b_end") <= pl.col("raw_end"))
            )
            .group_by("_row")
            .agg(pl.col("_b_text").sort_by("line_no").str.join("").alias("_inside"))
        )
        # Rows without furniture in their span split on a character no letter string holds.
        inside = pl.col("_inside").fill_null("\x00")
        without = pl.col("_at").str.split(inside).list.join("")
        return (
            mismatched.join(furniture, on="_row", how="left")
            .filter(without.ne_missing(pl.col("_value")))
            .drop("_row", "_at", "_value", "_inside")
        )

    return query


def _with_repairs(mismatched: pl.LazyFrame, t: Tables, raws: pl.LazyFrame, letters):
    """`mismatched` with `_at` read as the paragraph reads it: the repaired references
    and mojibake inside each span replaced by what they became; rows that then match
    are dropped."""
    repairs = (
        t["edits"]
        .filter(pl.col("kind").is_in([kind.value for kind in CHARACTER_REPAIRS]))
        .select(
            "doc_id",
            pl.col("raw_start").alias("_e_start"),
            pl.col("raw_end").alias("_e_end"),
            pl.col("after").alias("_e_after"),
        )
    )
    pieces = (
        mismatched.select("_row", "doc_id", "raw_start", "raw_end")
        .join(repairs, on="doc_id", how="inner")
        .filter(
            (pl.col("_e_start") >= pl.col("raw_start")) & (pl.col("_e_end") <= pl.col("raw_end"))
        )
        .sort("_row", "_e_start")
        .with_columns(
            pl.col("_e_end").shift(1).over("_row").fill_null(pl.col("raw_start")).alias("_prev")
        )
    )
    # Each repair with the raw text before it, then the raw text after the last repair.
    by_row = (
        _text_at(pieces, raws, "doc_id", "_prev", "_e_start", "_before")
        .with_columns(pl.concat_str(["_before", "_e_after"]).alias("_piece"))
        .group_by("_row")
        .agg(
            pl.col("doc_id").first(),
            pl.col("_piece").sort_by("_e_start").str.join(""),
            pl.col("_e_end").sort_by("_e_start").last(),
            pl.col("raw_end").first(),
        )
    )
    pieces = _text_at(by_row, raws, "doc_id", "_e_end", "raw_end", "_tail").select(
        "_row", pl.concat_str(["_piece", "_tail"]).alias("_repaired")
    )
    return (
        mismatched.join(pieces, on="_row", how="left")
        .with_columns(pl.coalesce(letters(pl.col("_repaired")), "_at").alias("_at"))
        .drop("_repaired")
        .filter(pl.col("_at").ne_missing(pl.col("_value")))
    )


# Texts up to this many bytes are sliced by polars: its walk to a span's offset then
# costs at most a few microseconds, less than reading the text in Python.
LONG_TEXT_BYTES = 65_536


def _text_at(
    frame: pl.LazyFrame, texts: pl.LazyFrame, key: str, start: str, end: str, alias: str
) -> pl.LazyFrame:
    """`frame`'s rows whose `key` is in `texts`, with `alias` = that text at [start, end).

    polars' `str.slice` walks the text from its start to the offset, so slicing every
    span of a long text costs (spans x text length). A long text is read once in Python
    with all its spans instead, where slicing is direct: linear in the text and spans.
    """
    long = (pl.col("_text").str.len_bytes() > LONG_TEXT_BYTES).fill_null(False)
    short_spans = (
        frame.join(texts.filter(~long), on=key, how="inner")
        .with_columns(
            pl.col("_text").str.slice(pl.col(start), pl.col(end) - pl.col(start)).alias(alias)
        )
        .drop("_text")
    )
    long_texts = texts.filter(long)
    if not long_texts.select(pl.len()).collect(engine="streaming").item():
        return short_spans  # the usual case: a plan as cheap as slicing every span in polars
    spans = frame.join(long_texts.select(key), on=key, how="semi").with_row_index("_span")
    sliced = (
        spans.group_by(key)
        .agg("_span", pl.col(start).alias("_starts"), pl.col(end).alias("_ends"))
        .join(long_texts, on=key, how="inner")
        .select(
            "_span",
            pl.struct("_text", "_starts", "_ends")
            .map_batches(_slices_of_texts, return_dtype=pl.List(pl.String))
            .alias(alias),
        )
        .explode("_span", alias)
    )
    long_spans = spans.join(sliced, on="_span", how="inner").drop("_span")
    return pl.concat([short_spans, long_spans], how="vertical")


def _slices_of_texts(rows: pl.Series) -> pl.Series:
    # Iterating the texts converts a bounded chunk of them at a time, not all at once.
    texts = rows.struct.field("_text")
    starts, ends = (rows.struct.field(f).to_list() for f in ("_starts", "_ends"))
    return pl.Series(
        [
            [_slice(text, s, e) for s, e in zip(row_starts, row_ends, strict=True)]
            for text, row_starts, row_ends in zip(texts, starts, ends, strict=True)
        ],
        dtype=pl.List(pl.String),
    )


def _slice(text: str | None, start: int | None, end: int | None) -> str | None:
    """text[start:end] as polars' `str.slice(start, end - start)` reads it (a negative
    start counts from the end, the part before the text's start cut off; no end reads
    to the text's end); None without a start, or where end < start."""
    if text is None or start is None or (end is not None and end < start):
        return None
    first = start if start >= 0 else len(text) + start
    last = len(text) if end is None else max(first + end - start, 0)
    return text[max(first, 0) : last]


def _inside_paragraph(child: str) -> Callable[[Tables], pl.LazyFrame]:
    def query(t: Tables) -> pl.LazyFrame:
        spans = t["paragraphs"].select(
            "paragraph_id", pl.col("raw_start").alias("_p_start"), pl.col("raw_end").alias("_p_end")
        )
        return (
            t[child]
            .join(spans, on="paragraph_id", how="inner")
            .filter(
                (pl.col("raw_start") < pl.col("_p_start")) | (pl.col("raw_end") > pl.col("_p_end"))
            )
            .drop("_p_start", "_p_end")
        )

    return query


def _in_paragraph_checks() -> list[RelationCheck]:
    """The checks of every table of things found in paragraphs (a `ParagraphSpan`): its
    span text is in the paragraph, its raw span in the paragraph's and the raw text."""
    from contracts import TABLES
    from contracts.base import ParagraphSpan

    checks = []
    found_in_paragraphs = [m for m in TABLES.values() if issubclass(m, ParagraphSpan)]
    for model in found_in_paragraphs:
        t, column, raw_column = model.__table_name__, model.__span_text__, model.__raw_text__
        checks += [
            RelationCheck(
                f"{t}.paragraph_id_resolves",
                t,
                f"every {t}.paragraph_id is in paragraphs",
                _fk(t, "paragraph_id", "paragraphs", "paragraph_id"),
            ),
            RelationCheck(
                f"{t}.paragraph_in_same_document",
                t,
                f"a {t[:-1]}'s paragraph belongs to the same document",
                _same_document(t, "paragraph_id", "paragraphs", "paragraph_id"),
            ),
            RelationCheck(
                f"{t}.{column}_is_in_paragraph_text",
                t,
                f"{t}.{column} is the paragraph text at char_start:char_end",
                _paragraph_text_at(t, column),
                per_document=True,
            ),
            RelationCheck(
                f"{t}.span_inside_paragraph",
                t,
                f"a {t[:-1]}'s raw span lies inside its paragraph's raw span",
                _inside_paragraph(t),
                per_document=True,
            ),
            RelationCheck(
                f"{t}.{raw_column or column}_matches_raw_text",
                t,
                (
                    f"{t}.{raw_column} is the raw text at raw_start:raw_end"
                    if raw_column
                    else f"{t}.{column} has the letters and digits of the raw text at its span"
                ),
                _raw_text_at(t, raw_column or column, loose=raw_column is None),
                per_document=True,
            ),
        ]
    return checks


def _duplicate_keys(table: str, key: str) -> Callable[..., pl.LazyFrame]:
    def query(t: Tables, part: KeyBucket = _every_key) -> pl.LazyFrame:
        # pandera checks uniqueness within each validated batch; this is across them all.
        # 64-bit hashes in the group-by; keys compared only where hashes repeat.
        keys = part(t[table].select(key), key)
        hashed = pl.col(key).hash(seed=5).alias("_h")
        repeated = keys.select(hashed).group_by("_h").agg(pl.len().alias("_n"))
        candidates = keys.with_columns(hashed).join(
            repeated.filter(pl.col("_n") > 1), on="_h", how="semi"
        )
        counts = candidates.group_by(key).agg(pl.len().alias("_n")).filter(pl.col("_n") > 1)
        return part(t[table], key).join(counts.select(key), on=key, how="semi")

    return _keyed(query)


def _key_checks() -> list[RelationCheck]:
    from contracts import TABLES
    from contracts.base import primary_key

    checks = []
    for name, model in TABLES.items():
        key = primary_key(model)
        if key:
            checks.append(
                RelationCheck(
                    f"{name}.{key}_unique",
                    name,
                    f"every {name}.{key} occurs once in the whole table",
                    _duplicate_keys(name, key),
                )
            )
    return checks


RELATION_CHECKS: list[RelationCheck] = [
    *_key_checks(),
    *[
        RelationCheck(
            f"{t}.doc_id_resolves",
            t,
            f"every {t}.doc_id is in documents",
            _fk(t, "doc_id", "documents", "doc_id"),
        )
        for t in ("sections", "paragraphs", "boilerplate", "edits", "mentions", "quantities")
    ],
    RelationCheck(
        "boilerplate.template_id_resolves",
        "boilerplate",
        "every boilerplate.template_id is in templates",
        _fk("boilerplate", "template_id", "templates", "template_id"),
    ),
    RelationCheck(
        "templates.n_docs_covers_boilerplate",
        "templates",
        "a template's n_docs is at least the number of documents whose removed lines have it",
        _counts_cover_documents(),
    ),
    RelationCheck(
        "paragraphs.section_id_resolves",
        "paragraphs",
        "every paragraphs.section_id is in sections",
        _fk("paragraphs", "section_id", "sections", "section_id"),
    ),
    RelationCheck(
        "paragraphs.section_in_same_document",
        "paragraphs",
        "a paragraph's section belongs to the same document",
        _same_document("paragraphs", "section_id", "sections", "section_id"),
    ),
    RelationCheck(
        "sections.parent_id_resolves",
        "sections",
        "every sections.parent_id is in sections",
        _fk("sections", "parent_id", "sections", "section_id"),
    ),
    RelationCheck(
        "sections.parent_in_same_document",
        "sections",
        "a section's parent belongs to the same document",
        _same_document("sections", "parent_id", "sections", "section_id"),
    ),
    RelationCheck(
        "paragraphs.duplicate_of_resolves",
        "paragraphs",
        "every paragraphs.duplicate_of is in paragraphs",
        _fk("paragraphs", "duplicate_of", "paragraphs", "paragraph_id"),
    ),
    RelationCheck(
        "documents.near_duplicate_of_resolves",
        "documents",
        "every documents.near_duplicate_of is in documents",
        _fk("documents", "near_duplicate_of", "documents", "doc_id"),
    ),
    *[
        RelationCheck(
            f"{t}.span_inside_document",
            t,
            f"{t} raw_end <= the document's n_chars_raw",
            _span_inside_document(t),
            per_document=True,
        )
        for t in ("sections", "paragraphs", "boilerplate", "edits", "mentions", "quantities")
    ],
    *_in_paragraph_checks(),
    *[
        RelationCheck(
            f"documents.{col}_matches",
            "documents",
            f"documents.{col} equals the row count in {t}",
            _count_matches(col, t),
            per_document=True,
        )
        for col, t in (
            ("n_sections", "sections"),
            ("n_paragraphs", "paragraphs"),
            ("n_boilerplate", "boilerplate"),
            ("n_edits", "edits"),
            ("n_mentions", "mentions"),
            ("n_quantities", "quantities"),
        )
    ],
]


def check_relations(
    tables: Tables,
    max_examples: int = 5,
    buckets: int = 1,
    key_buckets: int = 1,
    bucket_tables: Callable[[int], Tables] | None = None,
    per_document: bool = True,
) -> list[RelationResult]:
    """Run every relation check; one result dict per check (passed, n_failed, examples).

    The per-document checks run on one bucket of documents (by a hash of doc_id) at a
    time, the bucket's rows of every table held for all of them: `bucket_tables(b)` if
    given (the tables already split, e.g. spilled to disk), else `tables` filtered; with
    key_buckets > 1 each key check runs once per bucket of its key's hashes. The same
    violations for any number of buckets, with memory bounded by a bucket.
    `per_document=False`: only the checks across documents (the others made per shard,
    see taikong.shard_audit), in RELATION_CHECKS order.
    """
    checks = [c for c in RELATION_CHECKS if per_document or not c.per_document]
    found: dict[str, list[pl.DataFrame]] = {c.name: [] for c in checks}
    within = [c for c in checks if c.per_document]
    for b in range(buckets if within else 0):
        bucket = _collected(bucket_tables(b) if bucket_tables else _bucket(tables, b, buckets))
        for check in within:
            found[check.name].append(check.violations(bucket).collect())
    for check in checks:
        if check.per_document:
            continue
        parts = key_buckets if check.by_key else 1
        for b in range(parts):
            args = (tables, _key_bucket(b, parts)) if check.by_key else (tables,)
            # The streaming engine reads the tables in batches (a join still holds its
            # build side); its row order is arbitrary: examples are sorted below.
            found[check.name].append(check.violations(*args).collect(engine="streaming"))
    return [
        _result(check, pl.concat(found[check.name], how="vertical_relaxed"), max_examples)
        for check in checks
    ]


def _result(check: RelationCheck, bad: pl.DataFrame, max_examples: int) -> RelationResult:
    sortable = [c for c, t in bad.schema.items() if not t.is_nested() and c != "raw_text"]
    bad = bad.sort(sortable, nulls_last=True) if sortable else bad
    doc_ids = bad["doc_id"] if "doc_id" in bad.columns else pl.Series([], dtype=pl.String)
    examples = bad.drop("raw_text", strict=False).head(max_examples).to_dicts()
    return result_of(check, doc_ids, bad.height, examples)


def result_of(
    check: RelationCheck, doc_ids: pl.Series, n_failed: int, examples: list[dict]
) -> RelationResult:
    """A check's result from its violating rows' documents, count and first examples."""
    return {
        "check": check.name,
        "table": check.table,
        "description": check.description,
        "passed": n_failed == 0,
        "n_failed": n_failed,
        # The documents the failing rows belong to (a failure confined to a few
        # documents quarantines them; see taikong.quarantine).
        "doc_ids": doc_ids.drop_nulls().unique().sort().to_list(),
        "examples": examples,
    }


def _bucket(tables: Tables, bucket: int, buckets: int) -> Tables:
    if buckets == 1:
        return tables
    return rows_of_documents(tables, (pl.col("doc_id").hash(seed=11) % buckets) == bucket)


def rows_of_documents(tables: Tables, mine: pl.Expr) -> Tables:
    """Each table's rows of the documents `mine` selects (a predicate on doc_id); a
    table across documents (templates, no doc_id) whole."""
    return {
        name: frame.filter(mine) if "doc_id" in frame.collect_schema().names() else frame
        for name, frame in tables.items()
    }


def _collected(tables: Tables) -> Tables:
    """The tables read once into memory, for the checks that all join them."""
    frames = pl.collect_all(list(tables.values()), engine="streaming")
    return {name: frame.lazy() for name, frame in zip(tables, frames, strict=True)}


def _key_bucket(bucket: int, buckets: int) -> KeyBucket:
    if buckets == 1:
        return _every_key
    return lambda frame, column: frame.filter((pl.col(column).hash(seed=11) % buckets) == bucket)
