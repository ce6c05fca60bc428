"""Where stages run: the one that reads the seeds stays on the lead when workers share no
filesystem with it."""

from __future__ import annotations

from taikong.io import ObjectWorkArea, WorkArea
from taikong.io.memory import MemoryWorkArea
from taikong.pipeline import STAGE_BY_NAME, STAGES
from taikong.runner import runs_on_lead


def test_only_the_stage_that_reads_the_seeds_runs_on_the_lead_with_an_object_store(tmp_path):
    in_bucket = ObjectWorkArea("s3://bucket/prefix/.staging/run/work")
    assert [s.name for s in STAGES if runs_on_lead(s, in_bucket)] == ["ingest"]
    for local in (WorkArea(tmp_path), MemoryWorkArea()):
        assert not runs_on_lead(STAGE_BY_NAME["ingest"], local)
