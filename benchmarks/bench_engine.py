"""Time the audit engine on 10k, 100k and 1M generated values (one run) and print the ratios.

Run: ``python benchmarks/bench_engine.py [--per-check] [--sizes 10000,100000,1000000]``.
Target (issue 6): 1M values in ≤ 10 s on 2 cores; t(1M)/t(100k) ≤ 12 and t(100k)/t(10k) ≤ 12.
Generation is not timed. No assertion: this prints, the reader judges.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

import helpers.audit as audit  # noqa: E402
from helpers.audit.context import AuditContext  # noqa: E402


def time_run(rv, per_check: bool = False) -> tuple[float, dict, int]:
    t0 = time.perf_counter()
    res = audit.run_audit(rv)
    total = time.perf_counter() - t0
    detail = {}
    if per_check:
        t = time.perf_counter()
        ctx = AuditContext(rv)
        detail["<context>"] = time.perf_counter() - t
        for name, spec in audit.CHECKS.items():
            t = time.perf_counter()
            spec.function(ctx)
            detail[name] = time.perf_counter() - t
    return total, detail, len(res.inconsistencies)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--per-check", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    sizes = [int(x) for x in a.sizes.split(",")]
    times = {}
    for n in sizes:
        rv = generate(n, seed=a.seed)
        t, detail, nflags = time_run(rv, a.per_check)
        times[n] = t
        print(f"{n:>9,d} values: {t:7.3f} s  ({nflags:,d} flags)", flush=True)
        if detail:
            for k, x in sorted(detail.items(), key=lambda kv: -kv[1])[:12]:
                print(f"      {k:<26s} {x:7.3f} s")
    for small, big in zip(sizes, sizes[1:]):
        print(f"t({big:,d})/t({small:,d}) = {times[big] / times[small]:.2f}")


if __name__ == "__main__":
    main()
