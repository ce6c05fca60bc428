"""How far a release run has got: documents and MB done, per stage and overall.

Plain bookkeeping, no executor or UI: the flows feed it shard completions and show it
(a terminal bar, a Prefect progress artifact). Every shard passes through each shard
stage of the pipeline (`taikong.pipeline.SHARD_STAGES`) once, so progress is the share
of (stage, shard) work done, weighted by the shard's input bytes. The shard stages make
up SHARD_STAGES_PERCENT of a run: writing, auditing and publishing the release come
after them. "Documents" here are the
planned input files, some of which may end up quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass

from taikong.pipeline import SHARD_STAGES

MB = 1024 * 1024
SHARD_STAGES_PERCENT = 90.0


@dataclass(frozen=True)
class Snapshot:
    stage: str
    stage_no: int  # 1-based position in SHARD_STAGES
    docs_done: int
    docs_total: int
    bytes_done: int
    bytes_total: int
    percent: float  # of the whole run, 0-SHARD_STAGES_PERCENT

    def describe(self) -> str:
        return (
            f"{self.stage} (stage {self.stage_no}/{len(SHARD_STAGES)}): "
            f"{self.docs_done:,}/{self.docs_total:,} documents, "
            f"{self.bytes_done / MB:,.1f}/{self.bytes_total / MB:,.1f} MB; "
            f"{self.percent:.0f}% of the run"
        )


class ShardProgress:
    """Progress over the planned shards; `shard_docs[i]`, `shard_bytes[i]` size shard i."""

    def __init__(self, shard_docs: list[int], shard_bytes: list[int]):
        if len(shard_docs) != len(shard_bytes):
            raise ValueError("shard_docs and shard_bytes must have one entry per shard")
        self.shard_docs, self.shard_bytes = list(shard_docs), list(shard_bytes)
        self.docs_total, self.bytes_total = sum(shard_docs), sum(shard_bytes)
        self._done: dict[str, set[int]] = {stage: set() for stage in SHARD_STAGES}

    def done(self, stage: str, shard: int) -> Snapshot:
        """Record that `stage` finished `shard` (idempotent: a retry counts once)."""
        if stage not in self._done:
            raise ValueError(f"unknown stage {stage!r}; expected one of {SHARD_STAGES}")
        if not 0 <= shard < len(self.shard_docs):
            raise ValueError(f"shard {shard} is not in the plan of {len(self.shard_docs)}")
        self._done[stage].add(shard)
        return self.snapshot(stage)

    def snapshot(self, stage: str) -> Snapshot:
        finished = self._done[stage]
        # Empty corpora and zero-byte shards still move the bar (each shard weighs >= 1).
        weights = [max(b, 1) for b in self.shard_bytes]
        total = sum(weights) * len(SHARD_STAGES) or 1
        work = sum(weights[s] for shards in self._done.values() for s in shards)
        return Snapshot(
            stage=stage,
            stage_no=SHARD_STAGES.index(stage) + 1,
            docs_done=sum(self.shard_docs[s] for s in finished),
            docs_total=self.docs_total,
            bytes_done=sum(self.shard_bytes[s] for s in finished),
            bytes_total=self.bytes_total,
            percent=SHARD_STAGES_PERCENT * work / total,
        )
