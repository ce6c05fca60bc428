"""Cost of one very long line against the same bytes in ordinary lines.

Run: uv run --frozen python bench/long_line.py [--release] [MEGABYTES ...]
Times the document-local and structuring transforms (clean, dedup: signatures and
boilerplate, structure: tables and enrichment) on one document whose text is a single
line, and on one of the same size in ordinary 80-character lines, and prints the time per
stage. With --release it times the whole release path instead: `taikong release` in a
fresh process (Prefect's temporary server, ingest to write, the audit and publish) on a
seeds directory holding that one document, wall and CPU seconds of the process tree.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import polars as pl  # noqa: E402
from corpus import docs_frame  # noqa: E402

from taikong.clean.lines import clean_shard  # noqa: E402
from taikong.dedup.boilerplate import label_boilerplate, line_fingerprints, template_counts  # noqa: E402
from taikong.dedup.near_duplicates import minhash_signatures, near_duplicate_clusters  # noqa: E402
from taikong.structure.tables import build_tables  # noqa: E402

SENTENCE = "The Long March 5 rocket lifted off from Wenchang carrying the Tianwen-1 probe. "


def stages(text: str) -> dict[str, float]:
    times = {}
    t = time.perf_counter()
    docs = docs_frame({"doc.txt": text})
    lines = clean_shard(docs)
    times["clean"] = time.perf_counter() - t
    t = time.perf_counter()
    clusters = near_duplicate_clusters(minhash_signatures(lines, docs))
    counts = template_counts(line_fingerprints(lines), clusters)
    labelled = label_boilerplate(lines, counts)
    times["dedup"] = time.perf_counter() - t
    t = time.perf_counter()
    build_tables(docs, labelled, counts, clusters, {})
    times["structure"] = time.perf_counter() - t
    return times


def release(text: str) -> dict[str, float]:
    """Wall and CPU seconds of `taikong release` over a seeds directory of one file."""
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp, "seeds")
        seeds.mkdir()
        Path(seeds, "doc.txt").write_text(text, encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(
            ["taikong", "release", "--seeds", str(seeds), "--datasets", str(Path(tmp, "ds"))],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def main() -> None:
    args = sys.argv[1:]
    whole_release = "--release" in args
    sizes = [float(a) for a in args if a != "--release"] or [1.0, 2.0]
    for mb in sizes:
        n = int(mb * 1e6 / len(SENTENCE))
        one_line = SENTENCE * n + "\n"
        wrapped = "\n".join(SENTENCE.strip() for _ in range(n)) + "\n"
        for label, text in (("one line", one_line), ("ordinary lines", wrapped)):
            if whole_release:
                times = release(text)
                print(
                    f"{mb:5.1f} MB {label:<15} release wall {times['wall']:6.1f}s"
                    f"  cpu {times['cpu']:6.1f}s",
                    flush=True,
                )
                continue
            times = stages(text)
            total = sum(times.values())
            parts = ", ".join(f"{k} {v:.1f}s" for k, v in times.items())
            print(f"{mb:5.1f} MB {label:<15} total {total:6.1f}s  ({parts})", flush=True)


if __name__ == "__main__":
    pl.Config.set_fmt_str_lengths(40)
    main()
