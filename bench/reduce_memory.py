"""Peak RSS of the run-wide reduces that hold keys of the whole corpus.

    uv run --frozen python bench/reduce_memory.py bench/corpus/100MB-seed7 --work /tmp/w100
    uv run --frozen python bench/reduce_memory.py bench/corpus/100MB-seed7 --work /tmp/w100 \
        --copies 10

Builds a local work area for the corpus (the pipeline's stages up to paragraph-keys,
in this process, skipped when `--work` already holds one), then runs `count-templates`
and `find-duplicate-paragraphs` each in a fresh process and prints its peak RSS
(VmHWM) above the process's RSS before the stage's inputs are read.

`--copies N` stands in for an N-times larger corpus: the fingerprints, clusters and
paragraph keys repeated N times with every document id, paragraph id and source path
made distinct per copy; keys that occur once in the corpus get a new hash per copy (they
stay unique), repeated ones stay shared, so the number of distinct keys grows N-fold as
it would in a larger corpus of the same sites. Results: bench/REDUCE_MEMORY.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _proc_status import status_mb  # noqa: E402

STAGES = ("count-templates", "find-duplicate-paragraphs")


def build_work_area(corpus: Path, root: Path) -> None:
    from stage_times import run_spec

    from taikong.io.work_area import WorkArea
    from taikong.pipeline import STAGES as PIPELINE
    from taikong.runner import InlineExecutor, run_pipeline

    spec, _ = run_spec(corpus, None)
    upto = [s.name for s in PIPELINE].index("paragraph-keys") + 1
    run_pipeline(InlineExecutor(), WorkArea(root), spec, None, PIPELINE[:upto])


def scaled(root: Path, copies: int) -> Path:
    """The reduce inputs of `root` repeated `copies` times (see the module docstring)."""
    import polars as pl

    out = root.with_name(f"{root.name}-x{copies}")
    if (out / "clusters.parquet").exists():
        return out

    def once(frame: pl.DataFrame, key: str) -> pl.Expr:
        repeated = frame.group_by(key).agg(pl.len()).filter(pl.col("len") >= 2)[key]
        return pl.col(key).is_in(repeated.implode()).not_()

    def copy(
        frame: pl.DataFrame, key: str, single: pl.Expr, k: int, *renamed: pl.Expr
    ) -> pl.DataFrame:
        """Copy k: ids renamed, keys that occur once re-hashed, repeated ones kept."""
        rehashed = pl.when(single).then(pl.col(key).hash(seed=k))
        return frame.with_columns(*renamed, rehashed.otherwise(pl.col(key)).alias(key))

    fingerprints = pl.read_parquet(root / "fingerprints" / "*.parquet")
    keys = pl.read_parquet(root / "paragraph_keys" / "*.parquet")
    # which keys occur once: found once, not again for every copy
    single_template, single_text = once(fingerprints, "template"), once(keys, "text_hash")
    clusters = pl.read_parquet(root / "clusters.parquet")
    for name in ("fingerprints", "paragraph_keys"):
        (out / name).mkdir(parents=True, exist_ok=True)
    copies_of_clusters = []
    for k in range(copies):
        suffix = f"-{k}"
        copy(fingerprints, "template", single_template, k, pl.col("doc_id") + suffix).write_parquet(
            out / "fingerprints" / f"{k:05d}.parquet"
        )
        path = pl.concat_str([pl.lit(f"copy{k}/"), pl.col("source_path")]).alias("source_path")
        copy(
            keys, "text_hash", single_text, k, pl.col("paragraph_id") + suffix, path
        ).write_parquet(out / "paragraph_keys" / f"{k:05d}.parquet")
        copies_of_clusters.append(
            clusters.with_columns(pl.col("doc_id") + suffix, pl.col("cluster_id") + suffix)
        )
    pl.concat(copies_of_clusters).write_parquet(out / "clusters.parquet")
    return out


def probe(stage: str, root: Path) -> dict:
    """Run in a fresh process: the stage's function on the work area's inputs."""
    import time

    import polars as pl

    from taikong import pipeline, stages
    from taikong.io.work_area import WorkArea

    work = WorkArea(root)
    before = status_mb("VmHWM")
    started = time.perf_counter()
    declared = pipeline.STAGE_BY_NAME[stage]
    name = declared.inputs[0]
    # as the runner reads it: a scan where the stage declares the input lazy
    frame = work.scan_all(name) if name in declared.lazy else work.read_all(name)
    if stage == "count-templates":
        out, _ = stages.count_templates(None, frame, work.read("clusters"))
    else:
        out = stages.find_duplicate_paragraphs(None, frame)
    seconds = time.perf_counter() - started
    rows_in = work.scan_all(name).select(pl.len()).collect().item()
    peak = status_mb("VmHWM")
    return {
        "stage": stage,
        "input_rows": rows_in,
        "output_rows": out.height,
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
        "peak_above_before_mb": round(peak - before),
        "seconds": round(seconds, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--work", type=Path, required=True, help="work area (built if absent)")
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--probe", choices=STAGES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe, args.work)))
        return 0
    if not (args.work / "paragraph_keys").exists():
        build_work_area(args.corpus, args.work)
    root = scaled(args.work, args.copies) if args.copies > 1 else args.work
    for stage in STAGES:
        cmd = [sys.executable, __file__, str(args.corpus), "--work", str(root), "--probe", stage]
        result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(json.dumps({"copies": args.copies, **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
