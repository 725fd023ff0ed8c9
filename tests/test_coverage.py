"""Coverage ledger: every numeric token of the body is extracted, explained, or flagged."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.synthetic_extraction import SOURCE, make_data_dir  # noqa: E402

from helpers import paths  # noqa: E402
from helpers.coverage import _covered_pairs, coverage_ledger, tokens  # noqa: E402
from helpers.errors import DataError  # noqa: E402
from helpers.review import load_review  # noqa: E402


@pytest.fixture
def review(tmp_path):
    return load_review(make_data_dir(tmp_path / "data"))


def status_at(ledger: pd.DataFrame, needle: str, token: str, shift: int = 0) -> pd.Series:
    """The ledger row of ``token`` inside the first occurrence of ``needle`` in the source."""
    off = SOURCE.index(needle) + needle.index(token) + shift
    row = ledger[ledger.offset == off]
    assert len(row) == 1, (needle, token, off)
    return row.iloc[0]


def test_tokens_regex():
    t = tokens("a 1.5, b 12/40 (30%), 2.1.3. x", None)
    assert t.token.tolist() == ["1.5", "12", "40", "30", "2.1", "3"]
    assert t.start.tolist() == [2, 9, 12, 16, 22, 26]


def test_ledger_classifies_synthetic_tokens(review):
    ledger = coverage_ledger(review)
    assert list(ledger.columns) == ["offset", "token", "status", "value_ids", "reason"]
    # body only: nothing from the reference list (its years, DOIs, page numbers)
    assert ledger.offset.max() < SOURCE.index("## References")
    assert len(ledger) == 29
    assert (ledger.status == "unexplained").sum() == 0
    r = status_at(ledger, "enrolled 40", "40")
    assert (r.status, r.value_ids, r.reason) == ("extracted", "s1_a_n", "")
    assert status_at(ledger, "(HR 0.70", "0.70").value_ids == "s1_a_pfs_hr"
    assert status_at(ledger, "P = 0.000", "0.000").value_ids == "s1_sub_p"
    r = status_at(ledger, "2021年3月4日", "4")
    assert (r.status, r.reason, r.value_ids) == ("not_a_statistic", "date", "")
    assert status_at(ledger, "## 1. Background", "1").reason == "section_number"
    assert status_at(ledger, "Trial A [1]", "1").reason == "citation_number"
    assert status_at(ledger, "Table 1.", "1").reason == "table_number"
    assert status_at(ledger, "Grade 3", "3").reason == "grade"   # an offset/token row
    assert ledger.offset.is_monotonic_increasing


def test_unexplained_token_is_flagged(review):
    values = review.tables["values"]
    review.tables["values"] = values[values.value_id != "t1_smith_os"]
    ledger = coverage_ledger(review)
    r = status_at(ledger, "OS 14 months", "14")
    assert (r.status, r.value_ids, r.reason) == ("unexplained", "", "")
    assert (ledger.status == "unexplained").sum() == 1


def test_partial_cover_does_not_count(review):
    """A value interval covering only part of a token ('9' of '9.5') leaves it unexplained."""
    v = review.tables["values"].copy()
    v.loc[v.value_id == "s1_a_pfs_exp", "value"] = "9"
    review.tables["values"] = v
    r = status_at(coverage_ledger(review), "PFS 9.5", "9.5")
    assert r.status == "unexplained"


def test_extracted_wins_over_explanation_and_ids_are_joined(review):
    ns = review.tables["non_statistics"]
    extra = pd.DataFrame([{"pattern": r"enrolled \d+", "offset": "", "token": "", "reason": "count_of_items",
                           "note": ""}])
    review.tables["non_statistics"] = pd.concat([ns, extra], ignore_index=True)
    v = review.tables["values"]
    dup = v[v.value_id == "s1_a_n"].assign(value_id="s1_a_n_again")
    review.tables["values"] = pd.concat([v, dup], ignore_index=True)
    r = status_at(coverage_ledger(review), "enrolled 40", "40")
    assert (r.status, r.value_ids, r.reason) == ("extracted", "s1_a_n;s1_a_n_again", "")


def test_several_reasons_are_joined(review):
    ns = review.tables["non_statistics"]
    extra = pd.DataFrame([{"pattern": r"Table \d", "offset": "", "token": "", "reason": "count_of_items",
                           "note": ""}])
    review.tables["non_statistics"] = pd.concat([ns, extra], ignore_index=True)
    assert status_at(coverage_ledger(review), "Table 1.", "1").reason == "count_of_items;table_number"


def test_body_end_marker_parameter_and_config(review):
    longer = coverage_ledger(review, body_end_marker="- [2]")
    assert longer.offset.max() > SOURCE.index("- [1]")  # entry [1] of the list is now body
    assert longer.offset.max() < SOURCE.index("- [2]")
    assert (longer.status == "unexplained").sum() > 0  # its year, DOI, pages are not explained
    cfg = review.data_dir / "extracted" / "source_config.json"
    cfg.unlink()
    whole = coverage_ledger(review)  # no config: the whole text is the body
    assert whole.offset.max() > SOURCE.index("- [2]")
    with pytest.raises(DataError, match="body end marker 'nowhere' not found"):
        coverage_ledger(review, body_end_marker="nowhere")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=0, max_size=15), st.lists(st.integers(0, 3), min_size=0, max_size=15),
       st.lists(st.tuples(st.integers(0, 80), st.integers(0, 12)), max_size=12))
def test_covered_pairs_matches_brute_force(lengths, gaps, intervals):
    # non-overlapping sorted tokens
    starts, pos = [], 0
    for i, length in enumerate(lengths):
        pos += gaps[i] if i < len(gaps) else 1
        starts.append(pos)
        pos += length
    ts = np.array(starts, dtype=np.int64)
    te = ts + np.array(lengths, dtype=np.int64)
    s = np.array([a for a, _ in intervals], dtype=np.int64)
    e = s + np.array([b for _, b in intervals], dtype=np.int64)
    t_idx, i_idx = _covered_pairs(ts, te, s, e)
    got = sorted(zip(t_idx.tolist(), i_idx.tolist()))
    want = sorted((t, i) for t in range(len(ts)) for i in range(len(s)) if s[i] <= ts[t] and te[t] <= e[i])
    assert got == want


def test_real_coverage_complete():
    """No numeric token of the real article body is left unexplained."""
    ledger = coverage_ledger(load_review(paths.DATA))
    assert len(ledger) > 900 and (ledger.status == "extracted").sum() > 600
    bad = ledger[ledger.status == "unexplained"]
    assert bad.empty, f"{len(bad)} unexplained tokens, first: {bad.head(20).to_dict('records')}"
