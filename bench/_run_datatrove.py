"""datatrove side of the benchmark (run as a child process by run_benchmark.py).

    python bench/_run_datatrove.py --corpus DIR --work DIR --workers 2 --out result.json

One LocalPipelineExecutor run per stage, on the same text files Taikong reads:

  mh1  TxtReader -> MinhashDedupSignature                    (tasks = workers)
  mh2  MinhashDedupBuckets                                   (tasks = num_buckets)
  mh3  MinhashDedupCluster                                   (1 task)
  sd1  TxtReader -> MinhashDedupFilter -> SentenceDedupSignature (tasks = workers)
  sd2  SentenceFindDedups                                    (1 task)
  sd3  TxtReader -> MinhashDedupFilter -> SentenceDedupFilter -> ParquetWriter

MinHash settings are datatrove's defaults (5-grams, 14 buckets x 8 hashes, xxhash 64).
Sentence dedup runs in line mode (`split_sentences=False`: spans of 3 identical
consecutive lines), which is datatrove's exact dedup of repeated page furniture and
paragraphs; word tokenization is spaCy's blank English tokenizer (no model download).
datatrove 0.10 has no reader for plain text files, so `TxtReader` below (one file = one
document, UTF-8 with replacement, empty files skipped) is the reader.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import types
from pathlib import Path

import datatrove.pipeline

# `datatrove.pipeline.dedup/__init__.py` imports the exact-substring step, which needs the
# `tokenizers` package (not installed: not used here). Register the package without
# running its __init__ so its minhash and sentence_dedup modules import on their own.
_dedup = types.ModuleType("datatrove.pipeline.dedup")
_dedup.__path__ = [str(Path(datatrove.pipeline.__file__).parent / "dedup")]
sys.modules.setdefault("datatrove.pipeline.dedup", _dedup)

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.dedup.minhash import (  # noqa: E402
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.sentence_dedup import (  # noqa: E402
    SentDedupConfig,
    SentenceDedupFilter,
    SentenceDedupSignature,
    SentenceFindDedups,
)
from datatrove.pipeline.readers.base import BaseDiskReader  # noqa: E402
from datatrove.pipeline.writers.parquet import ParquetWriter  # noqa: E402


class TxtReader(BaseDiskReader):
    """One plain-text file is one document (datatrove 0.10 ships no text-file reader)."""

    name = "📄 Txt"

    def read_file(self, filepath: str):
        with self.data_folder.open(filepath, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            return
        with self.track_time():
            document = self.get_document_from_dict({"text": text, "id": filepath}, filepath, 0)
        if document:
            yield document


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    w = args.workers
    mh = MinhashConfig()
    sd = SentDedupConfig(split_sentences=False)

    def reader():
        return TxtReader(args.corpus, glob_pattern="**/*.txt", recursive=True)

    def execute(name: str, pipeline: list, tasks: int) -> float:
        t = time.perf_counter()
        LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=tasks,
            workers=min(w, tasks),
            logging_dir=str(work / "logs" / name),
            start_method="fork",
        ).run()
        return round(time.perf_counter() - t, 3)

    t0 = time.perf_counter()
    stages = {}
    stages["mh1_signatures"] = execute(
        "mh1", [reader(), MinhashDedupSignature(output_folder=str(work / "mh_sigs"), config=mh)], w
    )
    stages["mh2_buckets"] = execute(
        "mh2",
        [
            MinhashDedupBuckets(
                input_folder=str(work / "mh_sigs"),
                output_folder=str(work / "mh_buckets"),
                config=mh,
            )
        ],
        mh.num_buckets,
    )
    stages["mh3_cluster"] = execute(
        "mh3",
        [
            MinhashDedupCluster(
                input_folder=str(work / "mh_buckets"),
                output_folder=str(work / "mh_remove"),
                config=mh,
            )
        ],
        1,
    )
    stages["sd1_signatures"] = execute(
        "sd1",
        [
            reader(),
            MinhashDedupFilter(input_folder=str(work / "mh_remove")),
            SentenceDedupSignature(
                output_folder=str(work / "sd_sigs"), config=sd, finder_workers=1
            ),
        ],
        w,
    )
    stages["sd2_find"] = execute(
        "sd2",
        [
            SentenceFindDedups(
                data_folder=str(work / "sd_sigs"), output_folder=str(work / "sd_dups"), config=sd
            )
        ],
        1,
    )
    stages["sd3_filter_write"] = execute(
        "sd3",
        [
            reader(),
            MinhashDedupFilter(input_folder=str(work / "mh_remove")),
            SentenceDedupFilter(data_folder=str(work / "sd_dups"), config=sd),
            ParquetWriter(output_folder=str(work / "output"), compression="zstd"),
        ],
        w,
    )
    total = round(time.perf_counter() - t0, 3)

    # Outcome counts from the Parquet output (sanity check that the pipeline did its job).
    import pyarrow.parquet as pq

    out_files = sorted((work / "output").rglob("*.parquet"))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in out_files)
    out_bytes = sum(f.stat().st_size for f in out_files)
    Path(args.out).write_text(
        json.dumps(
            {
                "tool": "datatrove",
                "stages_seconds": stages,
                "seconds": total,
                "workers": w,
                "output_documents": rows,
                "output_parquet_bytes": out_bytes,
                "settings": {
                    "minhash": str(mh),
                    "sentence_dedup": {"split_sentences": False, "n_sentences": sd.n_sentences},
                },
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
