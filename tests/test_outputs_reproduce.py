"""outputs/ is exactly what `make all` produces, and a second `make all` executes nothing.

The repository's tracked files (without outputs/) are copied, mtimes preserved, into a scratch
directory; `make all` runs there with this checkout's virtual environment; every committed output
must come back byte for byte, and nothing else may appear.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import copy_repo, make, snapshot, tracked_files

from helpers import paths

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("rebuild") / "repo", with_outputs=False)
    proc = make(repo, "-j2", "all")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return repo


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
    ran = {line.split("helpers.pipeline ")[1].split()[0] for line in proc.stdout.splitlines() if "helpers.pipeline" in line}
    assert ran == {"notebooks/00_data_and_audit.ipynb", "notebooks/04_prognostic_factors.ipynb",
                   "notebooks/06_report.ipynb"}, ran
