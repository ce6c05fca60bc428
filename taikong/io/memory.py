"""A work area held in memory: the same interface as `WorkArea`, for in-process runs
(tests, notebooks) where writing shard files would only cost time."""

from __future__ import annotations

import polars as pl


class MemoryWorkArea:
    in_object_store = False

    def __init__(self) -> None:
        self._frames: dict[tuple[str, int | None], pl.DataFrame] = {}
        self._meta: dict[tuple[str, int], dict] = {}

    def write(self, stage: str, df: pl.DataFrame, shard: int | None = None) -> None:
        self._frames[(stage, shard)] = df

    def read(
        self, stage: str, shard: int | None = None, columns: list[str] | None = None
    ) -> pl.DataFrame:
        frame = self._frames[(stage, shard)]
        return frame.select(columns) if columns is not None else frame

    def write_meta(self, name: str, payload: dict, shard: int) -> None:
        self._meta[(name, shard)] = dict(payload)

    def read_meta(self, name: str, shard: int) -> dict:
        try:
            return dict(self._meta[(name, shard)])
        except KeyError:
            raise FileNotFoundError(f"no {name} record for shard {shard}") from None

    def read_all(self, stage: str) -> pl.DataFrame:
        frames = [self._frames[(stage, s)] for s in self.shards(stage)]
        return pl.concat(frames, how="vertical") if frames else pl.DataFrame()

    def scan_all(self, stage: str) -> pl.LazyFrame:
        return self.read_all(stage).lazy()

    def shards(self, stage: str) -> list[int]:
        return sorted(s for name, s in self._frames if name == stage and s is not None)
