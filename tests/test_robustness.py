"""Bad input stops cleanly; JupyterLab stays local; no unsafe loading of data. (Per-file data errors
are in test_validation.py; parameters in test_pipeline.py; an interrupted build, which needs the
shared scratch build, in test_outputs_reproduce.py.)"""
from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest
from conftest import copy_repo, make, snapshot

from helpers import paths


def _lab_recipe() -> str:
    text = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    return re.search(r"^lab:.*?\n((?:\t.*\n)+)", text, re.M).group(1)


def test_make_lab_listens_on_localhost_with_token():
    recipe = _lab_recipe()
    assert "--ServerApp.ip=127.0.0.1" in recipe
    for unsafe in ("0.0.0.0", "token=''", 'token=""', "IdentityProvider.token=", "disable_check_xsrf",
                   "password=", "--ip=*"):
        assert unsafe not in recipe, unsafe


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            yield (f.id if isinstance(f, ast.Name) else
                   f"{getattr(f.value, 'id', '')}.{f.attr}" if isinstance(f, ast.Attribute) else ""), node


def test_no_eval_exec_or_unsafe_yaml_in_code():
    files = [*sorted((paths.ROOT / "src").rglob("*.py")), *sorted((paths.ROOT / "tests").rglob("*.py")),
             *sorted((paths.ROOT / "benchmarks").rglob("*.py"))]
    offenders = []
    for f in files:
        for name, node in _calls(ast.parse(f.read_text(encoding="utf-8"))):
            if name in ("eval", "exec", "yaml.load", "yaml.unsafe_load", "pickle.load", "pickle.loads"):
                offenders.append(f"{f.relative_to(paths.ROOT)}:{node.lineno} {name}")
    assert not offenders, offenders


def test_cli_wrong_parameter_type_exits_2_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "helpers.pipeline", "notebooks/00_data_and_audit.ipynb",
                           str(tmp_path / "x.ipynb"), "-p", "alpha", "high"],
                          cwd=paths.ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "parameter 'alpha'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.ipynb").exists()


@pytest.mark.slow
def test_bad_data_stops_make_all_with_a_clear_message_and_keeps_outputs(tmp_path):
    repo = copy_repo(tmp_path / "repo", with_outputs=True)
    before = snapshot(repo / "outputs")
    values = repo / "data" / "extracted" / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, lines[2])  # a duplicate value_id at data row 3
    values.write_text("".join(lines), encoding="utf-8")
    proc = make(repo, "all")
    assert proc.returncode != 0
    assert "values.csv" in proc.stderr and "row" in proc.stderr and "value_id" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert snapshot(repo / "outputs") == before
