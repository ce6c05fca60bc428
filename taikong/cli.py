"""`taikong` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# Prefect reads these at import: set safe defaults before anything imports it.
_PREFECT_DEFAULTS = {
    # No network here: telemetry only produces errors (and a "database is locked" trace).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The embedded server takes 10-30 s to start on 2 cores; the default 20 s is too tight.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def _prefect_env() -> None:
    for key, value in _PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


def _print_summary(result: dict) -> None:
    status, summary = result["status"], result.get("summary") or {}
    if status == "unchanged":
        print(f"unchanged: inputs and code match release {result['release_id']}")
        print(f"release: {result['path']}")
        return
    if status == "published":
        print(f"published release {result['release_id']}")
        print(f"release: {result['path']}")
    else:
        print("validation FAILED: nothing was published")
        for problem in result.get("problems", []):
            print(f"  {problem}")
    print(f"  inputs:      {summary.get('inputs', 0)}")
    print(f"  documents:   {summary.get('documents', 0)}")
    print(f"  sections:    {summary.get('sections', 0)}")
    print(f"  paragraphs:  {summary.get('paragraphs', 0)}")
    by_reason = summary.get("boilerplate_by_reason", {})
    print(f"  boilerplate removed: {sum(by_reason.values())} line(s)")
    for reason, n in sorted(by_reason.items()):
        print(f"    {reason:<18} {n}")
    quarantined = summary.get("quarantined", [])
    print(f"  quarantined: {len(quarantined)}")
    for q in quarantined:
        print(f"    {q['source_path']}: {q['reason']}")


def cmd_release(args: argparse.Namespace) -> int:
    _prefect_env()
    from flows.release import ValidationFailed, release
    from taikong.ingest.catalog import CatalogError

    try:
        result = release(
            seeds_dir=str(args.seeds),
            datasets_dir=str(args.datasets),
            max_bytes=args.max_bytes,
        )
    except ValidationFailed as exc:
        _print_summary(exc.result)
        return 1
    except (CatalogError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_summary(result)
    return 0


def _release_dir(name: str, datasets: Path):
    from taikong.io.store import MANIFEST, ReleaseDir, ReleaseStore

    path = Path(name)
    if (path / MANIFEST).exists():
        return ReleaseDir(path.resolve())
    return ReleaseStore(datasets).release(name)


def cmd_verify(args: argparse.Namespace) -> int:
    from taikong.verify import verify_release

    try:
        release = _release_dir(args.release, args.datasets)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problems = verify_release(release)
    if problems:
        print(f"verify FAILED: {release.root}")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"verified: {release.root} matches its manifest (every file, row count and schema)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    import datetime as dt

    from taikong.io.store import MANIFEST, ReleaseDir
    from taikong.validation import (
        SUMMARY,
        audit_release,
        failure_summary,
        published_input_bytes,
    )

    try:
        release = _release_dir(args.release, args.datasets)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    manifest = release.read_json(MANIFEST)
    predecessor = manifest.get("predecessor")
    previous = None
    if predecessor and (release.root.parent / predecessor / MANIFEST).exists():
        previous = ReleaseDir(release.root.parent / predecessor).read_json(MANIFEST)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or (release.root.parent / ".validations" / f"{release.root.name}-{stamp}")
    report = audit_release(
        release,
        ReleaseDir(Path(out)),
        manifest["tables"],
        previous,
        run_name=f"revalidate-{stamp}",
        input_bytes=published_input_bytes(manifest),
    )
    print(f"{'passed' if report['passed'] else 'validation FAILED'}: {release.root}")
    for problem in failure_summary(report):
        print(f"  {problem}")
    print(f"report: {Path(out) / SUMMARY}")
    return 0 if report["passed"] else 1


def build_parser() -> argparse.ArgumentParser:
    from taikong.ingest.decode import DEFAULT_MAX_BYTES

    parser = argparse.ArgumentParser(
        prog="taikong",
        description="Turn raw documents about China's space program into a versioned, "
        "validated Parquet dataset.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rel = sub.add_parser(
        "release",
        help="run the Prefect release flow: publish a dated release of SEEDS into DATASETS",
        description="Ingest, clean, deduplicate, structure and validate every file in SEEDS, "
        "then publish DATASETS/<YYYY-MM-DD>/ and point DATASETS/latest at it. "
        "Prints 'unchanged' if inputs and code match the latest release. Runs Prefect in "
        "embedded mode unless PREFECT_API_URL points at a server. Exit status: 0 published "
        "or unchanged, 1 validation failed (nothing published), 2 bad arguments or catalog.",
    )
    rel.add_argument(
        "--seeds", type=Path, default=Path("seeds"), help="input directory (default: seeds)"
    )
    rel.add_argument(
        "--datasets",
        type=Path,
        default=Path("datasets"),
        help="release directory (default: datasets)",
    )
    rel.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help=f"quarantine inputs larger than this (default: {DEFAULT_MAX_BYTES})",
    )
    rel.set_defaults(func=cmd_release)

    ver = sub.add_parser(
        "verify",
        help="check a published release's files against its manifest",
        description="Check every file of RELEASE (an id such as 2026-11-21, 'latest', or a "
        "path) against its manifest: no file missing or added, sizes and sha256 equal, "
        "every table readable with the recorded row count and schema. Exit 1 on any "
        "difference.",
    )
    ver.add_argument("release", help="release id, 'latest', or path to a release directory")
    ver.add_argument(
        "--datasets",
        type=Path,
        default=Path("datasets"),
        help="release directory (default: datasets)",
    )
    ver.set_defaults(func=cmd_verify)

    val = sub.add_parser(
        "validate",
        help="re-run the audit (pandera contracts, cross-table checks, GX suites) on a release",
        description="Re-run the full audit on a published RELEASE and write the report "
        "(report.json, summary.json, failure cases, Data Docs) to --out, by default "
        "DATASETS/.validations/<release>-<time>/; releases themselves are never modified. "
        "Exit 1 if any check fails.",
    )
    val.add_argument("release", help="release id, 'latest', or path to a release directory")
    val.add_argument(
        "--datasets",
        type=Path,
        default=Path("datasets"),
        help="release directory (default: datasets)",
    )
    val.add_argument("--out", type=Path, default=None, help="where to write the report")
    val.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
