"""Incremental runs: what a release costs after one document is added or changed.

    uv run --frozen python bench/incremental.py --size 20MB --seed 7 [--out FILE]

Generates (or reuses) the benchmark corpus, copies it to a scratch seeds directory and,
in one process with Prefect embedded (a warm-up run first, so the temporary server's
start is in no figure), releases it through the release flow:

  full       a first release (empty cache)
  unchanged  the same inputs again (the fingerprint check: nothing is built)
  add        one new article (the generator's own kind, of one of its sites)
  add-first  one new article whose name sorts before every other file
  change     one word changed in one existing article

Each step records its wall and CPU time (this process: the flow's task threads), the
release's cache hits per stage and the shards;
after each step that builds, a fresh full release of the same inputs (no cache) is
built and every table is compared with the incremental one (content and order). The
figures go to the JSON file given by --out (default bench/incremental.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import generate_corpus as gen  # noqa: E402


def new_article(seed: int, number: int) -> tuple[str, str]:
    """(path, text) of a news article as the generator writes its document `number`."""
    r = random.Random(seed * 1_000_003 + number)
    g = gen.TextGen(r)
    site = r.choice(gen.SITES)
    year = r.randint(max(site["founded"], 2010), 2025)
    text = gen.news_page(site, year, g.title(), gen.news_body(g, gen.stock_paragraphs(seed)), r)
    return f"{site['slug']}/{year}/article-{number:07d}.txt", text


def changed_article(seeds: Path) -> Path:
    """An existing article with one word of its body changed (the middle one)."""
    articles = sorted(seeds.glob("*/*/article-*.txt"))
    article = articles[len(articles) // 2]
    lines = article.read_text(encoding="utf-8").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    words = lines[longest].split(" ")
    words[len(words) // 2] = "recalibrated"
    lines[longest] = " ".join(words)
    article.write_text("\n".join(lines), encoding="utf-8")
    return article


def tables_equal(a: Path, b: Path) -> dict[str, bool]:
    import polars as pl

    from contracts import TABLES

    return {
        t: pl.read_parquet(a / t / "*.parquet").equals(pl.read_parquet(b / t / "*.parquet"))
        for t in TABLES
    }


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Prefect's server runs apart):
    steadier than the wall clock on a machine other jobs share."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


STEP_ABOUT = {
    "full": "first release, empty cache",
    "unchanged": "same inputs again",
    "add": "one new article added",
    "add-first": "one new article whose name sorts first",
    "change": "one word changed in one article",
}


def render_section(incremental: dict) -> list[str]:
    """The "Incremental runs" section of bench/RESULTS.md: one table per recorded run
    (`runs`: a label, e.g. the code it ran, to the output of this script), then the
    `summary` lines, if any."""
    runs = incremental.get("runs", {})
    lines = [
        "## Incremental runs",
        "",
        "`uv run --frozen python bench/incremental.py --size 20MB --seed 7` (part of",
        "`run_benchmark.py`: `--incremental-size`). One process, Prefect embedded and warmed",
        "up; share = the step's time over the full run's. CPU = this process (the task",
        "threads), steadier than wall time on a shared machine. Cache hits: shards served",
        "from the cache per stage (ingest, clean, minhash, fingerprint are keyed by file",
        "or document; label-boilerplate … mark-duplicates by content, when the code has it).",
        "`= fresh`: every table equals a fresh full build of the same inputs.",
    ]
    for label, run in runs.items():
        corpus = run["corpus"]
        lines += [
            "",
            f"### {label}: {corpus['bytes'] / 1e6:.1f} MB, {corpus['files']} files, "
            f"seed {corpus['seed']}",
            "",
            *([run["note"], ""] if run.get("note") else []),
            "| step | wall s | share | CPU s | CPU share | shards | cache hits | = fresh |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for s in run["steps"]:
            hits = dict(s.get("cache_hits") or {})
            shards = hits.pop("shards", "")
            equal = s.get("tables_equal_fresh")
            lines.append(
                f"| {s['step']} ({STEP_ABOUT.get(s['step'], '')}) | {s['seconds']} "
                f"| {s['share_of_full']} | {s.get('cpu_seconds', '')} "
                f"| {s.get('cpu_share_of_full', '')} | {shards} "
                f"| {', '.join(f'{k} {v}' for k, v in hits.items()) or '-'} "
                f"| {'-' if equal is None else 'yes' if all(equal.values()) else equal} |"
            )
    if incremental.get("summary"):
        lines += ["", *incremental["summary"]]
    return lines


def common_arguments(ap: argparse.ArgumentParser, size: str, name: str) -> None:
    """The corpus, scratch and output options of the incremental scripts."""
    ap.add_argument("--size", default=size)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus-dir", type=Path, default=HERE / "corpus")
    ap.add_argument("--work", type=Path, default=Path(f"/tmp/taikong-{name.replace('_', '-')}"))
    ap.add_argument("--out", type=Path, default=HERE / f"{name}.json")


def scratch_seeds(args: argparse.Namespace) -> tuple[dict, Path, Path]:
    """(the corpus's metadata, a fresh scratch copy of it, a datasets directory beside)."""
    corpus = args.corpus_dir / f"{args.size}-seed{args.seed}"
    meta = gen.generate(corpus, gen.parse_size(args.size), args.seed, quiet=True)
    shutil.rmtree(args.work, ignore_errors=True)
    seeds, datasets = args.work / "seeds", args.work / "datasets"
    shutil.copytree(corpus, seeds)
    return meta, seeds, datasets


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_arguments(ap, "20MB", "incremental")
    ap.add_argument("--no-fresh", action="store_true", help="skip the fresh builds (faster)")
    args = ap.parse_args()

    meta, seeds, datasets = scratch_seeds(args)

    # A shared machine can take longer than Prefect's default 20 s to start its server.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.release import release
    from taikong.versions import code_version

    warm = args.work / "warm"
    (warm / "seeds").mkdir(parents=True)
    (warm / "seeds" / "a.txt").write_text("A warm-up page.\n\nIt starts Prefect's server.\n")
    release(seeds_dir=str(warm / "seeds"), datasets_dir=str(warm / "datasets"))

    steps = []

    def step(name: str, fresh: bool = True) -> None:
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
        seconds = time.perf_counter() - t0
        record = {
            "step": name,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds() - cpu0, 2),
            "status": result["status"],
            "cache_hits": result["summary"].get("cache_hits"),
        }
        if fresh and not args.no_fresh and result["status"] == "published":
            scratch = args.work / f"fresh-{name}"
            t0 = time.perf_counter()
            release(seeds_dir=str(seeds), datasets_dir=str(scratch))
            record["fresh_seconds"] = round(time.perf_counter() - t0, 2)
            record["tables_equal_fresh"] = tables_equal(datasets / "latest", scratch / "latest")
            shutil.rmtree(scratch, ignore_errors=True)
        steps.append(record)
        print(json.dumps(record), file=sys.stderr)

    step("full", fresh=False)
    step("unchanged", fresh=False)
    rel, text = new_article(args.seed, meta["files"] + 10_000)
    (seeds / rel).parent.mkdir(parents=True, exist_ok=True)
    (seeds / rel).write_text(text, encoding="utf-8")
    step("add")
    _, text = new_article(args.seed, meta["files"] + 10_001)
    (seeds / "0-first").mkdir()
    (seeds / "0-first" / "article.txt").write_text(text, encoding="utf-8")
    step("add-first")
    changed_article(seeds)
    step("change")

    full, full_cpu = steps[0]["seconds"], steps[0]["cpu_seconds"]
    for s in steps:
        s["share_of_full"] = round(s["seconds"] / full, 3)
        s["cpu_share_of_full"] = round(s["cpu_seconds"] / full_cpu, 3)
    out = {
        "corpus": {k: meta[k] for k in ("seed", "bytes", "files")},
        "code_version": code_version(),
        "steps": steps,
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
