"""The Prefect executor (flows/tasks.py) on a real Prefect server: what its task runs
are handed."""

from pathlib import Path

from prefect import flow

import flows.tasks as tasks_module
from flows.tasks import PrefectExecutor
from taikong.io.memory import MemoryWorkArea
from taikong.pipeline import STAGES
from taikong.runner import StageResult
from taikong.stages import RunSpec


class CountingDict(dict):
    """A dict that counts how often something walks its items."""

    walks = 0

    def items(self):
        type(self).walks += 1
        return super().items()


def test_task_runs_get_the_run_spec_without_prefect_walking_it(monkeypatch):
    # Prefect walks every element of a task's parameters looking for upstream futures
    # unless they are quoted; the run spec lists every input file, so one walk per task
    # run made a run quadratic in corpus size. The tasks must still get the spec itself.
    seen = []

    def probe(stage_name, work, run, cache, shard):
        seen.append((type(run).__name__, len(run.input_shas), shard))
        return StageResult(stage_name, shard, {}, False)

    stage = next(s for s in STAGES if s.name == "clean")
    monkeypatch.setattr(tasks_module, "run_stage", probe)
    monkeypatch.setattr(tasks_module, "serve_cached", lambda *a, **k: None)
    shas = CountingDict({f"doc{i}.txt": "0" * 64 for i in range(500)})
    run = RunSpec(Path("."), (("doc0.txt",), ("doc1.txt",)), 1_000, 0.8, {}, shas)

    @flow
    def mapped():
        executor = PrefectExecutor()
        executor.map(stage, [0, 1], MemoryWorkArea(), run, None)
        executor.reduce(stage, MemoryWorkArea(), run, None)
        return executor.call("probe-call", lambda run: len(run.input_shas), run=run)

    CountingDict.walks = 0
    assert mapped() == 500
    assert sorted(seen, key=str) == [
        ("RunSpec", 500, 0),
        ("RunSpec", 500, 1),
        ("RunSpec", 500, None),
    ]
    assert CountingDict.walks == 0
