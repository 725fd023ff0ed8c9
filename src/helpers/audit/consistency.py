"""Checks comparing printings of the same figure, arms and directions of effect."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_arr, join_cols
from .grouping import gjoin, group_nunique
from .numeric import is_significant
from .pairing import pair_forward
from .registry import register

SAME_KEY = ["study_id", "quantity", "endpoint", "armn", "subgroup", "timepoint", "bnd", "unit", "comp"]
PAIR_WINDOW = 160  # characters between a two-arm printing and the HR / p printed after it


def _swapped_pairs(ctx: AuditContext) -> pd.DataFrame:
    return ctx.memo("swapped_pairs", lambda: _swapped_pairs_(ctx))


def _swapped_pairs_(ctx: AuditContext) -> pd.DataFrame:
    pr = ctx.two_arm
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
          "Two printings of the same study give the same pair of numbers with the arms exchanged.", cost=2)
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
    m = m.reset_index(drop=True)
    a1, a2 = m["arm1"].astype(object), m["arm2"].astype(object)
    lab = pd.Series(np.where(m["endpoint"] == m["endpoint_b"], "",
                             " (labelled " + m["endpoint"] + " in one place and " + m["endpoint_b"] + " in the other)"), dtype=object)
    msg = "The " + a1 + " and " + a2 + " values are exchanged between " + m["location"] + " and " + m["location_b"] + lab + "."
    # both printings side by side: which one is right is decided by the finding, not here
    rep = (m["location"] + ": " + a1 + " " + m["key1"] + ", " + a2 + " " + m["key2"] + " | "
           + m["location_b"] + ": " + a1 + " " + m["key2"] + ", " + a2 + " " + m["key1"])
    exp = pd.Series(np.full(len(m), "the same value for each arm in both places", dtype=object), dtype=object)
    fa, fb = (m["first_arm"] == m["arm1"]).to_numpy(), (m["first_arm_b"] == m["arm1"]).to_numpy()
    ids = join_cols(np.where(fa, m["id1"], m["id2"]), np.where(fa, m["id2"], m["id1"]),
                    np.where(fb, m["id1_b"], m["id2_b"]), np.where(fb, m["id2_b"], m["id1_b"]))
    return ctx.issues(m["id1"], "error", rep, exp, msg, ids), empty_recomputed()


@register("same_quantity_mismatch", "error",
          "The same figure (study, quantity, endpoint, arm, subgroup, timepoint) printed with different values.", cost=2)
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
    sel = ~ctx.blank("study_id") & ~ctx.blank("valkey")
    if skip:
        sel &= ~v["value_id"].isin(skip).to_numpy()
    if not sel.any():
        return empty_issues(), empty_recomputed()
    # group numbers from integer codes (same numbering as grouping on the strings)
    gid = ctx.ngroup(SAME_KEY, sel)
    # number of distinct valkeys per group, on integer codes
    nun = group_nunique(gid, pd.factorize(v["valkey"].to_numpy(dtype=object)[sel])[0])
    keep = np.flatnonzero(sel)[nun > 1]
    w = v.loc[keep, ["value_id", "valkey", "voff", "value", "location", "endpoint", "quantity", "subgroup",
                     "timepoint", "armn"]].assign(_g=gid[nun > 1])
    w = w.sort_values(["voff", "value_id"], kind="stable")
    if w.empty:
        return empty_issues(), empty_recomputed()
    w = w.assign(_vl=w["value"] + " (" + w["location"] + ")")
    g = w.groupby("_g", sort=True)
    first = g.first()
    rep = gjoin(g, "_vl", "; ")
    ids = gjoin(g, "value_id", ";")
    dv = w.drop_duplicates(["_g", "value"])
    vals = gjoin(dv.groupby("_g", sort=True), "value", " and ")
    oth = gjoin(dv[dv["value"] != dv["_g"].map(first["value"])].groupby("_g", sort=True), "value", ", ")
    oth = oth.reindex(first.index).fillna("")
    what = join_cols(first["endpoint"], first["quantity"], first["subgroup"], first["timepoint"])
    what = pd.Series(what, dtype=object).str.replace(";", " ", regex=False)
    arm = pd.Series(np.where(first["armn"] == "total", "", " (" + first["armn"] + ")"), dtype=object)
    msg = "The same " + what + arm + " is printed as " + pd.Series(vals.to_numpy(dtype=object), dtype=object) + " in different places."
    exp = np.full(len(first), "one value in every place", dtype=object)
    return ctx.issues(first["value_id"], "error", rep, exp, msg, ids), empty_recomputed()


def _median_hr_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm (experimental vs control) median printings with the HR and p printed after them."""
    return ctx.memo("median_hr_pairs", lambda: _median_hr_pairs_(ctx))


