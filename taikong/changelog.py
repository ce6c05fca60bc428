"""Row-level differences between two releases, matched by each table's stable id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import polars as pl

from contracts import TABLES
from contracts.base import primary_key
from contracts.changelog import Changelog
from taikong.io import ReleaseDir
from taikong.io.spill import spilled_frames

_EMPTY = {
    "table": pl.String,
    "key_column": pl.String,
    "key": pl.String,
    "change": pl.String,
    "changed_columns": pl.List(pl.String),
}


# A changelog part holds at most this many rows: a first release at 1 GB lists some 15
# million added rows, so they reach the writer a part at a time.
# Each part is validated, tallied and buffered for the writer: at 1 GB, parts of 200,000
# rows wrote a first release's 15.7 M rows in ~430 MB peak (500,000: ~510), 0.5 s slower.
PART_ROWS = 200_000
# Keys (each with a hash of its row) joined at once when two releases are compared.
KEYS_PER_BUCKET = 2_000_000


def diff_table(
    old: pl.LazyFrame | None, new: pl.LazyFrame | None, table: str, key: str
) -> pl.DataFrame:
    """added / removed / changed rows of one table (either side may be missing)."""
    return pl.concat([pl.DataFrame(schema=_EMPTY), *diff_table_parts(old, new, table, key)])


def diff_table_parts(
    old: pl.LazyFrame | None,
    new: pl.LazyFrame | None,
    table: str,
    key: str,
    part_rows: int = PART_ROWS,
    keys_per_bucket: int = KEYS_PER_BUCKET,
) -> Iterator[pl.DataFrame]:
    """`diff_table` in parts of at most `part_rows` rows, in bounded memory.

    One side only (a first release, a table added or dropped): its keys, in the
    table's own order, read a part at a time. Both sides: only the keys and a hash of
    each row's shared columns are joined, `keys_per_bucket` keys at a time, and only the
    rows whose hashes differ are read whole to name the columns that changed; those
    rows come sorted by change, then key. What is held grows with the change, not with
    the table.
    """
    if old is None and new is None:
        return
    if old is None or new is None:
        side, change = (new, "added") if old is None else (old, "removed")
        assert side is not None
        keys = side.select(pl.col(key).cast(pl.String).alias("key"))
        # A slice of rows per part, each read when it is needed: `collect_batches` runs
        # the whole scan ahead of its reader (at 1 GB, 267 MB above the start for a first
        # release's keys; slices 112 MB, in the same time).
        rows = side.select(pl.len()).collect().item()
        for start in range(0, rows, part_rows):
            yield _changelog_rows(keys.slice(start, part_rows).collect(), table, key, change)
        return
    shared = _shared_columns(old, new, key)
    differing = _differing_keys(old, new, key, shared, keys_per_bucket)
    changed = _changed_columns(old, new, key, shared, differing, part_rows)
    rows = (
        pl.concat(
            [
                differing.filter(pl.col("change") != "changed").select(
                    "key", "change", pl.lit([], dtype=pl.List(pl.String)).alias("changed_columns")
                ),
                changed.with_columns(pl.lit("changed").alias("change")).select(
                    "key", "change", "changed_columns"
                ),
            ]
        )
        .sort("change", "key")
        .select(
            pl.lit(table).alias("table"),
            pl.lit(key).alias("key_column"),
            "key",
            "change",
            "changed_columns",
        )
    )
    for start in range(0, rows.height, part_rows):
        yield rows.slice(start, part_rows)


def _changelog_rows(keys: pl.DataFrame, table: str, key: str, change: str) -> pl.DataFrame:
    return keys.select(
        pl.lit(table).alias("table"),
        pl.lit(key).alias("key_column"),
        "key",
        pl.lit(change).alias("change"),
        pl.lit([], dtype=pl.List(pl.String)).alias("changed_columns"),
    )


def _shared_columns(old: pl.LazyFrame, new: pl.LazyFrame, key: str) -> list[str]:
    old_cols = old.collect_schema().names()
    return [c for c in new.collect_schema().names() if c in old_cols and c != key]


def _differing_keys(
    old: pl.LazyFrame, new: pl.LazyFrame, key: str, shared: list[str], keys_per_bucket: int
) -> pl.DataFrame:
    """(key as string, the key as stored, change) of every row added, removed or whose
    row hash differs ("changed": a candidate, confirmed column by column later)."""
    # One hash per row of the shared columns; computed once per side in this process,
    # so the hash function's stability across polars versions does not matter.
    row_hash = (pl.struct(shared).hash(seed=17) if shared else pl.lit(0, pl.UInt64)).alias("_h")
    with spilled_frames({"old": old.select(key, row_hash), "new": new.select(key, row_hash)}) as (
        sides,
        rows,
    ):
        buckets = max(1, -(-max(rows.values()) // keys_per_bucket))
        found = []
        for b in range(buckets):
            # A bucket of keys at a time: the join holds 1/buckets of the key sets.
            in_bucket = pl.col(key).hash(seed=29) % buckets == b if buckets > 1 else pl.lit(True)
            joined = (
                sides["old"]
                .filter(in_bucket)
                .join(
                    sides["new"].filter(in_bucket),
                    on=key,
                    how="full",
                    coalesce=True,
                    suffix="__new",
                )
            )
            found.append(
                joined.filter(pl.col("_h").ne_missing(pl.col("_h__new")))
                .select(
                    pl.col(key).cast(pl.String).alias("key"),
                    pl.col(key).alias("_stored"),
                    pl.when(pl.col("_h").is_null())
                    .then(pl.lit("added"))
                    .when(pl.col("_h__new").is_null())
                    .then(pl.lit("removed"))
                    .otherwise(pl.lit("changed"))
                    .alias("change"),
                )
                .collect(engine="streaming")
            )
    return pl.concat(found)


def _changed_columns(
    old: pl.LazyFrame,
    new: pl.LazyFrame,
    key: str,
    shared: list[str],
    differing: pl.DataFrame,
    part_rows: int,
) -> pl.DataFrame:
    """(key, changed_columns) of the candidates whose shared columns really differ, the
    two releases' rows read `part_rows` keys at a time."""
    candidates = differing.filter(pl.col("change") == "changed").select(
        pl.col("_stored").alias(key)
    )
    differs = [pl.when(pl.col(c).ne_missing(pl.col(f"{c}__new"))).then(pl.lit(c)) for c in shared]
    changed_columns = (
        pl.concat_list(differs).list.drop_nulls() if differs else pl.lit([], pl.List(pl.String))
    )
    found = [pl.DataFrame(schema={"key": pl.String, "changed_columns": pl.List(pl.String)})]
    for start in range(0, candidates.height, part_rows):
        chunk = candidates.slice(start, part_rows).lazy()
        left = old.select(key, *shared).join(chunk, on=key, how="semi")
        right = new.select(key, *shared).join(chunk, on=key, how="semi")
        found.append(
            left.join(right, on=key, suffix="__new")
            .select(
                pl.col(key).cast(pl.String).alias("key"), changed_columns.alias("changed_columns")
            )
            .filter(pl.col("changed_columns").list.len() > 0)
            .collect(engine="streaming")
        )
    return pl.concat(found)


