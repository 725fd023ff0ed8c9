"""Forked workers give exactly the in-process result; worker counts are validated."""
from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

import helpers.audit as audit
from helpers import paths
from helpers.audit import engine
from helpers.audit.engine import PARALLEL_MIN_VALUES, _dedupe_sort, choose_jobs, usable_cpus
from helpers.review import load_review


def _generated(n: int):
    spec = importlib.util.spec_from_file_location("bench_generate", paths.ROOT / "benchmarks" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.generate(n, seed=3)


@pytest.mark.parametrize("review", ["synthetic", "generated"])
def test_workers_equal_in_process(review):
    rv = load_review(paths.SYNTHETIC, validate=False) if review == "synthetic" else _generated(4000)
    one = audit.run_audit(rv, n_jobs=1)
    two = audit.run_audit(rv, n_jobs=2)
    assert len(one.inconsistencies) > 0 and len(one.recomputed) > 0
    pd.testing.assert_frame_equal(one.inconsistencies, two.inconsistencies)
    pd.testing.assert_frame_equal(one.recomputed, two.recomputed)


def test_subset_of_checks_in_workers():
    rv = _generated(2000)
    names = ["percent_vs_count", "arms_swapped", "p_from_2x2"]
    one = audit.run_audit(rv, checks=names, n_jobs=1)
    two = audit.run_audit(rv, checks=names, n_jobs=2)
    assert set(one.inconsistencies["check"]) <= set(names)
    pd.testing.assert_frame_equal(one.inconsistencies, two.inconsistencies)
    pd.testing.assert_frame_equal(one.recomputed, two.recomputed)


def test_choose_jobs(monkeypatch):
    assert choose_jobs(10) == 1
    assert choose_jobs(PARALLEL_MIN_VALUES - 1) == 1
    assert choose_jobs(PARALLEL_MIN_VALUES) == usable_cpus()  # Linux: fork is available
    monkeypatch.setattr(engine, "usable_cpus", lambda: 4)  # one worker per usable CPU, whatever the machine
    assert choose_jobs(PARALLEL_MIN_VALUES) == 4 and choose_jobs(PARALLEL_MIN_VALUES - 1) == 1
    assert choose_jobs(10, n_jobs=3) == 3
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            choose_jobs(10, n_jobs=bad)


def test_dedupe_sort_matches_pandas():
    rows = [("b", "2", "x"), ("a", "9", "y"), ("b", "2", "x"), ("a", "1", "z"), ("b", "1", "x"), ("a", "9", "y"),
            ("a", "9", "w"), ("é", "0", "v"), ("e", "0", "v")]
    df = pd.DataFrame(rows, columns=["k1", "k2", "other"]).astype(str)
    for by in (["k1"], ["k1", "k2"], ["other", "k1"]):
        want = df.drop_duplicates().sort_values(by, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(_dedupe_sort(df, by), want)