def _median_hr_pairs_(ctx: AuditContext) -> pd.DataFrame:
    v = ctx.values
    pr = ctx.two_arm
    pr = pr[(pr["quantity"] == "median") & (pr["arm1"] == "control") & (pr["arm2"] == "experimental")]
    by = ["study_id", "location", "endpoint", "subgroup"]
    hr = v.loc[ctx.eq("quantity", "hr") & v["simple"].to_numpy() & ctx.eq("armn", "total"), by + ["value_id", "num", "value", "voff"]]
    if pr.empty or hr.empty:
        return pd.DataFrame()
    m = pair_forward(pr, hr[by + ["value_id", "num", "value", "voff"]], by, "off_max", PAIR_WINDOW)
    if m.empty:
        return m
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy() & ctx.eq("armn", "total"),
              by + ["value_id", "num", "value", "voff", "comp", "dec"]]
    left = m.assign(hr_off=m["voff_r"])
    pm = pair_forward(left, p[by + ["value_id", "num", "value", "voff", "comp", "dec"]].rename(columns=lambda c: c),
                      by, "hr_off", 60, suffix="_p")
    m = left.merge(pm[["id1", "id2", "value_id_r", "value_id_p", "num_p", "value_p", "comp_p", "dec_p"]],
                   on=["id1", "id2", "value_id_r"], how="left")
    return m


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
    m = m.reset_index(drop=True)
    sig = is_significant(m["num_p"].astype(float), m["comp_p"].fillna(""), ctx.params.alpha, ctx.params.p_equal_alpha_significant)
    sev = np.where(sig, "error", "warning")
    both = m["months2"].notna() & m["months1"].notna()
    e_ = np.where(both, m["months2"], m["num2"]).astype(float)
    c_ = np.where(both, m["months1"], m["num1"]).astype(float)
    fav_med = pd.Series(np.where(e_ > c_, "experimental", "control"), dtype=object)
    fav_hr = pd.Series(np.where(m["num_r"].astype(float) < 1, "experimental", "control"), dtype=object)
    hasp = m["value_p"].notna()
    ptxt = pd.Series(np.where(hasp, ", P " + m["comp_p"].fillna("").astype(str) + " " + m["value_p"].fillna("").astype(str), ""), dtype=object)
    msg = ("The medians favour the " + fav_med + " arm but the hazard ratio " + m["value_r"] + ptxt + " favours the " + fav_hr + " arm.")
    rep = m["endpoint"] + " median experimental " + m["key2"] + " vs control " + m["key1"] + "; HR " + m["value_r"] + ptxt
    # either the medians or the HR is misprinted: which one is the finding's business
    exp = np.full(len(m), "medians and hazard ratio favouring the same arm", dtype=object)
    ids = join_cols(m["id2"], m["id1"], m["value_id_r"], m["value_id_p"].fillna(""))
    return ctx.issues(m["id2"], sev, rep, exp, msg, ids), empty_recomputed()


@register("hr_vs_median_ratio", "warning",
          "Hazard ratio far from the ratio of medians (control/experimental) an exponential model implies.")
