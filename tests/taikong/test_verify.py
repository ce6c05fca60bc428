"""`verify` on releases published without Prefect (the `two_releases` fixture): each kind of tampering gives exactly
the findings it should, naming the file and the reason, and nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from corpus import copy_datasets, editing_release

from taikong.io import CHECKSUMS, MANIFEST, RELEASES_LOG, ReleaseStore, sha256_file
from taikong.publish import checksums_text
from taikong.verify import verify_release


@pytest.fixture
def copy(two_releases, tmp_path) -> tuple[ReleaseStore, str, str]:
    datasets, first, second, _ = two_releases
    return ReleaseStore(copy_datasets(datasets, tmp_path)), first.release_id, second.release_id


def _verify(store: ReleaseStore, release_id: str):
    return verify_release(store.release(release_id), store)


def _manifest(release_dir: Path) -> dict:
    return json.loads((release_dir / MANIFEST).read_text())


def _part_file(manifest: dict, table: str) -> str:
    return manifest["tables"][table]["files"][0]


def test_an_untouched_release_has_no_finding_and_no_note(copy):
    store, first, second = copy
    for release_id in (first, second):
        result = _verify(store, release_id)
        assert (result.findings, result.notes, result.passed) == ([], [], True)


def test_a_changed_byte_in_a_file_is_named_twice_by_manifest_and_checksums(copy):
    store, _, latest = copy
    release_dir = store.root / latest
    with editing_release(release_dir):
        data = bytearray((release_dir / "CHANGES.md").read_bytes())
        data[0] ^= 0x01  # same size, other content
        (release_dir / "CHANGES.md").write_bytes(bytes(data))
    assert _verify(store, latest).findings == [
        "CHANGES.md: sha256 differs from the manifest (content altered)",
        "CHANGES.md: sha256 differs from SHA256SUMS",
    ]


def test_a_truncated_table_file_is_a_size_finding_and_unreadable(copy):
    store, _, latest = copy
    release_dir = store.root / latest
    rel = _part_file(_manifest(release_dir), "paragraphs")
    recorded = _manifest(release_dir)["files"][rel]["bytes"]
    with editing_release(release_dir):
        (release_dir / rel).write_bytes((release_dir / rel).read_bytes()[:-64])
    findings = _verify(store, latest).findings
    assert findings[:2] == [
        f"{rel}: size {recorded - 64} bytes, manifest says {recorded}",
        f"{rel}: sha256 differs from SHA256SUMS",
    ]
    [unreadable] = findings[2:]
    assert unreadable.startswith(f"{rel}: unreadable Parquet (")


def test_a_missing_file_is_missing_and_still_listed_by_the_checksums(copy):
    store, _, latest = copy
    release_dir = store.root / latest
    with editing_release(release_dir):
        (release_dir / "CHANGES.md").unlink()
    assert _verify(store, latest).findings == [
        "CHANGES.md: missing",
        "SHA256SUMS: lists CHANGES.md, which is not a regular file here",
    ]


def test_an_extra_file_and_an_extra_empty_directory_are_each_one_finding(copy):
    store, _, latest = copy
    release_dir = store.root / latest
    with editing_release(release_dir):
        (release_dir / "notes.txt").write_text("added later\n")
        (release_dir / "validation" / "extras").mkdir()
    assert _verify(store, latest).findings == [
        "notes.txt: not in the manifest (added after publish)",
        "validation/extras/: directory not in the manifest (extra entry)",
    ]


def test_an_edited_manifest_is_caught_by_the_checksums_and_the_releases_log(copy):
    store, _, latest = copy
    release_dir = store.root / latest
    manifest = _manifest(release_dir)
    manifest["summary"]["documents"] += 1
    with editing_release(release_dir):
        (release_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    assert _verify(store, latest).findings == [
        "manifest.json: sha256 differs from SHA256SUMS",
        f"manifest.json: sha256 differs from the one releases.jsonl recorded when {latest} "
        "was published (manifest edited)",
    ]


def test_an_edited_manifest_with_forged_checksums_and_log_is_caught_by_its_successor(copy):
    store, first, second = copy
    release_dir = store.root / first
    manifest = _manifest(release_dir)
    manifest["summary"]["paragraphs"] -= 1
    with editing_release(release_dir):
        (release_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        (release_dir / CHECKSUMS).write_text(checksums_text(release_dir))
    log = store.root / RELEASES_LOG
    events = [json.loads(line) for line in log.read_text().splitlines()]
    for event in events:
        if event["event"] == "published" and event["release_id"] == first:
            event["manifest_sha256"] = sha256_file(release_dir / MANIFEST)
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    assert _verify(store, first).findings == [
        f"manifest.json: sha256 differs from the one its successor {second} recorded "
        "(manifest edited after publish)"
    ]
    assert _verify(store, second).findings == []  # the successor itself is intact


def test_a_writable_file_and_directory_are_permission_findings(copy):
    store, _, latest = copy
    release_dir = store.root / latest
    (release_dir / "CHANGES.md").chmod(0o644)
    (release_dir / "validation").chmod(0o755)
    assert _verify(store, latest).findings == [
        "CHANGES.md: permissions 0o644, a release file must be 0o444 (read-only)",
        "validation/: permissions 0o755, a release directory must be 0o555 (read-only)",
    ]


def test_a_table_file_replaced_by_a_symlink_to_the_same_bytes_is_a_finding(copy, tmp_path):
    store, _, latest = copy
    release_dir = store.root / latest
    rel = _part_file(_manifest(release_dir), "sections")
    outside = tmp_path / "sections-copy.parquet"
    shutil.copy(release_dir / rel, outside)
    with editing_release(release_dir):
        (release_dir / rel).unlink()
        (release_dir / rel).symlink_to(outside)
    findings = _verify(store, latest).findings
    assert findings[0] == f"{rel}: symbolic link to {outside} (a release holds only regular files)"
    # The checksums' listing of it is a finding too; nothing else is.
    assert findings[1:] == [f"SHA256SUMS: lists {rel}, which is not a regular file here"]


def test_a_copy_outside_its_datasets_directory_says_what_it_could_not_check(copy, tmp_path):
    store, _, latest = copy
    alone = tmp_path / "alone" / latest
    shutil.copytree(store.root / latest, alone, symlinks=True)
    result = verify_release(ReleaseStore(alone.parent).release(latest), None)
    assert result.findings == []
    assert result.notes == [
        f"no {RELEASES_LOG} under {alone.parent}: the manifest's own sha256 is checked only "
        "against a successor's record"
    ]
