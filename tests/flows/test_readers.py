"""Readers of real published releases, as users run them.

Two releases of the seeds (the second with one more document) are published by the real
flow, with row groups and parts made small so that every table with more than a few rows
spans several part files. On them: the standard validators by their command lines
(`frictionless validate`, `mlcroissant validate` / `load`), the readers' globs (DuckDB,
polars, pandas, Hugging Face `datasets` with the card's configs), the README's
"Reading a release" examples, and reading across releases without counting `latest` twice.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
import yaml
from corpus import LAUNCH_BODY, news_page

from contracts import TABLES
from flows.release import release
from taikong.io import ReleaseDir, ReleaseStore
from taikong.io import release_dir as release_dir_module
from taikong.verify import verify_release

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.flow, pytest.mark.slow]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict, dict]:
    """(directory holding `datasets/`, first release, second release)."""
    root = tmp_path_factory.mktemp("readers")
    seeds, datasets = root / "seeds", root / "datasets"
    shutil.copytree(ROOT / "seeds", seeds)
    with pytest.MonkeyPatch.context() as mp:
        # ~4 KB row groups, each closing its part: several parts per table.
        mp.setattr(release_dir_module, "ROW_GROUP_BYTES", 4_000)
        mp.setattr(release_dir_module, "PART_BYTES", 1)
        first = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
        (seeds / "extra.txt").write_text(news_page("Booster Lands", "Mar 3, 2024", LAUNCH_BODY))
        second = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert first["status"] == second["status"] == "published"
    return root, first, second


def _manifest(root: Path, release_id: str) -> dict:
    return json.loads((root / "datasets" / release_id / "manifest.json").read_text())


def _rows(root: Path, release_id: str = "latest") -> dict[str, int]:
    return {t: info["rows"] for t, info in _manifest(root, release_id)["tables"].items()}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def test_tables_span_several_parts_and_verify(published):
    root, _, _ = published
    manifest = _manifest(root, "latest")
    assert manifest["layout_version"] == "2.0.0"
    for table in ("documents", "paragraphs", "mentions"):
        assert len(manifest["tables"][table]["files"]) > 1, table
    # The second release's changelog, diffed against the first's part files: one new document.
    changelog = pl.read_parquet(root / "datasets" / "latest" / "changelog" / "*.parquet")
    documents = changelog.filter(pl.col("table") == "documents")
    assert documents["change"].to_list() == ["added"]
    assert manifest["changelog"]["counts"]["documents"] == {"added": 1, "removed": 0, "changed": 0}
    assert manifest["changelog"]["files"] == [
        f"changelog/{p.name}"
        for p in sorted((root / "datasets" / "latest" / "changelog").iterdir())
    ]
    store = ReleaseStore(root / "datasets")
    result = verify_release(store.release("latest"), store)
    assert result.passed and result.notes == [], result


def test_verify_finds_a_missing_part(published, tmp_path):
    root, _, _ = published
    copy = tmp_path / "copy"
    shutil.copytree((root / "datasets" / "latest").resolve(), copy)
    part = _manifest(root, "latest")["tables"]["paragraphs"]["files"][1]
    (copy / part).chmod(0o644)
    (copy / part).unlink()
    problems = verify_release(ReleaseDir(copy)).findings
    assert f"{part}: missing" in problems, problems


# ---- the standard validators, by their command lines ----------------------------------------


def test_frictionless_validate_exits_0_and_reads_every_part(published):
    root, _, _ = published
    latest = root / "datasets" / "latest"
    # As the README says, from the directory holding datasets/.
    plain = _run([str(BIN / "frictionless"), "validate", "datasets/latest/datapackage.json"], root)
    assert plain.returncode == 0, plain.stdout[-4000:] + plain.stderr[-2000:]
    assert "INVALID" not in plain.stdout
    as_json = _run([str(BIN / "frictionless"), "validate", "--json", "datapackage.json"], latest)
    assert as_json.returncode == 0, as_json.stdout[-4000:]
    report = json.loads(as_json.stdout)
    assert report["valid"] is True
    read = {task["name"]: task["stats"].get("rows", 0) for task in report["tasks"]}
    assert read == _rows(root)


def test_frictionless_validate_fails_on_a_part_with_a_dangling_link(published, tmp_path):
    """Control: the same command finds a broken row in an added part file."""
    root, _, _ = published
    copy = tmp_path / "copy"
    shutil.copytree((root / "datasets" / "latest").resolve(), copy)
    first = copy / _manifest(root, "latest")["tables"]["paragraphs"]["files"][0]
    table = pq.read_table(first).slice(0, 1).to_pylist()
    table[0] |= {"doc_id": "0000000000000000", "paragraph_id": "0000000000000000-p0000"}
    schema = pq.read_schema(first)
    (copy / "paragraphs").chmod(0o755)
    pq.write_table(
        pq.read_table(first).from_pylist(table, schema=schema),
        copy / "paragraphs" / "part-99999.parquet",
    )
    result = _run([str(BIN / "frictionless"), "validate", "datapackage.json"], cwd=copy)
    assert result.returncode != 0
    assert "foreign-key" in result.stdout and "paragraphs" in result.stdout


def test_mlcroissant_validate_exits_0_and_load_reads_every_part(published):
    root, _, _ = published
    jsonld = "datasets/latest/croissant.json"
    check = _run([str(BIN / "mlcroissant"), "validate", "--jsonld", jsonld], root)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert not re.search(r"^[EW]\d{4}", check.stderr, flags=re.M), check.stderr[-3000:]
    load = _run(
        [
            str(BIN / "mlcroissant"),
            "load",
            "--jsonld",
            jsonld,
            "--record_set",
            "paragraphs",
            "--num_records",
            "-1",
        ],
        root,
    )
    assert load.returncode == 0, load.stderr[-3000:]
    records = [line for line in load.stdout.splitlines() if line.startswith("{'paragraphs/")]
    assert len(records) == _rows(root)["paragraphs"]


def test_mlcroissant_validate_fails_on_a_broken_file_set(published, tmp_path):
    """Control: a record set whose file set does not exist is an error of the command."""
    root, _, _ = published
    jsonld = json.loads((root / "datasets" / "latest" / "croissant.json").read_text())
    jsonld["distribution"] = [
        d for d in jsonld["distribution"] if d["@id"] != "edits-parquet-files"
    ]
    (tmp_path / "croissant.json").write_text(json.dumps(jsonld))
    check = _run([str(BIN / "mlcroissant"), "validate", "--jsonld", "croissant.json"], tmp_path)
    assert check.returncode != 0
    assert "edits-parquet-files" in check.stdout + check.stderr


# ---- the readers' globs ---------------------------------------------------------------------


def test_duckdb_polars_and_pandas_read_each_table_by_its_glob(published):
    root, _, _ = published
    latest = root / "datasets" / "latest"
    manifest = _manifest(root, "latest")
    for table, rows in _rows(root).items():
        glob = f"{latest}/{table}/*.parquet"
        files = duckdb.sql(
            f"SELECT DISTINCT filename FROM read_parquet('{glob}', filename = true)"
        ).fetchall()
        if rows:  # the glob matches exactly the table's parts (an empty part has no rows)
            with_rows = [p["file"] for p in manifest["tables"][table]["parts"] if p["rows"]]
            assert sorted(Path(f).relative_to(latest).as_posix() for (f,) in files) == with_rows
        assert duckdb.sql(f"SELECT count(*) FROM '{glob}'").fetchall()[0][0] == rows, table
        assert pl.scan_parquet(glob).select(pl.len()).collect().item() == rows, table
        frame = pd.read_parquet(latest / table)
        columns = [c[0] for c in manifest["tables"][table]["columns"]]
        assert len(frame) == rows and list(frame.columns) == columns, table
    joined = duckdb.sql(
        f"SELECT count(*) FROM '{latest}/paragraphs/*.parquet' p "
        f"JOIN '{latest}/documents/*.parquet' d USING (doc_id)"
    ).fetchall()[0][0]
    assert joined == _rows(root)["paragraphs"]


def test_hugging_face_datasets_loads_every_config_of_the_card(published, tmp_path, monkeypatch):
    # `datasets` reads these at import: set them first (offline, cache under tmp_path).
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    from datasets import load_dataset

    root, _, _ = published
    latest = root / "datasets" / "latest"
    card = (latest / "README.md").read_text(encoding="utf-8")
    configs = yaml.safe_load(card.split("---\n")[1])["configs"]
    rows = _rows(root)
    # Every table of this release has rows, so every table has a config.
    assert [c["config_name"] for c in configs] == [t for t in TABLES if rows[t]] == list(TABLES)
    for config in configs:
        name = config["config_name"]
        loaded = load_dataset(str(latest), name, split="train", cache_dir=str(tmp_path / "hf"))
        assert loaded.num_rows == rows[name], name


# ---- the README's examples, and reading across releases --------------------------------------


def _reading_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("\n## Reading a release\n", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def test_readme_reading_examples_run_on_the_releases(published, monkeypatch, tmp_path):
    root, first, second = published
    section = _reading_section()
    sql, python = _blocks(section, "sql"), _blocks(section, "python")
    assert len(sql) == 2 and len(python) == 3
    monkeypatch.chdir(root)  # the examples' paths start at datasets/
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    rows = _rows(root)

    paragraphs = duckdb.sql(sql[0]).fetchall()
    assert 0 < len(paragraphs) <= rows["paragraphs"]
    per_release = dict(duckdb.sql(sql[1]).fetchall())
    # Each dated release once; `latest` (the second) not counted again.
    assert per_release == {
        first["release_id"]: _rows(root, first["release_id"])["paragraphs"],
        second["release_id"]: rows["paragraphs"],
    }

    scope: dict = {}
    for block in python:
        exec(block, scope)
    assert scope["outline"].height > 0
    assert scope["outline"]["paragraphs"].sum() <= rows["paragraphs"]
    assert len(scope["documents"]) == rows["documents"]
    assert scope["mentions"].num_rows == rows["mentions"]


def test_a_glob_over_every_directory_counts_latest_twice(published, monkeypatch):
    """Why the README globs `2*`: `latest` is a symlink, and globs follow it."""
    root, first, second = published
    count = "SELECT count(*) FROM 'datasets/{}/paragraphs/*.parquet'"
    monkeypatch.chdir(root)
    everything = duckdb.sql(count.format("*")).fetchall()[0][0]
    dated = duckdb.sql(count.format("2*")).fetchall()[0][0]
    one, two = (_rows(root, r["release_id"])["paragraphs"] for r in (first, second))
    assert dated == one + two
    assert everything == one + 2 * two
