"""Unit tests of the checks' pure tests (functions of numbers only) and of the message tables.

Each pure test is shown firing on a defect and quiet on a clean look-alike of the same form.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.audit import CHECKS
from helpers.audit import arithmetic
from helpers.audit.messages import Outcome, fill, render


# ---------------------------------------------------------------- message tables
def test_fill_and_render_keep_row_order():
    table = {"a": Outcome("error", "{x}", "{y}", "{x} is not {y}."), "b": Outcome("info", "{x}", "-", "{x} fine.")}
    r = render(table, ["b", "a", "b"], {"x": ["1", "2", "3"], "y": ["9", "8", "7"]})
    assert r["severity"].tolist() == ["info", "error", "info"]
    assert r["message"].tolist() == ["1 fine.", "2 is not 8.", "3 fine."]
    assert r["expected"].tolist() == ["-", "8", "-"]
    assert fill("{{literal}} {x}", {"x": ["a"]}).tolist() == ["{literal} a"]
    with pytest.raises(ValueError):
        fill("{x:.2f}", {"x": ["1"]})
    with pytest.raises(KeyError):
        render(table, ["c"], {"x": ["1"], "y": ["2"]})


def test_message_tables_use_known_severities():
    import helpers.audit as audit
    mods = [m for m in vars(audit).values() if getattr(m, "__name__", "").startswith("helpers.audit.")]
    tables = [t for m in set(mods) for t in vars(m).values()
              if isinstance(t, dict) and t and all(isinstance(o, Outcome) for o in t.values())]
    assert tables, "no message table found"
    for t in tables:
        assert {o.severity for o in t.values()} <= {"error", "warning", "info"}


# ---------------------------------------------------------------- arithmetic
def test_percent_from_count_fires_and_stays_quiet():
    # 9/80 = 11.25: "11.3" and "11.2" are right (half up, half even), "12.5" is not
    t = arithmetic.percent_from_count([9, 9, 9], [80, 80, 80], [113, 112, 125], [1, 1, 1], slip_units=0.5)
    assert t["outcome"].tolist() == ["consistent", "consistent", "mismatch"]
    assert t["conventions"].tolist()[:2] == ["half_up", "half_even;truncation"]
    assert t["exact"].tolist() == [11.25] * 3
    # one unit beyond the interval: a slip when slip_units allows it
    t = arithmetic.percent_from_count([9], [80], [114], [1], slip_units=1.0)
    assert t["outcome"].tolist() == ["slip"]
    # exchanged count and denominator: 80/9 printed as 11.3% (9/80)
    t = arithmetic.percent_from_count([80, 9], [9, 80], [113, 113], [1, 1])
    assert t["exchanged"].tolist() == [True, False] and t["consistent"].tolist() == [False, True]
    # comparators: "< 12" holds for 11.25, "> 12" does not
    t = arithmetic.percent_from_count([9, 9], [80, 80], [12, 12], [0, 0], ["<", ">"])
    assert t["consistent"].tolist() == [True, False]


def test_percent_attainable_fires_and_stays_quiet():
    # 33.0% of 45 is unattainable (14/45 = 31.1, 15/45 = 33.3); 33.3% of 45 is 15/45
    t = arithmetic.percent_attainable([45, 45], [330, 333], [1, 1])
    assert t["attainable"].tolist() == [False, True]
    assert (t.loc[1, "k_lo"], t.loc[1, "k_hi"]) == (15, 15)
    # with a printed count: 15 of 45 gives 33.3%, 14 does not; a count above n never fits
    t = arithmetic.percent_attainable([45, 45, 10], [333, 333, 1000], [1, 1, 1], k=[15, 14, 11])
    assert t["attainable"].tolist() == [True, False, False]
    # k = -1: no count printed, any count may fit
    assert arithmetic.percent_attainable([45], [333], [1], k=[-1])["attainable"].tolist() == [True]


def test_every_check_is_registered_once():
    assert len(CHECKS) == len({c.function for c in CHECKS.values()})


# ---------------------------------------------------------------- partitions and ranges
def test_parts_add_up_fires_and_stays_quiet():
    from helpers.audit.partitions import parts_add_up
    S = 6
    sc = lambda x: int(round(x * 10 ** S))  # noqa: E731
    half = sc(0.05)  # half a unit of one decimal
    # counts 10+20+18 = 48 of 45 (over), 10+20+15 of 45 (exact), 10+20+10 of 45 (short)
    # percentages 3 x 33.3 = 99.9 (within rounding of 100), 3 x 30.0 = 90.0 (10 points short), 3 x 35.0 (over)
    t = parts_add_up([sc(48), sc(45), sc(40), sc(99.9), sc(90.0), sc(105.0)], [0, 0, 0] + [3 * half] * 3, [3] * 6,
                     [True] * 3 + [False] * 3, [True] * 6, [sc(45)] * 3 + [0] * 3, [False] * 6, [0] * 6, 100.0, 5.0)
    assert t["outcome"].tolist() == ["count_over", "consistent", "count_short", "consistent", "percent_far_short", "percent_over"]
    assert t["short_pp"].round(6).tolist()[4] == 10.0
    # a single part, or counts without a usable total, are not judged
    t = parts_add_up([sc(48), sc(48)], [0, 0], [1, 3], [True, True], [True, False], [sc(45), 0], [False] * 2, [0] * 2,
                     100.0, 5.0)
    assert t["outcome"].tolist() == ["not_judged", "not_judged"]
    # a percentage total replaces 100: 60.0 + 35.0 against a printed 95.0 %
    t = parts_add_up([sc(95.0), sc(97.0)], [2 * half] * 2, [2, 2], [False, False], [True, True], [sc(95.0)] * 2,
                     [True, True], [half] * 2, 100.0, 5.0)
    assert t["outcome"].tolist() == ["consistent", "percent_over"]


def test_arms_add_up_and_impossible_values():
    from helpers.audit.partitions import arms_add_up, impossible_values
    assert arms_add_up([61, 62, 60], [61, 61, 61]).tolist() == ["consistent", "arms_over", "arms_short"]
    nan = np.nan
    t = impossible_values(num=[0.0, 0.001, 1.2, 1.2, 100.0, 100.4, 9, 9, 0.0, 0.8],
                          mant=[0, 1, 12, 12, 1000, 1004, 9, 9, 0, 8],
                          comp=["=", "=", "=", "<", "=", "=", "=", "=", "=", "="],
                          is_p=[True, True, True, True] + [False] * 6,
                          is_percent=[False] * 4 + [True, True] + [False] * 4,
                          is_count=[False] * 6 + [True, True, False, False],
                          is_ratio=[False] * 8 + [True, True],
                          den=[nan] * 6 + [8, 9, nan, nan])
    fired = [tuple(t.columns[t.iloc[i].to_numpy()]) for i in range(len(t))]
    assert fired == [("p_zero",), (), ("p_above_one",), (), (), ("percent_above_100",),
                     ("count_above_denominator",), (), ("ratio_not_positive",), ()]


def test_range_covers_fires_and_stays_quiet():
    from helpers.audit.ranges import range_covers
    # members 5, 12, 20 summarised as 5~20 (right), 5~15 (20 left out), 4~20 (4 is no member)
    out = range_covers([5, 5, 4], [20, 15, 20], [5, 5, 5], [20, 20, 20], [0, 1, 0], [True, True, False], [True, False, True])
    assert out.tolist() == ["consistent", "member_outside", "ends_not_members"]
    # a range printed with one end only judges that end
    assert range_covers([np.nan], [20], [5], [20], [0], [False], [True]).tolist() == ["consistent"]


# ---------------------------------------------------------------- consistency
def test_values_exchanged_and_printed_differently():
    from helpers.audit.consistency import printed_differently, values_exchanged
    # 10 vs 6 then 6 vs 10: exchanged; 10 vs 6 twice: the same; 6 vs 6 then 6 vs 6: equal values never count
    assert values_exchanged(["10", "10", "6"], ["6", "6", "6"], ["6", "10", "6"], ["10", "6", "6"]).tolist() == [True, False, False]
    # a figure printed as 80 and 82; another printed as 14 and 14.0 (one numeric key)
    assert printed_differently([0, 0, 1, 1], [0, 1, 2, 2]).tolist() == [True, True, False, False]


def test_medians_vs_hr_direction_fires_and_stays_quiet():
    from helpers.audit.consistency import medians_vs_hr_direction
    out = medians_vs_hr_direction(median_exp=[5.0, 5.0, 9.0, 9.0, 9.0], median_ctl=[8.0, 8.0, 6.0, 6.0, 6.0],
                                  hr=[0.55, 0.55, 0.6, 1.4, 1.4], p=[0.02, np.nan, 0.02, 0.001, 0.2],
                                  comp=["=", "", "=", "<", "="], alpha=0.05)
    assert out.tolist() == ["opposite_significant", "opposite", "consistent", "opposite_significant", "opposite"]
    # equal medians say nothing about direction
    assert medians_vs_hr_direction([6.0], [6.0], [0.5], [0.01], ["="], 0.05).tolist() == ["consistent"]


def test_hr_vs_medians_and_order_reversed():
    from helpers.audit.consistency import hr_vs_medians, order_reversed
    t = hr_vs_medians([16.4, 10.0], [10.5, 12.5], [0.25, 0.8], (0.5, 2.0))
    assert t["consistent"].tolist() == [False, True]
    assert t["implied"].round(4).tolist() == [1.5619, 0.8]
    # header "experimental then control" (positions 0, 1): control printed first is reversed
    assert order_reversed(["control", "experimental"], ["control", "control"], ["experimental", "experimental"],
                          [1, 1], [0, 0]).tolist() == [True, False]


# ---------------------------------------------------------------- survival
def test_landmark_side_of_median_fires_and_stays_quiet():
    from helpers.audit.survival import landmark_side_of_median
    # median 6 months: a 1-year rate of 60.0% is impossible, 40.0% right; at 3 months 45% is impossible
    out = landmark_side_of_median([600, 400, 450, 600], [1, 1, 1, 1], [12, 12, 3, 3], [6.0] * 4, 0.0)
    assert out.tolist() == ["above_half_after_median", "consistent", "below_half_before_median", "consistent"]
    # rounding: "50" may be 50.4, so it is never on the wrong side; a landmark at the median is not judged
    assert landmark_side_of_median([50, 70], [0, 0], [12, 6], [6.0, 6.0], 0.5).tolist() == ["consistent", "consistent"]


def test_rate_vs_exponential_contained_outlasts_and_curve_rises():
    from helpers.audit.survival import contained_outlasts, curve_rises, rate_vs_exponential
    t = rate_vs_exponential([20.0, 50.0, 25.0], [36, 30, 60], [30, 30, 30], 15.0)
    assert t["expected"].round(2).tolist() == [43.53, 50.0, 25.0]
    assert t["consistent"].tolist() == [False, True, True]
    assert contained_outlasts([20.0, 15.0, 10.0], [15.0, 15.0, np.inf]).tolist() == [True, False, False]
    # 80.0 then 85.0 rises; 80 then 80.4 lies within rounding; 60 then 55 falls
    assert curve_rises([80.0, 80.0, 60.0], [1, 0, 0], [85.0, 80.4, 55.0], [1, 1, 0]).tolist() == [True, False, False]


# ---------------------------------------------------------------- 2×2 tables, hazard ratios, wording
def test_p_from_two_by_two_fires_and_stays_quiet():
    from helpers.audit.stats import p_from_two_by_two
    # 12/20 vs 4/20: Fisher p = 0.0225; "P = 0.022" is Fisher's, "P = 0.50" flips significance,
    # "P = 0.15" (not significant, far from every method) also flips; "P < 0.05" is consistent
    t = p_from_two_by_two([12] * 4, [20] * 4, [4] * 4, [20] * 4, [22, 50, 15, 5], [3, 2, 2, 2], ["=", "=", "=", "<"], 0.05)
    assert t["outcome"].tolist() == ["consistent", "significance_flips", "significance_flips", "consistent"]
    assert "fisher" in t.loc[0, "matching"].split(";")
    # a p between the methods' values: another test may have been used
    # (the methods give 0.0086 (G-test) to 0.0239 (Yates); 0.0150 is none of them)
    assert (round(float(t.loc[0, "p_min"]), 4), round(float(t.loc[0, "p_max"]), 4)) == (0.0086, 0.0239)
    t2 = p_from_two_by_two([12], [20], [4], [20], [150], [4], ["="], 0.05)
    assert t2[["matching", "outcome"]].values.tolist() == [["", "between_methods"]]
    # the Wald p of a printed OR joins the family only when an OR is printed
    t3 = p_from_two_by_two([47], [72], [33], [76], [66], [4], ["="], 0.05, odds_ratio=[2.51], or_swapped=[False])
    assert "wald_or" in t3.loc[0, "matching"].split(";")
    assert np.isnan(p_from_two_by_two([47], [72], [33], [76], [66], [4], ["="], 0.05).loc[0, "wald_or"])


def test_odds_ratio_from_counts_fires_and_stays_quiet():
    from helpers.audit.stats import odds_ratio_from_counts
    # 20/50 vs 10/50: crude OR = (20*40)/(30*10) = 2.667
    t = odds_ratio_from_counts([20] * 4, [50] * 4, [10] * 4, [50] * 4, [267, 27, 280, 310], [2, 1, 2, 2],
                               [2.67, 2.7, 2.8, 3.1], 0.1)
    assert t["outcome"].tolist() == ["consistent", "consistent", "near", "far"]
    assert round(float(t.loc[0, "odds_ratio"]), 3) == 2.667
    assert odds_ratio_from_counts([0], [10], [0], [10], [10], [1], [1.0], 0.1)["outcome"].tolist() == ["zero_cell"]


def test_p_attainable_with_n_fires_and_stays_quiet():
    from helpers.audit.effects import hr_farthest_from_one, p_attainable_with_n
    assert hr_farthest_from_one([0.5], [1]).round(2).tolist() == [0.45]
    # HR 0.70 (at best 0.695) with 40 patients: p >= ~0.25; P = 0.001 and P < 0.2 cannot be, P < 0.3 can;
    # with 2,000 patients P = 0.001 can
    t = p_attainable_with_n([0.7] * 4, [2] * 4, [40, 40, 40, 2000], [0.001, 0.2, 0.3, 0.001], [3, 1, 1, 3],
                            ["=", "<", "<", "="], 0.05)
    assert t["outcome"].tolist() == ["significance_unattainable", "unattainable", "consistent", "consistent"]
    assert 0.2 < float(t.loc[0, "p_min"]) < 0.3
    # p_min below alpha but above the printed p: a warning, not an error
    t = p_attainable_with_n([0.7], [2], [200], [0.0001], [4], ["="], 0.05)
    assert t["outcome"].tolist() == ["unattainable"] and float(t.loc[0, "p_min"]) < 0.05


def test_wording_against_hr():
    from helpers.audit.effects import wording_against_hr
    out = wording_against_hr(["favourable", "favourable", "unfavourable", "unfavourable", "favourable"],
                             [2.75, 0.31, 0.8, 1.9, 1.0])
    assert out.tolist() == [True, False, True, False, False]


# ---------------------------------------------------------------- citations and claims
def test_denominator_among_sizes_and_figures_of_other_study():
    from helpers.audit.citations import denominator_among_sizes, figures_of_other_study, name_matches
    # figure a: 37 is one of (61, 37); figure b: 40 is not 61; figure c: its study prints no size
    t = denominator_among_sizes(["a", "a", "b", "c"], [37, 37, 40, 12], [61, 37, 61, np.nan])
    assert t.loc["a"].tolist() == [True, True] and t.loc["b"].tolist() == [True, False]
    assert t.loc["c"].tolist() == [False, False]
    # two figures, none printed for the cited study elsewhere, both another study's: fires;
    # the cited study prints both elsewhere, or the other study has only one: quiet
    assert figures_of_other_study([2, 2, 2], [0, 2, 0], [2, 2, 1]).tolist() == [True, False, False]
    assert name_matches("Müller H", "Muller") and not name_matches("Jonas Lindqvist", "Okafor")


def test_wordings_conflict_and_labels_exchanged():
    from helpers.audit.claims import labels_exchanged, wordings_conflict
    out = wordings_conflict(["favourable", "unfavourable", "favourable", "no_association"],
                            ["no_association", "no_association", "unfavourable", "no_association"])
    assert out.tolist() == [True, True, False, False]
    t = labels_exchanged(["23.4", "23.4", "23.4", "30"], ["55.2", "55.2", "55.2", "30"],
                         ["55.2", "23.4", "55.2", "30"], ["23.4", "55.2", "40", "30"])
    assert t["full"].tolist() == [True, False, False, False]   # equal values are never an exchange
    assert t["part"].tolist() == [False, False, True, False]


def test_every_check_has_its_message_table():
    """Each registered check ``x`` has its message table ``X`` (wording as data) in its module,
    and the check's registered severity is one its table uses."""
    import sys
    for spec in CHECKS.values():
        mod = sys.modules[spec.function.__wrapped__.__module__]
        table = getattr(mod, spec.name.upper(), None)
        assert isinstance(table, dict) and table and all(isinstance(o, Outcome) for o in table.values()), spec.name
        assert spec.severity in {o.severity for o in table.values()}, spec.name
