"""Check a published release against what a release must be, not only against itself.

- its files: exactly the manifest's inventory plus `manifest.json` and `SHA256SUMS`, all
  regular files (no symlinks, no extra files or directories, empty ones included), sizes
  and sha256 as recorded, files 0o444 and directories 0o555;
- its tables: the table set the contracts define; where the manifest names the contract's
  current schema version, the schema is the contract's (not merely the manifest's); every
  table file readable, under the layout's path, with the recorded rows and schema;
- `SHA256SUMS` agrees with the files (so `sha256sum -c SHA256SUMS` is a real check);
- the manifest itself: its sha256 as recorded in the releases log when it was published
  and in the successor's `predecessor_manifest_sha256`, so editing the manifest (and the
  checksums with it) is a finding unless those records are forged too.

What no record here can catch: someone who rewrites a release, its manifest, its
SHA256SUMS *and* the releases log line of the newest release (which has no successor to
hold its manifest's hash). Catching that needs a signature made with a key the forger
does not hold, or a copy of the log kept elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from contracts import TABLES
from contracts.arrow import arrow_schema, schema_hash
from contracts.changelog import Changelog
from taikong.io import (
    CHECKSUMS,
    DIR_MODE,
    FILE_MODE,
    MANIFEST,
    RELEASES_LOG,
    ReleaseDir,
    ReleaseStore,
    sha256_file,
)
from taikong.io.files import link_target, permission_bits, walk_tree


@dataclass
class Verification:
    """Findings (each names a file and a reason; any finding fails) and notes (facts
    worth saying that are no failure, e.g. what could not be checked)."""

    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings


def _table_files(info: dict, inventory: dict) -> list[str]:
    """The files holding a table: one file, or the part files under a directory, as the
    manifest's table entry names them (`files` list, or `file` / `path`)."""
    named = info.get("files") or [info.get("file") or info.get("path")]
    files: list[str] = []
    for entry in named:
        if not entry:
            continue
        if entry in inventory:
            files.append(entry)
        else:  # a directory of part files
            prefix = entry.rstrip("/") + "/"
            files += sorted(r for r in inventory if r.startswith(prefix) and r.endswith(".parquet"))
    return files


def _check_files(release: ReleaseDir, manifest: dict, out: Verification, modes: bool) -> dict:
    """File inventory, entry kinds and permissions; returns actual sha256 by file."""
    recorded: dict = manifest.get("files") or {}
    if not recorded:
        out.findings.append(f"{MANIFEST}: no file inventory (release predates `verify`)")
    expected_files = set(recorded) | {MANIFEST, CHECKSUMS}
    expected_dirs = {
        str(parent) for rel in expected_files for parent in PurePosixPath(rel).parents
    } - {"."}
    entries = walk_tree(release.root)
    actual: dict[str, str] = {}
    for rel, entry in sorted(entries.items()):
        if entry.kind == "symlink":
            target = link_target(release.root / rel)
            out.findings.append(
                f"{rel}: symbolic link to {target} (a release holds only regular files)"
            )
        elif entry.kind == "other":
            out.findings.append(f"{rel}: not a regular file or directory")
        elif entry.kind == "dir":
            if rel not in expected_dirs:
                out.findings.append(f"{rel}/: directory not in the manifest (extra entry)")
            elif modes and entry.mode != DIR_MODE:
                out.findings.append(
                    f"{rel}/: permissions {entry.mode:#o}, a release directory must be "
                    f"{DIR_MODE:#o} (read-only)"
                )
        else:
            if rel not in expected_files:
                out.findings.append(f"{rel}: not in the manifest (added after publish)")
                continue
            if modes and entry.mode != FILE_MODE:
                out.findings.append(
                    f"{rel}: permissions {entry.mode:#o}, a release file must be "
                    f"{FILE_MODE:#o} (read-only)"
                )
            actual[rel] = sha256_file(release.root / rel)
    if modes:
        top = permission_bits(release.root)
        if top != DIR_MODE:
            out.findings.append(
                f"{release.root.name}/: permissions {top:#o}, a release directory must be "
                f"{DIR_MODE:#o} (read-only)"
            )
    for rel, facts in recorded.items():
        entry = entries.get(rel)
        if entry is None:
            out.findings.append(f"{rel}: missing")
        elif entry.kind != "file":
            continue  # already reported as a symlink or a non-file
        elif entry.size != facts["bytes"]:
            out.findings.append(f"{rel}: size {entry.size} bytes, manifest says {facts['bytes']}")
        elif actual.get(rel) != facts["sha256"]:
            out.findings.append(f"{rel}: sha256 differs from the manifest (content altered)")
    if CHECKSUMS not in entries:
        out.findings.append(f"{CHECKSUMS}: missing")
    return actual


