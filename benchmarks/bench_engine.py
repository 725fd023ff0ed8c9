"""Time the audit engine on 10k, 100k and 1M generated values (one run) and print the ratios.

Run: ``python benchmarks/bench_engine.py [--per-check] [--sizes 10000,100000,1000000]``.
Targets: 1M values in ≤ 8 s with 2 processes (issue 13; issue 6 asked ≤ 10 s on 2 cores);
t(1M)/t(100k) ≤ 12 and t(100k)/t(10k) ≤ 12.
The generated review is written to CSV files in a temporary directory and read back with
``helpers.review.read_table``, as ``make all`` reads ``data/extracted`` (validation is skipped:
the generator's quotes are placeholders); ``--in-memory`` audits the generator's frames as
built instead. Each size is timed as ``run_audit`` runs by default (forked workers, one per
usable CPU, from ``PARALLEL_MIN_VALUES`` values on) and in-process (``n_jobs=1``); both results
are compared and must be identical. Generation and file round trip are not timed. No assertion
on time: this prints, the reader judges.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from helpers.review import Review, read_table  # noqa: E402

import helpers.audit as audit  # noqa: E402
from helpers.audit.context import AuditContext  # noqa: E402
from helpers.audit.engine import PARALLEL_MIN_VALUES, choose_jobs, usable_cpus  # noqa: E402


def time_run(rv, per_check: bool = False) -> tuple[float, float, dict, int]:
    t0 = time.perf_counter()
    res = audit.run_audit(rv)
    total = time.perf_counter() - t0
    t0 = time.perf_counter()
    one = audit.run_audit(rv, n_jobs=1)
    serial = time.perf_counter() - t0
    if not (res.inconsistencies.equals(one.inconsistencies) and res.recomputed.equals(one.recomputed)):
        raise SystemExit("parallel and in-process results differ")
    detail = {}
    if per_check:
        t = time.perf_counter()
        ctx = AuditContext(rv)
        detail["<context>"] = time.perf_counter() - t
        for name, spec in audit.CHECKS.items():
            t = time.perf_counter()
            spec.function(ctx)
            detail[name] = time.perf_counter() - t
    return total, serial, detail, len(res.inconsistencies)


def via_csv(rv) -> Review:
    """The review as ``make all`` would see it: its tables written as CSV and read back."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        tables = {}
        for name, df in rv.tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
            tables[name] = read_table(tmp / f"{name}.csv")
        return Review(data_dir=tmp, source=rv.source, tables=tables)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--per-check", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--in-memory", action="store_true", help="audit the generated frames without the CSV round trip")
    a = ap.parse_args(argv)
    sizes = [int(x) for x in a.sizes.split(",")]
    times, serial = {}, {}
    print(f"{usable_cpus()} usable CPUs; workers from {PARALLEL_MIN_VALUES:,d} values on")
    for n in sizes:
        rv = generate(n, seed=a.seed)
        if not a.in_memory:
            rv = via_csv(rv)
        t, t1, detail, nflags = time_run(rv, a.per_check)
        times[n], serial[n] = t, t1
        print(f"{n:>9,d} values: {t:7.3f} s with {choose_jobs(n)} process(es), {t1:7.3f} s in-process "
              f"({nflags:,d} flags)", flush=True)
        if detail:
            for k, x in sorted(detail.items(), key=lambda kv: -kv[1])[:12]:
                print(f"      {k:<26s} {x:7.3f} s")
    for small, big in zip(sizes, sizes[1:]):
        print(f"t({big:,d})/t({small:,d}) = {times[big] / times[small]:.2f} "
              f"(in-process {serial[big] / serial[small]:.2f})")


if __name__ == "__main__":
    main()
