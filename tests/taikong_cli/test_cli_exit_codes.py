"""Exit statuses that mean one thing, and fast, plain failures (issues 10 and 12).

0 published/unchanged, 1 audit rejected, 2 bad input or usage, 3 could not write,
4 internal error: each a one-line message (plus the log path for 3 and 4), never a
traceback on the console."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import types
from pathlib import Path

import polars as pl
import pytest

from taikong_cli import main as cli

ROOT = Path(__file__).resolve().parents[2]


# Runs the CLI as `python -m taikong_cli` would, then records whether Prefect was imported.
_RUN_CLI = """
import runpy, sys
marker, sys.argv = sys.argv[1], ["taikong", *sys.argv[2:]]
try:
    runpy.run_module("taikong_cli", run_name="__main__", alter_sys=True)
finally:
    open(marker, "w").write(str(any(m.split(".")[0] == "prefect" for m in sys.modules)))
"""


def _taikong(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, bool]:
    """(the finished CLI run, whether it imported Prefect)."""
    marker = cwd / "imported-prefect"
    run = subprocess.run(
        [sys.executable, "-c", _RUN_CLI, str(marker), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(cwd / "prefect-home")},
    )
    return run, marker.read_text() == "True"


def _seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("A document long enough to be one, about a rocket launch.\n")
    return seeds


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing seeds", "the seeds directory does not exist"),
        ("seeds is a file", "the seeds path is not a directory"),
        ("unreadable catalog", "cannot read the catalog"),
        ("bad catalog", "catalog.csv:2"),
        ("cp1252 catalog", "catalog.csv:2: not UTF-8 (byte 0xe9); save the catalog as UTF-8"),
        ("bad option", "unrecognized arguments: --bogus"),
        ("bad option value", "--max-bytes must be at least 1"),
        ("work area in a local store", "--work-area store needs an s3:// --datasets"),
    ],
)
def test_bad_input_fails_fast_in_one_line_without_prefect(tmp_path, case, expected):
    seeds = _seeds(tmp_path)
    args = ["release", "--seeds", str(seeds), "--datasets", str(tmp_path / "datasets")]
    if case == "missing seeds":
        args[2] = str(tmp_path / "nope")
    elif case == "seeds is a file":
        args[2] = str(seeds / "a.txt")
    elif case == "unreadable catalog":
        (seeds / "catalog.csv").mkdir()
    elif case == "bad catalog":
        (seeds / "catalog.csv").write_text("path,published_date\na.txt,yesterday\n")
    elif case == "cp1252 catalog":
        (seeds / "catalog.csv").write_bytes("path,title\na.txt,Résumé\n".encode("cp1252"))
    elif case == "bad option":
        args.append("--bogus")
    elif case == "work area in a local store":
        args += ["--work-area", "store"]
    else:
        args += ["--max-bytes", "0"]
    run, imported_prefect = _taikong(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert not imported_prefect  # bad input is answered before Prefect starts
    assert not (tmp_path / "prefect-home").exists()  # no Prefect start
    assert not (tmp_path / "datasets").exists()


@pytest.mark.parametrize(
    "command", [["list"], ["show", "latest"], ["prune", "--keep", "1"], ["verify", "latest"]]
)
def test_commands_on_a_missing_datasets_directory_say_so_and_create_nothing(tmp_path, command):
    missing = tmp_path / "no-datasets"
    run, _ = _taikong(*command, "--datasets", str(missing), cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == f"error: {missing}: the datasets directory does not exist"
    assert not missing.exists()


def _fake_flow(monkeypatch, error: BaseException) -> None:
    """Stand-in for flows.release whose run raises `error` (no Prefect import)."""

    class ValidationFailed(RuntimeError):
        pass

    def release(**_kwargs):
        raise error

    fake = types.ModuleType("flows.release")
    fake.ValidationFailed = ValidationFailed
    fake.release = release
    monkeypatch.setitem(sys.modules, "flows.release", fake)


def _os_error(code: int) -> OSError:
    return OSError(code, os.strerror(code), "/data/datasets/.staging/run/work/docs/00000.parquet")


def _chained_polars_error() -> BaseException:
    try:
        try:
            raise _os_error(errno.ENOSPC)
        except OSError as exc:
            raise RuntimeError("a task failed after retries") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (_os_error(errno.ENOSPC), 3),
        (_os_error(errno.EACCES), 3),
        (_os_error(errno.EROFS), 3),
        (_os_error(errno.EDQUOT), 3),
        # polars' Rust IO errors carry the OS error only in their message
        (pl.exceptions.ComputeError("No space left on device (os error 28)"), 3),
        (_chained_polars_error(), 3),
        (FileNotFoundError("no input files in the seeds directory /x"), 2),
        (KeyError("doc_id"), 4),
        (ZeroDivisionError("division by zero"), 4),
    ],
)
def test_every_error_maps_to_its_status_with_one_line_and_a_log(
    tmp_path, monkeypatch, capsys, error, code
):
    seeds = _seeds(tmp_path)
    monkeypatch.setenv("TAIKONG_LOG_DIR", str(tmp_path / "logs"))
    _fake_flow(monkeypatch, error)
    status = cli.main(["release", "--seeds", str(seeds), "--datasets", str(tmp_path / "ds")])
    assert status == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        return
    assert len(lines) == 2, err
    if code == 3:
        assert lines[0].startswith("error: could not write under ") and "intact" in lines[0]
    else:
        assert lines[0].startswith(f"internal error: {type(error).__name__}")
    log = Path(lines[1].removeprefix("log: "))
    assert log.parent == tmp_path / "logs"
    assert "Traceback" in log.read_text()


def test_the_exit_code_registry_takes_other_modules_classes(monkeypatch):
    class DecodeRefused(ValueError):
        pass

    monkeypatch.setitem(cli.EXIT_CODES, f"{__name__}:{DecodeRefused.__qualname__}", 2)
    assert cli.exit_code_for(DecodeRefused("bad bytes")) == 2
    assert cli.exit_code_for(ValueError("bad bytes")) == 4


def test_prune_keeps_the_newest_failed_runs_and_revalidations(tmp_path, capsys):
    datasets = tmp_path / "datasets"
    for folder in (".failed", ".validations"):
        for n in range(3):
            run = datasets / folder / f"run-{n}"
            run.mkdir(parents=True)
            (run / "report.json").write_text("{}")
            os.utime(run, (1_000_000 + n, 1_000_000 + n))  # run-2 is the newest
    args = ["prune", "--keep-failed", "1", "--keep-validations", "2", "--datasets", str(datasets)]
    assert cli.main([*args, "--dry-run"]) == 0
    assert len(list((datasets / ".failed").iterdir())) == 3
    assert cli.main(args) == 0
    assert [p.name for p in (datasets / ".failed").iterdir()] == ["run-2"]
    assert sorted(p.name for p in (datasets / ".validations").iterdir()) == ["run-1", "run-2"]
    assert "removed failed run(s) run-0" in capsys.readouterr().out
    assert cli.main(["prune", "--datasets", str(datasets)]) == 2  # nothing to keep given


def test_an_invalid_audit_setting_fails_fast_naming_the_file(tmp_path):
    seeds = _seeds(tmp_path)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.taikong.audit.severity]\n"documents.no_such_check" = "critical"\n')
    run, _ = _taikong(
        "release", "--seeds", str(seeds), "--datasets", str(tmp_path / "datasets"), cwd=tmp_path
    )
    assert run.returncode == 2, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert str(config) in line and "'documents.no_such_check' is not an expectation id" in line
    assert "Traceback" not in run.stderr + run.stdout
    assert not (tmp_path / "datasets").exists()
