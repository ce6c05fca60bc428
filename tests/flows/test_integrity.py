"""Release integrity a skeptic can check: a tamper suite against `verify`, and rollbacks
that survive the next run and a crash recovery (issue 12)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from corpus import (
    LAUNCH_BODY,
    PROBE_BODY,
    STATION_BODY,
    copy_datasets,
    news_page,
    relock_release,
    unlock_release,
)
from test_lifecycle import _run_and_kill

from flows.release import release
from taikong.io import CHECKSUMS, MANIFEST, RELEASES_LOG, ReleaseStore, sha256_file
from taikong.publish import checksums_text
from taikong.verify import _table_files, verify_release

ROOT = Path(__file__).resolve().parents[2]
PAGE_A = news_page("Rocket Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY)
PAGE_B = news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY)
PAGE_C = news_page("Astronauts Complete Spacewalk", "Mar 9, 2024", STATION_BODY, site="skyline")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple[Path, str, str]:
    """A datasets directory with two releases, the second one `latest`."""
    _, datasets, first, second = _publish_two(tmp_path_factory.mktemp("integrity"))
    return datasets, first, second


def _publish_two(base: Path) -> tuple[Path, Path, str, str]:
    """Seeds and datasets under `base`: a release of page A, then of pages A and B."""
    seeds, datasets = base / "seeds", base / "datasets"
    seeds.mkdir()
    (seeds / "a.txt").write_text(PAGE_A)
    first = release(seeds_dir=str(seeds), datasets_dir=str(datasets))["release_id"]
    (seeds / "b.txt").write_text(PAGE_B)
    second = release(seeds_dir=str(seeds), datasets_dir=str(datasets))["release_id"]
    return seeds, datasets, first, second


def _manifest(release_dir: Path) -> dict:
    return json.loads((release_dir / MANIFEST).read_text())


def _write_manifest(release_dir: Path, manifest: dict, checksums: bool = True) -> None:
    (release_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    if checksums:  # a careful forger regenerates SHA256SUMS too
        (release_dir / CHECKSUMS).write_text(checksums_text(release_dir))


def _table_file(manifest: dict, table: str) -> str:
    return _table_files(manifest["tables"][table], manifest["files"])[0]


def _record_file(manifest: dict, release_dir: Path, rel: str) -> None:
    path = release_dir / rel
    manifest["files"][rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}


# ---- the tamper cases: each edits a copy of a good release, the way a forger would --------
def byte_flip(d: Path, m: dict) -> None:
    path = d / _table_file(m, "paragraphs")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(d: Path, m: dict) -> None:
    path = d / _table_file(m, "boilerplate")
    path.write_bytes(path.read_bytes()[:-64])


def manifest_edit(d: Path, m: dict) -> None:
    m["summary"]["documents"] += 1
    _write_manifest(d, m, checksums=False)


def manifest_edit_with_checksums(d: Path, m: dict) -> None:
    m["validation"]["passed"] = True
    m["summary"]["paragraphs"] -= 3
    _write_manifest(d, m)


def table_deleted_with_its_entries(d: Path, m: dict) -> None:
    for rel in _table_files(m["tables"]["edits"], m["files"]):
        (d / rel).unlink()
        del m["files"][rel]
    del m["tables"]["edits"]
    _write_manifest(d, m)


def forged_table_with_forged_entry(d: Path, m: dict) -> None:
    rel = _table_file(m, "documents")
    table = pq.read_table(d / rel)
    pq.write_table(table.slice(1), d / rel, compression="zstd")  # one document gone
    m["tables"]["documents"]["rows"] = table.num_rows - 1
    _record_file(m, d, rel)
    if "sha256" in m["tables"]["documents"]:
        m["tables"]["documents"].update(m["files"][rel])
    _write_manifest(d, m)


def symlinked_table(d: Path, m: dict) -> None:
    rel = _table_file(m, "sections")
    outside = d.parent / "sections-copy.parquet"
    shutil.copy(d / rel, outside)
    (d / rel).unlink()
    (d / rel).symlink_to(outside)  # same bytes: only the link gives it away


def extra_empty_directory(d: Path, m: dict) -> None:
    (d / "extras").mkdir()


def extra_file(d: Path, m: dict) -> None:
    (d / "notes.txt").write_text("added later\n")


def renamed_file(d: Path, m: dict) -> None:
    rel = _table_file(m, "mentions")
    (d / rel).rename(d / "renamed.parquet")


def renamed_file_with_manifest(d: Path, m: dict) -> None:
    rel = _table_file(m, "quantities")
    (d / rel).rename(d / "renamed.parquet")
    m["files"]["renamed.parquet"] = m["files"].pop(rel)
    info = m["tables"]["quantities"]
    if "files" in info:
        info["files"] = ["renamed.parquet" if f == rel else f for f in info["files"]]
    info["file"] = "renamed.parquet"
    _write_manifest(d, m)


def forged_schema_in_manifest(d: Path, m: dict) -> None:
    m["tables"]["sections"]["schema_hash"] = "0" * 16
    _write_manifest(d, m)


def checksums_edited(d: Path, m: dict) -> None:
    lines = (d / CHECKSUMS).read_text().splitlines()
    sha, rel = lines[0].split("  ", 1)
    lines[0] = f"{'0' * 64}  {rel}"
    (d / CHECKSUMS).write_text("\n".join(lines) + "\n")


TAMPERS: dict[str, tuple[Callable[[Path, dict], None], str]] = {
    "byte flip": (byte_flip, "sha256 differs from the manifest"),
    "truncation": (truncate, ": size "),
    "manifest edit": (manifest_edit, "manifest.json: sha256 differs from the one releases.jsonl"),
    "manifest edit + SHA256SUMS": (
        manifest_edit_with_checksums,
        "manifest.json: sha256 differs from the one releases.jsonl",
    ),
    "table deleted with its manifest entries": (
        table_deleted_with_its_entries,
        "manifest.json: table edits missing",
    ),
    "forged table + forged manifest entry": (
        forged_table_with_forged_entry,
        "manifest.json: sha256 differs from the one releases.jsonl",
    ),
    "table replaced by a symlink": (symlinked_table, "symbolic link"),
    "extra empty directory": (extra_empty_directory, "extras/: directory not in the manifest"),
    "extra file": (extra_file, "notes.txt: not in the manifest"),
    "renamed file": (renamed_file, "renamed.parquet: not in the manifest"),
    "renamed file + manifest": (renamed_file_with_manifest, "but the layout puts it at"),
    "schema forged in the manifest": (forged_schema_in_manifest, "schema differs from contract"),
    "SHA256SUMS edited": (checksums_edited, "sha256 differs from SHA256SUMS"),
}


@pytest.mark.parametrize("case", list(TAMPERS))
def test_verify_names_every_tampering(two_releases, tmp_path, case):
    datasets, _, latest = two_releases
    copy = copy_datasets(datasets, tmp_path)
    store = ReleaseStore(copy)
    assert verify_release(store.release(latest), store).passed  # the copy is still good
    tamper, finding = TAMPERS[case]
    release_dir = copy / latest
    unlock_release(release_dir)
    tamper(release_dir, _manifest(release_dir))
    relock_release(release_dir)  # permissions as published: only the tampering is a finding
    result = verify_release(store.release(latest), store)
    assert not result.passed
    assert any(finding in f for f in result.findings), result.findings


@pytest.mark.parametrize(
    ("mode", "finding"),
    [(0o644, "permissions 0o644, a release file must be 0o444"), (0o755, "a release directory")],
)
def test_verify_finds_changed_permissions(two_releases, tmp_path, mode, finding):
    datasets, _, latest = two_releases
    copy = copy_datasets(datasets, tmp_path)
    target = copy / latest / ("documents.parquet" if mode == 0o644 else "validation")
    if not target.exists():  # tables as directories of part files
        target = next((copy / latest).rglob("*.parquet"))
    target.chmod(mode)
    store = ReleaseStore(copy)
    result = verify_release(store.release(latest), store)
    assert any(finding in f for f in result.findings), result.findings


def test_an_edited_older_manifest_is_caught_by_its_successor_even_with_a_forged_log(
    two_releases, tmp_path
):
    datasets, first, _ = two_releases
    copy = copy_datasets(datasets, tmp_path)
    release_dir = copy / first
    unlock_release(release_dir)
    m = _manifest(release_dir)
    forged_table_with_forged_entry(release_dir, m)
    relock_release(release_dir)
    # The forger rewrites the releases log line too.
    log = copy / RELEASES_LOG
    new_sha = sha256_file(release_dir / MANIFEST)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    for e in events:
        if e["release_id"] == first:
            e["manifest_sha256"] = new_sha
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    store = ReleaseStore(copy)
    result = verify_release(store.release(first), store)
    assert any("recorded (manifest edited after publish)" in f for f in result.findings), (
        result.findings
    )


def test_what_needs_a_signature_forging_latest_and_its_log_line(two_releases, tmp_path):
    """The limit stated in taikong/verify.py: a forger who rewrites the newest release,
    its manifest, SHA256SUMS and its releases-log line leaves no record behind to
    contradict them. If this test starts failing, verify learnt to catch it: update the
    README and the module docstring."""
    datasets, _, latest = two_releases
    copy = copy_datasets(datasets, tmp_path)
    release_dir = copy / latest
    unlock_release(release_dir)
    forged_table_with_forged_entry(release_dir, _manifest(release_dir))
    relock_release(release_dir)
    log = copy / RELEASES_LOG
    events = [json.loads(line) for line in log.read_text().splitlines()]
    events[-1]["manifest_sha256"] = sha256_file(release_dir / MANIFEST)
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    store = ReleaseStore(copy)
    assert verify_release(store.release(latest), store).passed


def _cli(*args: str, cwd: Path | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "taikong_cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_verify_cli_resolves_release_names_against_datasets_not_cwd(two_releases, tmp_path):
    datasets, _, latest = two_releases
    # The working directory has its own (broken) `latest/` with a manifest.
    decoy = tmp_path / "latest"
    decoy.mkdir()
    (decoy / MANIFEST).write_text("{}")
    ok = _cli("verify", "latest", "--datasets", str(datasets), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert str(datasets / latest) in ok.stdout
    bad = _cli("verify", "./latest", "--datasets", str(datasets), cwd=tmp_path)
    assert bad.returncode == 1 and "verify FAILED" in bad.stdout
    # Standard tools check a release too.
    sums = subprocess.run(
        ["sha256sum", "-c", "--strict", CHECKSUMS], cwd=datasets / latest, capture_output=True
    )
    assert sums.returncode == 0, sums.stdout


# ---- rollback and withdraw -------------------------------------------------------------------
def test_rollback_survives_the_next_scheduled_run_and_a_new_release_follows_it(tmp_path):
    seeds, datasets, first, second = _publish_two(tmp_path)

    rolled = _cli("rollback", first, "--reason", "b.txt is a draft", "--datasets", str(datasets))
    assert rolled.returncode == 0, rolled.stderr
    assert os.readlink(datasets / "latest") == first

    # The next scheduled run (through the flow, as Prefect runs it) with the same inputs.
    again = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert again["status"] == "unchanged" and again["release_id"] == first
    assert "withdrawn release" in again["summary"]["withdrawn_match"]
    assert os.readlink(datasets / "latest") == first
    assert ReleaseStore(datasets).releases() == [first, second]

    listing = _cli("list", "--datasets", str(datasets)).stdout
    row = next(line for line in listing.splitlines() if line.startswith(second + " "))
    assert "WITHDRAWN: rolled back to" in row and "b.txt is a draft" in row

    # New inputs: a new release, whose predecessor is the rolled-back-to one.
    (seeds / "b.txt").unlink()
    (seeds / "c.txt").write_text(PAGE_C)
    third = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert third["status"] == "published"
    manifest = ReleaseStore(datasets).manifest(third["release_id"])
    assert manifest["predecessor"] == first
    store = ReleaseStore(datasets)
    assert verify_release(store.release(third["release_id"]), store).passed


def test_rollback_survives_recovery_of_a_run_killed_before_its_pointer_switch(tmp_path):
    seeds, datasets = tmp_path / "seeds", tmp_path / "datasets"
    seeds.mkdir()
    (seeds / "a.txt").write_text(PAGE_A)
    first = release(seeds_dir=str(seeds), datasets_dir=str(datasets))["release_id"]
    (seeds / "b.txt").write_text(PAGE_B)
    killed = _run_and_kill("before-pointer-switch", seeds, datasets, tmp_path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    crashed = [r for r in ReleaseStore(datasets).releases() if r != first]
    assert len(crashed) == 1 and os.readlink(datasets / "latest") == first

    # The operator withdraws what the dead run had put in place, before any run recovers.
    withdrawn = _cli("withdraw", crashed[0], "--reason", "bad b.txt", "--datasets", str(datasets))
    assert withdrawn.returncode == 0, withdrawn.stderr

    # The crash-recovery run: the dead run's journal says it had published crashed[0],
    # but it is withdrawn, so `latest` stays; the same inputs answer unchanged.
    after = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert after["status"] == "unchanged"
    assert os.readlink(datasets / "latest") == first
    assert not list((datasets / ".staging").iterdir())


def test_unchanged_run_answers_without_starting_prefect(two_releases, tmp_path):
    datasets, _, latest = two_releases
    seeds = datasets.parent / "seeds"
    home = tmp_path / "prefect-home"
    started = time.monotonic()
    run = _cli(
        "release",
        "--seeds",
        str(seeds),
        "--datasets",
        str(datasets),
        env={"PREFECT_HOME": str(home), "PREFECT_API_URL": ""},
    )
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"unchanged: inputs and code match release {latest}")
    assert not home.exists()  # Prefect never started (it creates its home when it does)
    assert elapsed < 6, elapsed
