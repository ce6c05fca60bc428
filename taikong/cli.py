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
    from taikong.ingest.shards import InputError

    try:
        result = release(
            seeds_dir=str(args.seeds),
            datasets_dir=str(args.datasets),
            max_bytes=args.max_bytes,
            runner=args.runner,
            dask_address=args.dask_address,
            dask_workers=args.dask_workers,
            progress_bar=sys.stderr.isatty() if args.progress is None else args.progress,
        )
    except ValidationFailed as exc:
        _print_summary(exc.result)
        return 1
    except (CatalogError, InputError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # Disk full, permission denied...: nothing was published, `latest` is unchanged.
        print(
            f"error: could not write the release under {args.datasets}: {exc}. "
            "Nothing was published; the previous release is intact.",
            file=sys.stderr,
        )
        return 3
    _print_summary(result)
    return 0


def _release_dir(name: str, datasets: Path):
    from taikong.io.store import MANIFEST, ReleaseDir, open_store

    path = Path(name)
    if (path / MANIFEST).exists():
        return ReleaseDir(path.resolve())
    return open_store(datasets).release(name)


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
    if predecessor:
        sibling = release.root.parent / predecessor
        try:
            previous = _release_dir(str(sibling), args.datasets).read_json(MANIFEST)
        except FileNotFoundError:
            try:
                previous = _release_dir(predecessor, args.datasets).read_json(MANIFEST)
            except FileNotFoundError:
                previous = None  # pruned: the row-count band is then not checked
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


def cmd_list(args: argparse.Namespace) -> int:
    from taikong.io.store import open_store

    store = open_store(args.datasets)
    latest = store.latest_id()
    releases = store.releases()
    if not releases:
        print(f"no releases under {args.datasets}")
        return 0
    print(f"{'release':<16} {'created (UTC)':<26} {'docs':>6} {'paragraphs':>10}  changes")
    for rid in releases:
        m = store.manifest(rid)
        rows = {t: i["rows"] for t, i in m["tables"].items()}
        changes = m.get("changelog", {}).get("counts", {})
        delta = ", ".join(
            f"{t} +{c['added']}/-{c['removed']}/~{c['changed']}"
            for t, c in changes.items()
            if any(c.values()) and t in ("documents", "paragraphs")
        )
        mark = " <- latest" if rid == latest else ""
        print(
            f"{rid:<16} {m['created_at']:<26} {rows.get('documents', 0):>6} "
            f"{rows.get('paragraphs', 0):>10}  {delta or '-'}{mark}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from taikong.io.store import MANIFEST

    try:
        release = _release_dir(args.release, args.datasets)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = release.read_json(MANIFEST)
    print(f"release {m['release_id']}  ({release.root})")
    print(f"  created:     {m['created_at']}")
    print(f"  predecessor: {m.get('predecessor') or '-'}")
    print(f"  code:        {m['code_version']['package']} ({m['code_version']['source_sha256']})")
    print(f"  validation:  {'passed' if m['validation']['passed'] else 'FAILED'}")
    print("  tables:")
    for name, info in m["tables"].items():
        print(
            f"    {name:<12} {info['rows']:>8} rows  "
            f"schema {info['schema_version']}  {info['grain']}"
        )
    fates = {}
    for i in m["inputs"]:
        fates[i["fate"]] = fates.get(i["fate"], 0) + 1
    print("  inputs:      " + ", ".join(f"{n} {fate}" for fate, n in sorted(fates.items())))
    for i in m["inputs"]:
        if i["fate"] == "quarantined":
            print(f"    {i['source_path']}: {i['reason']}")
    counts = m.get("changelog", {}).get("counts", {})
    if counts:
        print("  changes vs predecessor (added/removed/changed):")
        for table, c in counts.items():
            print(f"    {table:<12} +{c['added']} -{c['removed']} ~{c['changed']}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from taikong.changelog import counts, diff_releases

    try:
        old = _release_dir(args.old, args.datasets)
        new = _release_dir(args.new, args.datasets)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    changelog = diff_releases(old, new)
    print(f"{old.root.name} -> {new.root.name} (added/removed/changed rows, by stable id)")
    for table, c in counts(changelog).items():
        print(f"  {table:<12} +{c['added']} -{c['removed']} ~{c['changed']}")
    if args.out:
        changelog.write_parquet(args.out)
        print(f"row-level changes: {args.out}")
    elif changelog.height:
        for row in changelog.head(args.limit).iter_rows(named=True):
            cols = f" ({', '.join(row['changed_columns'])})" if row["changed_columns"] else ""
            print(f"    {row['change']:<8} {row['table']}.{row['key_column']}={row['key']}{cols}")
        if changelog.height > args.limit:
            print(f"    ... {changelog.height - args.limit} more (use --out FILE.parquet)")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from taikong.io.store import open_store

    if args.keep < 1:
        print("error: --keep must be at least 1", file=sys.stderr)
        return 2
    store = open_store(args.datasets)
    with store.lock():
        releases = store.releases()
        keep = set(releases[-args.keep :])
        latest = store.latest_id()
        if latest:
            keep.add(latest)  # never removed, whatever --keep says
        doomed = [r for r in releases if r not in keep]
        for rid in doomed:
            if args.dry_run:
                print(f"would remove {rid}")
            else:
                store.remove_release(rid)
                print(f"removed {rid}")
    print(f"kept {len(releases) - len(doomed)} release(s): {', '.join(sorted(keep))}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _prefect_env()
    from taikong.schedule import ServeError, serve_release

    try:
        serve_release(args.seeds, args.datasets, cron=args.cron, name=args.name)
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped serving")
    return 0


def _seeds_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds", type=Path, default=Path("seeds"), help="input directory (default: seeds)"
    )


def _datasets_option(parser: argparse.ArgumentParser) -> None:
    # A string, not a Path: Path("s3://bucket/x") would collapse the URL's "//".
    parser.add_argument(
        "--datasets",
        type=str,
        default="datasets",
        help="release directory or s3:// URL (default: datasets)",
    )


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
        "or unchanged, 1 validation failed (nothing published), 2 bad arguments or catalog, "
        "3 the release could not be written (disk full, permissions).",
    )
    _seeds_option(rel)
    _datasets_option(rel)
    rel.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help=f"quarantine inputs larger than this (default: {DEFAULT_MAX_BYTES})",
    )
    rel.add_argument(
        "--runner",
        choices=["default", "processes", "dask"],
        default="default",
        help="where shard tasks run: threads in this process (default), one process per "
        "core, or a Dask cluster",
    )
    rel.add_argument(
        "--dask-address",
        default=None,
        help="scheduler of an existing Dask cluster (tcp://host:8786); default: start a "
        "local cluster",
    )
    rel.add_argument(
        "--dask-workers", type=int, default=2, help="workers of the local Dask cluster (default: 2)"
    )
    rel.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    rel.set_defaults(func=cmd_release)

    lst = sub.add_parser(
        "list",
        help="list published releases, oldest first",
        description="List published releases with their creation time, "
        "document and paragraph counts and changes; marks `latest`.",
    )
    _datasets_option(lst)
    lst.set_defaults(func=cmd_list)

    shw = sub.add_parser(
        "show",
        help="describe one release from its manifest",
        description="Print a release's manifest in short: predecessor, code "
        "version, validation, tables (rows, schema version, grain), inputs "
        "and their fate, and its changes against the predecessor.",
    )
    shw.add_argument("release", help="release id, 'latest', or path to a release directory")
    _datasets_option(shw)
    shw.set_defaults(func=cmd_show)

    dif = sub.add_parser(
        "diff",
        help="row-level differences between two releases",
        description="Compare two releases table by table, matching rows by "
        "their stable ids: rows added, removed, and changed (with the "
        "columns that changed).",
    )
    dif.add_argument("old", help="release id, 'latest' or path")
    dif.add_argument("new", help="release id, 'latest' or path")
    dif.add_argument("--out", type=Path, help="write the row-level changes to this Parquet file")
    dif.add_argument("--limit", type=int, default=20, help="rows to print (default: 20)")
    _datasets_option(dif)
    dif.set_defaults(func=cmd_diff)

    prn = sub.add_parser(
        "prune",
        help="delete old releases, keeping the newest N",
        description="Delete all but the newest N releases. The release "
        "`latest` points to and the newest release are never removed.",
    )
    prn.add_argument("--keep", type=int, required=True, help="how many of the newest to keep")
    prn.add_argument("--dry-run", action="store_true", help="only print what would be removed")
    _datasets_option(prn)
    prn.set_defaults(func=cmd_prune)

    ver = sub.add_parser(
        "verify",
        help="check a published release's files against its manifest",
        description="Check every file of RELEASE (an id such as 2026-11-21, 'latest', or a "
        "path) against its manifest: no file missing or added, sizes and sha256 equal, "
        "every table readable with the recorded row count and schema. Exit 1 on any "
        "difference.",
    )
    ver.add_argument("release", help="release id, 'latest', or path to a release directory")
    _datasets_option(ver)
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
    _datasets_option(val)
    val.add_argument("--out", type=Path, default=None, help="where to write the report")
    val.set_defaults(func=cmd_validate)

    srv = sub.add_parser(
        "serve",
        help="serve the release flow on a cron schedule (UTC) from this process; needs a "
        "Prefect server (PREFECT_API_URL)",
        description="Register the deployment release/NAME with the Prefect server at "
        "PREFECT_API_URL, scheduled by --cron in UTC with --seeds and --datasets (made "
        "absolute) as its parameters, then stay in the foreground and run every due flow run "
        "of it: scheduled ones, and those started from the UI or with "
        "`prefect deployment run release/NAME`. No work pool or worker is needed. Ctrl-C "
        "stops serving and pauses the schedule. Needs a Prefect server that outlives this "
        "process, e.g. `uv run prefect server start` in another terminal and "
        "PREFECT_API_URL=http://127.0.0.1:4200/api; without PREFECT_API_URL, or with a "
        "server that does not answer, it exits with status 2. See README, 'Scheduled runs'.",
    )
    _seeds_option(srv)
    _datasets_option(srv)
    srv.add_argument(
        "--cron",
        default="0 2 * * *",
        help="cron expression, evaluated in UTC (default: '0 2 * * *', daily at 02:00 UTC)",
    )
    srv.add_argument(
        "--name",
        default="daily-served",
        help="deployment name, shown as release/NAME (default: daily-served)",
    )
    srv.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