def hr_vs_median_ratio(ctx: AuditContext):
    """(median_control / median_experimental) / HR outside ``median_ratio_band``: warning.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "location": "text 1", "endpoint": "pfs", "unit": "months"}
    >>> vals = [dict(base, value_id="e", quantity="median", arm="experimental", value="10.5", value_offset="10"),
    ...         dict(base, value_id="c", quantity="median", arm="control", value="16.4", value_offset="20"),
    ...         dict(base, value_id="h", quantity="hr", value="0.25", value_offset="30")]
    >>> hr_vs_median_ratio(toy_review(values=vals))[0].loc[0, "expected"]
    'HR ≈ 1.562'
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
    rec = ctx.recomputed(m["value_id_r"], fmt_arr(implied.to_numpy()),
                         "median_control/median_experimental (exponential model)",
                         np.where(ok, "consistent", "inconsistent"))
    b = m[~ok.to_numpy()]
    br = ratio[~ok]
    if b.empty:
        return empty_issues(), rec
    b = b.reset_index(drop=True)
    imp = pd.Series(fmt_arr(implied[~ok].to_numpy()), dtype=object)
    q = pd.Series(fmt_arr(br.to_numpy()), dtype=object)
    msg = ("The hazard ratio " + b["value_r"] + " is far from the " + imp + " that the medians (" + b["key2"] + " vs "
           + b["key1"] + ") suggest (ratio " + q + ").")
    iss = ctx.issues(b["value_id_r"], "warning", "HR " + b["value_r"], "HR ≈ " + imp, msg,
                     join_cols(b["value_id_r"], b["id2"], b["id1"]))
    return iss, rec


@register("arm_order", "warning",
          "Values of two arms printed in the reverse of the order the study's table header announces.")
def arm_order(ctx: AuditContext):
    """Compare the printed order of each two-arm pair with ``studies.arm_order``.

    ``arm_order`` is the header order of the study's table row, so only printings in the
    study's own table location are judged, and only pairs printed within one quoted clause
    (``A vs B``, ``A 和 B``): values printed in separate clauses carry their own group labels. One finding per (study, location) lists every pair
    printed against the announced order (``reported``: how many of the judged pairs).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> base = {"study_id": "s", "location": "table 3", "quantity": "percent", "endpoint": "orr"}
    >>> vals = [dict(base, value_id="c", arm="control", value="18", value_offset="5"),
    ...         dict(base, value_id="e", arm="experimental", value="36", value_offset="9")]
    >>> st = [{"study_id": "s", "location": "table 3", "arm_order": "experimental;control"}]
    >>> arm_order(toy_review(values=vals, studies=st))[0].loc[0, ["reported", "value_ids"]].tolist()
    ['1 of 1 pairs control first', 'c;e']
    """
    st = ctx.studies[(ctx.studies["arm_order"] != "") & ctx.studies["location"].str.startswith("table")]
    st = st[["study_id", "location", "arm_order"]].drop_duplicates(["study_id", "location"])
    if st.empty:
        return empty_issues(), empty_recomputed()
    pr = ctx.two_arm.merge(st, on=["study_id", "location"])
    # a pair relies on an announced order only when both values sit in one quoted clause; values
    # printed in separate clauses each carry their own group label ("A: …; B: …")
    same = (ctx.take(ctx.pos(pr["id1"]), ["offset"])["offset"].to_numpy(dtype=object)
            == ctx.take(ctx.pos(pr["id2"]), ["offset"])["offset"].to_numpy(dtype=object))
    pr = pr[same]
    if pr.empty:
        return empty_issues(), empty_recomputed()
    # position of each arm in the announced order (arm lists are short: a handful of exploded rows)
    order = pr[["arm_order"]].drop_duplicates().assign(arm=lambda d: d["arm_order"].str.split(";")).explode("arm")
    order["pos"] = order.groupby("arm_order", sort=False).cumcount()
    pos = order.set_index(["arm_order", "arm"])["pos"]
    pr["pos1"] = pos.reindex(pd.MultiIndex.from_arrays([pr["arm_order"], pr["arm1"]])).to_numpy()
    pr["pos2"] = pos.reindex(pd.MultiIndex.from_arrays([pr["arm_order"], pr["arm2"]])).to_numpy()
    pr = pr[pr["pos1"].notna() & pr["pos2"].notna()].copy()
    if pr.empty:
        return empty_issues(), empty_recomputed()
    expected_first = np.where(pr["pos1"] < pr["pos2"], pr["arm1"], pr["arm2"])
    pr["rev"] = pr["first_arm"].to_numpy() != expected_first
    pr["first_id"] = np.where(pr["first_arm"] == pr["arm1"], pr["id1"], pr["id2"])
    pr["second_id"] = np.where(pr["first_arm"] == pr["arm1"], pr["id2"], pr["id1"])
    pr["second_arm"] = np.where(pr["first_arm"] == pr["arm1"], pr["arm2"], pr["arm1"])
    pr["pair"] = pr["first_id"] + ";" + pr["second_id"]
    key = ["study_id", "location"]
    judged = pr.groupby(key, sort=False).size().rename("n_judged")
    b = pr[pr["rev"]].sort_values(["off_min", "first_id"], kind="stable")
    if b.empty:
        return empty_issues(), empty_recomputed()
    g = b.groupby(key, sort=True)
    agg = g.agg(first_id=("first_id", "first"), k=("pair", "size"), arm_order=("arm_order", "first"))
    agg["ids"] = gjoin(g, "pair", ";")
    fw = b.drop_duplicates(key + ["first_arm"])
    agg["words"] = gjoin(fw.groupby(key, sort=True), "first_arm", "/")
    agg = agg.reset_index().merge(judged.reset_index(), on=key)
    words = agg["words"]
    k, nj = agg["k"].astype(str), agg["n_judged"].astype(str)
    ann = agg["arm_order"].str.replace(";", " then ", regex=False)
    rep = k + " of " + nj + " pairs " + words + " first"
    msg = (k + " of the " + nj + " two-arm pairs here print the " + words + " value first although the header announces the order "
           + ann + ", so a reader may attribute the values to the wrong arms.")
    iss = ctx.issues(agg["first_id"], "warning", rep, ann, msg, agg["ids"])
    return iss, empty_recomputed()
