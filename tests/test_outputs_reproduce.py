"""outputs/ is exactly what `make all` produces, and a second `make all` executes nothing.

The repository's tracked files (without outputs/) are copied, mtimes preserved, into a scratch
directory; `make -j2 all` runs there once for the session with this checkout's virtual environment
(the ``rebuilt`` fixture of conftest.py); every committed output must come back byte for byte, and
nothing else may appear. The executed notebooks of that build are also compared with the committed
ones by pytest-notebook's diff (test_notebooks_regression.py).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import VENV, make, make_env, snapshot, tracked_files

from helpers import paths

pytestmark = pytest.mark.slow


def _ran(stdout: str) -> set[str]:
    return {line.split("helpers.pipeline ")[1].split()[0] for line in stdout.splitlines() if "helpers.pipeline" in line}


def test_committed_outputs_reproduce_byte_for_byte(rebuilt):
    committed = {rel[len("outputs/"):] for rel in tracked_files() if rel.startswith("outputs/")}
    assert committed, "no committed outputs"
    built = snapshot(rebuilt / "outputs")
    assert set(built) == committed, {"missing": sorted(committed - set(built)), "extra": sorted(set(built) - committed)}
    differing = [rel for rel in sorted(committed) if (paths.OUTPUTS / rel).read_bytes() != built[rel]]
    assert not differing, f"outputs differ from a fresh build: {differing}"


def test_second_make_all_executes_nothing(rebuilt):
    proc = make(rebuilt, "all")
    assert proc.returncode == 0
    assert "helpers.pipeline" not in proc.stdout, proc.stdout
    dry = make(rebuilt, "-n", "all")
    assert "helpers.pipeline" not in dry.stdout


def test_touching_one_table_reruns_only_its_readers(rebuilt):
    """Changing prognostic.csv's mtime re-executes the audit, the prognostic notebook and the report only."""
    os.utime(rebuilt / "data" / "extracted" / "prognostic.csv")
    proc = make(rebuilt, "all")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _ran(proc.stdout) == {"notebooks/00_data_and_audit.ipynb", "notebooks/04_prognostic_factors.ipynb",
                                 "notebooks/06_report.ipynb"}, proc.stdout


def test_interrupted_make_all_keeps_previous_outputs_and_next_run_completes(rebuilt, tmp_path):
    """Ctrl-C while a notebook executes: every output as it was, no temporary file left, and the
    next `make all` completes with the same bytes. Runs in a copy of the settled scratch build, with
    the source of notebook 04 touched, so that notebooks 04 and then 06 re-execute."""
    repo = tmp_path / "repo"
    shutil.copytree(rebuilt, repo, symlinks=True)  # copy2: mtimes kept, the copy is settled too
    before = snapshot(repo / "outputs")
    os.utime(repo / "notebooks" / "04_prognostic_factors.ipynb")
    # Ctrl-C as in a terminal: SIGINT handled by default even when this suite runs where it is ignored
    # (a background job of a shell without job control inherits SIGINT ignored)
    proc = subprocess.Popen(["make", "all", f"VENV={VENV}"], cwd=repo, env=make_env(), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until notebook 04 is executing
        time.sleep(0.5)
        running = subprocess.run(["pgrep", "-s", str(proc.pid), "-f", "helpers.pipeline notebooks/04"],
                                 capture_output=True).stdout
        if running:
            break
    else:
        pytest.fail("notebook 04 never started")
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, out + err
    assert "notebooks/06_report.ipynb" not in out, "the interruption came too late: the build had finished"
    after = snapshot(repo / "outputs")
    assert after == before, sorted(k for k in set(after) | set(before) if after.get(k) != before.get(k))
    assert not list(repo.rglob("*.tmp"))
    done = make(repo, "all")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "notebooks/04_prognostic_factors.ipynb" in _ran(done.stdout), done.stdout
    assert snapshot(repo / "outputs") == before
