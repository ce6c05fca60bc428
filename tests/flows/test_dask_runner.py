"""The sharded stages on a local 2-worker Dask cluster, or on one process per core, give
byte-identical tables."""

from __future__ import annotations

import hashlib

from corpus import TWO_SITES_PAGES, write_seeds

from flows.release import release

TABLES = ("documents", "sections", "paragraphs", "boilerplate")


def _digests(release_dir) -> dict[str, list[str]]:
    return {
        t: [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((release_dir / t).iterdir())]
        for t in TABLES
    }


def test_dask_and_process_runners_match_the_default_runner_byte_for_byte(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TWO_SITES_PAGES)

    default = release(seeds_dir=str(seeds), datasets_dir=str(tmp_path / "default"), shard_docs=1)
    on_dask = release(
        seeds_dir=str(seeds),
        datasets_dir=str(tmp_path / "dask"),
        shard_docs=1,
        runner="dask",
        dask_workers=2,
        return_state=True,
    )
    assert on_dask.is_completed() and on_dask.message.startswith("published release")
    assert on_dask.result()["summary"]["documents"] == 4
    assert _digests(tmp_path / "dask" / "latest") == _digests(tmp_path / "default" / "latest")
    assert default["summary"]["documents"] == 4
    in_processes = release(
        seeds_dir=str(seeds),
        datasets_dir=str(tmp_path / "processes"),
        shard_docs=1,
        runner="processes",
    )
    assert in_processes["status"] == "published"
    assert _digests(tmp_path / "processes" / "latest") == _digests(tmp_path / "default" / "latest")