def _check_checksums(release: ReleaseDir, actual: dict[str, str], out: Verification) -> None:
    if CHECKSUMS not in actual:
        return
    listed: dict[str, str] = {}
    for n, line in enumerate(release.get_text(CHECKSUMS).splitlines(), 1):
        sha, sep, rel = line.partition("  ")
        if not sep or len(sha) != 64:
            out.findings.append(f"{CHECKSUMS}:{n}: not a `sha256sum` line")
            continue
        listed[rel] = sha
    for rel, sha in actual.items():
        if rel == CHECKSUMS:
            continue
        if rel not in listed:
            out.findings.append(f"{CHECKSUMS}: does not list {rel}")
        elif listed[rel] != sha:
            out.findings.append(f"{rel}: sha256 differs from {CHECKSUMS}")
    for rel in sorted(set(listed) - set(actual)):
        out.findings.append(f"{CHECKSUMS}: lists {rel}, which is not a regular file here")


def _check_parquet(
    release: ReleaseDir, label: str, files: list[str], info: dict, model, out: Verification
) -> None:
    """A table's files: readable, the recorded rows in total, the manifest's schema, and
    the contract's schema when the manifest names the contract's current version."""
    contract_hash = None
    version = info.get("schema_version")
    if model is not None:
        if version == model.__schema_version__:
            contract_hash = schema_hash(arrow_schema(model))
            if info.get("schema_hash") != contract_hash:
                out.findings.append(
                    f"{MANIFEST}: {label} schema differs from contract {model.__name__} "
                    f"{version} (manifest's schema forged or contract changed without a bump)"
                )
        else:
            out.notes.append(
                f"{label}: schema version {version}, the contracts are at "
                f"{model.__schema_version__}: schema checked against the manifest only"
            )
    if not files:
        out.findings.append(f"{MANIFEST}: {label} names no file that is in the release")
        return
    rows = 0
    for rel in files:
        try:
            n, schema = release.parquet_facts(rel)
        except Exception as exc:  # noqa: BLE001 - any read failure is a finding
            out.findings.append(f"{rel}: unreadable Parquet ({type(exc).__name__}: {exc})")
            return
        rows += n
        got = schema_hash(schema)
        if got != info.get("schema_hash"):
            out.findings.append(f"{rel}: schema differs from the manifest ({label})")
        elif contract_hash is not None and got != contract_hash:
            out.findings.append(f"{rel}: schema differs from contract {model.__name__}")
        meta = schema.metadata or {}
        file_version = meta.get(b"taikong.schema_version", b"").decode()
        if version and file_version and file_version != version:
            out.findings.append(
                f"{rel}: file says schema version {file_version}, manifest says {version}"
            )
    if "rows" in info and rows != info["rows"]:
        out.findings.append(f"{files[0]}: {rows} rows, manifest says {info['rows']} ({label})")


def _layout_path(release: ReleaseDir, table: str, manifest: dict) -> str:
    """Where the layout the manifest names puts a table: 2.x a directory of part files,
    1.x (no layout_version) one `<table>.parquet`."""
    if str(manifest.get("layout_version", "1")).split(".")[0] == "1":
        return f"{table}.parquet"
    return release.table_dir(table).relative_to(release.root).as_posix()


def _under(rel: str, layout: str) -> bool:
    return rel == layout or rel.startswith(layout.rstrip("/") + "/")


