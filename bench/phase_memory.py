"""Peak RSS per phase of the release flow's audit and publish, on a release already built.

    uv run --frozen python bench/phase_memory.py DATASETS/latest --out /tmp/phase-out

In a fresh process that starts no children, runs what `audit-release` runs after the
shards' own audits (pandera on the tables no shard audits, the relation checks across
documents, the Great Expectations views and suites with Data Docs), then what
`publish-release` spends its memory on (the first-release changelog, written to --out).
Before each phase the peak is reset (`/proc/self/clear_refs`), so each line is that
phase's own peak (VmHWM) and the resident size at its end (VmRSS), in MB. Linux only.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _proc_status import status_mb  # noqa: E402


class Phases:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._start = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        row = {
            "phase": name,
            "peak_mb": round(status_mb("VmHWM")),
            "rss_mb": round(status_mb("VmRSS")),
            "seconds": round(now - self._start, 1),
        }
        self.rows.append(row)
        print(
            f"{name:34s} peak {row['peak_mb']:>6} MB  rss {row['rss_mb']:>6} MB  "
            f"{row['seconds']:>6} s",
            flush=True,
        )
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM
        self._start = time.perf_counter()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("release", type=Path, help="a release directory")
    ap.add_argument("--out", type=Path, required=True, help="where reports and changelog go")
    args = ap.parse_args()
    phases = Phases()

    from contracts import TABLES
    from contracts.arrow import arrow_schema
    from contracts.changelog import Changelog
    from taikong import validation
    from taikong.audit_settings import load_audit_settings
    from taikong.changelog import ChangeTally, release_changes
    from taikong.io import ReleaseDir
    from taikong.report.expectations import DATA_CHECK_IDS
    from taikong.shard_audit import SHARD_TABLES

    phases.done("imports")
    release = ReleaseDir(args.release.resolve())
    settings = load_audit_settings(known_ids=DATA_CHECK_IDS)
    pandera = []
    for table in TABLES:
        if table in SHARD_TABLES:  # audited per shard in the flow (audit-shard)
            pandera.append({"table": table, "rows": 0, "passed": True, "failed_checks": []})
        else:
            pandera.append(validation.validate_table(release, table)[0])
            phases.done(f"pandera {table}")
    relations = validation.relations_of(release, per_document=False)
    phases.done("relation checks across documents")
    contracts = validation.ContractResults(pandera, relations, {}, [])

    import great_expectations  # noqa: F401  (its import is a phase of its own)

    from taikong.report.gx_audit import run_gx_audit

    phases.done("import great_expectations")
    # What the audit passes (taikong.validation._run_gx); code before batch-read views
    # (8a58937 and earlier) took no `read`: the script measures either. Since 05535f8
    # a view is built when its suite reads it, so this phase builds nothing and each
    # view's cost is in "GX suites".
    read = {}
    if "read" in inspect.signature(validation.gx_batches).parameters:
        read["read"] = lambda table, columns: release.iter_table_batches(table, columns=columns)
    batches, suites = validation.gx_batches(
        release.scan_tables(TABLES), None, contracts, settings, **read
    )
    phases.done("GX views")
    args.out.mkdir(parents=True, exist_ok=True)
    run_gx_audit(batches, suites, args.out / "gx", run_name="phase-memory")
    del batches
    phases.done("GX suites and Data Docs")
    tally = ChangeTally()
    written = ReleaseDir(args.out).write_table(
        "changelog", tally.watch(release_changes(None, release)), arrow_schema(Changelog)
    )
    phases.done(f"first-release changelog ({written['rows']:,} rows)")
    (args.out / "phases.json").write_text(json.dumps(phases.rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
