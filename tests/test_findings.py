"""Findings: grouping flags into defects, deciding the right printing, the erratum; and the
false-alarm classes of the audit staying silent on their clean look-alikes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import helpers.audit as audit
from helpers.audit.numeric import significance
from helpers.audit.contingency import check_two_by_two, contingency_tests, power_divergence_p
from helpers.audit.toy import toy_review
from helpers.findings import assign_flag_ids, build_findings, erratum_markdown
from helpers.findings.rubric import RUBRIC, TIERS


def _median(i, loc, arm, x, off, ep="pfs"):
    return {"value_id": i, "study_id": "s", "location": loc, "quantity": "median", "endpoint": ep, "unit": "months",
            "arm": arm, "value": x, "value_offset": str(off), "offset": str(off), "quote": f"{loc} {x}"}


def _swap_review(with_hr: bool = False):
    vals = [_median("tab_e", "table 3", "experimental", "10.0", 100), _median("tab_c", "table 3", "control", "6.0", 110),
            _median("txt_e", "text 2", "experimental", "6.0", 10), _median("txt_c", "text 2", "control", "10.0", 20)]
    if with_hr:
        for loc, off in (("table 3", 120), ("text 2", 30)):
            p = "t" if loc == "table 3" else "x"
            vals += [{"value_id": f"{p}_hr", "study_id": "s", "location": loc, "quantity": "hr", "endpoint": "pfs",
                      "value": "0.50", "value_offset": str(off), "offset": str(off)},
                     {"value_id": f"{p}_p", "study_id": "s", "location": loc, "quantity": "p_value", "endpoint": "pfs",
                      "value": "0.01", "value_offset": str(off + 5), "offset": str(off + 5)}]
    return toy_review(values=vals, studies=[{"study_id": "s", "author_printed": "Okafor", "location": "table 3"}])


def _findings(rv, comparisons=None, extra_flags=None):
    flags = audit.run_audit(rv).inconsistencies
    if extra_flags is not None:
        flags = pd.concat([flags, extra_flags], ignore_index=True)
    flags = assign_flag_ids(flags)
    return flags, build_findings(flags, rv.tables, comparisons)


def _source_flag(vid, loc, reported, expected):
    return pd.DataFrame([{"check": "primary_source_mismatch", "severity": "error", "section": "2", "location": loc,
                          "refs": "", "study": "Okafor", "quantity": "median", "reported": reported, "expected": expected,
                          "message": "m", "value_ids": vid}])


def test_swap_resolved_by_the_cited_publication():
    rv = _swap_review()
    comp = pd.DataFrame({"value_id": ["tab_e", "tab_c", "txt_e", "txt_c"], "status": ["confirmed", "confirmed",
                         "contradicted", "contradicted"], "expected": ["10.0", "6.0", "10.0", "6.0"], "source": "doi:x"})
    extra = pd.concat([_source_flag("txt_e", "text 2", "6.0", "10.0"), _source_flag("txt_c", "text 2", "10.0", "6.0")])
    flags, f = _findings(rv, comp, extra)
    assert len(f) == 1, f[["kind", "flag_ids"]]
    row = f.iloc[0]
    assert row["kind"] == "arms_swapped" and row["tier"] == "definite_error" and row["impact"] == "conclusion"
    assert row["resolution"] == "primary_source" and row["right_printing"] == "table 3"
    assert row["corrected"] == "text 2 should read PFS: experimental 10.0, control 6.0"
    # the source mismatches restating the swap are evidence of this one finding, not findings of their own
    assert set(row["flag_ids"].split(";")) == set(flags["flag_id"])


def test_swap_resolved_by_the_reviews_own_hazard_ratio():
    flags, f = _findings(_swap_review(with_hr=True))
    swap = f[f["kind"] == "arms_swapped"]
    assert len(swap) == 1
    assert swap["resolution"].iat[0] == "internal_evidence" and swap["right_printing"].iat[0] == "table 3"
    # the HR-direction flag the swap causes belongs to the swap's finding
    hr = flags.loc[flags["check"] == "hr_direction_vs_medians", "flag_id"]
    assert len(hr) and set(hr) <= set(swap["flag_ids"].iat[0].split(";"))


def test_swap_without_evidence_is_undecidable_and_proposes_no_correction():
    _, f = _findings(_swap_review())
    row = f[f["kind"] == "arms_swapped"].iloc[0]
    assert row["resolution"] == "undecidable" and row["right_printing"] == "" and row["corrected"] == ""


def test_one_printed_figure_is_one_finding_with_its_exchanged_fraction():
    vals = [{"value_id": "k", "study_id": "s", "quantity": "count", "endpoint": "sd", "value": "40", "denominator_id": "n"},
            {"value_id": "n", "study_id": "s", "quantity": "n", "endpoint": "sd", "value": "10"},
            {"value_id": "p", "study_id": "s", "quantity": "percent", "endpoint": "sd", "value": "25", "count_id": "k",
             "denominator_id": "n"}]
    flags, f = _findings(toy_review(values=vals))
    assert {"percent_vs_count", "impossible_value"} <= set(flags["check"])
    assert len(f) == 1 and f["corrected"].iat[0] == "10/40 (25%)"


def test_flag_ids_are_stable_and_unique():
    rv = _swap_review(with_hr=True)
    a = assign_flag_ids(audit.run_audit(rv).inconsistencies)
    b = assign_flag_ids(audit.run_audit(rv).inconsistencies.iloc[::-1].reset_index(drop=True))
    assert a["flag_id"].is_unique and set(a["flag_id"]) == set(b["flag_id"])


# ------------------------------------------------------------ false-alarm classes
def test_count_read_as_denominator_is_not_an_impossible_percentage():
    vals = [{"value_id": "N", "study_id": "s", "quantity": "n", "value": "62", "location": "table 1"},
            {"value_id": "d", "study_id": "s", "quantity": "n", "endpoint": "adverse_event", "value": "13",
             "location": "text 2", "unit": "patients"},
            {"value_id": "p", "study_id": "s", "quantity": "percent", "endpoint": "adverse_event", "value": "21.0",
             "denominator_id": "d", "location": "text 2"}]
    rv = toy_review(values=vals, studies=[{"study_id": "s", "n_id": "N", "refs": "1"}])
    i = audit.run_audit(rv).inconsistencies
    assert not ((i["check"] == "grim_percent") & (i["severity"] == "error")).any()
    assert "citation_sample_size" not in set(i["check"])
    # the look-alike that really is impossible (no reading as a count of 62 fits) stays an error
    rv.tables["values"].loc[2, "value"] = "22.0"
    i = audit.run_audit(rv).inconsistencies
    assert ((i["check"] == "grim_percent") & (i["severity"] == "error")).any()


def test_study_sizes_never_come_from_the_figures_being_checked():
    vals = [{"value_id": "N", "study_id": "a", "quantity": "n", "value": "61", "location": "table 1"},
            {"value_id": "k1", "study_id": "a", "location": "text 2", "quantity": "count", "value": "5",
             "endpoint": "adverse_event", "denominator_id": "d1"},
            {"value_id": "d1", "study_id": "a", "location": "text 2", "quantity": "n", "value": "37", "endpoint": "adverse_event"},
            {"value_id": "k2", "study_id": "a", "location": "text 2", "quantity": "count", "value": "3",
             "endpoint": "adverse_event", "denominator_id": "d2"},
            {"value_id": "d2", "study_id": "a", "location": "text 2", "quantity": "n", "value": "37", "endpoint": "adverse_event"}]
    rv = toy_review(values=vals, studies=[{"study_id": "a", "n_id": "N", "author_printed": "Okafor"}])
    i = audit.run_audit(rv, checks=["citation_sample_size"]).inconsistencies
    assert len(i) == 2
    assert all("(61)" in e and "37" not in e.split(";")[0] for e in i["expected"])


def test_arm_order_silent_on_separately_labelled_values_and_firing_on_a_printed_pair():
    def rv(same_quote):
        q1, q2 = ("A vs B", "A vs B") if same_quote else ("B组: 18", "A组: 36")
        o2 = "5" if same_quote else "40"
        base = {"study_id": "s", "location": "table 1", "quantity": "percent", "endpoint": "orr"}
        vals = [dict(base, value_id="c", arm="control", value="18", value_offset="5", offset="5", quote=q1),
                dict(base, value_id="e", arm="experimental", value="36", value_offset="45", offset=o2, quote=q2)]
        return toy_review(values=vals, studies=[{"study_id": "s", "location": "table 1", "arm_order": "experimental;control"}])
    assert audit.run_audit(rv(False), checks=["arm_order"]).inconsistencies.empty
    assert len(audit.run_audit(rv(True), checks=["arm_order"]).inconsistencies) == 1


def _two_by_two_review(p, orr=None):
    b = {"study_id": "s", "location": "table 3", "endpoint": "abscopal_dcr"}
    vals = [dict(b, value_id="a", quantity="count", arm="experimental", value="47", denominator_id="na", value_offset="1"),
            dict(b, value_id="na", quantity="n", arm="experimental", value="72", value_offset="2"),
            dict(b, value_id="c", quantity="count", arm="control", value="33", denominator_id="nc", value_offset="3"),
            dict(b, value_id="nc", quantity="n", arm="control", value="76", value_offset="4")]
    if orr:
        vals.append(dict(b, value_id="o", quantity="or", value=orr, value_offset="5"))
    vals.append(dict(b, value_id="p", quantity="p_value", value=p, value_offset="6"))
    return toy_review(values=vals)


def test_p_of_an_adjusted_odds_ratio_lies_within_the_family_of_usual_tests():
    with_or = audit.run_audit(_two_by_two_review("0.0071", "2.51"), checks=["p_from_2x2"]).inconsistencies
    assert with_or["severity"].tolist() == ["info"]  # the Wald test of the printed OR gives 0.0066
    without = audit.run_audit(_two_by_two_review("0.0071"), checks=["p_from_2x2"]).inconsistencies
    assert without["severity"].tolist() == ["warning"]  # without an OR, 0.0071 is below every usual test
    wrong = audit.run_audit(_two_by_two_review("0.20", "2.51"), checks=["p_from_2x2"]).inconsistencies
    assert wrong["severity"].tolist() == ["error"]


def test_attainable_p_uses_the_rounding_end_farthest_from_one():
    def rv(p):
        return toy_review(values=[{"value_id": "n", "study_id": "s", "quantity": "n", "value": "100"},
                                  {"value_id": "h", "study_id": "s", "quantity": "hr", "endpoint": "pfs", "value": "0.7",
                                   "value_offset": "10"},
                                  {"value_id": "p", "study_id": "s", "quantity": "p_value", "endpoint": "pfs", "value": p,
                                   "value_offset": "20"}], studies=[{"study_id": "s", "n_id": "n"}])
    assert audit.run_audit(rv("0.04"), checks=["p_attainable"]).inconsistencies.empty
    assert len(audit.run_audit(rv("0.02"), checks=["p_attainable"]).inconsistencies) == 1


def test_p_greater_than_a_bound_below_alpha_claims_nothing():
    assert np.isnan(significance([0.01], [">"], 0.05)[0])
    assert significance([0.05], [">"], 0.05)[0] == 0.0
    assert significance([0.05], ["="], 0.05)[0] == 0.0
    assert significance([0.05], ["="], 0.05, equal_is_significant=True)[0] == 1.0
    assert audit.AuditParams.from_dict({"p_equal_alpha_significant": True}).p_equal_alpha_significant


@pytest.mark.parametrize("table,msg", [((12, 10, 3, 10), "12 events in an arm of 10"), ((-1, 10, 3, 10), "negative"),
                                       ((np.nan, 10, 3, 10), "missing"), ((1, 0, 3, 10), "size 0")])
def test_impossible_two_by_two_tables_raise(table, msg):
    with pytest.raises(ValueError, match=msg):
        check_two_by_two(*[[x] for x in table])
    with pytest.raises(ValueError, match=msg):
        audit.contingency.fisher_two_sided(*[[x] for x in table])


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.data())
def test_power_divergence_equals_pingouin(n1, n2, data):
    a = data.draw(st.integers(0, n1))
    c = data.draw(st.integers(0, n2))
    if a + c in (0, n1 + n2):
        return  # a zero margin: no test
    ref = contingency_tests(a, n1, c, n2).set_index("test")["pval"]
    for lam, name in ((1.0, "pearson"), (0.0, "log-likelihood"), (2 / 3, "cressie-read")):
        if name == "log-likelihood" and 0 in (a, c, n1 - a, n2 - c):
            continue
        assert power_divergence_p([a], [n1], [c], [n2], lam)[0] == pytest.approx(ref[name], rel=1e-9, abs=1e-15)


def test_landmark_rates_must_not_rise():
    base = {"study_id": "s", "endpoint": "os", "quantity": "rate", "unit": "percent", "location": "table 1"}
    rising = [dict(base, value_id="a", timepoint="1y", value="80.0"), dict(base, value_id="b", timepoint="3y", value="85.0")]
    tied = [dict(base, value_id="a", timepoint="1y", value="80"), dict(base, value_id="b", timepoint="3y", value="80.4")]
    other_arm = [dict(base, value_id="a", timepoint="1y", value="60.0"),
                 dict(base, value_id="b", timepoint="3y", value="85.0", arm="experimental")]
    assert len(audit.run_audit(toy_review(values=rising), checks=["landmark_monotonic"]).inconsistencies) == 1
    assert audit.run_audit(toy_review(values=tied), checks=["landmark_monotonic"]).inconsistencies.empty
    assert audit.run_audit(toy_review(values=other_arm), checks=["landmark_monotonic"]).inconsistencies.empty


def test_every_registered_check_has_a_rubric_entry():
    for name, spec in audit.CHECKS.items():
        assert (name, spec.severity) in RUBRIC, name
    assert set(t for t in RUBRIC.values() if t != "none") <= set(TIERS)


# ------------------------------------------------------------ the real review
@pytest.fixture(scope="module")
def real_findings():
    from helpers.review import load_review
    rv = load_review("data")
    r = audit.run_audit(rv)  # the source comparison runs as registered checks
    flags = assign_flag_ids(r.inconsistencies)
    return rv, flags, build_findings(flags, rv.tables, r.sources.comparisons, r.sources.facts)


def test_no_correction_points_at_the_printing_the_evidence_shows_right(real_findings):
    _, _, f = real_findings
    for _, r in f[f["right_printing"] != ""].iterrows():
        if r["corrected"].endswith("should read") or " should read " in r["corrected"]:
            assert not r["corrected"].startswith(r["right_printing"] + " "), r["finding_id"]
    assert (f["resolution"].isin(["primary_source", "internal_evidence", "undecidable", "not_applicable"])).all()


def test_every_flag_lands_in_at_most_one_finding(real_findings):
    _, flags, f = real_findings
    ids = [x for s in f["flag_ids"] for x in s.split(";")]
    assert len(ids) == len(set(ids)) and set(ids) <= set(flags["flag_id"])
    assert len(f) < len(flags)


def test_erratum_is_deterministic_and_bilingual(real_findings):
    rv, _, f = real_findings
    en = erratum_markdown(f, rv.tables, "Review", "en")
    assert en == erratum_markdown(f, rv.tables, "Review", "en")
    zh = erratum_markdown(f, rv.tables, "综述", "zh")
    n = int(f["tier"].isin(["definite_error", "probable_error"]).sum())
    assert en.count("\n## ") == n == zh.count("\n## ") and "勘误" in zh


# ------------------------------------------------------------ prose against figures
def _no_factor_review(p):
    vals = [{"value_id": "p_m", "study_id": "s", "location": "table 3", "quantity": "p_value", "endpoint": "os",
             "subgroup": "male", "value": p}]
    claims = [{"claim_id": "c", "claim_type": "no_difference", "section": "2", "location": "text 2", "refs": "4",
               "endpoint": "os", "wording": "no_association"}]
    return toy_review(values=vals, claims=claims, studies=[{"study_id": "s", "refs": "4"}])


def test_no_factor_claim_beside_a_significant_subgroup():
    i = audit.run_audit(_no_factor_review("0.020"), checks=["claim_vs_figures"]).inconsistencies
    assert i[["severity", "location", "value_ids"]].values.tolist() == [["warning", "text 2", "c;p_m"]]
    assert audit.run_audit(_no_factor_review("0.20"), checks=["claim_vs_figures"]).inconsistencies.empty


def test_direction_for_an_endpoint_the_studys_row_does_not_give():
    def rv(text_endpoint):
        pg = [{"factor_id": "row", "study_id": "s", "location": "table 1", "endpoint": "pfs", "factor": "metachronous",
               "factor_key": "metachronous", "wording": "favourable"},
              {"factor_id": "txt", "study_id": "s", "location": "text 2", "endpoint": text_endpoint, "factor": "metachronous",
               "factor_key": "metachronous", "wording": "favourable"}]
        return toy_review(prognostic=pg)
    i = audit.run_audit(rv("os"), checks=["claim_vs_figures"]).inconsistencies
    assert i[["severity", "value_ids"]].values.tolist() == [["warning", "txt;row"]]
    assert audit.run_audit(rv("pfs"), checks=["claim_vs_figures"]).inconsistencies.empty


def test_announced_order_against_labels_is_one_finding_that_changes_a_conclusion():
    def mk(i, loc, sid, arm, x, o, q):
        return {"value_id": i, "study_id": sid, "location": loc, "quantity": "median", "endpoint": "os", "unit": "months",
                "arm": arm, "value": x, "value_offset": str(o), "offset": str(q), "quote": f"q{q}"}
    vals = [mk("a", "text 2", "p", "surgery", "23.4", 1, 0), mk("b", "text 2", "p", "radiotherapy", "55.2", 2, 0),
            mk("c", "table 1", "q", "radiotherapy", "23.4", 9, 8), mk("d", "table 1", "q", "surgery", "55.2", 12, 11)]
    flags, f = _findings(toy_review(values=vals, studies=[{"study_id": "p"}, {"study_id": "q"}]))
    row = f[f["kind"] == "announced_arm_order"]
    assert len(row) == 1 and row["impact"].iat[0] == "conclusion" and row["tier"].iat[0] == "probable_error"
    # the clean look-alike: the sentence's order agrees with the labels
    vals[0]["value"], vals[1]["value"] = "55.2", "23.4"
    assert audit.run_audit(toy_review(values=vals), checks=["announced_arm_order"]).inconsistencies.empty


# ------------------------------------------------------------ the synthetic review
@pytest.fixture(scope="module")
def synthetic_findings():
    from helpers.review import load_review
    rv = load_review("tests/synthetic_review")
    r = audit.run_audit(rv)
    flags = assign_flag_ids(r.inconsistencies)
    return flags, build_findings(flags, rv.tables, r.sources.comparisons)


def test_synthetic_swaps_by_source_by_internal_evidence_and_undecidable(synthetic_findings):
    flags, f = synthetic_findings
    sw = f[f["kind"] == "arms_swapped"].set_index("study")
    assert sw.loc["Li Chen", "resolution"] == "primary_source" and sw.loc["Li Chen", "right_printing"] == "table 2"
    assert sw.loc["Anna Baker", "resolution"] == "internal_evidence" and sw.loc["Anna Baker", "right_printing"] == "table 2"
    assert sw.loc["Sam Dunn", "resolution"] == "undecidable" and sw.loc["Sam Dunn", "corrected"] == ""
    for study in ("Li Chen", "Anna Baker"):
        assert sw.loc[study, "corrected"].startswith("text 2.2 should read")
    # the HR-direction and ratio flags of Baker's swapped printing and Chen's source mismatches belong to the swaps
    grouped = set(";".join(sw["flag_ids"]).split(";"))
    for check in ("hr_direction_vs_medians", "primary_source_mismatch"):
        ids = set(flags.loc[flags["check"] == check, "flag_id"])
        assert ids and ids & grouped
    assert not f["kind"].eq("primary_source_mismatch").any()


def test_synthetic_findings_group_each_planted_defect_once(synthetic_findings):
    flags, f = synthetic_findings
    ids = [x for s in f["flag_ids"] for x in s.split(";")]
    assert len(ids) == len(set(ids))
    # the count above its denominator, the sum above its total and the percentage are one defect
    k = f[f["value_ids"].str.contains("t1_hill_lc_k")]
    assert len(k) == 1
    assert {"definite_error", "probable_error", "plausibility", "reporting_style"} <= set(f["tier"])


def test_fact_findings_quote_the_review_and_say_what_the_source_says(real_findings):
    """A finding about a design, population or arm fact shows the review's own words (the fact's
    verbatim quote) and is decided by the cited publication, whose label it names."""
    _, _, f = real_findings
    facts = f[f["kind"] == "source_fact_mismatch"]
    assert len(facts) >= 5
    for _, r in facts.iterrows():
        assert r["printed"].startswith(r["locations"].split(";")[0] + ": «"), r["finding_id"]
        assert r["resolution"] == "primary_source" and " describes the " in r["resolution_note_en"]
        assert "_" not in r["resolution_note_en"].split("describes the", 1)[1].split(",")[0].split(" as ", 1)[1]
