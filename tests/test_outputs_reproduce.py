"""outputs/ is exactly what `make all` produces, and a second `make all` executes nothing.

The repository's tracked files (without outputs/) are copied, mtimes preserved, into a scratch
directory; `make all` runs there with this checkout's virtual environment; every committed output
must come back byte for byte, and nothing else may appear.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths

pytestmark = pytest.mark.slow

VENV = Path(sys.executable).parents[1]


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=paths.ROOT, capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("rebuild") / "repo"
    for rel in _tracked():
        if rel.startswith("outputs/"):
            continue
        src, dst = paths.ROOT / rel, repo / rel
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    env = {**os.environ, "MAKEFLAGS": ""}
    proc = subprocess.run(["make", "-j2", "all", f"VENV={VENV}"], cwd=repo, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return repo


def test_committed_outputs_reproduce_byte_for_byte(rebuilt):
    committed = {rel[len("outputs/"):] for rel in _tracked() if rel.startswith("outputs/")}
    assert committed, "no committed outputs"
    built = _files(rebuilt / "outputs")
    assert set(built) == committed, {"missing": sorted(committed - set(built)), "extra": sorted(set(built) - committed)}
    differing = [rel for rel in sorted(committed) if (paths.OUTPUTS / rel).read_bytes() != built[rel]]
    assert not differing, f"outputs differ from a fresh build: {differing}"


def test_second_make_all_executes_nothing(rebuilt):
    proc = subprocess.run(["make", "all", f"VENV={VENV}"], cwd=rebuilt, capture_output=True, text=True)
    assert proc.returncode == 0
    assert "helpers.pipeline" not in proc.stdout, proc.stdout
    dry = subprocess.run(["make", "-n", "all", f"VENV={VENV}"], cwd=rebuilt, capture_output=True, text=True)
    assert "helpers.pipeline" not in dry.stdout


def test_touching_one_table_reruns_only_its_readers(rebuilt):
    """Changing prognostic.csv's mtime re-executes the audit, the prognostic notebook and the report only."""
    os.utime(rebuilt / "data" / "extracted" / "prognostic.csv")
    proc = subprocess.run(["make", "all", f"VENV={VENV}"], cwd=rebuilt, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ran = {line.split()[3] for line in proc.stdout.splitlines() if "helpers.pipeline" in line}
    assert ran == {"notebooks/00_data_and_audit.ipynb", "notebooks/04_prognostic_factors.ipynb",
                   "notebooks/06_report.ipynb"}, ran
