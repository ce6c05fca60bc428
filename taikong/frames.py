"""Frame helpers the transforms share."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl


def on_rows(
    frame: pl.DataFrame,
    where: pl.Expr,
    compute: Callable[[pl.DataFrame], pl.DataFrame],
    fill: Mapping[str, object],
) -> pl.DataFrame:
    """`frame` with the columns `fill` names, computed by `compute` on the rows `where`
    holds (it gets them in order and returns them, same rows, with those columns) and set
    to `fill`'s value on the others.

    For costly features that the rules read on a few rows only: polars evaluates every
    branch of an expression on every row, so the rows are filtered first.
    """
    picked = frame.with_row_index("_row").filter(where)
    computed = compute(picked).select("_row", *fill)
    return (
        frame.with_row_index("_row")
        .join(computed, on="_row", how="left", maintain_order="left")
        .with_columns(pl.col(name).fill_null(value) for name, value in fill.items())
        .drop("_row")
    )


def with_columns_on_rows(
    frame: pl.DataFrame, where: pl.Expr, columns: Mapping[str, tuple[pl.Expr, object]]
) -> pl.DataFrame:
    """`on_rows` for columns that are expressions: {name: (expression, value elsewhere)},
    evaluated in one lazy plan (shared subexpressions once)."""
    return on_rows(
        frame,
        where,
        lambda rows: (
            rows.lazy()
            .with_columns(expr.alias(name) for name, (expr, _) in columns.items())
            .collect()
        ),
        {name: fill for name, (_, fill) in columns.items()},
    )
