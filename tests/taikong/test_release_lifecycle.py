"""The release lifecycle in plain Python, with no Prefect: publish, unchanged, failure."""

from __future__ import annotations

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, news_page, replace_stage

from taikong.io import ReleaseStore
from taikong.release import ReleaseRequest, run_release
from taikong.runner import InlineExecutor

pytestmark = pytest.mark.slow  # a whole release, Great Expectations included (~20 s)


class Recorder(InlineExecutor):
    """The inline executor, remembering which shards and steps it ran."""

    def __init__(self):
        super().__init__(on_shard_done=lambda stage, shard: self.shards.append((stage, shard)))
        self.shards: list[tuple[str, int]] = []
        self.steps: list[str] = []
        self.finished: list[tuple[str, bool]] = []

    def call(self, name, fn, /, *, retry=True, **kwargs):
        self.steps.append(name)
        return super().call(name, fn, retry=retry, **kwargs)

    def finish(self, description, done=True):
        self.finished.append((description, done))


@pytest.fixture
def seeds(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY))
    (seeds / "b.txt").write_text(news_page("Probe Lowers Orbit", "Mar 5, 2024", PROBE_BODY))
    return seeds


def test_a_release_runs_without_prefect_and_a_second_run_is_unchanged(seeds, tmp_path):
    datasets = tmp_path / "datasets"
    executor = Recorder()
    done = run_release(ReleaseRequest(seeds, datasets), executor)
    assert done.outcome.status == "published", done.outcome.problems
    assert ReleaseStore(datasets).releases() == [done.outcome.release_id]
    assert executor.steps == [
        "fingerprint-inputs",
        "write-tables",
        "audit-release",
        "publish-release",
    ]
    from taikong.pipeline import SHARD_STAGES

    assert [stage for stage, _ in executor.shards] == list(SHARD_STAGES)  # one shard
    assert executor.finished == [(f"published: {done.outcome.release_id}", True)]
    docs = pl.read_parquet(datasets / "latest" / "documents" / "*.parquet")
    assert sorted(docs["title"].to_list()) == ["Probe Lowers Orbit", "Rocket Flies"]
    assert done.stage_rows["describe-documents"] == {"documents": 2}

    again = run_release(ReleaseRequest(seeds, datasets), Recorder())
    assert again.outcome.status == "unchanged"
    assert again.outcome.release_id == done.outcome.release_id


def test_a_failing_stage_leaves_nothing_behind(seeds, tmp_path, monkeypatch):
    datasets = tmp_path / "datasets"

    def broken(frame):
        raise RuntimeError("enrichment bug")

    replace_stage(monkeypatch, "enrich", broken)
    executor = Recorder()
    with pytest.raises(RuntimeError, match="enrichment bug"):
        run_release(ReleaseRequest(seeds, datasets), executor)
    assert ReleaseStore(datasets).releases() == []
    staging = datasets / ".staging"
    assert not staging.exists() or not list(staging.iterdir())
    assert executor.finished == [("stopped: RuntimeError: enrichment bug", False)]
