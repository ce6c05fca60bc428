"""dolma side of the benchmark (run as a child process by run_benchmark.py).

    python bench/_run_dolma.py convert --corpus DIR --work DIR --out convert.json
    python bench/_run_dolma.py config  --work DIR --processes 2 --docs N > dedupe.yaml

dolma's paragraph dedup reads documents in its own format: gzipped JSON lines with
`id`, `text`, `source`, `added`, `created` under a `documents/` folder. `convert` writes
the corpus in that format (one document per input file; undecodable bytes replaced,
empty files skipped, as datatrove's reader does), in shards of at most 4,000 documents
(at least 4 shards), and is timed on its own. The dedupe itself
(`dolma -c dedupe.yaml dedupe`: a bloom filter over paragraphs, writing duplicate
paragraph spans as attributes) runs in dolma's own environment: dolma 1.2.1 requires
numpy<2, which conflicts with Taikong's numpy>=2, so
run_benchmark.py starts it with `uv tool run --from dolma==1.2.1` (isolated env).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

MAX_SHARD_DOCS = 4000


def convert(corpus: Path, work: Path, min_shards: int = 4) -> dict:
    docs_dir = work / "documents"
    docs_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    # At least `min_shards` shards, so dolma's processes all get work.
    n_files = sum(len(f) for _, _, f in os.walk(corpus))
    shard_docs = max(1, min(MAX_SHARD_DOCS, -(-n_files // min_shards)))
    n = shard = 0
    out = None
    n_bytes = 0
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(".txt"):
                continue
            path = Path(root, name)
            text = path.read_bytes().decode("utf-8", errors="replace")
            if not text.strip():
                continue
            if out is None or n % shard_docs == 0:
                if out is not None:
                    out.close()
                path_gz = docs_dir / f"part-{shard:05d}.jsonl.gz"
                out = gzip.open(path_gz, "wt", compresslevel=1)  # noqa: SIM115 (one per shard)
                shard += 1
            rel = path.relative_to(corpus).as_posix()
            out.write(
                json.dumps(
                    {
                        "id": rel,
                        "text": text,
                        "source": "taikong-bench",
                        "added": "2026-01-01T00:00:00.000Z",
                        "created": "2026-01-01T00:00:00.000Z",
                        "metadata": {"path": rel},
                    }
                )
                + "\n"
            )
            n += 1
            n_bytes += len(text.encode("utf-8"))
    if out is not None:
        out.close()
    return {"documents": n, "shards": shard, "seconds": round(time.perf_counter() - t0, 3)}


def config(work: Path, processes: int, docs: int) -> str:
    # Paragraph count estimate for the bloom filter size: ~40 paragraphs per document.
    return json.dumps(
        {
            "documents": [str(work / "documents" / "*.jsonl.gz")],
            "dedupe": {
                "name": "dups",
                "paragraphs": {"attribute_name": "bff_duplicate_paragraph_spans"},
                "skip_empty": True,
            },
            "bloom_filter": {
                "file": str(work / "bloom.bin"),
                "read_only": False,
                "estimated_doc_count": max(docs * 40, 10_000),
                "desired_false_positive_rate": 0.0001,
            },
            "processes": processes,
        },
        indent=2,
    )


def count_spans(work: Path) -> dict:
    """Duplicate paragraph spans dolma flagged (sanity check of its output)."""
    spans = docs_with = 0
    for f in sorted((work / "attributes" / "dups").glob("*.gz")):
        with gzip.open(f, "rt") as fh:
            for line in fh:
                attrs = json.loads(line).get("attributes", {})
                s = attrs.get("bff_duplicate_paragraph_spans") or []
                spans += len(s)
                docs_with += bool(s)
    return {"duplicate_paragraph_spans": spans, "documents_with_duplicates": docs_with}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["convert", "config", "count"])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--docs", type=int, default=0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.command == "convert":
        result = convert(args.corpus, args.work)
    elif args.command == "config":
        sys.stdout.write(config(args.work, args.processes, args.docs) + "\n")
        return 0
    else:
        result = count_spans(args.work)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
