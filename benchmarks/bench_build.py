"""Build-speed benchmark: prints measurements and ratios from ONE run (no assertions).

    .venv/bin/python benchmarks/bench_build.py [--skip-setup] [--skip-full] [--skip-breakdown]

1. Fresh clone (``git clone`` of this checkout's HEAD) -> every output: ``make env`` then
   ``make -j2 all`` from empty outputs, with bytecode written on first import (the Makefile's
   default) and with every installed module compiled at install (``UV_COMPILE``), then a floor run.
2. ``make all`` with nothing changed, and after touching one data table (which notebooks re-run).
3. Full rebuild from empty outputs with -j1 and -j2 (this checkout's environment), also in floors.
4. The floor: a papermill run (``helpers.pipeline``, the project's kernel) of an empty notebook
   that imports only the design card's stack (pandas, numpy, scipy.stats, matplotlib, seaborn,
   pingouin). Each notebook is run as ``make`` runs it and reported against the floor.
5. Where each notebook's time above the floor goes: the notebook is executed once more with
   two cells added (first: the floor's stack imported, timers wrapped around the helpers'
   functions, matplotlib's ``Figure.savefig`` and IPython's display formatter; last: the timers
   written out), with per-cell durations from papermill. Imports beyond the floor are replayed
   in a plain process (the same modules, in the same order, after the stack and every module
   the kernel had loaded before the first cell) and the costliest
   are listed from ``python -X importtime``. Timers nest: each category counts its own time only.
6. What the project's own modules cost to import after the stack (``-X importtime``).

Timings on a shared 2-core machine move by ±20% between runs; read ratios within one run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
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

PY = str(VENV / "bin" / "python")
#: the design card's stack: what every notebook imports anyway (the floor imports only this)
STACK = "import pandas, numpy, scipy.stats, matplotlib, seaborn, pingouin"
#: the project's modules a notebook may import (timed after the stack by ``-X importtime``)
HELPER_MODULES = ["helpers.paths", "helpers.outputs", "helpers.review", "helpers.sections", "helpers.figures",
                  "helpers.views", "helpers.plots", "helpers.report", "helpers.coverage", "helpers.crosscheck",
                  "helpers.audit", "helpers.validation"]

# timed categories of the breakdown: module -> {function name or "*" (every public function): category}
TIMED = {
    "helpers.review": {"load_review": "reading data", "read_table": "reading data"},
    "helpers.csvread": {"read_csv_checked": "reading data"},
    "helpers.validation": {"validate_review": "validation (pandera)", "read_csv_checked": "reading data"},
    "helpers.audit.engine": {"run_audit": "audit engine"},
    "helpers.coverage": {"coverage_ledger": "coverage ledger"},
    "helpers.crosscheck": {"*": "primary-source comparison"},
    "helpers.report": {"*": "report page (jinja2)"},
    "helpers.plots": {"*": "figure drawing (helpers.plots)"},
    "helpers.figures": {"setup": "figure setup (seaborn theme)"},
    "helpers.sections": {"*": "selecting (sections/views)"},
    "helpers.views": {"*": "selecting (sections/views)"},
    "helpers.outputs": {"write_csv": "writing files", "write_text": "writing files"},
}

INSTRUMENT = r'''
import functools as _f, importlib.machinery as _im, json as _j, sys as _s, time as _t
{stack}  # the floor's stack: imported before anything is timed
_T, _STACK, _TIMED = {{}}, [], {timed!r}

def _timed(cat, fn):
    @_f.wraps(fn)
    def w(*a, **k):
        _STACK.append([cat, _t.perf_counter(), 0.0])
        try:
            return fn(*a, **k)
        finally:
            c, t0, child = _STACK.pop()
            el = _t.perf_counter() - t0
            _T[c] = _T.get(c, 0.0) + el - child
            if _STACK:
                _STACK[-1][2] += el
    return w

def _patch(mod):
    spec = _TIMED[mod.__name__]
    for name, obj in list(vars(mod).items()):
        cat = spec.get(name) or (spec.get("*") if not name.startswith("_") else None)
        if cat and callable(obj) and getattr(obj, "__module__", None) == mod.__name__ and not isinstance(obj, type):
            setattr(mod, name, _timed(cat, obj))

class _Hook:
    def find_spec(self, name, path, target=None):
        if name not in _TIMED:
            return None
        spec = _im.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            _patch(module)
        spec.loader.exec_module = exec_module
        return spec

_s.meta_path.insert(0, _Hook())
import matplotlib.figure as _mf, pandas as _pd
_mf.Figure.savefig = _timed("figure rendering (savefig png+svg)", _mf.Figure.savefig)
_pd.DataFrame._repr_html_ = _timed("DataFrame HTML", _pd.DataFrame._repr_html_)
_pd.DataFrame.__repr__ = _timed("DataFrame text repr", _pd.DataFrame.__repr__)
_ip = get_ipython()
_ip.display_formatter.format = _timed("other display formatting", _ip.display_formatter.format)
_MODS0 = set(_s.modules)
'''

DUMP = r'''
_j.dump({{"times": _T, "modules": [m for m in list(_s.modules) if m not in _MODS0], "kernel": sorted(_MODS0)}},
        open({path!r}, "w", encoding="utf-8"))
'''

REPLAY = r'''
import importlib, sys, time
{stack}
for name in {kernel!r}:  # what the kernel had loaded before the notebook's first cell
    try:
        importlib.import_module(name)
    except BaseException:
        pass
sys.stderr.write("--replay--\n")
t = time.perf_counter()
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
print(time.perf_counter() - t)
'''


class T(float):
    """Wall seconds (the float) with ``cpu``: user + system seconds of the processes it waited for."""

    cpu: float

    def __new__(cls, wall: float, cpu: float):
        obj = super().__new__(cls, wall)
        obj.cpu = cpu
        return obj

    def __str__(self) -> str:
        return f"{float(self):.2f} s (cpu {self.cpu:.2f} s)"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn):
    """Run ``fn``: (T(wall, cpu of the child processes), result). CPU time is what the work costs
    whatever else runs on the machine; wall time also counts waiting for a core."""
    c, t = _children_cpu(), time.perf_counter()
    out = fn()
    return T(time.perf_counter() - t, _children_cpu() - c), out


def load() -> str:
    """Load average and CPU pressure (share of time some task waited for a core, last minute)."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as fh:
            psi = dict(kv.split("=") for kv in fh.readline().split()[1:])
        extra = f", CPU pressure {float(psi['avg60']):.0f}% over the last minute"
    except OSError:
        extra = ""
    return f"load average {os.getloadavg()[0]:.1f}{extra}"


