"""Checks relating landmark rates, medians and endpoints of time-to-event outcomes.

Each check is three parts: a pairing step (:func:`~.pairing.rate_median_pairs`,
:func:`contained_endpoint_pairs`, :func:`landmark_pairs`), a pure test of numbers
(:func:`landmark_side_of_median`, :func:`rate_vs_exponential`, :func:`contained_outlasts`,
:func:`curve_rises`), and a message table of the wording and severity of each outcome.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_dec, join_cols
from .messages import Outcome, render
from .pairing import CURVE_KEY, rate_median_pairs
from .registry import register

_LANDMARK = ("The {timepoint} rate of {value}% cannot be right: {timepoint} is {side} the median of {value_m} {unit_m}, "
             "so the rate should be {need} 50%.")
#: wording and severity of :func:`survival_landmark`, by outcome of :func:`landmark_side_of_median`
SURVIVAL_LANDMARK = {
    "below_half_before_median": Outcome("error", "{timepoint} {value}%; median {value_m} {unit_m}", "≥ 50%",
                                        _LANDMARK.replace("{side}", "before").replace("{need}", "at least")),
    "above_half_after_median": Outcome("error", "{timepoint} {value}%; median {value_m} {unit_m}", "≤ 50%",
                                       _LANDMARK.replace("{side}", "after").replace("{need}", "at most")),
}


def landmark_side_of_median(rate_mant, rate_dec, tp_months, median_months, tolerance_months: float) -> np.ndarray:
    """Whether a landmark rate lies on the right side of 50% given the median of its curve
    (pure test; exact integers for the rate).

    Before the median (by more than ``tolerance_months``) a survival curve is at or above 50%,
    after it at or below; the rate may lie anywhere in its printed rounding interval. Returns
    ``consistent``, ``below_half_before_median`` or ``above_half_after_median``.

    Examples
    --------
    >>> landmark_side_of_median([600, 400, 400], [1, 1, 1], [12, 12, 3], [6.0, 6.0, 6.0], 0.0).tolist()
    ['above_half_after_median', 'consistent', 'below_half_before_median']
    """
    mant, dec = np.asarray(rate_mant, dtype="int64"), np.asarray(rate_dec, dtype="int64")
    tp, med = np.asarray(tp_months, dtype=float), np.asarray(median_months, dtype=float)
    fifty = 100 * np.power(10, dec)  # 50% in units of half the last digit
    before = tp < med - tolerance_months
    after = tp > med + tolerance_months
    return np.where(before & (2 * mant + 1 < fifty), "below_half_before_median",
                    np.where(after & (2 * mant - 1 > fifty), "above_half_after_median", "consistent"))


@register("survival_landmark", "error",
          "A landmark survival rate on the wrong side of 50% given the median of the same curve.")
def survival_landmark(ctx: AuditContext):
    """Landmark time before the median ⇒ rate ≥ 50%; after ⇒ rate ≤ 50% (rounding allowed).

    The rate may lie anywhere in its printed rounding interval (exact integer test). Parts:
    :func:`~.pairing.rate_median_pairs`, :func:`landmark_side_of_median`, :data:`SURVIVAL_LANDMARK`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "endpoint": "pfs"}
    >>> vals = [dict(base, value_id="m", quantity="median", unit="months", value="6.0"),
    ...         dict(base, value_id="r", quantity="rate", unit="percent", timepoint="1y", value="60.0")]
    >>> survival_landmark(toy_review(values=vals))[0].loc[0, ["severity", "value_ids"]].tolist()
    ['error', 'r;m']
    """
    m = rate_median_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    outcome = landmark_side_of_median(m["mant"], m["dec"], m["tp_months"], m["months_m"],
                                      ctx.params.landmark_equal_tolerance_months)
    bad = outcome != "consistent"
    b = m[bad].reset_index(drop=True)
    if b.empty:
        return empty_issues(), empty_recomputed()
    return (ctx.issues(b["value_id"], value_ids=join_cols(b["value_id"], b["value_id_m"]),
                       **render(SURVIVAL_LANDMARK, outcome[bad], b)), empty_recomputed())


#: wording and severity of :func:`survival_exponential`
SURVIVAL_EXPONENTIAL = {
    "far_from_exponential": Outcome("warning", "{timepoint} {value}%", "{expected}%",
                                    "A {timepoint} rate of {value}% is far from the about {about}% expected from a median "
                                    "of {value_m} {unit_m}; the curve would have an unusual shape."),
}


def rate_vs_exponential(rate, tp_months, median_months, band_pp: float) -> pd.DataFrame:
    """A landmark rate against the exponential survival curve through the median,
    S(t) = 100·0.5^(t/median) (pure test).

    Returns ``expected`` (S at the landmark, in percent) and ``consistent`` (the rate within
    ``band_pp`` points of it).

    Examples
    --------
    >>> rate_vs_exponential([20.0, 45.0], [36, 36], [30, 30], 15).round(1).values.tolist()
    [[43.5, False], [43.5, True]]
    """
    s = 100.0 * np.power(0.5, np.asarray(tp_months, dtype=float) / np.asarray(median_months, dtype=float))
    return pd.DataFrame({"expected": s, "consistent": np.abs(np.asarray(rate, dtype=float) - s) <= band_pp})


@register("survival_exponential", "warning",
          "A landmark rate far from the exponential curve through the printed median.")
def survival_exponential(ctx: AuditContext):
    """Rate vs S(t) = 0.5^(t/median) outside ±``exponential_band_pp`` points: warning.

    Parts: :func:`~.pairing.rate_median_pairs`, :func:`rate_vs_exponential`, :data:`SURVIVAL_EXPONENTIAL`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "endpoint": "os"}
    >>> vals = [dict(base, value_id="m", quantity="median", unit="months", value="30"),
    ...         dict(base, value_id="r", quantity="rate", unit="percent", timepoint="3y", value="20.0")]
    >>> survival_exponential(toy_review(values=vals))[0].loc[0, "expected"]
    '43.5%'
    """
    m = rate_median_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    m = m[np.isfinite(m["months_m"]) & (m["months_m"] > 0)]
    if m.empty:
        return empty_issues(), empty_recomputed()
    t = rate_vs_exponential(m["num"], m["tp_months"], m["months_m"], ctx.params.exponential_band_pp)
    s, ok = t["expected"].to_numpy(), t["consistent"].to_numpy()
    rec = ctx.recomputed(m["value_id"], fmt_dec(s, np.full(len(s), 1)), "exponential through median " + m["value_id_m"],
                         np.where(ok, "consistent", "inconsistent"))
    b = m[~ok].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    sb = s[~ok]
    cols = {c: b[c] for c in ("timepoint", "value", "value_m", "unit_m")}
    cols["about"], cols["expected"] = fmt_dec(sb, np.zeros(len(sb), dtype=int)), fmt_dec(sb, np.ones(len(sb), dtype=int))
    return (ctx.issues(b["value_id"], value_ids=join_cols(b["value_id"], b["value_id_m"]),
                       **render(SURVIVAL_EXPONENTIAL, "far_from_exponential", cols)), rec)


_ENDPOINT_ORDER = Outcome("error", "{endpoint} {value} {unit} vs {endpoint_b} {value_b} {unit_b}", "{endpoint} ≤ {endpoint_b}",
                          "The {quantity} {ENDPOINT} ({value} {unit}) is longer than the {quantity_b} {ENDPOINT_B} "
                          "({value_b} {unit_b}), which should include it.")
#: wording and severity of :func:`endpoint_order`: two medians in one unit, or any other pair
ENDPOINT_ORDER = {
    "median_longer": _ENDPOINT_ORDER,
    "time_longer": Outcome("warning", _ENDPOINT_ORDER.reported, _ENDPOINT_ORDER.expected, _ENDPOINT_ORDER.message),
}
_SAME_PLACE = ["study_id", "location", "armn", "subgroup"]
_ENDPOINT_COLS = _SAME_PLACE + ["endpoint", "value_id", "value", "months", "quantity", "unit"]


def contained_outlasts(months_contained, months_containing) -> np.ndarray:
    """Whether a contained endpoint (e.g. PFS) lasts longer than the endpoint containing it
    (e.g. OS), which cannot be (pure test; times in months, NR as inf).

    Examples
    --------
    >>> contained_outlasts([20.0, 12.0, np.inf], [15.0, 15.0, np.inf]).tolist()
    [True, False, False]
    """
    return np.asarray(months_contained, dtype=float) > np.asarray(months_containing, dtype=float)


def contained_endpoint_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Each median or mean of a contained endpoint with each of its containing endpoint (pairs
    of ``endpoint_pairs``) printed at the same place: study, location, arm and subgroup
    (pairing step). Columns ``_ra, _rb``: row positions of the two values in ``values``."""
    v = ctx.values
    t = v.loc[ctx.eq("quantity", "median", "mean") & (v["simple"] | v["is_nr"]).to_numpy() & v["months"].notna().to_numpy()
              & ~ctx.blank("study_id"), _ENDPOINT_COLS]
    if t.empty:
        return pd.DataFrame(columns=["_ra", "_rb"])
    # join on the integer codes of the key columns
    ec, eu = ctx.codes("endpoint")
    pairs = pd.DataFrame([(eu.get_loc(x), eu.get_loc(y)) for x, y in ctx.params.endpoint_pairs
                          if x in eu and y in eu], columns=["endpoint", "endpoint_b"], dtype="int64")
    rows = t.index.to_numpy()
    k = pd.DataFrame({c: ctx.codes(c)[0][rows] for c in _SAME_PLACE + ["endpoint"]})
    k["_ra"] = rows
    a = k.merge(pairs, on="endpoint")
    b = k.drop(columns="endpoint").rename(columns={"_ra": "_rb"}).assign(endpoint_b=ec[rows])
    return a.merge(b, on=_SAME_PLACE + ["endpoint_b"])


