"""Checks comparing printings of the same figure, arms and directions of effect."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed, fmt, pair_forward, two_arm_printings
from .registry import register

SAME_KEY = ["study_id", "quantity", "endpoint", "armn", "subgroup", "timepoint", "bnd", "unit", "comp"]
PAIR_WINDOW = 160  # characters between a two-arm printing and the HR / p printed after it


def _swapped_pairs(ctx: AuditContext) -> pd.DataFrame:
    pr = two_arm_printings(ctx.values)
    pr = pr[pr["key1"] != pr["key2"]]
    if pr.empty:
        return pr.assign(**{c: pd.Series([], dtype=object) for c in ["id1_b", "id2_b", "endpoint_b", "location_b"]})
    pr = pr.reset_index(drop=True).assign(pid=lambda d: np.arange(len(d)))
    on = ["study_id", "quantity", "unit", "bnd", "subgroup", "timepoint", "arm1", "arm2"]
    a = pr
    b = pr.rename(columns={"key1": "key2", "key2": "key1"})
    m = a.merge(b, on=on + ["key1", "key2"], suffixes=("", "_b"))
    m = m[m["pid"] < m["pid_b"]]
    return m


@register("arms_swapped", "error",
          "Two printings of the same study give the same pair of numbers with the arms exchanged.")
def arms_swapped(ctx: AuditContext):
    """Find two-arm printings whose values are exchanged between two places.

    Also catches the case where the two printings carry different endpoint labels but the same
    study prints the same pair of numbers with the arm roles reversed.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> mk = lambda i, loc, arm, x, o: {"value_id": i, "study_id": "s", "location": loc, "quantity": "median",
    ...     "endpoint": "pfs", "unit": "months", "arm": arm, "value": x, "value_offset": o}
    >>> rv = toy_review(values=[mk("a", "table 1", "experimental", "10.0", 1), mk("b", "table 1", "control", "6.0", 2),
    ...                         mk("c", "text 2", "experimental", "6.0", 3), mk("d", "text 2", "control", "10.0", 4)])
    >>> arms_swapped(rv)[0].loc[0, "value_ids"]
    'a;b;c;d'
    """
    m = _swapped_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    msg = []
    for _, r in m.iterrows():
        lab = "" if r["endpoint"] == r["endpoint_b"] else f" (labelled {r['endpoint']} in one place and {r['endpoint_b']} in the other)"
        msg.append(f"The {r['arm1']} and {r['arm2']} values are exchanged between {r['location']} and {r['location_b']}{lab}.")
    rep = [f"{r['arm1']} {r['key1']}, {r['arm2']} {r['key2']} ({r['location']})" for _, r in m.iterrows()]
    exp = [f"{r['arm1']} {r['key2']}, {r['arm2']} {r['key1']} ({r['location_b']})" for _, r in m.iterrows()]
    ids = [([a, b] if fa == a1 else [b, a]) + ([c, d] if fb == a1 else [d, c])
           for a, b, c, d, fa, fb, a1 in zip(m["id1"], m["id2"], m["id1_b"], m["id2_b"], m["first_arm"],
                                             m["first_arm_b"], m["arm1"])]
    return ctx.issues(m["id1"], "arms_swapped", "error", rep, exp, msg, ids), empty_recomputed()


@register("same_quantity_mismatch", "error",
          "The same figure (study, quantity, endpoint, arm, subgroup, timepoint) printed with different values.")
def same_quantity_mismatch(ctx: AuditContext):
    """Flag a key printed at two or more places with different values.

    Values belonging to an ``arms_swapped`` finding are left to that check.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "a", "study_id": "s", "quantity": "n", "value": "80", "location": "table 1"},
    ...                         {"value_id": "b", "study_id": "s", "quantity": "n", "value": "82", "location": "text 1"}])
    >>> same_quantity_mismatch(rv)[0].loc[0, ["reported", "value_ids"]].tolist()
    ['80 (table 1); 82 (text 1)', 'a;b']
    """
    v = ctx.values
    sw = _swapped_pairs(ctx)
    skip = set(sw["id1"]) | set(sw["id2"]) | set(sw["id1_b"]) | set(sw["id2_b"]) if not sw.empty else set()
    w = v[(v["study_id"] != "") & (v["valkey"] != "") & ~v["value_id"].isin(skip)]
    if w.empty:
        return empty_issues(), empty_recomputed()
    nun = w.groupby(SAME_KEY, sort=False)["valkey"].transform("nunique")
    w = w[nun > 1].sort_values(["voff", "value_id"], kind="stable")
    if w.empty:
        return empty_issues(), empty_recomputed()
    out_p, rep, exp, msg, ids = [], [], [], [], []
    for _, g in w.groupby(SAME_KEY, sort=True):
        first = g.iloc[0]
        out_p.append(first["value_id"])
        rep.append("; ".join(f"{x} ({l})" for x, l in zip(g["value"], g["location"])))
        others = [x for x in dict.fromkeys(g["value"]) if x != first["value"]]
        exp.append(", ".join(others))
        what = " ".join(x for x in [first["endpoint"], first["quantity"], first["subgroup"], first["timepoint"]] if x)
        arm = "" if first["armn"] == "total" else f" ({first['armn']})"
        msg.append(f"The same {what}{arm} is printed as {' and '.join(dict.fromkeys(g['value']))} in different places.")
        ids.append(list(g["value_id"]))
    return ctx.issues(out_p, "same_quantity_mismatch", "error", rep, exp, msg, ids), empty_recomputed()


def _median_hr_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm (experimental vs control) median printings with the HR and p printed after them."""
    v = ctx.values
    pr = two_arm_printings(v)
    pr = pr[(pr["quantity"] == "median") & (pr["arm1"] == "control") & (pr["arm2"] == "experimental")]
    hr = v[(v["quantity"] == "hr") & v["simple"] & (v["armn"] == "total")]
    if pr.empty or hr.empty:
        return pd.DataFrame()
    by = ["study_id", "location", "endpoint", "subgroup"]
    m = pair_forward(pr, hr[by + ["value_id", "num", "value", "voff"]], by, "off_max", PAIR_WINDOW)
    if m.empty:
        return m
    p = v[(v["quantity"] == "p_value") & v["ok"] & (v["armn"] == "total")]
    left = m.assign(hr_off=m["voff_r"])
    pm = pair_forward(left, p[by + ["value_id", "num", "value", "voff", "comp", "dec"]].rename(columns=lambda c: c),
                      by, "hr_off", 60, suffix="_p")
    m = left.merge(pm[["id1", "id2", "value_id_r", "value_id_p", "num_p", "value_p", "comp_p", "dec_p"]],
                   on=["id1", "id2", "value_id_r"], how="left")
    return m


