"""Peak RSS of the audit alone, on a release already built.

    uv run --frozen python bench/audit_memory.py DATASETS/latest --out /tmp/audit-out

Runs what the release flow's audit task runs (pandera contracts and relation checks,
then the Great Expectations suites and Data Docs, with no previous release) in this
process, which starts no children, and prints its peak RSS (getrusage) and wall time.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("release", type=Path, help="a release directory")
    ap.add_argument("--out", type=Path, required=True, help="where the report is written")
    args = ap.parse_args()

    from taikong.audit_settings import load_audit_settings
    from taikong.io import MANIFEST, ReleaseDir
    from taikong.report.expectations import DATA_CHECK_IDS
    from taikong.validation import audit_release, check_contracts

    release = ReleaseDir(args.release.resolve())
    settings = load_audit_settings(known_ids=DATA_CHECK_IDS)
    started = time.perf_counter()
    contracts = check_contracts(release)
    report = audit_release(
        release,
        ReleaseDir(args.out),
        release.read_json(MANIFEST)["tables"],
        None,
        "audit-memory",
        settings=settings,
        contracts=contracts,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "release": str(args.release),
                "passed": report["passed"],
                "peak_rss_mb": round(peak / 1e6),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
