"""The audit engine on the synthetic review: every planted defect found, nothing else flagged."""
from __future__ import annotations

import csv
from collections import Counter

import pandas as pd
import pytest

import helpers.audit as audit
from helpers import paths
from helpers.review import load_review

SYN = paths.SYNTHETIC


@pytest.fixture(scope="module")
def result():
    return audit.run_audit(load_review(SYN, validate=False))


@pytest.fixture(scope="module")
def expected():
    with open(SYN / "expected_issues.csv", encoding="utf-8") as fh:
        return [(r["check"], r["severity"], frozenset(r["value_ids"].split(";"))) for r in csv.DictReader(fh)]


def test_build_is_reproducible(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic_build", SYN / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build(tmp_path)
    for f in ["raw/synthetic.txt", "expected_issues.csv"] + [f"extracted/{t}.csv" for t in
                                                            ("values", "studies", "mentions", "references",
                                                             "prognostic", "claims", "non_statistics")]:
        assert (tmp_path / f).read_bytes() == (SYN / f).read_bytes(), f


def test_every_planted_defect_found_exactly(result, expected):
    got = Counter((r.check, r.severity, frozenset(r.value_ids.split(";")))
                  for r in result.inconsistencies.itertuples())
    assert got == Counter(expected)


def test_no_clean_figure_flagged(result, expected):
    flagged = {i for ids in result.inconsistencies["value_ids"] for i in ids.split(";")}
    planted = {i for _, _, ids in expected for i in ids}
    assert flagged == planted


def test_every_check_type_is_planted(expected):
    assert {c for c, _, _ in expected} == set(audit.CHECKS)


def test_output_shape_and_order(result):
    inc = result.inconsistencies
    assert list(inc.columns) == audit.ISSUE_COLUMNS
    assert list(result.recomputed.columns) == audit.RECOMPUTED_COLUMNS
    assert set(inc["severity"]) <= {"error", "warning", "info"}
    assert set(result.recomputed["status"]) <= {"consistent", "inconsistent", "not_recomputable"}
    key = inc[["section", "location", "check", "value_ids"]].values.tolist()
    assert key == sorted(key)
    assert (inc["message"].str.len() > 20).all() and inc["message"].str.endswith(".").all()
    again = audit.run_audit(load_review(SYN, validate=False))
    pd.testing.assert_frame_equal(again.inconsistencies, inc)
    pd.testing.assert_frame_equal(again.recomputed, result.recomputed)


def test_study_is_printed_name(result):
    inc = result.inconsistencies
    row = inc[inc["check"] == "endpoint_order"].set_index("value_ids").loc["t1_wang_pfs;t1_wang_os"]
    assert row["study"] == "王伟"
    assert row["severity"] == "error"


def test_recomputed_values(result):
    rec = result.recomputed.set_index(["value_id", "check"])
    r = rec.loc[("t1_adams_ptx_pct", "percent_vs_count")]
    assert r["status"] == "consistent" and r["method"].endswith("half_even;truncation")  # 5/80 = 6.25 -> 6.2
    assert rec.loc[("t1_adams_pneu_pct", "percent_vs_count"), "recomputed"] == "11.250"
    assert rec.loc[("t2_baker_orr_p", "p_from_2x2"), "status"] == "consistent"
    assert "chi2" in rec.loc[("t2_baker_orr_p", "p_from_2x2"), "method"]
    assert rec.loc[("s1_lc_lo", "range_claim"), "status"] == "not_recomputable"
    assert rec.loc[("t2_dunn_rsp_or", "or_from_counts"), "status"] == "consistent"


def test_params_change_outcome():
    rv = load_review(SYN, validate=False)
    wide = audit.run_audit(rv, {"exponential_band_pp": 40.0}).inconsistencies
    assert "t1_adams_os3y;t1_adams_os" not in set(wide.loc[wide["check"] == "survival_exponential", "value_ids"])
    with pytest.raises(ValueError, match="unknown audit parameter"):
        audit.run_audit(rv, {"exponential_band": 40.0})