def _significant(num, comp, alpha):
    num = np.asarray(num, dtype=float)
    comp = np.asarray(comp, dtype=object)
    return np.where(np.isin(comp, ["<", "≤"]), num <= alpha, np.where(comp == "=", num < alpha, False))


@register("hr_direction_vs_medians", "error",
          "A two-arm comparison whose medians favour one arm while its hazard ratio favours the other.")
def hr_direction_vs_medians(ctx: AuditContext):
    """Medians (experimental vs control) against the HR printed with them (<1 favours experimental).

    Error when the HR's p-value is below ``alpha``, warning otherwise (or when no p is printed).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "location": "text 1", "endpoint": "pfs"}
    >>> vals = [dict(base, value_id="e", quantity="median", arm="experimental", value="5.0", value_offset="10"),
    ...         dict(base, value_id="c", quantity="median", arm="control", value="8.0", value_offset="20"),
    ...         dict(base, value_id="h", quantity="hr", value="0.55", value_offset="30"),
    ...         dict(base, value_id="p", quantity="p_value", value="0.02", value_offset="40")]
    >>> hr_direction_vs_medians(toy_review(values=vals))[0].loc[0, ["severity", "value_ids"]].tolist()
    ['error', 'e;c;h;p']
    """
    m = _median_hr_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    # arm2 = experimental; compare in months, or as printed when no time unit is given
    exp_ = m["months2"].astype(float).fillna(m["num2"].astype(float))
    ctl = m["months1"].astype(float).fillna(m["num1"].astype(float))
    hr = m["num_r"].astype(float)
    bad = ((exp_ > ctl) & (hr > 1)) | ((exp_ < ctl) & (hr < 1))
    m = m[bad.to_numpy()]
    if m.empty:
        return empty_issues(), empty_recomputed()
    sig = _significant(m["num_p"].fillna(np.nan), m["comp_p"].fillna(""), ctx.params.alpha)
    sev = np.where(sig, "error", "warning")
    msg, rep, exp, ids = [], [], [], []
    for (_, r), s in zip(m.iterrows(), sig):
        e_, c_ = (r["months2"], r["months1"]) if pd.notna(r["months2"]) and pd.notna(r["months1"]) else (r["num2"], r["num1"])
        fav_med = "experimental" if e_ > c_ else "control"
        fav_hr = "experimental" if r["num_r"] < 1 else "control"
        ptxt = f", P {r['comp_p']} {r['value_p']}" if isinstance(r["value_p"], str) else ""
        msg.append(f"The medians favour the {fav_med} arm but the hazard ratio {r['value_r']}{ptxt} favours the {fav_hr} arm.")
        rep.append(f"{r['endpoint']} median experimental {r['key2']} vs control {r['key1']}; HR {r['value_r']}{ptxt}")
        exp.append("HR > 1" if fav_med == "control" else "HR < 1")
        ids.append([r["id2"], r["id1"], r["value_id_r"]] + ([r["value_id_p"]] if isinstance(r["value_id_p"], str) else []))
    return ctx.issues(m["id2"], "hr_direction_vs_medians", sev, rep, exp, msg, ids), empty_recomputed()


