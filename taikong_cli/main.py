"""`taikong` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import logging
import os
import sys
import tempfile
import traceback
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: bad input must be answered fast
    from taikong.audit_settings import AuditSettings

# Exit statuses: each means one thing.
EXIT_OK = 0  # published, unchanged, or the command did what it was asked
EXIT_REJECTED = 1  # the audit (or `verify`) rejected the release: nothing was published
EXIT_BAD_INPUT = 2  # bad input or usage: seeds, catalog, options, release names
EXIT_WRITE = 3  # could not write (disk full, permission denied, read-only filesystem)
EXIT_INTERNAL = 4  # anything else: a bug; the traceback is in the log file

# Exception classes that mean bad input, by "module:qualname" so that nothing is imported
# before an error happens. The most specific class of an exception's MRO decides; add the
# classes of new modules here (one place for every command).
EXIT_CODES: dict[str, int] = {
    "taikong_cli.main:UsageError": EXIT_BAD_INPUT,
    "taikong.ingest.catalog:CatalogError": EXIT_BAD_INPUT,
    "taikong.ingest.shards:InputError": EXIT_BAD_INPUT,
    "taikong.audit_settings:AuditSettingsError": EXIT_BAD_INPUT,
    "taikong.plan:SeedsError": EXIT_BAD_INPUT,
    "taikong.io.release_store:ReleaseNotFound": EXIT_BAD_INPUT,
    "taikong.io.release_store:ReleaseStateError": EXIT_BAD_INPUT,
    "taikong_cli.serve:ServeError": EXIT_BAD_INPUT,
    "builtins:FileNotFoundError": EXIT_BAD_INPUT,
    "builtins:NotADirectoryError": EXIT_BAD_INPUT,
}
# errno values that mean "could not write", wherever they come from (Python, pyarrow,
# polars' Rust IO errors carry them as "(os error N)" in their message).
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.EFBIG}
_WRITE_MESSAGES = tuple(os.strerror(code) for code in WRITE_ERRNOS) + tuple(
    f"(os error {code})" for code in WRITE_ERRNOS
)


class UsageError(ValueError):
    """A bad option value or a command that cannot apply (exit status 2)."""


def _chain(exc: BaseException):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _registered_code(exc: BaseException) -> int | None:
    for cls in type(exc).__mro__:
        # `python -m taikong_cli.main` runs this module as __main__.
        module = "taikong_cli.main" if cls.__module__ == "__main__" else cls.__module__
        code = EXIT_CODES.get(f"{module}:{cls.__qualname__}")
        if code is not None:
            return code
    return None


def _is_write_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
        return True
    return any(message in str(exc) for message in _WRITE_MESSAGES)


def exit_code_for(exc: BaseException) -> int:
    """The exit status an exception means (see EXIT_CODES and WRITE_ERRNOS)."""
    code = _registered_code(exc)
    if code is not None:
        return code
    chain = list(_chain(exc))
    if any(_is_write_error(e) for e in chain):
        return EXIT_WRITE
    for e in chain[1:]:
        code = _registered_code(e)
        if code is not None:
            return code
    return EXIT_INTERNAL


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _log_dir() -> Path:
    return Path(os.environ.get("TAIKONG_LOG_DIR") or Path(tempfile.gettempdir()) / "taikong-logs")


def _new_log_path(command: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return _log_dir() / f"{command}-{stamp}-{os.getpid()}.log"


def _write_log(path: Path, exc: BaseException) -> str:
    """Append the traceback to the run's log file; returns where it is (or why not)."""
    from taikong.io.files import append_text

    try:
        append_text(path, "".join(traceback.format_exception(exc)))
    except OSError as log_error:
        return f"(no log: could not write {path}: {log_error.strerror or log_error})"
    return str(path)


class _WithoutTraceback(logging.Formatter):
    """Console formatting without tracebacks (they go to the log file instead)."""

    def __init__(self, inner: logging.Formatter | None):
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            text = self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        # Some libraries (Great Expectations) put the traceback in the message itself.
        if "Traceback (most recent call last)" not in text:
            return text
        return " ".join(text[: text.find("Traceback")].split()) + " [traceback in the log]"


