"""Cost of one very long line against the same bytes in ordinary lines.

Run: uv run --frozen python bench/long_line.py [MEGABYTES ...]
Times the document-local and structuring transforms (tests/corpus.run_in_memory: clean,
signatures, boilerplate, structure, enrich) on one document whose text is a single line,
and on one of the same size in ordinary 80-character lines, and prints the time per stage.
"""

from __future__ import annotations

import sys
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


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:]] or [1.0, 2.0]
    for mb in sizes:
        n = int(mb * 1e6 / len(SENTENCE))
        one_line = SENTENCE * n + "\n"
        wrapped = "\n".join(SENTENCE.strip() for _ in range(n)) + "\n"
        for label, text in (("one line", one_line), ("ordinary lines", wrapped)):
            times = stages(text)
            total = sum(times.values())
            parts = ", ".join(f"{k} {v:.1f}s" for k, v in times.items())
            print(f"{mb:5.1f} MB {label:<15} total {total:6.1f}s  ({parts})", flush=True)


if __name__ == "__main__":
    pl.Config.set_fmt_str_lengths(40)
    main()
