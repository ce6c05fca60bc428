"""The `taikong` command as a user runs it: a real process, embedded Prefect."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from taikong.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_help_explains_every_command(capsys):
    parser = build_parser()
    help_text = parser.format_help()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001
    for name in commands:
        assert name in help_text
        assert commands[name].format_help().strip()
    assert "--seeds" in commands["release"].format_help()
    assert "--datasets" in commands["release"].format_help()


def _taikong(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "taikong.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # a whole release in a subprocess (~35 s)
def test_release_command_publishes_then_reports_unchanged(tmp_path):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "seeds" / "blank.txt").write_text("   \n\n")
    home = tmp_path / "prefect-home"

    first = _taikong("release", cwd=tmp_path, home=home)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    assert "published release" in out
    release_path = next(
        line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("release: ")
    )
    assert Path(release_path).parent == tmp_path / "datasets"
    assert "documents:   5" in out
    assert "blank.txt: empty" in out
    assert "repeated_template" in out

    n = duckdb.sql(
        f"SELECT count(*) FROM '{tmp_path}/datasets/latest/paragraphs/*.parquet' p "
        f"JOIN '{tmp_path}/datasets/latest/documents/*.parquet' d USING (doc_id)"
    ).fetchall()[0][0]
    assert n > 100

    second = _taikong("release", cwd=tmp_path, home=home)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "unchanged" in second.stdout


def test_bad_catalog_is_a_clear_error(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Some text long enough to be a document.\n")
    (seeds / "catalog.csv").write_text("path,published_date\na.txt,yesterday\n")
    result = _taikong("release", "--seeds", str(seeds), cwd=tmp_path, home=tmp_path / "home")
    assert result.returncode == 2
    assert "catalog.csv:2" in result.stderr
    assert "published_date" in result.stderr


@pytest.mark.slow
def test_datasets_inside_seeds_is_refused(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Some text long enough to be a document.\n")
    result = _taikong(
        "release", "--seeds", str(seeds), "--datasets", str(seeds / "out"),
        cwd=tmp_path, home=tmp_path / "home",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "is inside the seeds directory" in result.stderr
    assert not (seeds / "out").exists()


@pytest.mark.slow
def test_catalog_row_for_a_missing_file_is_refused(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Some text long enough to be a document.\n")
    (seeds / "catalog.csv").write_text("path,title\na.txt,A\ngone.txt,Gone\n")
    result = _taikong("release", "--seeds", str(seeds), cwd=tmp_path, home=tmp_path / "home")
    assert result.returncode == 2, result.stderr
    assert "catalog.csv:3: path 'gone.txt': no such file in the seeds directory" in result.stderr
