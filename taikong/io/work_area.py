"""A run's scratch space: per-shard intermediates of the stages, addressed by (stage, shard)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from taikong.io.files import read_json, write_json_atomically, write_parquet_atomically


@dataclass(frozen=True)
class WorkArea:
    """Per-run scratch space for shard intermediates, addressed by (stage, shard)."""

    root: Path
    # A local directory: only workers on this machine (or a shared filesystem) reach it.
    in_object_store = False

    def path(self, stage: str, shard: int | None = None) -> Path:
        name = f"{stage}.parquet" if shard is None else f"{stage}/{shard:05d}.parquet"
        return self.root / name

    def write(self, stage: str, df: pl.DataFrame, shard: int | None = None) -> Path:
        path = self.path(stage, shard)
        write_parquet_atomically(df, path, path.with_suffix(".tmp"), "lz4")
        return path

    def read(
        self, stage: str, shard: int | None = None, columns: list[str] | None = None
    ) -> pl.DataFrame:
        return pl.read_parquet(self.path(stage, shard), columns=columns)

    def write_meta(self, name: str, payload: dict, shard: int) -> None:
        """A small JSON record beside a shard's datasets (its digest and rows)."""
        write_json_atomically(self.root / name / f"{shard:05d}.json", payload)

    def read_meta(self, name: str, shard: int) -> dict:
        """A record `write_meta` wrote; FileNotFoundError if there is none."""
        return read_json(self.root / name / f"{shard:05d}.json")

    def read_all(self, stage: str) -> pl.DataFrame:
        """All shards of a stage, concatenated (for the small reduce inputs)."""
        files = sorted((self.root / stage).glob("*.parquet"))
        return (
            pl.concat([pl.read_parquet(f) for f in files], how="vertical")
            if files
            else pl.DataFrame()
        )

    def scan_all(self, stage: str) -> pl.LazyFrame:
        """All shards of a stage as one lazy scan (for reduces over large inputs)."""
        return pl.scan_parquet(self.root / stage / "*.parquet")

    def shards(self, stage: str) -> list[int]:
        return sorted(int(p.stem) for p in (self.root / stage).glob("*.parquet"))
