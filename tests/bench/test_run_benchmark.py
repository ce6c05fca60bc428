"""bench/run_benchmark.py's report: a competitor run that failed shows as failed, not as
a time of its own."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _module():
    spec = importlib.util.spec_from_file_location("run_benchmark", BENCH / "run_benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_failed_or_skipped_run_is_no_figure():
    bench = _module()
    failed = {"returncode": 1, "wall_seconds": 0.03, "peak_rss_tree_mb": 3.7, "error": "x"}
    assert bench._tool_cell(failed, "wall_seconds") == "failed (exit 1)"
    assert bench._tool_cell(failed, "peak_rss_tree_mb", 0) == "failed (exit 1)"
    assert bench._tool_cell({"skipped": True}, "wall_seconds") == "skipped"
    assert bench._tool_cell({"wall_seconds": 220.31}, "wall_seconds") == "220.3"
    entry = {"taikong": {"wall_seconds": 900.0}, "datatrove": failed}
    bench._ratios(entry)
    assert "taikong_wall_over_datatrove_wall" not in entry.get("ratios", {})


def test_memory_guard_never_runs_more_task_threads_than_the_flow(monkeypatch):
    """The flow runs one task thread per core; the guard may only lower that."""
    from types import SimpleNamespace

    bench = _module()
    monkeypatch.setattr(bench.psutil, "virtual_memory", lambda: SimpleNamespace(total=24e9))

    def results(peak_mb: float) -> dict:
        measured = {
            "input_mb": 1000.0,
            "taikong": {
                "peak_rss_tree_mb": peak_mb,
                "task_runs_by_name": {"ingest-shard": 10},
                "peak_rss_tree_mb_by_task": {"(startup: imports + server)": 200.0},
            },
        }
        return {"sizes": {"1GB": measured}, "machine": {"cores_logical": 2}}

    entry = {"corpus": {"files": 70_000}, "input_mb": 1000.0}
    assert "max_task_threads" not in bench._memory_guard(results(2_000.0), entry, 0.25)
    # 10 shards took 90 GB above the base: two in flight would pass 6 GB (a quarter).
    tight = bench._memory_guard(results(90_800.0), entry, 0.25)
    assert tight["max_task_threads"] == 1, tight


def test_every_declared_stage_has_a_column_in_the_stage_table():
    """A stage renamed or added in taikong.pipeline would otherwise be summed into
    "other", which the table does not show (the 1 GB row lost clean and structure so)."""
    from taikong.pipeline import STAGES

    bench = _module()
    unmapped = [s.name for s in STAGES if s.name not in bench.TASK_STAGE]
    assert unmapped == []
    assert set(bench.TASK_STAGE.values()) <= set(bench.STAGE_COLUMNS)


def test_stage_seconds_and_shards_from_task_runs_of_old_and_new_names():
    bench = _module()
    tasks = {
        "ingest": {"run_seconds_sum": 1.25},
        "select-documents": {"run_seconds_sum": 0.25},
        "clean-shard": {"run_seconds_sum": 2.0},
        "enrich": {"run_seconds_sum": 3.0},
        "something-new": {"run_seconds_sum": 9.0},
    }
    assert bench.seconds_by_stage(tasks) == {
        "ingest": 1.5,
        "clean": 2.0,
        "enrich": 3.0,
        "other": 9.0,
    }
    assert bench.shard_count({"ingest": 593, "clean": 593}) == 593
    assert bench.shard_count({"ingest-shard": 14}) == 14
    assert bench.shard_count({"write-tables": 1}) is None
