"""Check a published release's files against its manifest: nothing missing, added,
truncated or altered; every table readable with the recorded rows and schema."""

from __future__ import annotations

from contracts.arrow import schema_hash
from taikong.io.store import MANIFEST, ReleaseDir


def verify_release(release: ReleaseDir) -> list[str]:
    """Problems found (empty list: the release is exactly what its manifest says)."""
    manifest = release.read_json(MANIFEST)
    recorded = manifest.get("files")
    if recorded is None:
        return [f"{release.root / MANIFEST}: no file inventory (release predates `verify`)"]
    problems = []
    actual = release.inventory()
    for rel, facts in recorded.items():
        found = actual.get(rel)
        if found is None:
            problems.append(f"{rel}: missing")
        elif found["bytes"] != facts["bytes"]:
            problems.append(f"{rel}: size {found['bytes']} bytes, manifest says {facts['bytes']}")
        elif found["sha256"] != facts["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest (content altered)")
    problems += [
        f"{rel}: not in the manifest (added after publish)" for rel in actual if rel not in recorded
    ]
    for table, info in manifest["tables"].items():
        # Layout 2: a table is several part files, each with its rows; 1.x: one "file".
        parts = info.get("parts") or [{"file": info["file"], "rows": info["rows"]}]
        for part in parts:
            try:
                rows, schema = release.parquet_facts(part["file"])
            except Exception as exc:  # noqa: BLE001 - any read failure is a finding
                problems.append(f"{part['file']}: unreadable Parquet ({type(exc).__name__}: {exc})")
                continue
            if rows != part["rows"]:
                problems.append(f"{part['file']}: {rows} rows, manifest says {part['rows']}")
            if schema_hash(schema) != info["schema_hash"]:
                problems.append(f"{part['file']}: schema differs from the manifest ({table})")
    return problems
