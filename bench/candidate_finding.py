"""Where quantities' candidates are found, measured three ways on a shard's paragraphs.

    uv run --frozen python bench/stage_times.py /tmp/c20v --save /tmp/c20v-tables
    uv run --frozen --with pyahocorasick python bench/candidate_finding.py \
        /tmp/c20v-tables/paragraphs.parquet

`taikong.enrich.quantities` looks for the places a number can start in chunks of 256
paragraphs joined: every digit run, and every place one of 20 number-word prefixes
occurs (`str.find`, one scan per prefix). This compares that with one Aho-Corasick pass
(pyahocorasick, all prefixes at once) and says how many paragraphs a polars pre-filter
(`str.contains` / `str.contains_any` over the whole table) could skip, against the time
of the whole `find_quantities`. CPU seconds of this process.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from taikong.enrich import quantities as q


def _cpu(fn) -> tuple[float, object]:
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paragraphs", type=Path, help="a paragraphs table (Parquet)")
    args = parser.parse_args()
    paragraphs = pl.read_parquet(args.paragraphs).select(
        "doc_id", pl.col("seq").cast(pl.Int32).alias("para_no"), "text"
    )
    texts = paragraphs["text"].to_list()
    chunks = ["\n\n".join(texts[i : i + 256]) for i in range(0, len(texts), 256)]

    whole, _ = _cpu(lambda: q.find_quantities(paragraphs))
    by_find, expected = _cpu(lambda: [q._candidate_starts(c) for c in chunks])
    print(f"{len(texts)} paragraphs; find_quantities {whole:.2f} s CPU")
    print(f"candidate starts, str.find per prefix:   {by_find:.3f} s")
    try:
        import ahocorasick
    except ImportError:
        print("pyahocorasick not installed (uv run --with pyahocorasick ...)")
    else:
        automaton = ahocorasick.Automaton()
        for prefix in q._NUMBER_WORD_STARTS:
            automaton.add_word(prefix, len(prefix))
        automaton.make_automaton()

        def starts(text: str) -> list[int]:
            lower = text.translate(q._ASCII_LOWER)
            found = [m.start() for m in q._DIGIT_RUN.finditer(text)]
            found += [end - n + 1 for end, n in automaton.iter(lower)]
            return sorted(found)

        by_automaton, got = _cpu(lambda: [starts(c) for c in chunks])
        same = "same" if got == expected else "DIFFERENT"
        print(f"candidate starts, pyahocorasick:         {by_automaton:.3f} s ({same} starts)")
    has_candidate = pl.col("text").str.contains(r"\d") | pl.col("text").str.contains_any(
        list(q._NUMBER_WORD_STARTS), ascii_case_insensitive=True
    )
    seconds, share = _cpu(lambda: paragraphs.select(has_candidate.mean()).item())
    print(f"polars pre-filter: {share:.1%} of paragraphs have a candidate ({seconds:.3f} s)")


if __name__ == "__main__":
    main()
