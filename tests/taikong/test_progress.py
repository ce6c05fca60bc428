"""Progress bookkeeping: documents and MB per stage, overall share weighted by bytes."""

from __future__ import annotations

import pytest

from taikong.progress import MB, SHARD_STAGES, SHARD_STAGES_PERCENT, ShardProgress


def test_stage_and_overall_progress_follow_shard_bytes():
    progress = ShardProgress(shard_docs=[3, 1], shard_bytes=[3 * MB, 1 * MB])
    first = progress.done("ingest", 1)
    assert (first.docs_done, first.docs_total) == (1, 4)
    assert (first.bytes_done, first.bytes_total) == (MB, 4 * MB)
    assert first.percent == pytest.approx(SHARD_STAGES_PERCENT / 4 / len(SHARD_STAGES))
    assert progress.done("ingest", 1) == first  # a retried shard counts once
    second = progress.done("ingest", 0)
    assert second.percent == pytest.approx(SHARD_STAGES_PERCENT / len(SHARD_STAGES))
    assert second.describe() == (
        f"ingest (stage 1/{len(SHARD_STAGES)}): 4/4 documents, 4.0/4.0 MB; "
        f"{SHARD_STAGES_PERCENT / len(SHARD_STAGES):.0f}% of the run"
    )
    for stage in SHARD_STAGES[1:]:
        for shard in (0, 1):
            last = progress.done(stage, shard)
    # writing, auditing and publishing are still to come
    assert last.percent == pytest.approx(SHARD_STAGES_PERCENT)
    assert last.stage_no == len(SHARD_STAGES)


def test_empty_shards_still_count_and_bad_input_is_named():
    progress = ShardProgress(shard_docs=[0], shard_bytes=[0])
    assert progress.done("clean", 0).percent == pytest.approx(
        SHARD_STAGES_PERCENT / len(SHARD_STAGES)
    )
    with pytest.raises(ValueError, match="unknown stage 'tokenize'"):
        progress.done("tokenize", 0)
    with pytest.raises(ValueError, match="shard 3 is not in the plan of 1"):
        progress.done("clean", 3)