class _LogFile(logging.FileHandler):
    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """Best effort: a log that cannot be written (full disk) prints no traceback."""


def _route_tracebacks_to(log_path: Path) -> logging.Handler:
    """Keep Prefect's console lines, without tracebacks; everything, tracebacks included,
    goes to `log_path` (opened on the first record)."""
    handler = _LogFile(log_path, delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in ("uvicorn", "fastapi", "prefect._internal")
    ]
    for logger in loggers:
        for h in logger.handlers:
            if (
                isinstance(h, logging.StreamHandler)
                and not isinstance(h, logging.FileHandler)
                and not isinstance(h.formatter, _WithoutTraceback)
            ):
                h.setFormatter(_WithoutTraceback(h.formatter))
    logging.getLogger().addHandler(handler)
    return handler


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
        withdrawn = summary.get("withdrawn_match")
        print(
            f"unchanged: {withdrawn}"
            if withdrawn
            else f"unchanged: inputs and code match release {result['release_id']}"
        )
        print(f"release: {result['path']}")
        return
    if status == "published":
        print(f"published release {result['release_id']}")
        print(f"release: {result['path']}")
    else:
        print("validation FAILED: nothing was published")
        for problem in result.get("problems", []):
            print(f"  {problem}")
    warnings = summary.get("warnings", [])
    if warnings:
        print(f"  warnings:    {len(warnings)} (published; details in validation/summary.json)")
        for warning in warnings:
            print(f"    {warning}")
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


def _check_unchanged(args: argparse.Namespace, settings: AuditSettings) -> int | None:
    """Bad input, and a run with nothing to do, answered in plain Python: no Prefect.

    Raises on bad input (seeds, catalog). Returns 0 after printing `unchanged` when the
    inputs, catalog, options and code match `latest` (or a withdrawn release), else None.
    """
    from taikong.plan import (
        fingerprint,
        input_shas,
        known_release,
        plan_run,
        readable_paths,
        run_options,
        unchanged_summary,
    )

    plan = plan_run(args.seeds, args.datasets)
    from taikong.dedup.near_duplicates import DEFAULT_THRESHOLD
    from taikong.io import open_store

    if "://" in str(args.datasets):
        return None  # object storage: the flow checks (reading it is not free)
    store = open_store(args.datasets)
    if not store.root.exists():
        return None
    options = run_options(args.max_bytes, DEFAULT_THRESHOLD, settings)
    shas = dict(input_shas(plan.seeds, readable_paths(plan, args.max_bytes)))
    for action in store.recover():
        print(f"recover: {action}", file=sys.stderr)
    known = known_release(store, fingerprint(plan, shas, options))
    if known is None:
        return None
    latest, summary = unchanged_summary(store, known)
    _print_summary(
        {
            "status": "unchanged",
            "release_id": latest,
            "path": store.location(latest) if latest else None,
            "summary": summary,
        }
    )
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from taikong.audit_settings import load_audit_settings
    from taikong.report.expectations import DATA_CHECK_IDS

    if args.max_bytes < 1:
        raise UsageError("--max-bytes must be at least 1")
    if args.work_area == "store" and "://" not in str(args.datasets):
        raise UsageError(f"--work-area store needs an s3:// --datasets, not {args.datasets}")
    settings = load_audit_settings(known_ids=DATA_CHECK_IDS)  # bad setting: bad input, exit 2
    answered = _check_unchanged(args, settings)
    if answered is not None:
        return answered
    _prefect_env()
    from flows.release import ValidationFailed, release
    from taikong.io.files import make_dirs, remove_file

    log_path = _new_log_path("release")
    args.log_path = log_path
    with suppress(OSError):
        make_dirs(log_path.parent)
    handler = _route_tracebacks_to(log_path)
    try:
        result = release(
            seeds_dir=str(args.seeds),
            datasets_dir=str(args.datasets),
            max_bytes=args.max_bytes,
            runner=args.runner,
            dask_address=args.dask_address,
            dask_workers=args.dask_workers,
            work_area=args.work_area,
            progress_bar=sys.stderr.isatty() if args.progress is None else args.progress,
        )
    except ValidationFailed as exc:
        result, status = exc.result, EXIT_REJECTED  # the audit report says why
    else:
        status = EXIT_OK
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    _print_summary(result)
    with suppress(OSError):
        remove_file(log_path)  # only a crashed run needs its log file
    return status


