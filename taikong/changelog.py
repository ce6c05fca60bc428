"""Row-level differences between two releases, matched by each table's stable id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import polars as pl

from contracts import TABLES
from contracts.base import primary_key
from contracts.changelog import Changelog
from taikong.io import ReleaseDir

_EMPTY = {
    "table": pl.String,
    "key_column": pl.String,
    "key": pl.String,
    "change": pl.String,
    "changed_columns": pl.List(pl.String),
}


def diff_table(
    old: pl.LazyFrame | None, new: pl.LazyFrame | None, table: str, key: str
) -> pl.DataFrame:
    """added / removed / changed rows of one table (either side may be missing)."""
    if old is None and new is None:
        return pl.DataFrame(schema=_EMPTY)
    if old is None or new is None:
        # One side only (a first release, a table added or dropped): its keys, no join.
        return (
            (new if old is None else old)
            .select(
                pl.lit(table).alias("table"),
                pl.lit(key).alias("key_column"),
                pl.col(key).cast(pl.String).alias("key"),
                pl.lit("added" if old is None else "removed").alias("change"),
                pl.lit([], dtype=pl.List(pl.String)).alias("changed_columns"),
            )
            .sort("key")
            .collect(engine="streaming")
        )
    old_cols = old.collect_schema().names()
    shared = [c for c in new.collect_schema().names() if c in old_cols and c != key]
    left, right = old.select(key, *shared), new.select(key, *shared)
    joined = left.with_columns(pl.lit(True).alias("_old")).join(
        right.with_columns(pl.lit(True).alias("_new")),
        on=key,
        how="full",
        coalesce=True,
        suffix="__new",
    )
    differs = [pl.when(pl.col(c).ne_missing(pl.col(f"{c}__new"))).then(pl.lit(c)) for c in shared]
    changed_columns = (
        pl.concat_list(differs).list.drop_nulls()
        if differs
        else pl.lit([], dtype=pl.List(pl.String))
    )
    result = (
        joined.with_columns(changed_columns.alias("changed_columns"))
        .with_columns(
            pl.when(pl.col("_old").is_null())
            .then(pl.lit("added"))
            .when(pl.col("_new").is_null())
            .then(pl.lit("removed"))
            .when(pl.col("changed_columns").list.len() > 0)
            .then(pl.lit("changed"))
            .alias("change")
        )
        .filter(pl.col("change").is_not_null())
        .select(
            pl.lit(table).alias("table"),
            pl.lit(key).alias("key_column"),
            pl.col(key).cast(pl.String).alias("key"),
            "change",
            pl.when(pl.col("change") == "changed")
            .then(pl.col("changed_columns"))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            .alias("changed_columns"),
        )
        .sort("change", "key")
        # Streaming: two releases' tables are joined by key without holding them whole.
        .collect(engine="streaming")
    )
    return result


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
            yield Changelog.validate(diff_table(old.get(table), new.get(table), table, key))


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
