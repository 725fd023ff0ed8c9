"""The papermill runner: parameter checking, normalisation, atomic writes, determinism."""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from helpers import paths, pipeline


def _notebook(params_src: str, body: str = "print(data_dir)") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params_src)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": pipeline.KERNEL_NAME, "display_name": "x", "language": "python"}
    return nb


def test_declared_parameters_reads_literals():
    nb = _notebook("data_dir = 'data'\nout_dir = 'outputs'\nalpha = 0.05\nband = [0.5, 1.5]")
    assert pipeline.declared_parameters(nb) == {
        "data_dir": "data", "out_dir": "outputs", "alpha": 0.05, "band": [0.5, 1.5]}


def test_unknown_parameter_is_an_error_naming_it():
    nb = _notebook("data_dir = 'data'\nalpha = 0.05")
    with pytest.raises(pipeline.ParameterError, match=r"unknown parameter 'alpah'.*accepts: alpha, data_dir"):
        pipeline.check_parameters(nb, {"alpah": "0.01"}, source="nb.ipynb")


@pytest.mark.parametrize("name,value", [("alpha", "abc"), ("alpha", "'x'"), ("alpha", "True"), ("band", "3")])
def test_wrong_type_is_an_error(name, value):
    nb = _notebook("alpha = 0.05\nband = [0.5, 1.5]")
    with pytest.raises(pipeline.ParameterError, match=name):
        pipeline.check_parameters(nb, {name: value}, source="nb.ipynb")


def test_strings_are_coerced_to_the_default_type():
    nb = _notebook("alpha = 0.05\nn = 3\nband = [0.5, 1.5]\nname = 'a'")
    got = pipeline.check_parameters(nb, {"alpha": "0.01", "n": "4", "band": "[0.4, 1.6]", "name": "b"})
    assert got == {"alpha": 0.01, "n": 4, "band": [0.4, 1.6], "name": "b"}
    assert pipeline.check_parameters(nb, {"alpha": "1"}) == {"alpha": 1.0}


def test_exactly_one_parameters_cell_required():
    nb = _notebook("a = 1")
    nb.cells[2].metadata["tags"] = ["parameters"]
    with pytest.raises(pipeline.ParameterError, match="exactly one"):
        pipeline.declared_parameters(nb)


def test_normalise_removes_volatile_metadata():
    nb = _notebook("a = 1")
    nb.metadata["papermill"] = {"duration": 1.2, "start_time": "2026", "parameters": {"a": 2},
                                "environment_variables": {}, "input_path": "/tmp/x"}
    nb.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    nb.cells[1].metadata["papermill"] = {"duration": 0.1}
    out = pipeline.normalise(nb)
    assert out.metadata["papermill"] == {"parameters": {"a": 2}}
    assert [c["id"] for c in out.cells] == ["cell-000", "cell-001", "cell-002"]
    assert "execution" not in out.cells[1].metadata and "papermill" not in out.cells[1].metadata


def test_write_atomic_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline.os, "replace", boom)
    with pytest.raises(OSError):
        pipeline.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.slow
def test_two_runs_are_byte_identical_and_cli_rejects_bad_parameter(tmp_path):
    src = tmp_path / "nb.ipynb"
    nbformat.write(_notebook("data_dir = 'data'\nout_dir = 'outputs'",
                             "import pandas as pd\npd.DataFrame({'a': [1, 2]})"), src)
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    pipeline.run_notebook(src, a, {"data_dir": "elsewhere"})
    pipeline.run_notebook(src, b, {"data_dir": "elsewhere"})
    assert a.read_bytes() == b.read_bytes()
    assert b'"parameters"' in a.read_bytes() and b"elsewhere" in a.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "helpers.pipeline", str(src), str(tmp_path / "c.ipynb"),
                           "-p", "data_dri", "x"], capture_output=True, text=True, cwd=paths.ROOT)
    assert proc.returncode == 2
    assert "unknown parameter 'data_dri'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "c.ipynb").exists()


def test_write_atomic_gives_ordinary_permissions(tmp_path):
    target = tmp_path / "out.txt"
    pipeline.write_atomic(target, b"x")
    umask = pipeline.os.umask(0)
    pipeline.os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