def _existing_store(datasets: str):
    """The store of --datasets; a local directory that does not exist is bad input
    (and nothing is created)."""
    from taikong.io import open_store

    store = open_store(datasets)
    if "://" not in str(datasets) and not store.root.is_dir():
        what = "does not exist" if not store.root.exists() else "is not a directory"
        raise UsageError(f"{store.root}: the datasets directory {what}")
    return store


def _release_dir(name: str, datasets: str):
    """A release id or `latest` under --datasets (never the working directory), or an
    explicit path to a release directory (it contains a `/`)."""
    from taikong.io import MANIFEST, ReleaseDir, ReleaseNotFound

    if "/" in name or name in (".", ".."):
        path = Path(name).resolve()
        if not (path / MANIFEST).exists():
            raise ReleaseNotFound(f"{path}: not a release directory (no {MANIFEST})")
        return ReleaseDir(path)
    return _existing_store(datasets).release(name)


def cmd_verify(args: argparse.Namespace) -> int:
    from taikong.io import ReleaseStore, RemoteReleaseStore, open_store

    release = _release_dir(args.release, args.datasets)
    from taikong.verify import verify_release  # after the name resolved: it imports pandera

    remote = "://" in str(args.datasets) and "/" not in args.release
    store = open_store(args.datasets) if remote else ReleaseStore(release.root.parent)
    result = verify_release(
        release,
        None if isinstance(store, RemoteReleaseStore) else store,
        check_modes=not remote,
    )
    if remote:
        result.notes.append(
            "object storage: checked the local mirror; no releases log or permissions there"
        )
    for note in result.notes:
        print(f"note: {note}")
    if not result.passed:
        print(f"verify FAILED: {release.root} ({len(result.findings)} finding(s))")
        for finding in result.findings:
            print(f"  {finding}")
        return EXIT_REJECTED
    print(
        f"verified: {release.root} is a complete, unaltered release (every file, "
        "permission, row count and schema; manifest as published)"
    )
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    import datetime as dt

    from taikong.audit_settings import load_audit_settings
    from taikong.io import MANIFEST, ReleaseDir, ReleaseNotFound
    from taikong.report.expectations import DATA_CHECK_IDS
    from taikong.validation import SUMMARY, audit_release, failure_summary, warning_summary

    release = _release_dir(args.release, args.datasets)
    manifest = release.read_json(MANIFEST)
    predecessor = manifest.get("predecessor")
    previous = None
    if predecessor:
        for candidate in (str(release.root.parent / predecessor), predecessor):
            try:
                previous = _release_dir(candidate, args.datasets)
                break
            except (ReleaseNotFound, UsageError):
                continue  # pruned: row counts are then not compared
    settings = load_audit_settings(known_ids=DATA_CHECK_IDS)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or (release.root.parent / ".validations" / f"{release.root.name}-{stamp}")
    report = audit_release(
        release,
        ReleaseDir(Path(out)),
        manifest["tables"],
        previous,
        run_name=f"revalidate-{stamp}",
        settings=settings,
    )
    print(f"{'passed' if report['passed'] else 'validation FAILED'}: {release.root}")
    for problem in failure_summary(report):
        print(f"  {problem}")
    for warning in warning_summary(report):
        print(f"  warning: {warning}")
    print(f"report: {Path(out) / SUMMARY}")
    return 0 if report["passed"] else 1


