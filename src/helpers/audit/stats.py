"""Checks recomputing test statistics: 2×2 tables, odds ratios, attainable p, claims, wording."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sst

from .context import AuditContext, empty_issues, empty_recomputed
from .contingency import P_METHODS, p_matches_printed, p_methods, wald_p_of_or
from .formatting import fmt_arr, format_floats, int_str, join_cols
from .grouping import gjoin, map_str
from .numeric import is_significant, significance
from .pairing import pair_forward, pair_nearest_before, two_by_two_tables
from .registry import register

WINDOW = 160


_PAIR_BY = ["study_id", "location", "endpoint", "subgroup", "timepoint"]


@register("p_from_2x2", "error",
          "p-values recomputed from two arms' counts (Fisher, chi-square with/without Yates, N−1 chi-square).", cost=2)
def p_from_2x2(ctx: AuditContext):
    """Recompute the p-value printed with a two-arm count comparison.

    The p is paired with the 2×2 table of the same study, location, endpoint, subgroup and
    timepoint printed nearest before it (a p follows the figures it tests), else nearest after.
    The family of usual tests: Fisher exact, chi-square (plain, Yates, N−1), the G-test and
    Cressie-Read (λ = 2/3) power divergence, and, when an odds ratio is printed with the table,
    the Wald test of the printed log OR (:func:`wald_p_of_or`; an adjusted model's p).
    Consistent when any method reproduces the printed p at its printed precision (respecting
    ``<``/``>``); error when every method falls on the other side of ``alpha`` and the printed
    p makes a claim about significance (see :func:`~helpers.audit.numeric.significance`);
    info when the printed p lies between the values the methods give (another test, e.g.
    stratified, may have been used); warning otherwise.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> b = {"study_id": "s", "location": "t", "endpoint": "orr"}
    >>> vals = [dict(b, value_id="a", quantity="count", arm="experimental", value="12", denominator_id="na", value_offset="1"),
    ...         dict(b, value_id="na", quantity="n", arm="experimental", value="20", value_offset="2"),
    ...         dict(b, value_id="c", quantity="count", arm="control", value="4", denominator_id="nc", value_offset="3"),
    ...         dict(b, value_id="nc", quantity="n", arm="control", value="20", value_offset="4"),
    ...         dict(b, value_id="p", quantity="p_value", value="0.50", value_offset="5")]
    >>> p_from_2x2(toy_review(values=vals))[0].loc[0, "severity"]
    'error'
    """
    v = ctx.values
    tb = two_by_two_tables(ctx)
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "value", "num", "mant", "dec", "comp", "voff"]]
    if tb.empty or p.empty:
        return empty_issues(), empty_recomputed()
    m = pair_nearest_before(p, tb, _PAIR_BY, WINDOW)
    if m.empty:
        return empty_issues(), empty_recomputed()
    alpha = ctx.params.alpha
    a, n1, c, n2 = (m[k].astype("int64").to_numpy() for k in ("num1", "n1", "num2", "n2"))
    ps = p_methods(a, n1, c, n2)
    # an odds ratio printed with the same table: the Wald test of its log belongs to the family
    o = v.loc[ctx.eq("quantity", "or") & v["simple"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "num", "voff"]]
    om = pair_nearest_before(o, tb, _PAIR_BY, WINDOW) if not o.empty else o
    ps["wald_or"] = np.nan
    if not om.empty:
        orr = pd.Series(om["num_r"].to_numpy(dtype=float), index=om["id1"] + ";" + om["id2"])
        orr = orr[~orr.index.duplicated()]
        has = (m["id1"] + ";" + m["id2"]).map(orr).to_numpy(dtype=float)
        sw = m["swap"].to_numpy(dtype=bool)  # the printed OR puts the experimental arm on top
        ea, en = np.where(sw, c, a), np.where(sw, n2, n1)
        ca, cn = np.where(sw, a, c), np.where(sw, n1, n2)
        okw = ~np.isnan(has)
        if okw.any():
            wp = np.full(len(m), np.nan)
            wp[okw] = wald_p_of_or(has[okw], ea[okw], en[okw], ca[okw], cn[okw])
            ps["wald_or"] = wp
    shown = None
    passing = None
    for k in P_METHODS:
        has = ps[k].notna().to_numpy()
        txt = np.where(has, k + "=" + pd.Series(format_floats("%.4g", np.nan_to_num(ps[k].to_numpy())), dtype=object), "")
        ok = p_matches_printed(ps[k].to_numpy(), m["mant_r"], m["dec_r"], m["comp_r"])
        okn = np.where(ok, k, "")
        shown = txt if shown is None else np.where(txt == "", shown, shown + "; " + txt)
        passing = okn if passing is None else np.where(okn == "", passing, np.where(passing == "", okn, passing + ";" + okn))
    good = passing != ""
    rec = ctx.recomputed(m["value_id_r"], shown, np.where(good, passing, "none"),
                         np.where(good, "consistent", "inconsistent"))
    b = m[~good].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    pb = ps[~good].reset_index(drop=True)
    claim = significance(b["num_r"], b["comp_r"], alpha, ctx.params.p_equal_alpha_significant)
    arr = pb.to_numpy()
    with np.errstate(invalid="ignore"):
        flips = ~np.isnan(claim) & np.all(np.where(np.isnan(arr), True, (arr < alpha) != (claim == 1.0)[:, None]), axis=1)
    pmin, pmax = np.nanmin(arr, axis=1), np.nanmax(arr, axis=1)
    between = (b["comp_r"] == "=").to_numpy() & (b["num_r"].to_numpy() >= pmin) & (b["num_r"].to_numpy() <= pmax)
    sev = np.where(flips, "error", np.where(between, "info", "warning"))
    rng = pd.Series(format_floats("%.3g", pmin), dtype=object) + "–" + pd.Series(format_floats("%.3g", pmax), dtype=object)
    tab = int_str(b["num1"]) + "/" + int_str(b["n1"]) + " vs " + int_str(b["num2"]) + "/" + int_str(b["n2"])
    tail = np.where(flips, "; the conclusion about significance changes.",
                    np.where(between, "; it lies between the values the usual tests give, so another test may have been used.", "."))
    msg = ("Recomputing the test from " + tab + " gives p = " + rng + ", not P " + b["comp_r"] + " " + b["value_r"]
           + pd.Series(tail, dtype=object))
    iss = ctx.issues(b["value_id_r"], sev, "P " + b["comp_r"] + " " + b["value_r"], shown[~good], msg,
                     join_cols(b["value_id_r"], b["id1"], b["den1"], b["id2"], b["den2"]))
    return iss, rec


@register("or_from_counts", "warning",
          "An odds ratio recomputed from two arms' counts (experimental, else first-printed, arm on top).")
def or_from_counts(ctx: AuditContext):
    """Recompute the odds ratio printed with a two-arm count comparison (exact integers).

    Paired like :func:`p_from_2x2`. Inconsistent when the crude OR lies outside the printed
    rounding interval: info when within ``or_adjusted_tolerance`` (relative) of it — an
    adjusted or stratified estimate is expected to differ a little — warning beyond.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> b = {"study_id": "s", "location": "t", "endpoint": "orr"}
    >>> vals = [dict(b, value_id="a", quantity="count", arm="experimental", value="20", denominator_id="na", value_offset="1"),
    ...         dict(b, value_id="na", quantity="n", arm="experimental", value="50", value_offset="2"),
    ...         dict(b, value_id="c", quantity="count", arm="control", value="10", denominator_id="nc", value_offset="3"),
    ...         dict(b, value_id="nc", quantity="n", arm="control", value="50", value_offset="4"),
    ...         dict(b, value_id="o", quantity="or", value="3.10", value_offset="5")]
    >>> or_from_counts(toy_review(values=vals))[0].loc[0, "expected"]
    '2.667'
    """
    v = ctx.values
    tb = two_by_two_tables(ctx)
    o = v.loc[ctx.eq("quantity", "or") & v["simple"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "value", "num", "mant", "dec", "voff"]]
    if tb.empty or o.empty:
        return empty_issues(), empty_recomputed()
    m = pair_nearest_before(o, tb, _PAIR_BY, WINDOW)
    if m.empty:
        return empty_issues(), empty_recomputed()
    sw = m["swap"].to_numpy(dtype=bool)
    a = np.where(sw, m["num2"], m["num1"]).astype("int64")
    n1 = np.where(sw, m["n2"], m["n1"]).astype("int64")
    c = np.where(sw, m["num1"], m["num2"]).astype("int64")
    n2 = np.where(sw, m["n1"], m["n2"]).astype("int64")
    zero = (a == n1) | (c == 0)
    recs = [ctx.recomputed(m.loc[zero, "value_id_r"], "", "zero cell", "not_recomputable")]
    keep = ~zero
    m, a, n1, c, n2 = m[keep].reset_index(drop=True), a[keep], n1[keep], c[keep], n2[keep]
    A = a * (n2 - c)
    B = (n1 - a) * c
    mant, dec = m["mant_r"].astype("int64").to_numpy(), m["dec_r"].astype("int64").to_numpy()
    ok = np.abs(2 * np.power(10, dec) * A - 2 * mant * B) <= B
    orr = A / B
    shown = pd.Series(format_floats("%.4g", orr), dtype=object)
    tab = int_str(a) + "/" + int_str(n1) + " vs " + int_str(c) + "/" + int_str(n2)
    recs.append(ctx.recomputed(m["value_id_r"], shown, "crude OR " + tab,
                               np.where(ok, "consistent", "inconsistent")))
    bad = ~ok
    if not bad.any():
        return empty_issues(), pd.concat(recs, ignore_index=True)
    b = m[bad].reset_index(drop=True)
    rel = np.abs(b["num_r"].to_numpy() / orr[bad] - 1.0)
    near = rel <= ctx.params.or_adjusted_tolerance
    tail = np.where(near, " (close enough to be an adjusted or stratified estimate).", " (it may be adjusted).")
    msg = ("The odds ratio " + b["value_r"] + " differs from the " + pd.Series(format_floats("%.3g", orr[bad]), dtype=object)
           + " the counts " + tab[bad].reset_index(drop=True) + " give" + pd.Series(tail, dtype=object))
    iss = ctx.issues(b["value_id_r"], np.where(near, "info", "warning"), "OR " + b["value_r"],
                     shown[bad].reset_index(drop=True), msg,
                     join_cols(b["value_id_r"], b["id1"], b["den1"], b["id2"], b["den2"]))
    return iss, pd.concat(recs, ignore_index=True)


def hr_farthest_from_one(hr, decimals) -> np.ndarray:
    """The end of a printed hazard ratio's rounding interval farthest from 1.

    A printed "0.7" stands for any value in [0.65, 0.75]; the most extreme p a study could
    attain belongs to the end farthest from 1 (statcheck treats printed test statistics the
    same way). A ratio of exactly 1 stays 1.

    Examples
    --------
    >>> hr_farthest_from_one([0.7, 1.42, 1.0], [1, 2, 1]).round(3).tolist()
    [0.65, 1.425, 1.0]
    """
    hr = np.asarray(hr, dtype=float)
    half = 0.5 * np.power(10.0, -np.asarray(decimals, dtype=float))
    return np.where(hr < 1, np.maximum(hr - half, np.finfo(float).tiny), np.where(hr > 1, hr + half, hr))


@register("p_attainable", "warning",
          "A hazard ratio's p-value smaller than the study's size could produce even if every patient had an event.", cost=2)
def p_attainable(ctx: AuditContext):
    """Smallest two-sided p attainable for an HR with at most D = N events: z = |ln HR|·sqrt(D/4),
    with HR the end of its printed rounding interval farthest from 1 (:func:`hr_farthest_from_one`).

    Warning when that minimum exceeds the printed p (respecting ``<``); error when the minimum
    is not even significant at ``alpha`` while the printed p is.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "n", "study_id": "s", "quantity": "n", "value": "40"},
    ...         {"value_id": "h", "study_id": "s", "quantity": "hr", "endpoint": "pfs", "value": "0.70", "value_offset": "10"},
    ...         {"value_id": "p", "study_id": "s", "quantity": "p_value", "endpoint": "pfs", "value": "0.001", "value_offset": "20"}]
    >>> p_attainable(toy_review(values=vals, studies=[{"study_id": "s", "n_id": "n"}]))[0].loc[0, "severity"]
    'error'
    """
    v = ctx.values
    by = ["study_id", "location", "endpoint", "subgroup", "armn"]
    hr = v.loc[ctx.eq("quantity", "hr") & v["simple"].to_numpy() & (v["num"].to_numpy() > 0) & ~ctx.blank("study_id"),
               by + ["value_id", "value", "num", "dec", "voff"]]
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy(), by + ["value_id", "value", "num", "comp", "dec", "voff"]]
    if hr.empty or p.empty:
        return empty_issues(), empty_recomputed()
    m = pair_forward(hr[by + ["value_id", "value", "num", "dec", "voff"]],
                     p[by + ["value_id", "value", "num", "comp", "dec", "voff"]], by, "voff", 60)
    m = m.merge(ctx.study_n, on="study_id", how="inner")
    if m.empty:
        return empty_issues(), empty_recomputed()
    z = np.abs(np.log(hr_farthest_from_one(m["num"], m["dec"]))) * np.sqrt(m["n"].astype(float) / 4.0)
    pmin = 2.0 * sst.norm.sf(z)
    half = 0.5 * np.power(10.0, -m["dec_r"].astype(float))
    comp = m["comp_r"]
    pnum = m["num_r"].astype(float)
    bad = np.where(comp.isin(["<", "≤"]), pmin >= pnum,
                   np.where(comp == "=", pmin > pnum + half, False))
    nf = pd.Series(fmt_arr(m["n"]), dtype=object)
    rec = ctx.recomputed(m["value_id_r"], format_floats("%.3g", pmin),
                         "min p with D=N=" + nf + " events", np.where(bad, "inconsistent", "consistent"))
    b = m[bad].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    pb = pmin[bad]
    sig = is_significant(b["num_r"], b["comp_r"], ctx.params.alpha, ctx.params.p_equal_alpha_significant)
    sev = np.where(sig & (pb >= ctx.params.alpha), "error", "warning")
    q = pd.Series(format_floats("%.2g", pb), dtype=object)
    hp = "HR " + b["value"] + ", P " + b["comp_r"] + " " + b["value_r"]
    msg = ("With " + nf[bad].reset_index(drop=True) + " patients, even if every one had an event a hazard ratio of " + b["value"]
           + " could not reach P " + b["comp_r"] + " " + b["value_r"] + "; the smallest possible p is about " + q + ".")
    iss = ctx.issues(b["value_id"], sev, hp, "P ≥ " + q, msg, join_cols(b["value_id"], b["value_id_r"], b["n_id"]))
    return iss, rec


@register("no_difference_claim", "error",
          "A claim of 'no difference' whose own p-value is below alpha.")
def no_difference_claim(ctx: AuditContext):
    """A ``no_difference`` claim whose member p-values are significant.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "p", "quantity": "p_value", "value": "0.04"}]
    >>> cl = [{"claim_id": "c", "claim_type": "no_difference", "member_ids": "p"}]
    >>> no_difference_claim(toy_review(values=vals, claims=cl))[0].loc[0, "value_ids"]
    'c;p'
    """
    c = ctx.claims[ctx.claims["claim_type"] == "no_difference"].reset_index(drop=True)
    if c.empty:
        return empty_issues(), empty_recomputed()
    mem = c[["claim_id"]].assign(_c=np.arange(len(c)), m=c["member_ids"].str.split(";")).explode("m")
    mem["m"] = mem["m"].fillna("").str.strip()
    mp = ctx.pos(mem["m"])
    mem = mem[mp >= 0]
    x = ctx.take(mp[mp >= 0], ["quantity", "ok", "num", "comp", "value"])
    keep = (x["quantity"] == "p_value").to_numpy() & x["ok"].fillna(False).to_numpy(dtype=bool)
    mem, x = mem[keep], x[keep]
    sig = is_significant(x["num"].astype(float), x["comp"], ctx.params.alpha, ctx.params.p_equal_alpha_significant)
    mem = mem[sig].assign(txt=("P " + x["comp"] + " " + x["value"]).to_numpy()[sig])
    if mem.empty:
        return empty_issues(), empty_recomputed()
    g = mem.groupby("_c", sort=True)
    agg = pd.DataFrame({"first": g["m"].first(), "ids": gjoin(g, "m", ";"), "txt": gjoin(g, "txt", ", ")})
    r = c.loc[agg.index].reset_index(drop=True)
    agg = agg.reset_index(drop=True)
    iss = ctx.issues(agg["first"], "error", agg["txt"], "P ≥ " + str(ctx.params.alpha),
                     "The text says there is no difference, but the comparison it rests on is significant (" + agg["txt"] + ").",
                     join_cols(r["claim_id"], agg["ids"]),
                     override={"section": r["section"], "location": r["location"], "refs": r["refs"]})
    return iss, empty_recomputed()


@register("hr_direction_wording", "warning",
          "Prognostic factors called favourable with HR > 1 (or unfavourable with HR < 1), one finding per study and endpoint.")
def hr_direction_wording(ctx: AuditContext):
    """Compare each prognostic factor's wording with its HR direction.

    One finding per (study, endpoint) lists the factors whose HR points against their wording
    (unless the reference category is reversed); when factors listed together as favourable
    have HRs on both sides of 1, the finding says so and its evidence includes the whole list.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "h1", "quantity": "hr", "value": "2.75"}, {"value_id": "h2", "quantity": "hr", "value": "0.31"}]
    >>> pg = [{"factor_id": "f1", "study_id": "s", "endpoint": "pfs", "hr_id": "h1", "wording": "favourable"},
    ...       {"factor_id": "f2", "study_id": "s", "endpoint": "pfs", "hr_id": "h2", "wording": "favourable"}]
    >>> hr_direction_wording(toy_review(values=vals, prognostic=pg))[0]["value_ids"].tolist()
    ['h1;h2']
    """
    pg = ctx.prognostic[ctx.prognostic["hr_id"] != ""].copy()
    if pg.empty:
        return empty_issues(), empty_recomputed()
    hp = ctx.pos(pg["hr_id"])
    pg, hp = pg[hp >= 0], hp[hp >= 0]
    x = ctx.take(hp, ["num", "value", "voff"])
    pg["hr"] = x["num"].astype(float).to_numpy()
    pg["hrv"] = x["value"].to_numpy(dtype=object)
    pg["voff"] = x["voff"].to_numpy()
    pg = pg[pg["hr"].notna() & pg["wording"].isin(["favourable", "unfavourable"])]
    pg["bad"] = ((pg["wording"] == "favourable") & (pg["hr"] > 1)) | ((pg["wording"] == "unfavourable") & (pg["hr"] < 1))
    key = ["study_id", "endpoint"]
    pg["lab"] = pg["factor_key"].where(pg["factor_key"] != "", pg["factor"])
    pg = pg.sort_values(key + ["voff", "hr_id"], kind="stable")
    fav = pg[(pg["wording"] == "favourable") & (pg["hr"] != 1)]
    fg = fav.assign(_hi=fav["hr"] > 1, _lo=fav["hr"] < 1).groupby(key)
    mx_ = (fg["_hi"].any() & fg["_lo"].any()).rename("mixed").reset_index()
    pg = pg.merge(mx_, on=key, how="left")
    pg["mixed"] = pg["mixed"].fillna(False).astype(bool)
    b = pg[pg["bad"]]
    if b.empty:
        return empty_issues(), empty_recomputed()
    b = b.assign(item=b["lab"] + " " + b["wording"] + " with HR " + b["hrv"])
    gb = b.groupby(key, sort=True)
    agg = gb.agg(first=("hr_id", "first"), k=("hr_id", "size"), mixed=("mixed", "first"))
    agg["bad_ids"], agg["items"] = gjoin(gb, "hr_id", ";"), gjoin(gb, "item", "; ")
    agg = agg.reset_index()
    fgb = fav.assign(it=fav["lab"] + " " + fav["hrv"]).groupby(key, sort=True)
    fl = pd.DataFrame({"fav_ids": gjoin(fgb, "hr_id", ";"), "fav_items": gjoin(fgb, "it", ", ")}).reset_index()
    agg = agg.merge(fl, on=key, how="left").fillna({"fav_ids": "", "fav_items": ""})
    mx = agg["mixed"].to_numpy(dtype=bool)
    # the whole favourable list when mixed (bad unfavourable ones appended), else the bad ones
    bad_unfav = gjoin(b[b["wording"] != "favourable"].groupby(key, sort=True), "hr_id", ";")
    agg["bad_unfav"] = map_str(pd.Series(list(zip(agg["study_id"], agg["endpoint"]))), dict(zip(bad_unfav.index, bad_unfav)))
    ids = pd.Series(np.where(mx, join_cols(agg["fav_ids"], agg["bad_unfav"]), agg["bad_ids"]), dtype=object)
    ep = agg["endpoint"].str.upper()
    msg = ("The direction words of " + agg["k"].astype(str) + " factor(s) for " + ep + " contradict their hazard ratios ("
           + agg["items"] + ")"
           + pd.Series(np.where(mx, "; factors listed together as favourable have hazard ratios on both sides of 1 ("
                                + agg["fav_items"] + ")", ""), dtype=object)
           + ", unless the reference category is reversed.")
    exp = np.where(mx, "all HR on one side of 1", "HR on the side the wording states")
    iss = ctx.issues(agg["first"], "warning", agg["items"], exp, msg, ids.to_numpy(dtype=object),
                     study_ids=agg["study_id"])
    return iss, empty_recomputed()
