"""Findings benchmark: prints measurements from ONE run (no assertions).

    .venv/bin/python benchmarks/bench_findings.py [--repeat 5]

What the findings step adds to the audit of a data directory: the audit itself (run_audit
with its checks against the cited sources, as notebook 00 runs it), then flag ids, findings and both
erratum drafts, each timed in process (best and median of N runs). Target: the findings step
under 0.5 s on this review.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from helpers.audit import run_audit  # noqa: E402
from helpers.findings import assign_flag_ids, build_findings, erratum_markdown  # noqa: E402
from helpers.review import load_review  # noqa: E402


def _findings(rv, result):
    """Flag ids, findings and both errata, as ``findings.write_audit_outputs`` builds them."""
    src = result.sources
    f = build_findings(assign_flag_ids(result.inconsistencies), rv.tables,
                       src.comparisons if src is not None else None, src.facts if src is not None else None)
    erratum_markdown(f, rv.tables, "review", "en")
    erratum_markdown(f, rv.tables, "review", "zh")
    return f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data-dir", default=str(ROOT / "data"))
    args = ap.parse_args()
    rv = load_review(args.data_dir)
    ta, tf = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = run_audit(rv)  # the checks, the comparison with the cited sources included
        t1 = time.perf_counter()
        f = _findings(rv, result)
        t2 = time.perf_counter()
        ta.append(t1 - t0)
        tf.append(t2 - t1)
    print(f"data: {args.data_dir}: {len(result.inconsistencies)} flags -> {len(f)} findings")
    print(f"audit (checks + sources): best {min(ta):.3f} s, median {statistics.median(ta):.3f} s")
    print(f"findings + erratum (en, zh): best {min(tf):.3f} s, median {statistics.median(tf):.3f} s "
          f"(ratio to the audit {statistics.median(tf) / statistics.median(ta):.2f}; target < 0.5 s)")


if __name__ == "__main__":
    main()
