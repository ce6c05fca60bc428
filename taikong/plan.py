"""What a run would do, decided in plain Python before any Prefect machinery starts:
the seeds directory is usable, the catalog reads, and whether the inputs, catalog,
options and code already match `latest` (or a release an operator withdrew)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from taikong.fingerprint import release_fingerprint
from taikong.ingest.catalog import CATALOG_FILE, Catalog, load_catalog

if TYPE_CHECKING:  # imported where used: the bad-input checks must not wait for polars
    from taikong.ingest.shards import InputFile
    from taikong.io.store import ReleaseStore


class SeedsError(FileNotFoundError):
    """The seeds directory is missing, not a directory, or holds no input (exit 2)."""


@dataclass(frozen=True)
class RunPlan:
    seeds: Path
    catalog: Catalog
    files: list[InputFile]


@dataclass(frozen=True)
class KnownRelease:
    """A release whose fingerprint equals this run's: nothing new to publish."""

    release_id: str
    withdrawn_reason: str | None  # set: the same content was withdrawn by an operator


def plan_run(seeds_dir: str | Path) -> RunPlan:
    """Check the seeds directory and read its catalog and file list; raises on bad input."""
    seeds = Path(seeds_dir).resolve()
    if not seeds.exists():
        raise SeedsError(f"{seeds}: the seeds directory does not exist")
    if not seeds.is_dir():
        raise SeedsError(f"{seeds}: the seeds path is not a directory")
    try:
        catalog = load_catalog(seeds)
    except (OSError, UnicodeDecodeError) as exc:
        # Unreadable (permissions, a directory, not text): bad input, not a write error.
        reason = getattr(exc, "strerror", None) or str(exc)
        raise SeedsError(f"{seeds / CATALOG_FILE}: cannot read the catalog: {reason}") from exc
    from taikong.ingest.shards import list_inputs

    files = list_inputs(seeds)
    if not files:
        raise SeedsError(f"no input files in the seeds directory {seeds}")
    return RunPlan(seeds, catalog, files)


def input_shas(seeds: Path, paths: list[str]) -> list[tuple[str, str]]:
    from taikong.io.store import sha256_file

    return [(p, sha256_file(seeds / p)) for p in paths]


def run_options(max_bytes: int, near_duplicate_threshold: float, settings) -> dict:
    """The options that decide a release's content, recorded in its manifest and part of
    its fingerprint. The audit's grading (`AuditSettings`) is one: it decides what is
    published."""
    return {
        "max_bytes": max_bytes,
        "near_duplicate_threshold": near_duplicate_threshold,
        "audit": {k: v for k, v in settings.record().items() if k != "source"},
    }


def fingerprint(shas: list[tuple[str, str]], catalog: Catalog, options: dict) -> str:
    return release_fingerprint(shas, catalog.sha256, options)


def known_release(store: ReleaseStore, run_fingerprint: str) -> KnownRelease | None:
    """`latest` if it has this fingerprint; else a withdrawn release that has it (a run
    with the inputs an operator withdrew must not publish them again); else None."""
    latest = store.latest_id()
    if latest and store.manifest(latest).get("fingerprint") == run_fingerprint:
        return KnownRelease(latest, None)
    for release_id, event in store.withdrawn().items():
        try:
            same = store.manifest(release_id).get("fingerprint") == run_fingerprint
        except FileNotFoundError:
            continue  # withdrawn and since pruned
        if same:
            return KnownRelease(release_id, event.get("reason") or "")
    return None


def unchanged_summary(store: ReleaseStore, known: KnownRelease) -> tuple[str | None, dict]:
    """`latest` and the summary of a run with nothing to publish."""
    latest = store.latest_id()
    summary = {"unchanged": f"inputs and code match release {known.release_id}"}
    if known.withdrawn_reason is not None:
        note = (
            f"inputs and code match withdrawn release {known.release_id} "
            f"({known.withdrawn_reason}); latest stays {latest}"
        )
        summary = {"unchanged": note, "withdrawn_match": note}
    return latest, summary
