"""Build-speed benchmark: prints measurements and ratios from ONE run (no assertions).

    .venv/bin/python benchmarks/bench_build.py

1. `make all` with nothing changed: wall time, and whether anything executed.
2. Touching one data table: which notebooks re-execute.
3. Full rebuild with -j1 and -j2 in scratch copies: wall times and their ratio.
4. Each notebook's cost against the floor: a papermill run of an empty notebook that imports
   the same libraries (ratio per notebook; the target is at most 1.3).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))
from conftest import VENV, copy_repo, make  # noqa: E402

from helpers import pipeline  # noqa: E402

IMPORTS = ("import pandas, numpy, scipy.stats, matplotlib, seaborn, pingouin, pandera\n"
           "import helpers.audit, helpers.plots, helpers.views, helpers.report, helpers.crosscheck\n")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def executed(stdout: str) -> list[str]:
    return [line.split("helpers.pipeline ")[1].split()[0].split("/")[-1] for line in stdout.splitlines() if "helpers.pipeline" in line]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, venv {VENV}")
        # 1. no-op
        repo = copy_repo(work / "noop", with_outputs=True)
        make(repo, "all")  # settle mtimes of a fresh copy
        t, proc = timed(lambda: make(repo, "all"))
        print(f"no-op make all: {t:.3f} s, notebooks executed: {executed(proc.stdout) or 'none'}")
        # 2. one table touched
        os.utime(repo / "data" / "extracted" / "prognostic.csv")
        t, proc = timed(lambda: make(repo, "all"))
        print(f"after touching prognostic.csv: {t:.1f} s, re-executed: {executed(proc.stdout)}")
        # 3. -j1 vs -j2 full rebuilds
        times = {}
        for j in ("1", "2"):
            r = copy_repo(work / f"full{j}", with_outputs=False)
            times[j], proc = timed(lambda r=r, j=j: make(r, f"-j{j}", "all"))
            assert proc.returncode == 0, proc.stderr[-2000:]
            print(f"full rebuild -j{j}: {times[j]:.1f} s")
        print(f"ratio -j2 / -j1: {times['2'] / times['1']:.2f}")
        # 4. per-notebook cost against the floor
        floor_nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("data_dir = 'data'\nout_dir = 'outputs'")
        cell.metadata["tags"] = ["parameters"]
        floor_nb.cells = [cell, nbformat.v4.new_code_cell(IMPORTS)]
        floor_nb.metadata["kernelspec"] = {"name": pipeline.KERNEL_NAME, "display_name": "x", "language": "python"}
        nbformat.write(floor_nb, work / "floor.ipynb")
        floor, _ = timed(lambda: subprocess.run(
            [str(VENV / "bin" / "python"), "-m", "helpers.pipeline", str(work / "floor.ipynb"),
             str(work / "floor_out.ipynb")], cwd=ROOT, capture_output=True, check=True))
        print(f"floor (empty notebook importing the same libraries): {floor:.2f} s")
        bench = copy_repo(work / "pernb", with_outputs=True)
        os.chdir(bench)
        for src in sorted((bench / "notebooks").glob("*.ipynb")):
            t, _ = timed(lambda src=src: subprocess.run(
                [str(VENV / "bin" / "python"), "-m", "helpers.pipeline", str(src), str(work / src.name),
                 "-p", "data_dir", "data", "-p", "out_dir", "outputs"], cwd=bench, capture_output=True, check=True))
            print(f"  {src.stem:28s} {t:6.2f} s   ratio to floor {t / floor:5.2f}")
    finally:
        os.chdir(ROOT)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
