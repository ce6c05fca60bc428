"""The sharded stages on a local 2-worker Dask cluster, or on one process per core, give
byte-identical tables."""

from __future__ import annotations

import hashlib

from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page

from flows.release import release

TABLES = ("documents", "sections", "paragraphs", "boilerplate")


def _digests(release_dir) -> dict[str, list[str]]:
    return {
        t: [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((release_dir / t).iterdir())]
        for t in TABLES
    }


def test_dask_and_process_runners_match_the_default_runner_byte_for_byte(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    pages = {
        "a.txt": news_page("Booster Lands", "Mar 3, 2024", LAUNCH_BODY),
        "b.txt": news_page("Probe Wakes", "Mar 5, 2024", PROBE_BODY),
        "c.txt": news_page("Crew Rotates", "Mar 9, 2024", STATION_BODY, site="skyline"),
        "d.txt": news_page("Booster Lands Again", "Mar 4, 2024", LAUNCH_BODY, site="skyline"),
    }
    for name, text in pages.items():
        (seeds / name).write_text(text)

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