def _check_tables(release: ReleaseDir, manifest: dict, out: Verification) -> None:
    tables: dict = manifest.get("tables") or {}
    inventory = manifest.get("files") or {}
    for name in sorted(set(TABLES) - set(tables)):
        out.findings.append(
            f"{MANIFEST}: table {name} missing (the contracts define it; every release has it)"
        )
    for name in sorted(set(tables) - set(TABLES)):
        out.findings.append(f"{MANIFEST}: table {name} is not defined by the contracts")
    claimed: set[str] = set()
    for name, info in tables.items():
        files = _table_files(info, inventory)
        layout = _layout_path(release, name, manifest)
        for rel in files:
            claimed.add(rel)
            if not _under(rel, layout):
                out.findings.append(
                    f"{rel}: holds table {name} per the manifest, but the layout puts it at "
                    f"{layout} (renamed)"
                )
        _check_parquet(release, name, files, info, TABLES.get(name), out)
    changelog = manifest.get("changelog") or {}
    if changelog.get("files") or changelog.get("file"):
        files = _table_files(changelog, inventory)
        claimed.update(files)
        info = {
            "schema_version": Changelog.__schema_version__,
            "schema_hash": schema_hash(arrow_schema(Changelog)),
        }
        _check_parquet(release, "changelog", files, info, Changelog, out)
    elif manifest.get("predecessor") is not None or "changelog" in manifest:
        out.findings.append(f"{MANIFEST}: no changelog entry")
    for rel in sorted(inventory):
        if rel.endswith(".parquet") and rel not in claimed and not rel.startswith("validation/"):
            out.findings.append(f"{rel}: Parquet file that belongs to no table of the manifest")


def _check_anchors(
    release: ReleaseDir, manifest: dict, store: ReleaseStore | None, out: Verification
) -> None:
    """The manifest's sha256 against the records a tamperer would have to change too."""
    release_id = release.root.name
    if manifest.get("release_id") != release_id:
        out.findings.append(
            f"{MANIFEST}: says release {manifest.get('release_id')!r}, its directory is "
            f"{release_id} (renamed)"
        )
    if store is None or not (store.root / RELEASES_LOG).exists():
        where = store.root if store is not None else release.root.parent
        out.notes.append(
            f"no {RELEASES_LOG} under {where}: the manifest's own sha256 is checked only "
            "against a successor's record"
        )
        events = []
    else:
        events = store.log_events()
    sha = sha256_file(release.root / MANIFEST)
    if events:
        published = [
            e for e in events if e["event"] == "published" and e["release_id"] == release_id
        ]
        if not published:
            out.findings.append(
                f"{MANIFEST}: release {release_id} was never logged as published in "
                f"{store.root / RELEASES_LOG}"
            )
        elif published[-1].get("manifest_sha256") != sha:
            out.findings.append(
                f"{MANIFEST}: sha256 differs from the one {RELEASES_LOG} recorded when "
                f"{release_id} was published (manifest edited)"
            )
        elif published[-1].get("predecessor") != manifest.get("predecessor"):
            out.findings.append(
                f"{MANIFEST}: predecessor {manifest.get('predecessor')!r}, {RELEASES_LOG} "
                f"says {published[-1].get('predecessor')!r}"
            )
        withdrawn = [
            e for e in events if e["event"] == "withdrawn" and e["release_id"] == release_id
        ]
        if withdrawn:
            out.notes.append(f"{release_id} is withdrawn: {withdrawn[-1].get('reason')}")
    if store is None:
        return
    for other in store.releases():
        if other == release_id:
            continue
        try:
            successor = store.manifest(other)
        except (OSError, ValueError):
            continue  # that release's own verify reports it
        if successor.get("predecessor") != release_id:
            continue
        recorded = successor.get("predecessor_manifest_sha256")
        if recorded is not None and recorded != sha:
            out.findings.append(
                f"{MANIFEST}: sha256 differs from the one its successor {other} recorded "
                "(manifest edited after publish)"
            )


def verify_release(
    release: ReleaseDir, store: ReleaseStore | None = None, check_modes: bool = True
) -> Verification:
    """Every finding about `release`; `store` is the datasets directory holding it (for
    the releases log and its successors), None for a copy outside one."""
    out = Verification()
    try:
        manifest = release.read_json(MANIFEST)
    except (OSError, ValueError) as exc:
        out.findings.append(f"{MANIFEST}: unreadable ({type(exc).__name__}: {exc})")
        return out
    if not isinstance(manifest, dict):
        out.findings.append(f"{MANIFEST}: not a JSON object")
        return out
    actual = _check_files(release, manifest, out, check_modes)
    _check_checksums(release, actual, out)
    _check_tables(release, manifest, out)
    _check_anchors(release, manifest, store, out)
    return out