def cmd_list(args: argparse.Namespace) -> int:
    store = _existing_store(args.datasets)
    latest = store.latest_id()
    releases = store.releases()
    withdrawn = store.withdrawn()
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
        if rid in withdrawn:
            mark += f" WITHDRAWN: {withdrawn[rid].get('reason') or '-'}"
        print(
            f"{rid:<16} {m['created_at']:<26} {rows.get('documents', 0):>6} "
            f"{rows.get('paragraphs', 0):>10}  {delta or '-'}{mark}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from taikong.io import MANIFEST, ReleaseStore

    release = _release_dir(args.release, args.datasets)
    m = release.read_json(MANIFEST)
    print(f"release {m['release_id']}  ({release.root})")
    withdrawn = ReleaseStore(release.root.parent).withdrawn().get(release.root.name)
    if withdrawn:
        print(f"  WITHDRAWN:   {withdrawn['at']}: {withdrawn.get('reason') or '-'}")
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

    old = _release_dir(args.old, args.datasets)
    new = _release_dir(args.new, args.datasets)
    changelog = diff_releases(old, new)
    print(f"{old.root.name} -> {new.root.name} (added/removed/changed rows, by stable id)")
    for table, c in counts(changelog).items():
        print(f"  {table:<12} +{c['added']} -{c['removed']} ~{c['changed']}")
    if args.out:
        from taikong.io.files import write_parquet

        write_parquet(changelog, Path(args.out))
        print(f"row-level changes: {args.out}")
    elif changelog.height:
        for row in changelog.head(args.limit).iter_rows(named=True):
            cols = f" ({', '.join(row['changed_columns'])})" if row["changed_columns"] else ""
            print(f"    {row['change']:<8} {row['table']}.{row['key_column']}={row['key']}{cols}")
        if changelog.height > args.limit:
            print(f"    ... {changelog.height - args.limit} more (use --out FILE.parquet)")
    return 0


def _prune_runs(folder: Path, keep: int, dry_run: bool, what: str) -> None:
    """Keep the newest `keep` entries of `.failed/` or `.validations/` (by time)."""
    from taikong.io.files import entries_by_age, remove_path

    if not folder.is_dir():
        print(f"no {what} under {folder.parent}")
        return
    entries = entries_by_age(folder)
    doomed = entries[: max(len(entries) - keep, 0)]
    for path in doomed:
        if dry_run:
            print(f"would remove {what} {path.name}")
        else:
            remove_path(path)
            print(f"removed {what} {path.name}")
    print(f"kept {len(entries) - len(doomed)} {what}")


def cmd_prune(args: argparse.Namespace) -> int:
    keeps = {"--keep": args.keep, "--keep-failed": args.keep_failed}
    keeps["--keep-validations"] = args.keep_validations
    if all(v is None for v in keeps.values()):
        raise UsageError("give --keep, --keep-failed and/or --keep-validations")
    if args.keep is not None and args.keep < 1:
        raise UsageError("--keep must be at least 1")
    for option in ("--keep-failed", "--keep-validations"):
        if keeps[option] is not None and keeps[option] < 0:
            raise UsageError(f"{option} must be at least 0")
    store = _existing_store(args.datasets)
    with store.lock():
        if args.keep is not None:
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
        if args.keep_failed is not None:
            _prune_runs(store.root / ".failed", args.keep_failed, args.dry_run, "failed run(s)")
        if args.keep_validations is not None:
            _prune_runs(
                store.root / ".validations",
                args.keep_validations,
                args.dry_run,
                "revalidation report(s)",
            )
    return EXIT_OK


def cmd_decide(args: argparse.Namespace) -> int:
    """`withdraw` and `rollback`: an operator's decision, recorded with its reason."""
    if "://" in str(args.datasets):
        raise UsageError(f"{args.command} works on a local datasets directory only")
    store = _existing_store(args.datasets)
    decide = store.withdraw if args.command == "withdraw" else store.rollback
    for action in decide(args.release, args.reason):
        print(action)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    _prefect_env()
    from taikong_cli.serve import serve_release

    try:
        serve_release(args.seeds, args.datasets, cron=args.cron, name=args.name)
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


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from taikong.ingest.decode import DEFAULT_MAX_BYTES

    parser = _Parser(
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
        "or unchanged, 1 validation failed (nothing published), 2 bad arguments, seeds or "
        "catalog, 3 the release could not be written (disk full, permissions, read-only), "
        "4 internal error (its traceback is in the log file named on stderr).",
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
        "--work-area",
        choices=["auto", "local", "store"],
        default="auto",
        help="where a run keeps its shard intermediates and the shard cache: 'store' in "
        "the object store under an s3:// --datasets (Dask workers then share no "
        "filesystem with this machine; ingest runs here, where the seeds are), 'local' "
        "in the local work directory ($TAIKONG_WORK_DIR); default 'auto': 'store' for an "
        "s3:// --datasets, the datasets directory otherwise",
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
        description="Delete all but the newest N releases (--keep), failed runs "
        "(--keep-failed) and revalidation reports (--keep-validations). The release "
        "`latest` points to and the newest release are never removed.",
    )
    prn.add_argument(
        "--keep", type=int, default=None, help="how many of the newest releases to keep"
    )
    prn.add_argument(
        "--keep-failed",
        type=int,
        default=None,
        help="how many of the newest failed runs (.failed/) to keep",
    )
    prn.add_argument(
        "--keep-validations",
        type=int,
        default=None,
        help="how many of the newest revalidation reports (.validations/) to keep",
    )
    prn.add_argument("--dry-run", action="store_true", help="only print what would be removed")
    _datasets_option(prn)
    prn.set_defaults(func=cmd_prune)

    ver = sub.add_parser(
        "verify",
        help="check a published release's files against its manifest",
        description="Check RELEASE (an id such as 2026-11-21 or 'latest' under --datasets, "
        "or a path containing '/') against what a release must be: every file in the "
        "manifest and nothing else (no symlinks, no extra files or directories), sizes and "
        "sha256 equal, files 0444 and directories 0555, the contracts' table set and "
        "schemas, SHA256SUMS consistent, and the manifest's sha256 as recorded in "
        "releases.jsonl and by the next release. Prints each finding with its file and "
        "reason; exit 1 on any finding.",
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

    decisions = {
        "withdraw": (
            "withdraw a release (recorded with a reason); latest moves to an earlier one",
            "Record in DATASETS/releases.jsonl that RELEASE is withdrawn, with --reason. If "
            "it is latest, latest points at the newest earlier release that is not "
            "withdrawn. No run or recovery serves it again; a run whose inputs, catalog and "
            "code match it answers unchanged.",
        ),
        "rollback": (
            "point latest at an earlier release and withdraw every newer one",
            "Point latest at RELEASE and record the decision with --reason in "
            "DATASETS/releases.jsonl; every newer release is withdrawn, so that neither the "
            "next run nor crash recovery rolls latest forward past it.",
        ),
    }
    for name, (summary, description) in decisions.items():
        cmd = sub.add_parser(name, help=summary, description=description)
        cmd.add_argument("release", help="release id")
        cmd.add_argument("--reason", required=True, help="why (kept in the releases log)")
        _datasets_option(cmd)
        cmd.set_defaults(func=cmd_decide)

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
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - every error ends in one line and a status
        code = exit_code_for(exc)
        if code == EXIT_BAD_INPUT:
            print(f"error: {_one_line(exc)}", file=sys.stderr)
            return code
        log = _write_log(getattr(args, "log_path", None) or _new_log_path(args.command), exc)
        if code == EXIT_WRITE:
            print(
                f"error: could not write under {_args_datasets(args)}: {_one_line(exc)}. "
                "Nothing was published; the previous release is intact.",
                file=sys.stderr,
            )
        else:
            print(f"internal error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        print(f"log: {log}", file=sys.stderr)
        return code


def _args_datasets(args: argparse.Namespace) -> str:
    return str(getattr(args, "datasets", None) or "the datasets directory")


if __name__ == "__main__":
    sys.exit(main())
