# ruff: noqa: E501  (report table rows are long f-strings)
"""Benchmark Taikong's release flow against datatrove and dolma on synthetic corpora.

    uv run python bench/run_benchmark.py --sizes 10MB,100MB,1GB

For each size: generate the corpus (bench/generate_corpus.py, seed 7, cached under
bench/corpus/), then, one after another on the same files:
  taikong    the release flow in a fresh process (bench/_run_taikong.py), Prefect embedded
  profile    the same run again under cProfile, one task thread (sizes in --profile-sizes)
  datatrove  LocalPipelineExecutor: MinHash + exact line dedup, Parquet out (_run_datatrove.py)
  dolma      conversion to dolma JSONL.gz (timed apart), then `dolma dedupe` on paragraphs
Every tool runs as a child process; a sampler thread here polls the RSS and CPU times of
the child and all its descendants (Prefect's temporary server, datatrove's workers,
dolma's processes) every 0.1 s. Results go to bench/results.json (rewritten after every
step, so a cut-short run keeps what it measured) and bench/RESULTS.md.

A size whose estimated Taikong run (fixed cost + per-MB cost measured at the previous
size) exceeds --budget-minutes is not run: its extrapolation is recorded instead
(--force runs it anyway). Run outputs go to --work (default /tmp/taikong-bench).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# psutil alone is no sign of the bench group (Dask brings it): look for every package.
_BENCH_GROUP = ("psutil", "datatrove", "spacy", "xxhash", "pyinstrument")
if __name__ == "__main__" and not all(importlib.util.find_spec(n) for n in _BENCH_GROUP):
    # The bench group is not installed in this environment: re-run with it (only when
    # run as a script: a test importing the report helpers must not become a benchmark).
    if os.environ.get("TAIKONG_BENCH_REEXEC"):
        raise SystemExit(f"the bench dependency group is missing one of {_BENCH_GROUP}")
    os.environ["TAIKONG_BENCH_REEXEC"] = "1"
    cmd = ["uv", "run", "--group", "bench", "python", str(Path(__file__).resolve()), *sys.argv[1:]]
    os.execvp("uv", cmd)

import psutil  # noqa: E402

sys.path.insert(0, str(HERE))
from generate_corpus import generate, parse_size  # noqa: E402

DOLMA_SPEC = "dolma==1.2.1"
# A run whose process tree exceeds 60% of the machine's RAM is killed (and recorded so).
RSS_LIMIT_BYTES = int(0.6 * psutil.virtual_memory().total)
PY = sys.executable


# ---- measuring a process tree ---------------------------------------------------------
class TreeSampler(threading.Thread):
    """Peak RSS (sum over the process tree) and CPU seconds of a child and descendants."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_total = 0
        self.peak_root = 0
        self.peak_others = 0
        self.cpu: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self.max_procs = 0
        self.timeline: list[tuple[float, int]] = []  # (time, RSS of the tree)
        self.killed = False
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def sample(self) -> None:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = root_rss = 0
        for p in procs:
            try:
                with p.oneshot():
                    rss = p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system  # own time: reaped children apart
                    if p.pid not in self.names:
                        self.names[p.pid] = " ".join(p.cmdline()[:4])[:120]
            except psutil.Error:
                continue
            total += rss
            if p.pid == self.root.pid:
                root_rss = rss
        self.timeline.append((time.time(), total))
        if total > RSS_LIMIT_BYTES and not self.killed:
            # A shared machine: never let one benchmark run exhaust its memory.
            self.killed = True
            for p in reversed(procs):
                with contextlib.suppress(psutil.Error):
                    p.kill()
        self.max_procs = max(self.max_procs, len(procs))
        self.peak_total = max(self.peak_total, total)
        self.peak_root = max(self.peak_root, root_rss)
        self.peak_others = max(self.peak_others, total - root_rss)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# This machine sets PYTHONDONTWRITEBYTECODE=1, so every process would compile every
# module it imports from source (seconds for Prefect + GX). Children get a bytecode cache
# outside the shared venv instead, as any normal install has; the seeds run is also
# measured without it (baseline "seeds_no_bytecode_cache").
BYTECODE_ENV: dict = {}


