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
    from taikong.ingest.shards import InputFile, SeedsWalk
    from taikong.io import ReleaseStoreProtocol


class SeedsError(FileNotFoundError):
    """The seeds directory is missing, not a directory, or holds no input (exit 2)."""


@dataclass(frozen=True)
class RunPlan:
    seeds: Path
    catalog: Catalog
    walk: SeedsWalk  # every entry met: the files to read and the entries skipped

    @property
    def files(self) -> list[InputFile]:
        return self.walk.files


@dataclass(frozen=True)
class KnownRelease:
    """A release whose fingerprint equals this run's: nothing new to publish."""

    release_id: str
    withdrawn_reason: str | None  # set: the same content was withdrawn by an operator


def plan_run(seeds_dir: str | Path, datasets_dir: str | Path | None = None) -> RunPlan:
    """Check the seeds directory (and that it and the datasets directory are not nested),
    walk it and read its catalog against what the walk met; raises on bad input."""
    seeds = Path(seeds_dir).resolve()
    if not seeds.exists():
        raise SeedsError(f"{seeds}: the seeds directory does not exist")
    if not seeds.is_dir():
        raise SeedsError(f"{seeds}: the seeds path is not a directory")
    from taikong.ingest.shards import check_not_nested, walk_seeds

    if datasets_dir is not None and "://" not in str(datasets_dir):
        check_not_nested(seeds, Path(datasets_dir))
    walk = walk_seeds(seeds)
    known = [f.source_path for f in walk.files] + walk.skipped_paths
    try:
        catalog = load_catalog(seeds, known_paths=known)
    except (OSError, UnicodeDecodeError) as exc:
        # Unreadable (permissions, a directory, not text): bad input, not a write error.
        reason = getattr(exc, "strerror", None) or str(exc)
        raise SeedsError(f"{seeds / CATALOG_FILE}: cannot read the catalog: {reason}") from exc
    if not walk.files:
        raise SeedsError(f"no input files in the seeds directory {seeds}")
    return RunPlan(seeds, catalog, walk)


def readable_paths(plan: RunPlan, max_bytes: int) -> list[str]:
    """The files a run hashes and reads (by their OS name): over-limit files never are."""
    return [f.os_path for f in plan.files if f.n_bytes <= max_bytes]


def input_shas(seeds: Path, paths: list[str]) -> list[tuple[str, str]]:
    from taikong.io.files import sha256_file

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


def fingerprint(plan: RunPlan, shas: dict[str, str], options: dict) -> str:
    """What the release would be made of: each read file's sha256, each over-limit file's
    size (it is never read), each skipped entry's reason, the catalog, the options."""
    from taikong.ingest.shards import display_path

    max_bytes = options["max_bytes"]
    return release_fingerprint(
        [(display_path(p)[0], sha) for p, sha in shas.items()]
        + [(f.source_path, f"size:{f.n_bytes}") for f in plan.files if f.n_bytes > max_bytes]
        + [(r["source_path"], r["reason"]) for r in plan.walk.skipped],
        plan.catalog.sha256,
        options,
    )


def known_release(store: ReleaseStoreProtocol, run_fingerprint: str) -> KnownRelease | None:
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


def unchanged_summary(store: ReleaseStoreProtocol, known: KnownRelease) -> tuple[str | None, dict]:
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