@register("endpoint_order", "error",
          "A contained endpoint (e.g. PFS) with a longer median than the endpoint containing it (e.g. OS).", cost=2)
def endpoint_order(ctx: AuditContext):
    """For each pair (contained, containing) of ``endpoint_pairs``: time of contained ≤ containing.

    Only values printed at the same place are compared (same study, location, arm and
    subgroup), so a figure from the text is never set against one from a table. Both medians
    in the same unit: error; a mean against a median or different units: warning. Weeks and
    days are converted to months. Parts: :func:`contained_endpoint_pairs`,
    :func:`contained_outlasts`, :data:`ENDPOINT_ORDER`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "p", "study_id": "s", "quantity": "median", "endpoint": "pfs", "unit": "months", "value": "20.0"},
    ...         {"value_id": "o", "study_id": "s", "quantity": "median", "endpoint": "os", "unit": "months", "value": "15.0"}]
    >>> endpoint_order(toy_review(values=vals))[0].loc[0, ["severity", "value_ids"]].tolist()
    ['error', 'p;o']
    """
    m = contained_endpoint_pairs(ctx)
    months = ctx.values["months"].to_numpy()
    m = m[contained_outlasts(months[m["_ra"].to_numpy(dtype="int64")], months[m["_rb"].to_numpy(dtype="int64")])]
    if m.empty:
        return empty_issues(), empty_recomputed()
    ta = ctx.take(m["_ra"].to_numpy(), _ENDPOINT_COLS)
    tb = ctx.take(m["_rb"].to_numpy(), [c for c in _ENDPOINT_COLS if c not in _SAME_PLACE])
    m = pd.concat([ta, tb.add_suffix("_b")], axis=1)
    hard = (m["quantity"] == "median") & (m["quantity_b"] == "median") & (m["unit"] == m["unit_b"])
    m["ENDPOINT"], m["ENDPOINT_B"] = m["endpoint"].str.upper(), m["endpoint_b"].str.upper()
    return (ctx.issues(m["value_id"], value_ids=join_cols(m["value_id"], m["value_id_b"]),
                       **render(ENDPOINT_ORDER, np.where(hard, "median_longer", "time_longer"), m)), empty_recomputed())