def run_measured(
    cmd: list[str], log: Path, env: dict | None = None, cwd: Path = ROOT, timeline: bool = False
) -> dict:
    env = {**BYTECODE_ENV, **(env or {})}
    log.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]  # other work on the machine skews every number: recorded
    t0 = time.time()
    with log.open("w") as out:
        full_env = {**os.environ, **(env or {})}
        full_env = {k: v for k, v in full_env.items() if v is not None}  # None: unset
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=cwd)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        # wait4: the child's rusage, including the descendants it reaped.
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
    wall = time.time() - t0
    sampler.stop()
    # Descendants the child did not reap (orphans) are only in the sampled own times.
    cpu = max(usage.ru_utime + usage.ru_stime, sum(sampler.cpu.values()))
    result = {
        "cmd": " ".join(str(c) for c in cmd),
        "loadavg_1min_before": round(load, 2),
        "returncode": rc,
        "started": dt.datetime.fromtimestamp(t0, dt.UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
        "cpu_seconds_tree": round(cpu, 2),
        "cpu_method": "max(wait4 rusage of the child, sum of sampled own CPU per process)",
        "peak_rss_tree_mb": round(sampler.peak_total / 1e6, 1),
        "peak_rss_main_mb": round(sampler.peak_root / 1e6, 1),
        "peak_rss_children_mb": round(sampler.peak_others / 1e6, 1),
        "max_processes": sampler.max_procs,
        "killed_over_rss_limit_mb": round(RSS_LIMIT_BYTES / 1e6) if sampler.killed else None,
        "log": str(log),
    }
    if timeline:
        result["_timeline"] = sampler.timeline  # for the caller, not saved
    return result


# ---- Taikong --------------------------------------------------------------------------
_STAGES = ("plan:", "ingest:", "clean:", "deduplicate:", "audit:", "cache:", "publish:")
# Task name -> the stage column it is summed into. Both the task names of today's
# declared stages and those of older runs kept in results.json (`*-shard`).
TASK_STAGE = {
    "fingerprint-inputs": "ingest",
    "ingest": "ingest",
    "ingest-shard": "ingest",
    "resolve-duplicate-files": "ingest",
    "select-documents": "ingest",
    "clean": "clean",
    "clean-shard": "clean",
    "minhash": "dedup",
    "minhash-shard": "dedup",
    "cluster-near-duplicates": "dedup",
    "fingerprint": "dedup",
    "fingerprint-shard": "dedup",
    "count-templates": "dedup",
    "label-boilerplate": "dedup",
    "label-boilerplate-shard": "dedup",
    "describe-templates": "dedup",
    "paragraph-keys": "dedup",
    "find-duplicate-paragraphs": "dedup",
    "mark-duplicates": "dedup",
    "mark-duplicates-shard": "dedup",
    "structure": "structure",
    "structure-shard": "structure",
    "describe-documents": "structure",
    "enrich": "enrich",
    "audit-shard": "shard audit",
    "write-tables": "write",
    "audit-release": "audit",
    "publish-release": "publish",
}
STAGE_COLUMNS = (
    "ingest", "clean", "dedup", "structure", "enrich", "shard audit", "write", "audit", "publish"
)  # fmt: skip


def seconds_by_stage(tasks: dict[str, dict]) -> dict[str, float]:
    """Task run seconds summed per stage column (a task of no known stage: "other")."""
    by_stage: dict[str, float] = {}
    for name, s in tasks.items():
        key = TASK_STAGE.get(name, "other")
        by_stage[key] = round(by_stage.get(key, 0.0) + s["run_seconds_sum"], 3)
    return by_stage


def shard_count(task_runs_by_name: dict[str, int]) -> int | None:
    """Shards of a run: its ingest task runs (one per shard)."""
    return task_runs_by_name.get("ingest") or task_runs_by_name.get("ingest-shard")


def _task_base(name: str) -> str:
    return name.rsplit("-", 1)[0] if "-" in name else name


def taikong_run(
    corpus: Path,
    work: Path,
    label: str,
    env: dict,
    profile: Path | None = None,
    extra_args: list[str] | None = None,
) -> dict:
    datasets = work / f"datasets-{label}"
    shutil.rmtree(datasets, ignore_errors=True)
    out = work / f"taikong-{label}.json"
    out.unlink(missing_ok=True)
    cmd = [PY, str(HERE / "_run_taikong.py"), "--seeds", str(corpus), "--datasets", str(datasets)]
    cmd += ["--out", str(out), *(extra_args or [])]
    run_env = dict(env)
    if profile:
        cmd += ["--profile", str(profile)]
        run_env["PREFECT_TASK_RUNNER_THREAD_POOL_MAX_WORKERS"] = "1"
    m = run_measured(cmd, work / f"taikong-{label}.log", run_env, timeline=True)
    timeline = m.pop("_timeline")
    if not out.exists():
        m["error"] = f"no result file; see {m['log']}"
        m.update(_taikong_from_log(m))
        m["peak_rss_tree_mb_by_stage"] = _peaks_by_window(m, timeline)
        shutil.rmtree(datasets, ignore_errors=True)
        return m
    child = json.loads(out.read_text())
    m.update(_taikong_metrics(child, m))
    m["peak_rss_tree_mb_by_task"] = _peaks_by_task(child, timeline)
    shutil.rmtree(datasets, ignore_errors=True)  # the release itself is not kept
    return m


_LOG_LINE = re.compile(
    r"^(\d\d:\d\d:\d\d\.\d{3}) \| \w+\s+\| (Flow run|Task run) '([^']+)' - (.*)$"
)


def _taikong_from_log(m: dict) -> dict:
    """What a run that died (killed over the RSS limit, crashed) still tells: the stage
    marks and task completions in its Prefect log, on the same clock as `started`."""
    start = dt.datetime.fromisoformat(m["started"])
    marks: list[tuple[float, str]] = []
    done: dict[str, list[float]] = {}
    for line in Path(m["log"]).read_text(errors="replace").splitlines():
        hit = _LOG_LINE.match(line)
        if not hit:
            continue
        clock = dt.datetime.strptime(hit.group(1), "%H:%M:%S.%f").time()
        at = dt.datetime.combine(start.date(), clock, tzinfo=dt.UTC)
        if at < start - dt.timedelta(minutes=1):
            at += dt.timedelta(days=1)  # the run crossed midnight
        t = round((at - start).total_seconds(), 3)
        kind, name, msg = hit.group(2), hit.group(3), hit.group(4)
        if kind == "Flow run" and (msg.startswith("Beginning") or msg.startswith(_STAGES)):
            marks.append((t, msg[:200]))
        elif kind == "Task run" and "Finished in state Completed" in msg:
            done.setdefault(_task_base(name), []).append(t)
    last = max(done.items(), key=lambda kv: max(kv[1]), default=(None, []))[0]
    begin = next((t for t, msg in marks if msg.startswith("Beginning")), None)
    plan = next((t for t, msg in marks if msg.startswith("plan:")), None)
    written = max(done.get("write-tables", []), default=None)
    out: dict = {
        "from_log": True,
        "died_after_task": last,
        "marks": marks,
        "task_runs_completed_by_name": {k: len(v) for k, v in sorted(done.items())},
        "task_runs_completed": sum(len(v) for v in done.values()),
        "task_last_completion_seconds": {k: max(v) for k, v in sorted(done.items())},
        "startup": {"total_seconds": begin},
    }
    if plan is not None and written is not None:
        out["pipeline_seconds"] = round(written - plan, 3)
        out["pipeline_method"] = "from the log: 'plan:' line to write-tables' completion"
    # Seconds from the previous mark up to each mark (the stage that mark reports).
    out["stage_wall_seconds"] = {
        b.split(":")[0] + f" ({i})": round(a2 - a1, 3)
        for i, ((a1, _m1), (a2, b)) in enumerate(zip(marks, marks[1:], strict=False))
    }
    return out


def _peaks_by_window(m: dict, timeline: list[tuple[float, int]]) -> dict:
    """Peak RSS of the tree between consecutive log marks (a run without task data)."""
    t0 = dt.datetime.fromisoformat(m["started"]).timestamp()
    marks = [*m.get("marks", []), (float("inf"), "(end)")]
    out = {}
    for (a, msg), (b, _next) in zip(marks, marks[1:], strict=False):
        inside = [rss for ts, rss in timeline if t0 + a <= ts < t0 + b]
        if inside:
            out[f"after {msg.split(' ')[0]}"] = round(max(inside) / 1e6, 1)
    return out


def _peaks_by_task(child: dict, timeline: list[tuple[float, int]]) -> dict:
    """Peak RSS of the process tree while each kind of task ran (first start..last end)."""
    spans: dict[str, list[float]] = {}
    for r in child["task_runs"]:
        if r["start"] and r["end"]:
            s = spans.setdefault(_task_base(r["name"]), [r["start"], r["end"]])
            s[0], s[1] = min(s[0], r["start"]), max(s[1], r["end"])
    t = child["times"]
    spans["(startup: imports + server)"] = [t["process_start"], t["flow_call"] + 1e-9]
    out = {}
    for name, (a, b) in spans.items():
        inside = [rss for ts, rss in timeline if a <= ts <= b]
        if inside:
            out[name] = round(max(inside) / 1e6, 1)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _taikong_metrics(child: dict, m: dict) -> dict:
    t = child["times"]
    p0 = t["process_start"]
    begin = next((a for a, msg in child["marks"] if msg.startswith("Beginning flow run")), None)
    marks = [(round(a - p0, 3), msg) for a, msg in child["marks"]]
    runs = child["task_runs"]
    stages: dict[str, dict] = {}
    for r in runs:
        base = _task_base(r["name"])
        s = stages.setdefault(
            base, {"task_runs": 0, "run_seconds_sum": 0.0, "first_start": None, "last_end": None}
        )
        s["task_runs"] += 1
        s["run_seconds_sum"] += r["run_seconds"]
        if r["start"]:
            s["first_start"] = min(filter(None, [s["first_start"], r["start"]]))
        if r["end"]:
            s["last_end"] = max(filter(None, [s["last_end"], r["end"]]))
    for s in stages.values():
        s["span_seconds"] = (
            round(s["last_end"] - s["first_start"], 3)
            if s["first_start"] and s["last_end"]
            else None
        )
        s["run_seconds_sum"] = round(s["run_seconds_sum"], 3)
        s["first_start"] = round(s["first_start"] - p0, 3) if s["first_start"] else None
        s["last_end"] = round(s["last_end"] - p0, 3) if s["last_end"] else None
    pipeline = [s for b, s in stages.items() if TASK_STAGE.get(b) not in ("audit", "publish")]
    pipe_start = min(
        (s["first_start"] for s in pipeline if s["first_start"] is not None), default=None
    )
    pipe_end = max((s["last_end"] for s in pipeline if s["last_end"] is not None), default=None)
    audit = stages.get("audit-release", {})
    by_stage = seconds_by_stage(stages)
    summary = (child.get("result") or {}).get("summary") or {}
    audit_detail = child.get("audit_seconds_detail") or {}
    flow_work = round(t["flow_end"] - begin, 3) if begin else None
    task_seconds = sum(by_stage.values())
    gx_import = audit_detail.get("gx_import", 0.0)
    return {
        "state": child["state"],
        "code_version": child.get("code_version"),
        "error": child["error"],
        "status": (child.get("result") or {}).get("status"),
        "problems": (child.get("result") or {}).get("problems"),
        "summary": {k: summary.get(k) for k in ("inputs", "documents", "sections", "paragraphs")},
        "quarantined": len(summary.get("quarantined") or []),
        "boilerplate_by_reason": summary.get("boilerplate_by_reason"),
        "task_runs": len(runs),
        "task_runs_by_name": {b: s["task_runs"] for b, s in sorted(stages.items())},
        "tasks": stages,
        "run_seconds_by_stage": by_stage,
        "marks": marks,
        "startup": {
            "imports_seconds": round(t["imports_done"] - p0, 3),
            "server_and_flow_start_seconds": round(begin - t["imports_done"], 3) if begin else None,
            "total_seconds": round(begin - p0, 3) if begin else None,
        },
        "flow_work_seconds": flow_work,
        "audit_seconds_detail": audit_detail,
        # Where a run's time goes beyond startup. Task run times are summed, so on a
        # one-shard corpus (tasks run one after another) they add up to the flow's wall.
        "latency_split": {
            "library_imports_seconds": round(t["imports_done"] - p0, 3),
            "prefect_server_start_seconds": (
                round(begin - t["imports_done"], 3) if begin else None
            ),
            "gx_import_seconds": gx_import,
            "taikong_own_work_seconds": round(task_seconds - gx_import, 3),
            "prefect_orchestration_seconds": (
                round(flow_work - task_seconds, 3) if flow_work is not None else None
            ),
        },
        "pipeline_seconds": round(pipe_end - pipe_start, 3) if pipe_start is not None else None,
        "audit_seconds": audit.get("span_seconds"),
        "teardown_seconds": round(m["wall_seconds"] - (t["flow_end"] - p0), 3),
        "cpu_main_seconds": round(child["cpu_self"]["user"] + child["cpu_self"]["system"], 2),
    }


# ---- profile analysis -----------------------------------------------------------------
def analyse_profile(prof: Path, wall: float, top: int = 25) -> dict:
    import pstats

    stats = pstats.Stats(str(prof))
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((filename, line, func, nc, tt, ct))

    def short(filename: str, func: str, line: int) -> str:
        fn = Path(filename)
        try:
            rel = fn.resolve().relative_to(ROOT).as_posix()
        except (ValueError, OSError):
            parts = fn.parts
            rel = (
                "/".join(parts[parts.index("site-packages") + 1 :])
                if "site-packages" in parts
                else filename
            )
        return f"{rel}:{func}" + (f" (line {line})" if line else "")

    own = [
        r
        for r in rows
        if (str(ROOT / "taikong") in r[0] or str(ROOT / "flows") in r[0]) and r[2] != "<module>"
    ]
    # Idle threads (Prefect's event loops, the pool waiting for work) only wait.
    idle = ("acquire", "poll", "sleep", "SimpleQueue", "select", "wait", "_wait", "control")
    busy = [r for r in rows if not any(w in r[2] for w in idle) and "threading.py" not in r[0]]

    def entry(r):
        return {
            "function": short(r[0], r[2], r[1]),
            "calls": r[3],
            "cum_seconds": round(r[5], 3),
            "cum_pct_of_flow": round(100 * r[5] / wall, 1),
            "self_seconds": round(r[4], 3),
            "self_pct_of_flow": round(100 * r[4] / wall, 1),
        }

    by_cum = sorted(own, key=lambda r: -r[5])
    by_self_all = sorted(busy, key=lambda r: -r[4])
    return {
        "flow_wall_seconds": round(wall, 3),
        "note": (
            "cProfile of every thread, one task thread (mapped tasks run one at a time), "
            "merged. Percentages are of the flow's wall time; cumulative times nest "
            "(a caller includes its callees). Polars/Rust work is attributed to the Python "
            "call that started it."
        ),
        "taikong_by_cumulative": [entry(r) for r in by_cum[:top]],
        "taikong_by_self": [entry(r) for r in sorted(own, key=lambda r: -r[4])[:top]],
        "top_callers_of_compile": _who_calls(stats, "compile"),
        "all_by_self": [entry(r) for r in by_self_all[:top]],
    }


def _who_calls(stats, name: str) -> list[str]:
    """Who calls a builtin (e.g. compile): the hot path behind a large self time."""
    out = []
    for (_filename, _line, func), (_cc, _nc, _tt, _ct, callers) in stats.stats.items():
        if func.endswith(f"builtins.{name}>"):
            for (cf, cl, cfn), vals in sorted(callers.items(), key=lambda kv: -kv[1][3])[:8]:
                out.append(f"{Path(cf).name}:{cfn} (line {cl}) {vals[3]:.2f}s")
    return out


# ---- competitors ----------------------------------------------------------------------
def datatrove_run(corpus: Path, work: Path, label: str, workers: int) -> dict:
    out = work / f"datatrove-{label}.json"
    out.unlink(missing_ok=True)
    dt_work = work / f"datatrove-{label}"
    cmd = [PY, str(HERE / "_run_datatrove.py"), "--corpus", str(corpus), "--work", str(dt_work)]
    cmd += ["--workers", str(workers), "--out", str(out)]
    m = run_measured(cmd, work / f"datatrove-{label}.log")
    if out.exists():
        m.update(json.loads(out.read_text()))
    else:
        m["error"] = f"datatrove failed (exit {m['returncode']}); see {m['log']}"
    shutil.rmtree(dt_work, ignore_errors=True)
    return m


def dolma_cmd(*args: str) -> list[str]:
    uv = shutil.which("uv") or "uv"
    return [uv, "tool", "run", "--python", "3.11", "--from", DOLMA_SPEC, "dolma", *args]


def dolma_startup(work: Path) -> dict:
    """`dolma --help` twice: the first installs dolma's isolated env, the second is its
    process start-up cost, subtracted from the dedupe time."""
    first = run_measured(dolma_cmd("--help"), work / "dolma-install.log")
    second = run_measured(dolma_cmd("--help"), work / "dolma-startup.log")
    return {"install": first, "startup": second}


def dolma_run(corpus: Path, work: Path, label: str, processes: int, startup: float) -> dict:
    d_work = work / f"dolma-{label}"
    shutil.rmtree(d_work, ignore_errors=True)
    d_work.mkdir(parents=True)
    conv_json = d_work / "convert.json"
    conv = run_measured(
        [
            PY,
            str(HERE / "_run_dolma.py"),
            "convert",
            "--corpus",
            str(corpus),
            "--work",
            str(d_work),
            "--out",
            str(conv_json),
        ],
        work / f"dolma-convert-{label}.log",
    )
    if not conv_json.exists():
        return {"error": f"conversion failed; see {conv['log']}", "convert": conv}
    conv.update(json.loads(conv_json.read_text()))
    cfg = subprocess.run(
        [
            PY,
            str(HERE / "_run_dolma.py"),
            "config",
            "--work",
            str(d_work),
            "--processes",
            str(processes),
            "--docs",
            str(conv["documents"]),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (d_work / "dedupe.json").write_text(cfg)
    dd = run_measured(
        dolma_cmd("-c", str(d_work / "dedupe.json"), "dedupe"), work / f"dolma-dedupe-{label}.log"
    )
    out: dict = {"convert": conv, "dedupe": dd}
    if dd["returncode"] != 0:
        out["error"] = f"dolma dedupe failed (exit {dd['returncode']}); see {dd['log']}"
    else:
        counts = subprocess.run(
            [PY, str(HERE / "_run_dolma.py"), "count", "--work", str(d_work)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out.update(json.loads(counts))
        out["dedupe_minus_startup_seconds"] = round(dd["wall_seconds"] - startup, 3)
    shutil.rmtree(d_work, ignore_errors=True)
    return out


# ---- driver ---------------------------------------------------------------------------
def machine() -> dict:
    import importlib.metadata as md

    def v(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    return {
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {
            n: v(n) for n in ("prefect", "polars", "pyarrow", "pandera", "datatrove", "spacy")
        }
        | {"dolma": DOLMA_SPEC.split("==")[1]},
        "git_commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "git_dirty": bool(
            subprocess.run(
                ["git", "status", "--porcelain", "taikong", "flows", "contracts"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.strip()
        ),
    }


def linear_fit(points: list[tuple[float, float]]) -> dict | None:
    """Least squares y = a + b*x over (MB, seconds) points."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return {"fixed_seconds": round(my - b * mx, 3), "seconds_per_mb": round(b, 4), "points": points}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10MB,100MB")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tools", default="taikong,datatrove,dolma")
    ap.add_argument("--profile-sizes", default="10MB,100MB", help="'' to skip profiling")
    ap.add_argument("--budget-minutes", type=float, default=20.0)
    ap.add_argument(
        "--tool-budget-minutes",
        type=float,
        default=30.0,
        help="same for datatrove (estimated from its per-MB time at the previous size)",
    )
    ap.add_argument("--force", action="store_true", help="run every size whatever its estimate")
    ap.add_argument(
        "--memory-share",
        type=float,
        default=0.25,
        help="cap Prefect's task threads when the estimated peak RSS exceeds this share of RAM",
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="update the existing results file (only the sizes and tools run now)",
    )
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--incremental-size",
        default="20MB",
        help="corpus size of the incremental scenario (bench/incremental.py; '' to skip)",
    )
    ap.add_argument(
        "--dask-sizes",
        default="100MB",
        help="sizes also run with --runner processes and with --runner dask on 1 and 2 "
        "local workers ('' to skip)",
    )
    ap.add_argument("--corpus-dir", type=Path, default=HERE / "corpus")
    ap.add_argument("--work", type=Path, default=Path("/tmp/taikong-bench"))
    ap.add_argument("--results", type=Path, default=HERE / "results.json")
    ap.add_argument("--report", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument(
        "--rerender",
        action="store_true",
        help="recompute derived numbers of the results file and rewrite the report; run nothing",
    )
    args = ap.parse_args()
    if args.rerender:
        results = json.loads(args.results.read_text())
        finalize(results)
        args.results.write_text(json.dumps(results, indent=2, default=str) + "\n")
        args.report.write_text(render(results))
        return 0

    tools = set(args.tools.split(","))
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    profile_sizes = {s.strip() for s in args.profile_sizes.split(",") if s.strip()}
    dask_sizes = {s.strip() for s in args.dask_sizes.split(",") if s.strip()}
    args.work.mkdir(parents=True, exist_ok=True)
    BYTECODE_ENV.update(
        {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(args.work / "pycache")}
    )
    env = {
        # A Prefect home of its own: the benchmark's flow runs stay out of the developer's
        # database, and the first-use migrations are paid once, in the warm-up.
        "PREFECT_HOME": str(args.work / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    command = "uv run python bench/run_benchmark.py " + " ".join(sys.argv[1:])
    results: dict = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "seed": args.seed,
        "mb": "decimal: 1 MB = 1,000,000 bytes of input files",
        "baseline": {},
        "sizes": {},
    }
    if args.merge and args.results.exists():
        previous = json.loads(args.results.read_text())
        results["baseline"] = previous.get("baseline", {})
        results["sizes"] = previous.get("sizes", {})
        results["command"] = previous.get("command", command)
        results["generated"] = previous.get("generated", results["generated"])
        results["incremental"] = previous.get("incremental", {})
        results["merged_runs"] = [
            *previous.get("merged_runs", []),
            {"command": command, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        ]

    def save() -> None:
        args.results.write_text(json.dumps(results, indent=2, default=str) + "\n")
        args.report.write_text(render(results))

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    if "taikong" in tools and not (args.merge and "seeds" in results["baseline"]):
        say("taikong: warm-up on seeds/ (first use of the Prefect home: migrations)")
        results["baseline"]["cold_seeds"] = taikong_run(ROOT / "seeds", args.work, "cold", env)
        say("taikong: seeds/ (tiny corpus: the fixed cost of a run)")
        seeds_bytes = sum(p.stat().st_size for p in (ROOT / "seeds").iterdir() if p.is_file())
        r = taikong_run(ROOT / "seeds", args.work, "seeds", env)
        r["input_mb"] = round(seeds_bytes / 1e6, 4)
        results["baseline"]["seeds"] = r
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            say("taikong: seeds/ again with PYTHONDONTWRITEBYTECODE=1 as set here (no .pyc)")
            r2 = taikong_run(
                ROOT / "seeds",
                args.work,
                "seeds-nopyc",
                {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": None},
            )
            r2["input_mb"] = r["input_mb"]
            results["baseline"]["seeds_no_bytecode_cache"] = r2
        save()
    if "dolma" in tools and not (args.merge and "dolma" in results["baseline"]):
        say("dolma: install (isolated env) and start-up cost")
        results["baseline"]["dolma"] = dolma_startup(args.work)
        save()

    for size in sizes:
        n_bytes = parse_size(size)
        corpus = args.corpus_dir / f"{size}-seed{args.seed}"
        say(f"{size}: corpus {corpus}")
        t = time.perf_counter()
        meta = generate(corpus, n_bytes, args.seed, quiet=True)
        entry: dict = results["sizes"].get(size, {}) if args.merge else {}
        entry |= {
            "corpus": {
                **meta,
                "path": str(corpus),
                "generate_seconds_this_run": round(time.perf_counter() - t, 2),
            },
            "input_mb": round(meta["bytes"] / 1e6, 3),
        }
        results["sizes"][size] = entry
        mb = entry["input_mb"]
        if "taikong" in tools:
            est = _estimate(results, mb)
            if est and est["wall_seconds"] > args.budget_minutes * 60 and not args.force:
                say(f"{size}: taikong skipped, estimated {est['wall_seconds'] / 60:.0f} min")
                entry["taikong"] = {
                    "skipped": True,
                    "reason": f"estimate over {args.budget_minutes} min budget",
                    "estimate": est,
                }
            else:
                guard = _memory_guard(results, entry, args.memory_share)
                run_env = dict(env)
                if guard.get("max_task_threads"):
                    run_env["PREFECT_TASK_RUNNER_THREAD_POOL_MAX_WORKERS"] = str(
                        guard["max_task_threads"]
                    )
                    say(f"{size}: {guard['reason']}")
                say(f"{size}: taikong")
                entry["taikong"] = taikong_run(corpus, args.work, size, run_env)
                entry["taikong"]["memory_guard"] = guard
                _throughput(entry["taikong"], mb, results["machine"]["cores_logical"])
                save()
                if size in profile_sizes:
                    say(f"{size}: taikong under cProfile")
                    prof = args.work / f"taikong-{size}.prof"
                    p = taikong_run(corpus, args.work, f"{size}-profile", env, profile=prof)
                    entry["profile"] = {
                        "run_wall_seconds": p["wall_seconds"],
                        "flow_work_seconds": p.get("flow_work_seconds"),
                        "run_seconds_by_stage": p.get("run_seconds_by_stage"),
                        "stats_file": str(prof),
                        **(
                            analyse_profile(prof, p["flow_work_seconds"])
                            if prof.exists() and p.get("flow_work_seconds")
                            else {"error": p.get("error")}
                        ),
                    }
                    save()
        if "taikong" in tools and size in dask_sizes:
            entry["dask"] = {}
            for n in (1, 2):
                say(f"{size}: taikong --runner dask, {n} local worker(s)")
                entry["dask"][f"workers_{n}"] = taikong_run(
                    corpus,
                    args.work,
                    f"{size}-dask{n}",
                    env,
                    extra_args=["--runner", "dask", "--dask-workers", str(n)],
                )
                save()
            _dask_speedup(entry["dask"])
            say(f"{size}: taikong --runner processes")
            entry["processes"] = taikong_run(
                corpus, args.work, f"{size}-processes", env, extra_args=["--runner", "processes"]
            )
            save()
        if "datatrove" in tools:
            est = _tool_estimate(results, "datatrove", mb)
            if est and est > args.tool_budget_minutes * 60 and not args.force:
                say(f"{size}: datatrove skipped, estimated {est / 60:.0f} min")
                entry["datatrove"] = {
                    "skipped": True,
                    "reason": f"estimate over {args.tool_budget_minutes} min budget",
                    "estimate_seconds": round(est),
                }
            else:
                say(f"{size}: datatrove")
                entry["datatrove"] = datatrove_run(corpus, args.work, size, args.workers)
            save()
        if "dolma" in tools:
            say(f"{size}: dolma")
            startup = results["baseline"]["dolma"]["startup"]["wall_seconds"]
            entry["dolma"] = dolma_run(corpus, args.work, size, args.workers, startup)
            save()
        _ratios(entry)
        save()

    if "taikong" in tools and args.incremental_size:
        say(f"incremental: {args.incremental_size} (full, unchanged, add, add-first, change)")
        out = args.work / "incremental.json"
        subprocess.run(
            [PY, str(HERE / "incremental.py"), "--size", args.incremental_size]
            + ["--seed", str(args.seed), "--corpus-dir", str(args.corpus_dir)]
            + ["--work", str(args.work / "incremental"), "--out", str(out)],
            env={**os.environ, **env},
            check=False,
        )
        if out.exists():
            runs = results.setdefault("incremental", {}).setdefault("runs", {})
            runs[f"this code ({args.incremental_size})"] = json.loads(out.read_text())
        save()

    finalize(results)
    save()
    say(f"done: {args.results} and {args.report}")
    return 0


def _dask_speedup(dask: dict) -> None:
    """1 -> 2 workers: ratio of flow work (the shard tasks run on the cluster; startup,
    cluster start and the audit are in both)."""
    one, two = dask.get("workers_1", {}), dask.get("workers_2", {})
    if one.get("flow_work_seconds") and two.get("flow_work_seconds"):
        dask["speedup_1_to_2_flow_work"] = round(
            one["flow_work_seconds"] / two["flow_work_seconds"], 2
        )
    if one.get("wall_seconds") and two.get("wall_seconds"):
        dask["speedup_1_to_2_wall"] = round(one["wall_seconds"] / two["wall_seconds"], 2)


def finalize(results: dict) -> None:
    """Derived numbers from the recorded ones: throughputs, ratios, the cost model."""
    cores = results["machine"]["cores_logical"]
    for e in results["sizes"].values():
        tk = e.get("taikong", {})
        dead = (tk.get("error") or "").startswith("no result file") and not tk.get("from_log")
        if dead and Path(tk["log"]).exists():
            tk.update(_taikong_from_log(tk))
        if tk.get("wall_seconds"):
            _throughput(tk, e["input_mb"], cores)
        _ratios(e)
    for key in ("seeds", "seeds_no_bytecode_cache", "cold_seeds"):
        b = results["baseline"].get(key)
        if b and b.get("wall_seconds") and b.get("input_mb"):
            _throughput(b, b["input_mb"], cores)
    # Fixed vs per-MB cost, fitted over every measured Taikong run (seeds included).
    pts = []
    if "seeds" in results["baseline"]:
        b = results["baseline"]["seeds"]
        if b.get("flow_work_seconds") is not None:
            pts.append((b["input_mb"], b["flow_work_seconds"]))
    for e in results["sizes"].values():
        tk = e.get("taikong", {})
        if tk.get("flow_work_seconds") is not None:
            pts.append((e["input_mb"], tk["flow_work_seconds"]))
    results["taikong_cost_model"] = {
        "method": (
            "flow_work_seconds (from Prefect's 'Beginning flow run' log line, i.e. after "
            "imports and the temporary server's start, to the flow's return) fitted as "
            "fixed + per_MB * MB over the seeds run and every measured size"
        ),
        "fit": linear_fit(pts),
    }
    pipe = [
        (e["input_mb"], e["taikong"]["pipeline_seconds"])
        for e in results["sizes"].values()
        if e.get("taikong", {}).get("pipeline_seconds")
    ]
    results["taikong_cost_model"]["pipeline_fit"] = {
        "method": "pipeline_seconds (ingest -> write-tables) over the measured sizes",
        "fit": linear_fit(pipe),
        "seconds_per_mb_by_size": {f"{x:g} MB": round(y / x, 3) for x, y in pipe},
    }


def _memory_guard(results: dict, entry: dict, share: float) -> dict:
    """The release flow runs one task thread per core (flows.release.TASK_THREADS), so
    that many shards are in flight at once. From the largest measured size, estimate the
    memory per in-flight shard; if that many in flight would take more than `share` of
    the machine's RAM, cap the task threads lower (at least one) so the benchmark cannot
    exhaust a shared machine. Never more threads than the flow's own default. Recorded
    with the run."""
    import math

    measured = [
        e for e in results["sizes"].values() if e.get("taikong", {}).get("peak_rss_tree_mb")
    ]
    files = entry["corpus"].get("files") or 0
    shards = max(math.ceil(files / 2000), math.ceil(entry["input_mb"] / 64), 1)
    if not measured:
        return {"estimated_shards": shards}
    big = max(measured, key=lambda e: e["input_mb"])
    big_shards = max(shard_count(big["taikong"].get("task_runs_by_name", {})) or 1, 1)
    base = big["taikong"].get("peak_rss_tree_mb_by_task", {}).get("(startup: imports + server)", 0)
    base = max(base, 800.0)  # imports, server, fixed tables
    per_shard = max((big["taikong"]["peak_rss_tree_mb"] - base) / big_shards, 1.0)
    ram_mb = psutil.virtual_memory().total / 1e6
    cores = results["machine"]["cores_logical"] or 1
    in_flight = min(shards, cores)
    est = base + per_shard * in_flight
    guard = {
        "estimated_shards": shards,
        "estimated_mb_per_inflight_shard": round(per_shard),
        "estimated_peak_rss_mb": round(est),
    }
    if est > share * ram_mb:
        threads = max(1, min(cores, int((share * ram_mb - base) // per_shard)))
        guard["max_task_threads"] = threads
        guard["reason"] = (
            f"estimated peak {est / 1000:.1f} GB with {in_flight} shards in flight exceeds "
            f"{share:.0%} of RAM: PREFECT_TASK_RUNNER_THREAD_POOL_MAX_WORKERS={threads}"
        )
    return guard


def _throughput(tk: dict, mb: float, cores: int) -> None:
    for key in (
        "pipeline_mb_per_s",
        "pipeline_mb_per_s_per_core",
        "flow_mb_per_s",
        "end_to_end_mb_per_s",
        "mb_per_cpu_second",
    ):
        tk.pop(key, None)
    if tk.get("pipeline_seconds"):
        tk["pipeline_mb_per_s"] = round(mb / tk["pipeline_seconds"], 3)
        tk["pipeline_mb_per_s_per_core"] = round(mb / tk["pipeline_seconds"] / cores, 3)
    if tk.get("flow_work_seconds"):
        tk["flow_mb_per_s"] = round(mb / tk["flow_work_seconds"], 3)
    tk["end_to_end_mb_per_s"] = round(mb / tk["wall_seconds"], 3)
    if tk.get("cpu_main_seconds"):
        # CPU of the Taikong process itself (all its threads), not Prefect's server.
        tk["mb_per_cpu_second"] = round(mb / tk["cpu_main_seconds"], 3)
    tk.pop("cpu_seconds_tree_note", None)
    if "cpu_method" not in tk:
        tk["cpu_seconds_tree_note"] = (
            "measured before a fix: may count the CPU of reaped child processes twice "
            "(upper bound); mb_per_cpu_second uses cpu_main_seconds, which is exact"
        )


def _estimate(results: dict, mb: float) -> dict | None:
    """Extrapolate a Taikong run from the largest measured size (and the seeds run)."""
    measured = [
        (e["input_mb"], e["taikong"])
        for e in results["sizes"].values()
        if e.get("taikong", {}).get("flow_work_seconds")
    ]
    base = results["baseline"].get("seeds")
    if not measured or not base or not base.get("flow_work_seconds"):
        return None
    big_mb, big = max(measured, key=lambda x: x[0])
    per_mb = (big["flow_work_seconds"] - base["flow_work_seconds"]) / max(
        big_mb - base["input_mb"], 1e-9
    )
    work = base["flow_work_seconds"] + per_mb * mb
    startup = big["startup"]["total_seconds"] or 0
    return {
        "method": f"seeds fixed cost + per-MB cost between seeds and {big_mb} MB, scaled linearly",
        "seconds_per_mb": round(per_mb, 4),
        "flow_work_seconds": round(work, 1),
        "wall_seconds": round(work + startup + (big.get("teardown_seconds") or 0), 1),
        "mb_per_s": round(mb / work, 3),
        "peak_rss_tree_mb_note": "not extrapolated: depends on shard size and concurrent shards",
    }


def _tool_estimate(results: dict, tool: str, mb: float) -> float | None:
    measured = [
        (e["input_mb"], e[tool])
        for e in results["sizes"].values()
        if e.get(tool, {}).get("seconds")
    ]
    if not measured:
        return None
    big_mb, big = max(measured, key=lambda x: x[0])
    return big["wall_seconds"] / big_mb * mb


def _tool_cell(run: dict, key: str, digits: int = 1) -> str:
    """A competitor's figure, or why there is none: a run that failed or was skipped has
    no time or memory to compare (its exit code is no measurement)."""
    if run.get("skipped"):
        return "skipped"
    if run.get("error"):
        return f"failed (exit {run.get('returncode')})"
    return _f(run.get(key), digits)


def _ratios(entry: dict) -> None:
    tk = entry.get("taikong", {})
    if not tk.get("wall_seconds") or tk.get("skipped"):
        return
    ratios: dict = {}
    d = entry.get("datatrove", {})
    if d.get("wall_seconds") and not d.get("error"):
        ratios["taikong_wall_over_datatrove_wall"] = round(
            tk["wall_seconds"] / d["wall_seconds"], 3
        )
        if tk.get("flow_work_seconds"):
            ratios["taikong_flow_work_over_datatrove_wall"] = round(
                tk["flow_work_seconds"] / d["wall_seconds"], 3
            )
    dm = entry.get("dolma", {})
    if dm.get("dedupe") and not dm.get("error"):
        dedupe = dm["dedupe"]["wall_seconds"]
        with_conv = dedupe + dm["convert"]["wall_seconds"]
        ratios["taikong_wall_over_dolma_dedupe_wall"] = round(tk["wall_seconds"] / dedupe, 3)
        ratios["taikong_wall_over_dolma_convert_plus_dedupe"] = round(
            tk["wall_seconds"] / with_conv, 3
        )
        if tk.get("flow_work_seconds") and dm.get("dedupe_minus_startup_seconds", 0) > 0:
            ratios["taikong_flow_work_over_dolma_dedupe_minus_startup"] = round(
                tk["flow_work_seconds"] / dm["dedupe_minus_startup_seconds"], 3
            )
    entry["ratios"] = ratios


# ---- report ---------------------------------------------------------------------------
def _status(tk: dict) -> str:
    status = tk.get("status") or tk.get("state") or "–"
    if tk.get("killed_over_rss_limit_mb"):
        return (
            f"killed at {tk['peak_rss_tree_mb'] / 1000:.1f} GB RSS (limit) after "
            f"{tk.get('died_after_task') or '?'}"
        )
    if status == "failed":
        n = len([p for p in tk.get("problems") or [] if not p.startswith("report:")])
        return f"audit failed ({n} checks)"
    return status


def _f(x, nd=1, unit=""):
    if x is None:
        return "–"
    return f"{x:,.{nd}f}{unit}"


def _targets(results: dict) -> list[str]:
    """The issue's targets at 1 GB, measured or extrapolated."""
    cores = results["machine"]["cores_logical"]
    sizes = results["sizes"]
    out = ["", "### Targets (issue 6) at 1 GB", ""]
    gb = sizes.get("1GB", {}).get("taikong", {})
    if gb.get("pipeline_mb_per_s_per_core"):
        per_core, how = gb["pipeline_mb_per_s_per_core"], "measured"
    elif gb.get("estimate"):
        per_core, how = gb["estimate"]["mb_per_s"] / cores, "extrapolated (flow work)"
    else:
        per_core, how = None, "not measured"
    if per_core is not None:
        out.append(
            f"- throughput ≥ 60 MB/s per core: **{per_core:.2f} MB/s per core** ({how}): "
            f"missed by {60 / per_core:.0f}×"
            if per_core < 60
            else f"- throughput: {per_core:.1f} MB/s per core ({how}): met"
        )
    peaks = {
        s: e["taikong"].get("peak_rss_tree_mb")
        for s, e in sizes.items()
        if e.get("taikong", {}).get("peak_rss_tree_mb")
    }
    if peaks:
        out.append(
            "- peak memory < 1.5 GB: "
            + ", ".join(f"{s} {v:,.0f} MB" for s, v in peaks.items())
            + (" — missed" if max(peaks.values()) > 1500 else " — met so far")
        )
    per_mb = {
        s: round(e["taikong"]["pipeline_seconds"] / e["input_mb"], 3)
        for s, e in sizes.items()
        if e.get("taikong", {}).get("pipeline_seconds")
    }
    if per_mb:
        out.append(
            "- linear cost (pipeline seconds per MB): "
            + ", ".join(f"{s} {v} s/MB" for s, v in per_mb.items())
        )
    tr = {
        s: (
            e["taikong"].get("task_runs") or e["taikong"].get("task_runs_completed"),
            shard_count(
                e["taikong"].get("task_runs_by_name")
                or e["taikong"].get("task_runs_completed_by_name")
                or {}
            ),
        )
        for s, e in sizes.items()
        if e.get("taikong", {}).get("task_runs") or e["taikong"].get("task_runs_completed")
    }
    if tr:
        out.append(
            "- task runs grow with shards, not documents: "
            + ", ".join(f"{s} {n} task runs for {k} shard(s)" for s, (n, k) in tr.items())
        )
    return out


def render(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Taikong benchmark results",
        "",
        f"Generated {results['generated']} by `{results['command']}` "
        f"(raw data: `bench/results.json`). Machine: {m['cores_logical']} cores, "
        f"{m['memory_gb']} GB, Python {m['python']}; prefect {m['versions'].get('prefect')}, "
        f"polars {m['versions'].get('polars')}, datatrove {m['versions'].get('datatrove')}, "
        f"dolma {m['versions'].get('dolma')}. Code: {m['git_commit'][:10]}"
        f"{' + uncommitted changes' if m['git_dirty'] else ''}. Corpus seed {results['seed']}; "
        "MB are decimal (10^6 bytes of input files).",
        "",
        *(
            [
                "Then merged into this file: "
                + "; ".join(f"`{m['command']}` at {m['at']}" for m in results["merged_runs"])
                + ".",
                "",
            ]
            if results.get("merged_runs")
            else []
        ),
        "## Taikong release flow",
        "",
        "| corpus | files | wall s | startup s (imports + server) | flow work s | pipeline s (ingest→write) | audit s | pipeline MB/s | per core | MB per CPU-s | peak RSS tree MB | task runs | status |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    rows = []
    if "seeds" in results["baseline"]:
        rows.append(("seeds/ (5 files)", None, results["baseline"]["seeds"]))
    for size, e in results["sizes"].items():
        rows.append((size, e["corpus"].get("files"), e.get("taikong", {})))
    for name, files, tk in rows:
        if tk.get("skipped"):
            est = tk["estimate"]
            lines.append(
                f"| {name} | {files or '–'} | ~{_f(est['wall_seconds'], 0)} (estimated, not run) | | "
                f"~{_f(est['flow_work_seconds'], 0)} | | | ~{_f(est['mb_per_s'], 2)} | | | | | skipped |"
            )
            continue
        if not tk:
            continue
        st = tk.get("startup", {})
        lines.append(
            f"| {name} | {files or 5} | {_f(tk.get('wall_seconds'))} | {_f(st.get('total_seconds'))} "
            f"({_f(st.get('imports_seconds'))} + {_f(st.get('server_and_flow_start_seconds'))}) | "
            f"{_f(tk.get('flow_work_seconds'))} | {_f(tk.get('pipeline_seconds'))} | {_f(tk.get('audit_seconds'))} | "
            f"{_f(tk.get('pipeline_mb_per_s'), 2)} | {_f(tk.get('pipeline_mb_per_s_per_core'), 2)} | "
            f"{_f(tk.get('mb_per_cpu_second'), 2)} | {_f(tk.get('peak_rss_tree_mb'), 0)} | {tk.get('task_runs', '–')} | "
            f"{_status(tk)} |"
        )
    split = (results["baseline"].get("seeds") or {}).get("latency_split")
    if split:
        lines += [
            "",
            "Seeds release, where the time goes: library imports "
            f"{_f(split['library_imports_seconds'], 2)} s, Prefect's temporary server "
            f"{_f(split['prefect_server_start_seconds'], 2)} s, Great Expectations import "
            f"{_f(split['gx_import_seconds'], 2)} s (inside the audit task, the first stage "
            f"that needs it), Prefect orchestration {_f(split['prefect_orchestration_seconds'], 2)} s, "
            f"Taikong's own work {_f(split['taikong_own_work_seconds'], 2)} s (target < 2 s: "
            f"{'met' if split['taikong_own_work_seconds'] < 2 else 'missed'}).",
        ]
    fit = (results.get("taikong_cost_model") or {}).get("fit")
    if fit:
        lines += [
            "",
            f"Cost model (least squares over the runs above): flow work ≈ {fit['fixed_seconds']} s fixed "
            f"+ {fit['seconds_per_mb']} s/MB (= {_f(1 / fit['seconds_per_mb'] if fit['seconds_per_mb'] else None, 2)} MB/s marginal). "
            "Startup (imports + Prefect's temporary server) comes on top of the fixed cost.",
        ]
    # stage table
    lines += ["", "### Time per stage (sum of task run times, s)", ""]
    stage_names = list(STAGE_COLUMNS)
    lines.append("| corpus | " + " | ".join(stage_names) + " | task runs by name |")
    lines.append("| --- | " + " | ".join("---:" for _ in stage_names) + " | --- |")
    for name, _files, tk in rows:
        if tk.get("run_seconds_by_stage"):
            # Regrouped from the tasks kept: older runs were summed by older task names.
            by = seconds_by_stage(tk["tasks"]) if tk.get("tasks") else tk["run_seconds_by_stage"]
            counts = ", ".join(f"{k} {v}" for k, v in tk["task_runs_by_name"].items())
            lines.append(
                f"| {name} | " + " | ".join(_f(by.get(s)) for s in stage_names) + f" | {counts} |"
            )
    for name, _f2, tk in rows:
        if tk.get("from_log"):
            done = tk.get("task_last_completion_seconds", {})
            stages = ", ".join(f"{k} {v:,.0f} s" for k, v in tk["stage_wall_seconds"].items())
            lines += [
                "",
                f"{name}: the process was killed (its tree passed the RSS limit) after "
                f"{tk.get('died_after_task')}, so no task-run data came back from Prefect; from its "
                f"log ({tk['task_runs_completed']} task runs completed), seconds from the previous "
                f"stage line to each: {stages}; write-tables completed at "
                f"{done.get('write-tables', 0):,.0f} s after start.",
            ]
        guard = tk.get("memory_guard") or {}
        if guard.get("max_task_threads"):
            lines += ["", f"{name}: memory guard of the benchmark: {guard['reason']}."]
    # memory by task
    mem_rows = [(n, tk) for n, _f2, tk in rows if tk.get("peak_rss_tree_mb_by_task")]
    if mem_rows:
        lines += ["", "### Peak RSS of the process tree while each task kind ran (MB)", ""]
        for name, tk in mem_rows:
            top = list(tk["peak_rss_tree_mb_by_task"].items())[:6]
            lines.append(f"- {name}: " + ", ".join(f"{k} {v:,.0f}" for k, v in top))
    code = {
        name: (tk.get("code_version") or {}).get("source_sha256")
        for name, _f2, tk in rows
        if tk.get("code_version")
    }
    if code:
        lines += [
            "",
            "Taikong source hash per run (`taikong.versions.code_version`; other developers "
            "were editing the code while this ran): "
            + ", ".join(f"{k} `{v}`" for k, v in code.items()),
        ]
    dask_rows = [(size, e["dask"]) for size, e in results["sizes"].items() if e.get("dask")]
    proc_rows = [
        (size, e["processes"], e.get("taikong", {}))
        for size, e in results["sizes"].items()
        if e.get("processes")
    ]
    if proc_rows:
        lines += [
            "",
            "### Process runner (`--runner processes`: one process per core) vs the default "
            "(one thread per core)",
            "",
            "| corpus | wall s, threads | wall s, processes | pipeline s, threads | "
            "pipeline s, processes | speedup (pipeline) | peak RSS tree MB, threads / processes |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size, pr, tk in proc_rows:
            speedup = (
                tk["pipeline_seconds"] / pr["pipeline_seconds"]
                if tk.get("pipeline_seconds") and pr.get("pipeline_seconds")
                else None
            )
            lines.append(
                f"| {size} | {_f(tk.get('wall_seconds'))} | {_f(pr.get('wall_seconds'))} | "
                f"{_f(tk.get('pipeline_seconds'))} | {_f(pr.get('pipeline_seconds'))} | "
                f"{_f(speedup, 2)}× | {_f(tk.get('peak_rss_tree_mb'), 0)} / "
                f"{_f(pr.get('peak_rss_tree_mb'), 0)} |"
            )
        for size, pr, tk in proc_rows:
            days = {tk.get("started", "")[:10], pr.get("started", "")[:10]}
            if len(days) > 1:
                lines.append(
                    f"\n{size}: not one run (threads {tk.get('started', '?')[:10]}, processes "
                    f"{pr.get('started', '?')[:10]}), so the speedup compares different code and "
                    "machine load."
                )
    if dask_rows:
        lines += [
            "",
            "### Dask runner: 1 vs 2 local workers (`--runner dask --dask-workers N`)",
            "",
            "| corpus | wall s, 1 worker | wall s, 2 workers | flow work s, 1 | flow work s, 2 | "
            "speedup (flow work) | speedup (wall) | peak RSS tree MB, 1 / 2 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size, d in dask_rows:
            one, two = d.get("workers_1", {}), d.get("workers_2", {})
            lines.append(
                f"| {size} | {_f(one.get('wall_seconds'))} | {_f(two.get('wall_seconds'))} | "
                f"{_f(one.get('flow_work_seconds'))} | {_f(two.get('flow_work_seconds'))} | "
                f"{_f(d.get('speedup_1_to_2_flow_work'), 2)}× | {_f(d.get('speedup_1_to_2_wall'), 2)}× | "
                f"{_f(one.get('peak_rss_tree_mb'), 0)} / {_f(two.get('peak_rss_tree_mb'), 0)} |"
            )
        lines += [
            "",
            "Flow work includes starting the local cluster (worker processes import Taikong) "
            "and the audit, which runs in the flow process on either runner.",
        ]
    lines += _targets(results)
    # comparison
    lines += [
        "",
        "## Side by side (same corpus, same run, one after another)",
        "",
        "| corpus | Taikong wall s | datatrove wall s | datatrove peak RSS MB | dolma convert s | dolma dedupe s (startup excl.) | dolma peak RSS MB | Taikong / datatrove | Taikong / dolma (dedupe) | Taikong / dolma (convert + dedupe) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, e in results["sizes"].items():
        tk, d, dm, r = (
            e.get("taikong", {}),
            e.get("datatrove", {}),
            e.get("dolma", {}),
            e.get("ratios", {}),
        )
        dd = dm.get("dedupe", {})
        lines.append(
            f"| {size} | {_f(tk.get('wall_seconds'))} | "
            f"{_tool_cell(d, 'wall_seconds')} | {_tool_cell(d, 'peak_rss_tree_mb', 0)} | "
            f"{_f(dm.get('convert', {}).get('wall_seconds'))} | {_f(dd.get('wall_seconds'))} ({_f(dm.get('dedupe_minus_startup_seconds'))}) | "
            f"{_f(dd.get('peak_rss_tree_mb'), 0)} | {_f(r.get('taikong_wall_over_datatrove_wall'), 2)}× | "
            f"{_f(r.get('taikong_wall_over_dolma_dedupe_wall'), 2)}× | {_f(r.get('taikong_wall_over_dolma_convert_plus_dedupe'), 2)}× |"
        )
    for size, e in results["sizes"].items():
        days = {
            name: run["started"][:10]
            for name, run in (
                ("Taikong", e.get("taikong", {})),
                ("datatrove", e.get("datatrove", {})),
                ("dolma", e.get("dolma", {}).get("dedupe", {})),
            )
            if run.get("started")
        }
        if len(set(days.values())) > 1:
            lines.append(
                f"\n{size}: not one run, so its ratios compare different code and machine "
                "load: " + ", ".join(f"{n} {d}" for n, d in days.items()) + "."
            )
    lines += [
        "",
        "Ratios are Taikong's wall time (fresh process: imports, Prefect's temporary server, "
        "the flow with its audit and publish) over the other tool's wall time; > 1 means Taikong is slower. "
        "The tools do different amounts of work: datatrove here = MinHash near-dup (4 stages) + exact line-span "
        "dedup (3 stages) + Parquet; dolma = paragraph bloom-filter dedup only (attributes out); Taikong = "
        "decode + clean + near-dup + boilerplate + structure + enrichment + 7 Parquet tables + audit.",
    ]
    for size, e in results["sizes"].items():
        p = e.get("profile")
        if not p or "taikong_by_cumulative" not in p:
            continue
        lines += [
            "",
            f"## Profile at {size} (cProfile, one task thread; flow work {p['flow_wall_seconds']} s)",
            "",
            "| Taikong function (cumulative) | calls | cum s | % of flow | self s |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in p["taikong_by_cumulative"][:15]:
            lines.append(
                f"| `{row['function']}` | {row['calls']} | {row['cum_seconds']} | {row['cum_pct_of_flow']} | {row['self_seconds']} |"
            )
        lines += [
            "",
            "| any function (self time) | calls | self s | % of flow |",
            "| --- | ---: | ---: | ---: |",
        ]
        for row in p["all_by_self"][:12]:
            lines.append(
                f"| `{row['function']}` | {row['calls']} | {row['self_seconds']} | {row['self_pct_of_flow']} |"
            )
    if results.get("incremental"):
        from incremental import render_section

        lines += ["", *render_section(results["incremental"])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