def diff_releases(old: ReleaseDir | None, new: ReleaseDir) -> pl.DataFrame:
    """Changelog of `new` against `old` (None: everything is added), validated."""
    return pl.concat(release_changes(old, new))


def release_changes(old: ReleaseDir | None, new: ReleaseDir) -> Iterator[pl.DataFrame]:
    """The changelog of `new` against `old`, one validated frame per table: a first
    release at 1 GB lists some 15 million added rows, so a writer takes them table by
    table rather than all at once."""
    return table_changes(
        {table: _scan(old, table) for table in TABLES},
        {table: _scan(new, table) for table in TABLES},
    )


def diff_tables(
    old: Mapping[str, pl.LazyFrame | None], new: Mapping[str, pl.LazyFrame | None]
) -> pl.DataFrame:
    """Changelog of every contract table, given each release's table by name (None or
    absent: the release has no such table), validated."""
    return pl.concat(table_changes(old, new))


def table_changes(
    old: Mapping[str, pl.LazyFrame | None], new: Mapping[str, pl.LazyFrame | None]
) -> Iterator[pl.DataFrame]:
    """`diff_tables`, one validated frame per table (always at least one frame)."""
    yield Changelog.validate(pl.DataFrame(schema=_EMPTY))
    for table, model in TABLES.items():
        key = primary_key(model)
        if key is not None:
            for part in diff_table_parts(old.get(table), new.get(table), table, key):
                yield Changelog.validate(part)


class ChangeTally:
    """What CHANGES.md and the manifest say of a changelog, gathered part by part as
    the parts go by (to the writer), so the changelog is never held whole."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {
            t: {"added": 0, "removed": 0, "changed": 0} for t in TABLES
        }
        self._columns: list[pl.DataFrame] = []

    @classmethod
    def of(cls, changelog: pl.DataFrame) -> ChangeTally:
        tally = cls()
        tally.add(changelog)
        return tally

    def watch(self, parts: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        for part in parts:
            yield self.add(part)

    def add(self, part: pl.DataFrame) -> pl.DataFrame:
        for table, change, n in part.group_by("table", "change").len().iter_rows():
            by_change = self.counts.setdefault(table, {"added": 0, "removed": 0, "changed": 0})
            by_change[change] += n
        changed = part.filter(pl.col("change") == "changed").explode("changed_columns")
        if changed.height:
            self._columns.append(changed.group_by("table", "changed_columns").len())
        return part

    def top_columns(self, n: int = 10) -> list[tuple[str, str, int]]:
        """The (table, column, rows) that changed most often."""
        if not self._columns:
            return []
        merged = pl.concat(self._columns).group_by("table", "changed_columns").agg(pl.sum("len"))
        top = merged.sort(["len", "table", "changed_columns"], descending=[True, False, False])
        return list(top.head(n).iter_rows())


def _scan(release: ReleaseDir | None, table: str) -> pl.LazyFrame | None:
    if release is None or not release.table_files(table):
        return None
    return release.scan_table(table)


def counts(changelog: pl.DataFrame) -> dict[str, dict[str, int]]:
    return ChangeTally.of(changelog).counts


def summary_markdown(tally: ChangeTally, old_id: str | None, new_id: str) -> str:
    lines = [f"# Changes in {new_id}", ""]
    lines.append(f"Compared with {old_id}." if old_id else "First release: every row is new.")
    lines += ["", "| table | added | removed | changed |", "| --- | ---: | ---: | ---: |"]
    for table, c in tally.counts.items():
        lines.append(f"| {table} | {c['added']} | {c['removed']} | {c['changed']} |")
    if top := tally.top_columns():
        lines += ["", "Columns that changed most often:", ""]
        lines += [f"- {t}.{c}: {n} row(s)" for t, c, n in top]
    lines.append("")
    lines.append(
        "Row-level detail: `changelog/*.parquet` (table, key_column, key, change, changed_columns)."
    )
    return "\n".join(lines) + "\n"
