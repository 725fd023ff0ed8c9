"""The synthetic review with planted defects runs through every notebook, with other tolerances,
through the same Makefile variables a user would use; every planted defect reaches the report."""
from __future__ import annotations

import pytest
from conftest import snapshot

from helpers import paths
from helpers.review import read_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(synthetic_built):
    """OUT_DIR of `make all DATA_DIR=tests/synthetic_review OUT_DIR=... AUDIT_PARAMS=...` with
    conftest.SYNTHETIC_AUDIT_PARAMS (started in the background when the tests are collected, run once)."""
    return synthetic_built


def test_every_notebook_ran_on_the_synthetic_review(built):
    executed = {p.name for p in (built / "notebooks").glob("*.ipynb")}
    assert executed == {p.name for p in paths.NOTEBOOKS.glob("*.ipynb")}
    nb00 = (built / "notebooks" / "00_data_and_audit.ipynb").read_text(encoding="utf-8")
    assert '"exponential_band_pp": 25.0' in nb00 and '"data_dir": "tests/synthetic_review"' in nb00


def test_planted_defects_reach_the_flags_and_the_report(built):
    flags = read_table(built / "inconsistencies.csv")
    expected = read_table(paths.SYNTHETIC / "expected_issues.csv")
    got = set(zip(flags["check"], flags["severity"]))
    missing = set(zip(expected["check"], expected["severity"])) - got
    assert not missing, missing
    page = (built / "report.html").read_text(encoding="utf-8")
    for check in set(expected["check"]):
        assert check in page, check


def test_real_outputs_untouched_by_the_synthetic_run(built):
    assert "synthetic" not in (paths.OUTPUTS / "inconsistencies.csv").read_text(encoding="utf-8")
    assert not any("synthetic" in k for k in snapshot(paths.OUTPUTS / "tables"))