@register("hr_vs_median_ratio", "warning",
          "Hazard ratio far from the ratio of medians (control/experimental) an exponential model implies.")
def hr_vs_median_ratio(ctx: AuditContext):
    """(median_control / median_experimental) / HR outside ``median_ratio_band``: warning.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "location": "text 1", "endpoint": "pfs", "unit": "months"}
    >>> vals = [dict(base, value_id="e", quantity="median", arm="experimental", value="12.5", value_offset="10"),
    ...         dict(base, value_id="c", quantity="median", arm="control", value="20.2", value_offset="20"),
    ...         dict(base, value_id="h", quantity="hr", value="0.22", value_offset="30")]
    >>> hr_vs_median_ratio(toy_review(values=vals))[0].loc[0, "expected"]
    'HR ≈ 1.616'
    """
    m = _median_hr_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    e, c, hr = m["months2"].astype(float), m["months1"].astype(float), m["num_r"].astype(float)
    fin = np.isfinite(e) & np.isfinite(c) & (e > 0) & (c > 0) & (hr > 0)
    m = m[fin.to_numpy()].copy()
    if m.empty:
        return empty_issues(), empty_recomputed()
    implied = m["months1"].astype(float) / m["months2"].astype(float)
    ratio = implied / m["num_r"].astype(float)
    lo, hi = ctx.params.median_ratio_band
    ok = (ratio >= lo) & (ratio <= hi)
    rec = ctx.recomputed(m["value_id_r"], "hr_vs_median_ratio", [fmt(x) for x in implied],
                         "median_control/median_experimental (exponential model)",
                         np.where(ok, "consistent", "inconsistent"))
    b = m[~ok.to_numpy()]
    br = ratio[~ok]
    if b.empty:
        return empty_issues(), rec
    msg = [f"The hazard ratio {r['value_r']} is far from the {fmt(x)} that the medians ({r['key2']} vs {r['key1']}) suggest (ratio {fmt(q)})."
           for (_, r), x, q in zip(b.iterrows(), implied[~ok], br)]
    iss = ctx.issues(b["value_id_r"], "hr_vs_median_ratio", "warning",
                     [f"HR {x}" for x in b["value_r"]], [f"HR ≈ {fmt(x)}" for x in implied[~ok]], msg,
                     [[h, e, c] for h, e, c in zip(b["value_id_r"], b["id2"], b["id1"])])
    return iss, rec


@register("arm_order", "warning",
          "Values of two arms printed in the reverse of the order the study's header announces.")
def arm_order(ctx: AuditContext):
    """Compare the printed order of a two-arm pair with ``studies.arm_order``.

    Only printings at the study's own location (where its header applies) are judged.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "location": "table 3", "quantity": "percent", "endpoint": "orr"}
    >>> vals = [dict(base, value_id="c", arm="control", value="18", value_offset="5"),
    ...         dict(base, value_id="e", arm="experimental", value="36", value_offset="9")]
    >>> st = [{"study_id": "s", "location": "table 3", "arm_order": "experimental;control"}]
    >>> arm_order(toy_review(values=vals, studies=st))[0].loc[0, "value_ids"]
    'c;e'
    """
    st = ctx.studies[ctx.studies["arm_order"] != ""][["study_id", "location", "arm_order"]]
    if st.empty:
        return empty_issues(), empty_recomputed()
    pr = two_arm_printings(ctx.values).merge(st, on=["study_id", "location"])
    if pr.empty:
        return empty_issues(), empty_recomputed()
    order = pr["arm_order"].str.split(";")
    pos1 = [o.index(a) if a in o else -1 for o, a in zip(order, pr["arm1"])]
    pos2 = [o.index(a) if a in o else -1 for o, a in zip(order, pr["arm2"])]
    pr = pr.assign(pos1=pos1, pos2=pos2)
    pr = pr[(pr["pos1"] >= 0) & (pr["pos2"] >= 0)]
    expected_first = np.where(pr["pos1"] < pr["pos2"], pr["arm1"], pr["arm2"])
    b = pr[pr["first_arm"].to_numpy() != expected_first]
    if b.empty:
        return empty_issues(), empty_recomputed()
    first_id = np.where(b["first_arm"] == b["arm1"], b["id1"], b["id2"])
    second_id = np.where(b["first_arm"] == b["arm1"], b["id2"], b["id1"])
    second_arm = np.where(b["first_arm"] == b["arm1"], b["arm2"], b["arm1"])
    msg = [f"Here the {f} value is printed first although the header announces the order {o.replace(';', ' then ')}, so a reader may attribute the values to the wrong arms."
           for f, o in zip(b["first_arm"], b["arm_order"])]
    iss = ctx.issues(first_id, "arm_order", "warning",
                     [f"{f} first, then {s}" for f, s in zip(b["first_arm"], second_arm)],
                     [o.replace(";", " then ") for o in b["arm_order"]], msg,
                     [[a, c] for a, c in zip(first_id, second_id)])
    return iss, empty_recomputed()