#: wording and severity of :func:`landmark_monotonic`
LANDMARK_MONOTONIC = {
    "rises": Outcome("error", "{timepoint} {value}% → {timepoint_l} {value_l}%", "rates that do not rise with time",
                     "The {timepoint_l} rate ({value_l}%) is higher than the {timepoint} rate ({value}%) of the same curve; "
                     "a survival curve cannot rise."),
}


def curve_rises(rate_early, dec_early, rate_late, dec_late) -> np.ndarray:
    """Whether a later landmark rate exceeds an earlier one of the same curve beyond rounding:
    the two printed rounding intervals neither overlap nor lie in the right order (pure test).

    Examples
    --------
    >>> curve_rises([80.0, 80.0], [1, 0], [85.0, 80.4], [1, 1]).tolist()
    [True, False]
    """
    de, dl = np.asarray(dec_early, dtype=float), np.asarray(dec_late, dtype=float)
    half = 0.5 * np.power(10.0, -de) + 0.5 * np.power(10.0, -dl)
    return (np.asarray(rate_late, dtype=float) - np.asarray(rate_early, dtype=float)) > half + 1e-9


def landmark_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Each landmark rate with every later landmark rate of the same curve printed at the same
    place (study, endpoint, arm, subgroup, location); the later one's columns end in ``_l``
    (pairing step)."""
    v = ctx.values
    key = CURVE_KEY + ["location"]
    r = v.loc[ctx.eq("quantity", "rate") & v["simple"].to_numpy() & v["tp_months"].notna().to_numpy() & ~ctx.blank("study_id"),
              key + ["value_id", "value", "num", "dec", "tp_months", "timepoint"]]
    r = r.sort_values(key + ["tp_months", "value_id"], kind="stable")
    m = r.merge(r, on=key, suffixes=("", "_l"))
    return m[m["tp_months_l"] > m["tp_months"]]


@register("landmark_monotonic", "error",
          "Landmark rates of one curve (study, endpoint, arm, subgroup, place) that rise with time.")
def landmark_monotonic(ctx: AuditContext):
    """A survival curve cannot rise: for one study, endpoint, arm and subgroup printed at one
    place, a later landmark rate must not exceed an earlier one beyond rounding (the two
    printed rounding intervals must overlap or lie in the right order). Parts:
    :func:`landmark_pairs`, :func:`curve_rises`, :data:`LANDMARK_MONOTONIC`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "endpoint": "os", "quantity": "rate", "unit": "percent", "location": "table 1"}
    >>> vals = [dict(base, value_id="a", timepoint="1y", value="80.0", value_offset="1"),
    ...         dict(base, value_id="b", timepoint="2y", value="85.0", value_offset="2"),
    ...         dict(base, value_id="c", timepoint="3y", value="60.0", value_offset="3")]
    >>> landmark_monotonic(toy_review(values=vals))[0].loc[0, ["severity", "value_ids"]].tolist()
    ['error', 'a;b']
    """
    m = landmark_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    b = m[curve_rises(m["num"], m["dec"], m["num_l"], m["dec_l"])].drop_duplicates(["value_id_l"]).reset_index(drop=True)
    if b.empty:
        return empty_issues(), empty_recomputed()
    return (ctx.issues(b["value_id_l"], value_ids=join_cols(b["value_id"], b["value_id_l"]),
                       **render(LANDMARK_MONOTONIC, "rises", b)), empty_recomputed())