def executed(stdout: str) -> list[str]:
    return [line.split("helpers.pipeline ")[1].split()[0].split("/")[-1] for line in stdout.splitlines()
            if "helpers.pipeline" in line]


def run(cmd, cwd, env_extra=None, check=True):
    """Run ``cmd`` as make runs its commands (without PYTHONDONTWRITEBYTECODE, see the Makefile)."""
    env = {**os.environ, "MAKEFLAGS": "", "PYTHONWARNINGS": "ignore:Field", **(env_extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise SystemExit(f"failed: {cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc


def kernel_notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    par = nbformat.v4.new_code_cell("data_dir = 'data'\nout_dir = 'outputs'")
    par.metadata["tags"] = ["parameters"]
    nb.cells = [par] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": pipeline.KERNEL_NAME, "display_name": "x", "language": "python"}
    return nb


def make_args(stem: str) -> list[str]:
    """The parameters ``make`` passes to a notebook: none validates again (notebook 00's recipe
    runs ``helpers validate`` first, timed as its own step)."""
    return ["-p", "data_dir", "data", "-p", "out_dir", "outputs", "-p", "validate_data", "False"]


def importtime_entries(stderr: str, after: str | None = None) -> list[tuple[str, float, int, str]]:
    """``-X importtime`` lines after the marker line ``after``: (module, cumulative s, depth, parent)."""
    lines = stderr.splitlines()
    if after is not None:
        lines = lines[lines.index(after) + 1:] if after in lines else []
    rows = []
    for line in lines:
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)", line)
        if m:
            rows.append([m.group(4), int(m.group(2)) / 1e6, (len(m.group(3)) - 1) // 2, ""])
    for i, r in enumerate(rows):  # post-order: the parent is the next line that is less deep
        r[3] = next((q[0] for q in rows[i + 1:] if q[2] < r[2]), "")
    return [tuple(r) for r in rows]


def importtime_top(stderr: str, after: str | None = None, n: int = 6) -> list[tuple[str, float]]:
    """Top-level entries (cumulative seconds) of ``-X importtime`` output, costliest first."""
    top = [(m, s) for m, s, depth, _ in importtime_entries(stderr, after) if depth == 0]
    return sorted(top, key=lambda kv: -kv[1])[:n]


# ------------------------------------------------------------------ 1. setup on a fresh clone
def bench_setup(work: Path) -> None:
    """Fresh clone -> every output, two ways: bytecode written by make's commands on first import
    (the Makefile's default), or every installed module compiled at install (UV_COMPILE)."""
    print("\n== fresh clone (git clone of HEAD) -> every output: make env, then make -j2 all from empty outputs ==")
    for label, extra in (("bytecode on first import (default)", []),
                         ("all bytecode at install (UV_COMPILE=--compile-bytecode)", ["UV_COMPILE=--compile-bytecode"])):
        clone = work / "clone"
        run(["git", "clone", "-q", str(ROOT), str(clone)], cwd=work)
        t_env, _ = timed(lambda: run(["make", "env", *extra], cwd=clone))
        shutil.rmtree(clone / "outputs")
        t_all, _ = timed(lambda: run(["make", "-j2", "all", *extra], cwd=clone))
        nb = kernel_notebook([STACK])
        nbformat.write(nb, work / "floor_clone.ipynb")
        t_floor, _ = timed(lambda: run([str(clone / ".venv" / "bin" / "python"), "-m", "helpers.pipeline",
                                        str(work / "floor_clone.ipynb"), str(work / "floor_clone_out.ipynb")],
                                       cwd=clone, env_extra={"PYTHONPATH": str(clone / "src")}))
        print(f"{label}:\n    make env {t_env}; make -j2 all {t_all}; fresh clone -> every output "
              f"{t_env + t_all:.1f} s (cpu {t_env.cpu + t_all.cpu:.1f} s); then a floor run {t_floor}")
        shutil.rmtree(clone, ignore_errors=True)


# ------------------------------------------------------------------ 2.-3. incremental and full builds
def bench_builds(work: Path, floor: float | None) -> None:
    print("\n== incremental and full builds (this checkout's environment) ==")
    repo = copy_repo(work / "noop", with_outputs=True)
    make(repo, "all")  # settle mtimes of a fresh copy
    t, proc = timed(lambda: make(repo, "all"))
    print(f"no-op make all: {float(t):.3f} s, notebooks executed: {executed(proc.stdout) or 'none'}")
    os.utime(repo / "data" / "extracted" / "prognostic.csv")
    t, proc = timed(lambda: make(repo, "all"))
    print(f"after touching prognostic.csv: {t}, re-executed: {executed(proc.stdout)}")
    shutil.rmtree(repo, ignore_errors=True)
    times = {}
    for j in ("1", "2"):
        r = copy_repo(work / f"full{j}", with_outputs=False)
        times[j], proc = timed(lambda r=r, j=j: make(r, f"-j{j}", "all"))
        assert proc.returncode == 0, proc.stderr[-2000:]
        extra = (f" = {times[j] / floor:.1f} floors (cpu: {times[j].cpu / floor.cpu:.1f} floors)") if floor else ""
        print(f"full rebuild -j{j}: {times[j]}{extra}")
        shutil.rmtree(r, ignore_errors=True)
    print(f"ratio -j2 / -j1: {times['2'] / times['1']:.2f}")


# ------------------------------------------------------------------ 4. floor and notebooks
def pipeline_run(src: Path, out: Path, cwd: Path, args: list[str]) -> T:
    t, _ = timed(lambda: run([PY, "-m", "helpers.pipeline", str(src), str(out), *args], cwd=cwd,
                             env_extra={"PYTHONPATH": str(cwd / "src")}))
    return t


def bench_floor(work: Path) -> T:
    nbformat.write(kernel_notebook([STACK]), work / "floor.ipynb")
    return pipeline_run(work / "floor.ipynb", work / "floor_out.ipynb", ROOT, [])


def bench_notebooks(work: Path, floor: T) -> dict[str, T]:
    """Each notebook as make runs it, each right after a floor run of its own: on a shared machine
    the load drifts within minutes, so each ratio uses the floor measured just before it."""
    print(f"\n== each notebook as make runs it, each against a floor run just before it: wall and cpu ratios ==")
    bench = copy_repo(work / "pernb", with_outputs=True)
    walls = {}
    t, _ = timed(lambda: run([PY, "-m", "helpers", "validate", "data"], cwd=bench,
                             env_extra={"PYTHONPATH": str(bench / "src")}))
    walls["00 validate step"] = t
    print(f"  {'00 recipe: helpers validate':28s} {t}   {t / floor:5.2f} floors (cpu {t.cpu / floor.cpu:5.2f})")
    floors = [floor]
    for src in sorted((bench / "notebooks").glob("*.ipynb")):
        f = bench_floor(work)
        floors.append(f)
        t = pipeline_run(src, work / src.name, bench, make_args(src.stem))
        walls[src.stem] = t
        print(f"  {src.stem:28s} {t}   ratio to floor {t / f:5.2f} (cpu {t.cpu / f.cpu:5.2f}; floor {f})")
    total = T(sum(walls.values()), sum(t.cpu for t in walls.values()))
    med = sorted(floors)[len(floors) // 2]
    cpu_med = sorted(f.cpu for f in floors)[len(floors) // 2]
    print(f"  floors measured: {', '.join(f'{float(f):.2f}' for f in floors)} s; median {float(med):.2f} s (cpu {cpu_med:.2f} s)")
    print(f"  sum (the 7 notebooks + validate step; the synthetic audit runs notebook 00 again): {total} "
          f"= {total / med:.1f} median floors (cpu {total.cpu / cpu_med:.1f})")
    return walls


# ------------------------------------------------------------------ 5. breakdown
def bench_breakdown(work: Path, floor: T, walls: dict[str, T]) -> None:
    print("\n== where each notebook's time above the floor goes ==")
    bench = copy_repo(work / "breakdown", with_outputs=True)
    code = ("import papermill as pm, sys, os\n"
            "os.environ.update({'PYTHONHASHSEED': '0', 'SOURCE_DATE_EPOCH': '0', 'TZ': 'UTC'})\n"
            "params = dict(zip(sys.argv[3::2], sys.argv[4::2]))\n"
            "params = {k: (v == 'True' if v in ('True', 'False') else v) for k, v in params.items()}\n"
            f"pm.execute_notebook(sys.argv[1], sys.argv[2], parameters=params, kernel_name={pipeline.KERNEL_NAME!r},\n"
            "                    cwd=os.getcwd(), progress_bar=False, request_save_on_cell_execute=False, log_output=False)\n")
    for src in sorted((bench / "notebooks").glob("*.ipynb")):
        stem = src.stem
        dump = work / f"{stem}.timers.json"
        nb = nbformat.read(src, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(INSTRUMENT.format(stack=STACK, timed=TIMED)))
        nb.cells.append(nbformat.v4.new_code_cell(DUMP.format(path=str(dump))))
        inst = work / f"{stem}.instrumented.ipynb"
        nbformat.write(nb, inst)
        args = [a for a in make_args(stem) if a != "-p"]
        run([PY, "-c", code, str(inst), str(work / f"{stem}.out.ipynb"), *args], cwd=bench,
            env_extra={"PYTHONPATH": str(bench / "src")})
        out = nbformat.read(work / f"{stem}.out.ipynb", as_version=4)
        durations = [c.metadata.get("papermill", {}).get("duration") or 0.0 for c in out.cells if c.cell_type == "code"]
        cells = sum(durations[1:-1])  # without the two added cells
        data = json.loads(dump.read_text(encoding="utf-8"))
        mods = [m for m in data["modules"] if not m.startswith("_")]
        kernel = [m for m in data["kernel"] if not m.startswith("_") and m != "__main__"]
        rp = run([PY, "-X", "importtime", "-c", REPLAY.format(stack=STACK, kernel=kernel, modules=mods)], cwd=bench,
                 env_extra={"PYTHONPATH": str(bench / "src")})
        imports = float(rp.stdout.strip().splitlines()[-1])
        wall = walls.get(stem, T(float("nan"), float("nan")))
        times = dict(data["times"])
        accounted = sum(times.values())
        print(f"\n{stem}: {float(wall):.2f} s as make runs it = floor {float(floor):.2f} s + {wall - floor:.2f} s "
              f"(cpu {wall.cpu:.2f} = {floor.cpu:.2f} + {wall.cpu - floor.cpu:.2f} s); "
              f"its cells (stack pre-imported): {cells:.2f} s")
        rows = sorted(times.items(), key=lambda kv: -kv[1])
        rows.append(("imports beyond the floor (replayed)", imports))
        rows.append(("other (the notebook's own code, pandas)", max(cells - accounted - imports, 0.0)))
        for k, v in sorted(rows, key=lambda kv: -kv[1]):
            if v >= 0.005:
                print(f"    {k:42s} {v:6.2f} s")
        top = importtime_top(rp.stderr, after="--replay--")
        print("    costliest imports beyond the floor: " + ", ".join(f"{m} {s:.2f} s" for m, s in top))


# ------------------------------------------------------------------ 6. project modules
def bench_helpers_imports() -> None:
    print("\n== the project's own modules: import cost after the stack (-X importtime, one process each) ==")
    for mod in HELPER_MODULES:
        p = run([PY, "-X", "importtime", "-c", f"{STACK}\nimport sys; sys.stderr.write('--mark--\\n')\nimport {mod}"],
                cwd=ROOT, env_extra={"PYTHONPATH": str(ROOT / "src")})
        rows = importtime_entries(p.stderr, after="--mark--")
        total = sum(s for _, s, depth, _ in rows if depth == 0)
        own = [(m, s) for m, s, _, _ in rows if m.startswith("helpers")]
        deps = sorted(((m, s) for m, s, _, parent in rows if not m.startswith("helpers") and parent.startswith("helpers")),
                      key=lambda kv: -kv[1])[:3]
        helpers_mods = ", ".join(sorted({m for m, _ in own if m != mod}))
        print(f"  import {mod:20s} {total:6.3f} s; third-party beyond the stack: "
              + (", ".join(f"{m} {s:.3f} s" for m, s in deps) or "none")
              + (f"; brings in {helpers_mods}" if helpers_mods else ""))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-setup", action="store_true", help="no fresh-clone setup (two `make env`)")
    ap.add_argument("--skip-full", action="store_true", help="no incremental / full rebuilds")
    ap.add_argument("--skip-breakdown", action="store_true", help="no per-notebook breakdown")
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, venv {VENV}, "
              f"{load()}")
        if not a.skip_setup:
            bench_setup(work)
        floor = bench_floor(work)
        print(f"\nfloor (papermill run of an empty notebook importing {STACK[7:]}): {floor}")
        t_stack, _ = timed(lambda: run([PY, "-c", STACK], cwd=ROOT))
        print(f"  of which importing the stack in a plain process: {t_stack}")
        if not a.skip_full:
            bench_builds(work, floor)
        walls = bench_notebooks(work, floor)
        if not a.skip_breakdown:
            bench_breakdown(work, floor, walls)
        bench_helpers_imports()
        print(f"\nat the end: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
