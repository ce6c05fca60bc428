"""`taikong serve` without a server: its help, its checks and its refusal to start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from integration_stack import ROOT

from taikong_cli.main import build_parser
from taikong_cli.serve import ServeError, release_parameters, release_schedule


def _serve_help() -> str:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001
    return " ".join(commands["serve"].format_help().split())


def test_serve_help_says_it_needs_a_prefect_server_and_uses_utc():
    text = _serve_help()
    assert "PREFECT_API_URL" in text
    assert "prefect server start" in text
    assert "UTC" in text
    for option in ("--seeds", "--datasets", "--cron", "--name"):
        assert option in text
    assert "0 2 * * *" in text


def test_schedule_is_a_cron_in_utc_and_rejects_a_bad_expression():
    schedule = release_schedule("15 4 * * 1-5")
    assert (schedule.cron, schedule.timezone) == ("15 4 * * 1-5", "UTC")
    assert release_schedule().cron == "0 2 * * *"
    with pytest.raises(ServeError, match="invalid cron"):
        release_schedule("61 2 * * *")


def test_parameters_are_absolute_and_need_the_seeds(tmp_path, monkeypatch):
    (tmp_path / "seeds").mkdir()
    monkeypatch.chdir(tmp_path)
    assert release_parameters("seeds", "out") == {
        "seeds_dir": str(tmp_path / "seeds"),
        "datasets_dir": str(tmp_path / "out"),
    }
    with pytest.raises(ServeError, match="seeds directory not found"):
        release_parameters("missing", "out")


def test_serve_without_a_server_exits_2_and_says_why(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # a fresh profile: no API URL
    done = subprocess.run(
        [sys.executable, "-m", "taikong_cli", "serve", "--seeds", str(ROOT / "seeds")],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "PREFECT_API_URL is not set" in done.stderr
    assert not (tmp_path / "datasets").exists()
