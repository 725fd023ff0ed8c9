"""Time the audit engine on 10k, 100k and 1M generated values (one run) and print the ratios.

Run: ``python benchmarks/bench_engine.py [--per-check] [--sizes 10000,100000,1000000]``.
Targets: 1M values in ≤ 8 s with 2 processes (issue 13; issue 6 asked ≤ 10 s on 2 cores);
t(1M)/t(100k) ≤ 12 and t(100k)/t(10k) ≤ 12.
The generated review is written to CSV files in a temporary directory; each timing then runs in
a fresh Python process that reads them with ``helpers.review.read_table``, as a ``make all``
kernel reads ``data/extracted`` (validation is skipped: the generator's quotes are placeholders),
and times ``run_audit`` alone. A fresh process matters: audited in the process that has just
generated a million rows, the same run took 10-11 s instead of 7.5 s (heap state, not the engine).
``--same-process`` times it in this process as before; ``--in-memory`` (implies it) audits the
generator's frames as built. Each size is timed as ``run_audit`` runs by default (forked workers,
one per usable CPU, from ``PARALLEL_MIN_VALUES`` values on) and in-process (``n_jobs=1``); both
results are compared (a digest of their CSV bytes) and must be identical. Generation and file
round trip are not timed. No assertion on time: this prints, the reader judges.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
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


def write_csv_dir(rv, tmp: Path) -> None:
    """Write the review's tables and text to ``tmp`` (``<table>.csv``, ``source.txt``)."""
    for name, df in rv.tables.items():
        df.to_csv(tmp / f"{name}.csv", index=False)
    (tmp / "source.txt").write_text(rv.source, encoding="utf-8")


def read_csv_dir(directory: Path) -> Review:
    """The review :func:`write_csv_dir` wrote, read as ``make all`` reads ``data/extracted``."""
    tables = {p.stem: read_table(p) for p in sorted(directory.glob("*.csv"))}
    return Review(data_dir=directory, source=(directory / "source.txt").read_text(encoding="utf-8"), tables=tables)


def audit_dir(directory: Path, n_jobs: int | None) -> dict:
    """Read a review written by :func:`write_csv_dir` and time ``run_audit`` alone (fresh process)."""
    rv = read_csv_dir(directory)
    t0 = time.perf_counter()
    res = audit.run_audit(rv, n_jobs=n_jobs)
    seconds = time.perf_counter() - t0
    digest = hashlib.sha256(res.inconsistencies.to_csv(index=False).encode()
                            + res.recomputed.to_csv(index=False).encode()).hexdigest()
    return {"seconds": seconds, "digest": digest, "flags": len(res.inconsistencies)}


def time_fresh(directory: Path, n_jobs: int | None) -> dict:
    """:func:`audit_dir` in a fresh Python process."""
    out = subprocess.run([sys.executable, __file__, "--audit-dir", str(directory), "--jobs", str(n_jobs or 0)],
                         capture_output=True, text=True, check=True, env=dict(os.environ))
    return json.loads(out.stdout.strip().splitlines()[-1])


def via_csv(rv) -> Review:
    """The review as ``make all`` would see it: its tables written as CSV and read back."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        write_csv_dir(rv, tmp)
        return read_csv_dir(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--per-check", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--in-memory", action="store_true", help="audit the generated frames without the CSV round trip")
    ap.add_argument("--same-process", action="store_true", help="time the audit in this process (after generating)")
    ap.add_argument("--audit-dir", help=argparse.SUPPRESS)  # internal: the fresh process's job
    ap.add_argument("--jobs", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.audit_dir:
        print(json.dumps(audit_dir(Path(a.audit_dir), a.jobs or None)))
        return
    if os.path.exists("/proc/loadavg"):
        print("load average at start:", open("/proc/loadavg").read().split()[:3])
    sizes = [int(x) for x in a.sizes.split(",")]
    times, serial = {}, {}
    print(f"{usable_cpus()} usable CPUs; workers from {PARALLEL_MIN_VALUES:,d} values on")
    for n in sizes:
        rv = generate(n, seed=a.seed)
        if a.in_memory or a.same_process or a.per_check:
            if not a.in_memory:
                rv = via_csv(rv)
            t, t1, detail, nflags = time_run(rv, a.per_check)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
            try:
                write_csv_dir(rv, tmp)
                del rv
                par, one = time_fresh(tmp, None), time_fresh(tmp, 1)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            if par["digest"] != one["digest"]:
                raise SystemExit("parallel and in-process results differ")
            t, t1, detail, nflags = par["seconds"], one["seconds"], {}, par["flags"]
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
