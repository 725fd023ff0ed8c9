"""Findings benchmark: prints measurements from ONE run (no assertions).

    .venv/bin/python benchmarks/bench_findings.py [--repeat 5]

What the findings step adds to the audit of a data directory: the audit itself (run_audit
plus the source comparison, as notebook 00 runs them), then flag ids, findings and both
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

import pandas as pd  # noqa: E402

from helpers import crosscheck  # noqa: E402
from helpers.audit import run_audit  # noqa: E402
from helpers.findings import assign_flag_ids, build_findings, erratum_markdown  # noqa: E402
from helpers.review import load_review  # noqa: E402


def _audit(rv, data_dir):
    r = run_audit(rv)
    flags, comp = r.inconsistencies, None
    if (Path(data_dir) / "external" / "primary_sources.csv").exists():
        ext, pub = crosscheck.load_external(data_dir)
        comp = crosscheck.source_comparisons(rv.tables["values"], ext, pub)
        facts = crosscheck.compare_facts(crosscheck.load_facts(data_dir), pub)
        sf = pd.concat([crosscheck.crosscheck_flags(ext, rv.tables["values"], pub),
                        crosscheck.fact_flags(facts, rv.tables["values"])], ignore_index=True)
        _, flags = crosscheck.merge_audit(r.recomputed, flags, crosscheck.source_recomputed(comp), sf)
    return flags, comp


def _findings(rv, flags, comp):
    f = build_findings(assign_flag_ids(flags), rv.tables, comp)
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
        flags, comp = _audit(rv, args.data_dir)
        t1 = time.perf_counter()
        f = _findings(rv, flags, comp)
        t2 = time.perf_counter()
        ta.append(t1 - t0)
        tf.append(t2 - t1)
    print(f"data: {args.data_dir}: {len(flags)} flags -> {len(f)} findings")
    print(f"audit (checks + sources): best {min(ta):.3f} s, median {statistics.median(ta):.3f} s")
    print(f"findings + erratum (en, zh): best {min(tf):.3f} s, median {statistics.median(tf):.3f} s "
          f"(ratio to the audit {statistics.median(tf) / statistics.median(ta):.2f}; target < 0.5 s)")


if __name__ == "__main__":
    main()
