"""The `taikong` command as a user runs it: a real process; Prefect embedded in one test,
the session's server in the others that run a release."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from corpus import LAUNCH_BODY, news_page

from taikong_cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_help_explains_every_command():
    parser = build_parser()
    top = " ".join(parser.format_help().split())
    subcommands = parser._subparsers._group_actions[0]  # noqa: SLF001
    lines = subcommands._choices_actions  # noqa: SLF001 - one per command, with its help
    assert [line.dest for line in lines] == list(subcommands.choices)  # none without a line
    for line in lines:
        assert line.help, line.dest
        assert f"{line.dest} {line.help}" in top  # listed by `taikong --help` with its line
        command = subcommands.choices[line.dest]
        # its own --help explains more than the one line
        assert command.description and command.description != line.help, line.dest
        assert " ".join(command.description.split()) in " ".join(command.format_help().split())
    release = subcommands.choices["release"].format_help()
    for option in ("--seeds", "--datasets", "--max-bytes", "--runner", "--progress"):
        assert option in release, option


def _taikong(
    *args: str, cwd: Path, home: Path, api_url: str | None = None
) -> subprocess.CompletedProcess:
    """`taikong ARGS` in a process; Prefect embedded unless `api_url` names a server."""
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    return subprocess.run(
        [sys.executable, "-m", "taikong_cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


# The one test that starts Prefect embedded, as a user's first run does (a new
# PREFECT_HOME: ~30-45 s here). Other tests that run `taikong release` use the
# session's server (the `prefect_server` fixture).
@pytest.mark.slow
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

    latest = f"{tmp_path}/datasets/latest"
    [(joined, paragraphs)] = duckdb.sql(
        f"SELECT (SELECT count(*) FROM '{latest}/paragraphs/*.parquet' p "
        f"JOIN '{latest}/documents/*.parquet' d USING (doc_id)), "
        f"(SELECT count(*) FROM '{latest}/paragraphs/*.parquet')"
    ).fetchall()
    # Every paragraph joins its document over `latest`, and the summary counted them all.
    assert joined == paragraphs > 0
    assert f"  paragraphs:  {paragraphs}\n" in out

    assert (home / "prefect.db").exists()  # the embedded server's database

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


def test_seeds_inside_datasets_is_refused(tmp_path):
    datasets = tmp_path / "datasets"
    seeds = datasets / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "a.txt").write_text("Some text long enough to be a document.\n")
    result = _taikong(
        "release", "--seeds", str(seeds), "--datasets", str(datasets),
        cwd=tmp_path, home=tmp_path / "home",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "is inside the datasets directory" in result.stderr
    assert sorted(p.name for p in datasets.iterdir()) == ["seeds"]  # nothing written


def test_catalog_row_for_a_missing_file_is_refused(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Some text long enough to be a document.\n")
    (seeds / "catalog.csv").write_text("path,title\na.txt,A\ngone.txt,Gone\n")
    result = _taikong("release", "--seeds", str(seeds), cwd=tmp_path, home=tmp_path / "home")
    assert result.returncode == 2, result.stderr
    assert "catalog.csv:3: path 'gone.txt': no such file in the seeds directory" in result.stderr


@pytest.mark.slow
@pytest.mark.flow
def test_an_audit_rejection_exits_1_with_its_reasons_and_publishes_nothing(
    tmp_path, prefect_server
):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    # Pages that keep little text: a warning by default, blocking for this project.
    for i, title in enumerate(["Rocket Flies", "Probe Lands", "Crew Returns"]):
        (seeds / f"{i}.txt").write_text(news_page(title, "Mar 3, 2024", [LAUNCH_BODY[i][:60]]))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.taikong.audit]\nseverity = { "documents.enough_text" = "critical" }\n'
    )
    run = _taikong("release", cwd=tmp_path, home=tmp_path / "home", api_url=prefect_server)
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert lines[0] == "validation FAILED: nothing was published"
    [failed] = (tmp_path / "datasets" / ".failed").iterdir()
    assert lines[1] == f"  report: {failed / 'validation' / 'report.json'}"
    assert (
        lines[2].startswith("  documents.enough_text (critical): keeps fewer than 200 characters")
        and "in 3 of 3 documents" in lines[2]
    )
    assert "  documents:   3" in lines
    datasets = tmp_path / "datasets"
    assert not [p.name for p in datasets.iterdir() if not p.name.startswith(".")]  # no release
    assert not list((datasets / ".staging").iterdir())
    assert not (tmp_path / "home" / "prefect.db").exists()  # no embedded server of its own
