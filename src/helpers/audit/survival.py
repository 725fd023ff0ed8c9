"""Checks relating landmark rates, medians and endpoints of time-to-event outcomes."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_dec, join_cols
from .registry import register

_KEY = ["study_id", "endpoint", "armn", "subgroup"]


def _rate_median_pairs(ctx: AuditContext) -> pd.DataFrame:
    v = ctx.values
    cols = _KEY + ["value_id", "value", "num", "mant", "dec", "months", "tp_months", "unit", "timepoint"]
    r = v.loc[ctx.eq("quantity", "rate") & v["simple"].to_numpy() & v["tp_months"].notna().to_numpy() & ~ctx.blank("study_id"),
              cols]
    md = v.loc[ctx.eq("quantity", "median") & (v["simple"] | v["is_nr"]).to_numpy() & v["months"].notna().to_numpy()
               & ~ctx.blank("study_id"), _KEY + ["value_id", "value", "months", "unit"]]
    if r.empty or md.empty:
        return pd.DataFrame()
    return ctx.merge_rows(r, md, _KEY, suffixes=("", "_m"))


@register("survival_landmark", "error",
          "A landmark survival rate on the wrong side of 50% given the median of the same curve.")
def survival_landmark(ctx: AuditContext):
    """Landmark time before the median ⇒ rate ≥ 50%; after ⇒ rate ≤ 50% (rounding allowed).

    The rate may lie anywhere in its printed rounding interval (exact integer test).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "endpoint": "pfs"}
    >>> vals = [dict(base, value_id="m", quantity="median", unit="months", value="6.0"),
    ...         dict(base, value_id="r", quantity="rate", unit="percent", timepoint="1y", value="60.0")]
    >>> survival_landmark(toy_review(values=vals))[0].loc[0, ["severity", "value_ids"]].tolist()
    ['error', 'r;m']
    """
    m = _rate_median_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    tol = ctx.params.landmark_equal_tolerance_months
    fifty = 100 * np.power(10, m["dec"].astype("int64"))  # 50% in units of half the last digit
    lo2 = 2 * m["mant"].astype("int64") - 1
    hi2 = 2 * m["mant"].astype("int64") + 1
    before = m["tp_months"] < m["months_m"] - tol
    after = m["tp_months"] > m["months_m"] + tol
    bad = (before & (hi2 < fifty)) | (after & (lo2 > fifty))
    b = m[bad.to_numpy()].reset_index(drop=True)
    if b.empty:
        return empty_issues(), empty_recomputed()
    bef = (b["tp_months"] < b["months_m"]).to_numpy()
    side = pd.Series(np.where(bef, "before", "after"), dtype=object)
    need = pd.Series(np.where(bef, "at least", "at most"), dtype=object)
    msg = ("The " + b["timepoint"] + " rate of " + b["value"] + "% cannot be right: " + b["timepoint"] + " is " + side
           + " the median of " + b["value_m"] + " " + b["unit_m"] + ", so the rate should be " + need + " 50%.")
    exp = np.where(bef, "≥ 50%", "≤ 50%")
    return ctx.issues(b["value_id"], "error",
                      b["timepoint"] + " " + b["value"] + "%; median " + b["value_m"] + " " + b["unit_m"],
                      exp, msg, join_cols(b["value_id"], b["value_id_m"])), empty_recomputed()


@register("survival_exponential", "warning",
          "A landmark rate far from the exponential curve through the printed median.")
def survival_exponential(ctx: AuditContext):
    """Rate vs S(t) = 0.5^(t/median) outside ±``exponential_band_pp`` points: warning.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "endpoint": "os"}
    >>> vals = [dict(base, value_id="m", quantity="median", unit="months", value="30"),
    ...         dict(base, value_id="r", quantity="rate", unit="percent", timepoint="3y", value="20.0")]
    >>> survival_exponential(toy_review(values=vals))[0].loc[0, "expected"]
    '43.5%'
    """
    m = _rate_median_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    m = m[np.isfinite(m["months_m"]) & (m["months_m"] > 0)]
    if m.empty:
        return empty_issues(), empty_recomputed()
    s = 100.0 * np.power(0.5, m["tp_months"] / m["months_m"])
    ok = (m["num"] - s).abs() <= ctx.params.exponential_band_pp
    rec = ctx.recomputed(m["value_id"], fmt_dec(s.to_numpy(), np.full(len(s), 1)),
                         "exponential through median " + m["value_id_m"],
                         np.where(ok, "consistent", "inconsistent"))
    b = m[~ok.to_numpy()].reset_index(drop=True)
    sb = s[~ok].to_numpy()
    if b.empty:
        return empty_issues(), rec
    e0 = pd.Series(fmt_dec(sb, np.zeros(len(sb), dtype=int)), dtype=object)
    e1 = pd.Series(fmt_dec(sb, np.ones(len(sb), dtype=int)), dtype=object)
    msg = ("A " + b["timepoint"] + " rate of " + b["value"] + "% is far from the about " + e0 + "% expected from a median of "
           + b["value_m"] + " " + b["unit_m"] + "; the curve would have an unusual shape.")
    iss = ctx.issues(b["value_id"], "warning", b["timepoint"] + " " + b["value"] + "%", e1 + "%", msg,
                     join_cols(b["value_id"], b["value_id_m"]))
    return iss, rec


@register("endpoint_order", "error",
          "A contained endpoint (e.g. PFS) with a longer median than the endpoint containing it (e.g. OS).", cost=2)
def endpoint_order(ctx: AuditContext):
    """For each pair (contained, containing) of ``endpoint_pairs``: time of contained ≤ containing.

    Only values printed at the same place are compared (same study, location, arm and
    subgroup), so a figure from the text is never set against one from a table. Both medians
    in the same unit: error; a mean against a median or different units: warning. Weeks and
    days are converted to months.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "p", "study_id": "s", "quantity": "median", "endpoint": "pfs", "unit": "months", "value": "20.0"},
    ...         {"value_id": "o", "study_id": "s", "quantity": "median", "endpoint": "os", "unit": "months", "value": "15.0"}]
    >>> endpoint_order(toy_review(values=vals))[0].loc[0, ["severity", "value_ids"]].tolist()
    ['error', 'p;o']
    """
    v = ctx.values
    same = ["study_id", "location", "armn", "subgroup"]
    cols = same + ["endpoint", "value_id", "value", "months", "quantity", "unit"]
    t = v.loc[ctx.eq("quantity", "median", "mean") & (v["simple"] | v["is_nr"]).to_numpy() & v["months"].notna().to_numpy()
              & ~ctx.blank("study_id"), cols]
    if t.empty:
        return empty_issues(), empty_recomputed()
    # join on the integer codes of the key columns, then take the strings of the matched rows
    ec, eu = ctx.codes("endpoint")
    pairs = pd.DataFrame([(eu.get_loc(x), eu.get_loc(y)) for x, y in ctx.params.endpoint_pairs
                          if x in eu and y in eu], columns=["endpoint", "endpoint_b"], dtype="int64")
    rows = t.index.to_numpy()
    k = pd.DataFrame({c: ctx.codes(c)[0][rows] for c in same + ["endpoint"]})
    k["_ra"] = rows
    a = k.merge(pairs, on="endpoint")
    b = k.drop(columns="endpoint").rename(columns={"_ra": "_rb"}).assign(endpoint_b=ec[rows])
    m = a.merge(b, on=same + ["endpoint_b"])
    m = m[v["months"].to_numpy()[m["_ra"].to_numpy()] > v["months"].to_numpy()[m["_rb"].to_numpy()]]
    if m.empty:
        return empty_issues(), empty_recomputed()
    ta = ctx.take(m["_ra"].to_numpy(), cols)
    tb = ctx.take(m["_rb"].to_numpy(), [c for c in cols if c not in same])
    m = pd.concat([ta, tb.add_suffix("_b")], axis=1)
    hard = (m["quantity"] == "median") & (m["quantity_b"] == "median") & (m["unit"] == m["unit_b"])
    sev = np.where(hard, "error", "warning")
    ea, eb = m["endpoint"].str.upper(), m["endpoint_b"].str.upper()
    msg = ("The " + m["quantity"] + " " + ea + " (" + m["value"] + " " + m["unit"] + ") is longer than the " + m["quantity_b"]
           + " " + eb + " (" + m["value_b"] + " " + m["unit_b"] + "), which should include it.")
    rep = (m["endpoint"] + " " + m["value"] + " " + m["unit"] + " vs " + m["endpoint_b"] + " " + m["value_b"] + " " + m["unit_b"])
    return ctx.issues(m["value_id"], sev, rep, m["endpoint"] + " ≤ " + m["endpoint_b"], msg,
                      join_cols(m["value_id"], m["value_id_b"])), empty_recomputed()


@register("landmark_monotonic", "error",
          "Landmark rates of one curve (study, endpoint, arm, subgroup, place) that rise with time.")
def landmark_monotonic(ctx: AuditContext):
    """A survival curve cannot rise: for one study, endpoint, arm and subgroup printed at one
    place, a later landmark rate must not exceed an earlier one beyond rounding (the two
    printed rounding intervals must overlap or lie in the right order).

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
    v = ctx.values
    key = _KEY + ["location"]
    r = v.loc[ctx.eq("quantity", "rate") & v["simple"].to_numpy() & v["tp_months"].notna().to_numpy() & ~ctx.blank("study_id"),
              key + ["value_id", "value", "num", "dec", "tp_months", "timepoint"]]
    if r.empty:
        return empty_issues(), empty_recomputed()
    r = r.sort_values(key + ["tp_months", "value_id"], kind="stable")
    m = r.merge(r, on=key, suffixes=("", "_l"))
    m = m[m["tp_months_l"] > m["tp_months"]]
    if m.empty:
        return empty_issues(), empty_recomputed()
    half = 0.5 * np.power(10.0, -m["dec"].astype(float)) + 0.5 * np.power(10.0, -m["dec_l"].astype(float))
    bad = (m["num_l"].astype(float) - m["num"].astype(float)) > half + 1e-9
    b = m[bad.to_numpy()].drop_duplicates(["value_id_l"]).reset_index(drop=True)
    if b.empty:
        return empty_issues(), empty_recomputed()
    msg = ("The " + b["timepoint_l"] + " rate (" + b["value_l"] + "%) is higher than the " + b["timepoint"] + " rate ("
           + b["value"] + "%) of the same curve; a survival curve cannot rise.")
    return ctx.issues(b["value_id_l"], "error",
                      b["timepoint"] + " " + b["value"] + "% → " + b["timepoint_l"] + " " + b["value_l"] + "%",
                      "rates that do not rise with time", msg, join_cols(b["value_id"], b["value_id_l"])), empty_recomputed()
