"""Checks recomputing test statistics: 2×2 tables, odds ratios, attainable p, claims, wording."""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats as sst

from .arithmetic import _count_denominators
from .consistency import _significant
from .context import AuditContext, empty_issues, empty_recomputed, fmt, pair_forward, split_ids, two_arm_printings
from .numeric import in_printed_interval, to_fraction, decimals_of
from .registry import register

WINDOW = 160


def _two_by_two(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm count printings with their denominators (one row per 2×2 table)."""
    v = ctx.values
    cden = _count_denominators(ctx)
    cnt = v[(v["quantity"] == "count") & v["simple"] & (v["dec"] == 0)]
    pr = two_arm_printings(cnt)
    if pr.empty:
        return pr
    byid = ctx.by_id
    for i in ("1", "2"):
        did = pr[f"id{i}"].map(cden).astype(object).fillna("")
        nrow = byid.reindex(did)
        pr[f"n{i}"] = np.where(did.ne("").to_numpy() & nrow["ok"].fillna(False).to_numpy(dtype=bool), nrow["num"].to_numpy(), np.nan)
        pr[f"den{i}"] = did.to_numpy()
    pr = pr[pr["n1"].notna() & pr["n2"].notna() & (pr["num1"] <= pr["n1"]) & (pr["num2"] <= pr["n2"])]
    # orientation: experimental first when labelled so, else the arm printed first
    exp_first = np.where((pr["arm2"] == "experimental") | ((pr["arm1"] != "experimental") & (pr["first_arm"] == pr["arm2"])), True, False)
    pr = pr.assign(swap=exp_first)
    return pr


@functools.lru_cache(maxsize=65536)
def _p_methods(a, n1, c, n2) -> dict[str, float]:
    table = np.array([[a, n1 - a], [c, n2 - c]], dtype=float)
    out = {"fisher": float(sst.fisher_exact(table.astype(int))[1])}
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return out
    chi, p, _, _ = sst.chi2_contingency(table, correction=False)
    out["chi2"] = float(p)
    out["chi2_yates"] = float(sst.chi2_contingency(table, correction=True)[1])
    N = table.sum()
    out["chi2_n_minus_1"] = float(sst.chi2.sf(chi * (N - 1) / N, 1))
    return out


def _p_matches(p: float, printed: str, comp: str) -> bool:
    x = to_fraction(printed)
    if x is None:
        return False
    if comp == "<":
        return Fraction(p) < x
    if comp == "≤":
        return Fraction(p) <= x
    if comp == ">":
        return Fraction(p) > x
    if comp == "≥":
        return Fraction(p) >= x
    return in_printed_interval(p, printed)


@register("p_from_2x2", "error",
          "p-values recomputed from two arms' counts (Fisher, chi-square with/without Yates, N−1 chi-square).")
def p_from_2x2(ctx: AuditContext):
    """Recompute the p-value printed after a two-arm count comparison.

    Consistent when any method reproduces the printed p at its printed precision (respecting
    ``<``/``>``); error when every method falls on the other side of ``alpha``; warning otherwise.

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
    tb = _two_by_two(ctx)
    p = v[(v["quantity"] == "p_value") & v["ok"] & (v["armn"] == "total")]
    if tb.empty or p.empty:
        return empty_issues(), empty_recomputed()
    by = ["study_id", "location", "endpoint", "subgroup"]
    m = pair_forward(tb, p[by + ["value_id", "value", "num", "comp", "voff"]], by, "off_max", WINDOW)
    if m.empty:
        return empty_issues(), empty_recomputed()
    alpha = ctx.params.alpha
    issues, recs = [], []
    for _, r in m.iterrows():
        a, n1, c, n2 = int(r["num1"]), int(r["n1"]), int(r["num2"]), int(r["n2"])
        ps = _p_methods(a, n1, c, n2)
        passing = [k for k, x in ps.items() if _p_matches(x, r["value_r"], r["comp_r"])]
        shown = "; ".join(f"{k}={x:.4g}" for k, x in ps.items())
        recs.append(ctx.recomputed([r["value_id_r"]], "p_from_2x2", [shown], [";".join(passing) or "none"],
                                   ["consistent" if passing else "inconsistent"]))
        if passing:
            continue
        sig_printed = bool(_significant([r["num_r"]], [r["comp_r"]], alpha)[0])
        sig_comp = [x < alpha for x in ps.values()]
        flips = all(s != sig_printed for s in sig_comp)
        sev = "error" if flips else "warning"
        rng = f"{min(ps.values()):.3g}–{max(ps.values()):.3g}"
        msg = (f"Recomputing the test from {a}/{n1} vs {c}/{n2} gives p = {rng}, not P {r['comp_r']} {r['value_r']}"
               + ("; the conclusion about significance changes." if flips else "."))
        issues.append(ctx.issues([r["value_id_r"]], "p_from_2x2", sev, [f"P {r['comp_r']} {r['value_r']}"], [shown], [msg],
                                 [[r["value_id_r"], r["id1"], r["den1"], r["id2"], r["den2"]]]))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    return iss, pd.concat(recs, ignore_index=True)


@register("or_from_counts", "warning",
          "An odds ratio recomputed from two arms' counts (experimental, else first-printed, arm on top).")
def or_from_counts(ctx: AuditContext):
    """Recompute the odds ratio printed after a two-arm count comparison (exact Fractions).

    Inconsistent (warning: the printed OR may be adjusted) when the crude OR lies outside the
    printed rounding interval.

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
    tb = _two_by_two(ctx)
    o = v[(v["quantity"] == "or") & v["simple"] & (v["armn"] == "total")]
    if tb.empty or o.empty:
        return empty_issues(), empty_recomputed()
    by = ["study_id", "location", "endpoint", "subgroup"]
    m = pair_forward(tb, o[by + ["value_id", "value", "num", "voff"]], by, "off_max", WINDOW)
    issues, recs = [], []
    for _, r in m.iterrows():
        # arm2 is experimental (or first printed) when swap is True
        if r["swap"]:
            a, n1, c, n2 = int(r["num2"]), int(r["n2"]), int(r["num1"]), int(r["n1"])
        else:
            a, n1, c, n2 = int(r["num1"]), int(r["n1"]), int(r["num2"]), int(r["n2"])
        if a == n1 or c == 0:
            recs.append(ctx.recomputed([r["value_id_r"]], "or_from_counts", [""], ["zero cell"], ["not_recomputable"]))
            continue
        orr = Fraction(a * (n2 - c), (n1 - a) * c)
        ok = in_printed_interval(orr, r["value_r"])
        recs.append(ctx.recomputed([r["value_id_r"]], "or_from_counts", [f"{float(orr):.4g}"], [f"crude OR {a}/{n1} vs {c}/{n2}"],
                                   ["consistent" if ok else "inconsistent"]))
        if not ok:
            issues.append(ctx.issues([r["value_id_r"]], "or_from_counts", "warning", [f"OR {r['value_r']}"],
                                     [f"{float(orr):.4g}"],
                                     [f"The odds ratio {r['value_r']} differs from the {float(orr):.3g} the counts {a}/{n1} vs {c}/{n2} give (it may be adjusted)."],
                                     [[r["value_id_r"], r["id1"], r["den1"], r["id2"], r["den2"]]]))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec


@register("p_attainable", "warning",
          "A hazard ratio's p-value smaller than the study's size could produce even if every patient had an event.")
def p_attainable(ctx: AuditContext):
    """Smallest two-sided p attainable for an HR with at most D = N events: z = |ln HR|·sqrt(D/4).

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
    hr = v[(v["quantity"] == "hr") & v["simple"] & (v["num"] > 0) & (v["study_id"] != "")]
    p = v[(v["quantity"] == "p_value") & v["ok"]]
    if hr.empty or p.empty:
        return empty_issues(), empty_recomputed()
    by = ["study_id", "location", "endpoint", "subgroup", "armn"]
    m = pair_forward(hr[by + ["value_id", "value", "num", "voff"]],
                     p[by + ["value_id", "value", "num", "comp", "dec", "voff"]], by, "voff", 60)
    m = m.merge(ctx.study_n, on="study_id", how="inner")
    if m.empty:
        return empty_issues(), empty_recomputed()
    z = np.abs(np.log(m["num"].astype(float))) * np.sqrt(m["n"].astype(float) / 4.0)
    pmin = 2.0 * sst.norm.sf(z)
    half = 0.5 * np.power(10.0, -m["dec_r"].astype(float))
    comp = m["comp_r"]
    pnum = m["num_r"].astype(float)
    bad = np.where(comp.isin(["<", "≤"]), pmin >= pnum,
                   np.where(comp == "=", pmin > pnum + half, False))
    rec = ctx.recomputed(m["value_id_r"], "p_attainable", [f"{x:.3g}" for x in pmin],
                         [f"min p with D=N={fmt(n)} events" for n in m["n"]],
                         np.where(bad, "inconsistent", "consistent"))
    b = m[bad]
    if b.empty:
        return empty_issues(), rec
    pb = pmin[bad]
    sig = _significant(b["num_r"], b["comp_r"], ctx.params.alpha)
    sev = np.where(sig & (pb >= ctx.params.alpha), "error", "warning")
    msg = [f"With {fmt(n)} patients, even if every one had an event a hazard ratio of {h} could not reach P {c} {x}; the smallest possible p is about {q:.2g}."
           for n, h, c, x, q in zip(b["n"], b["value"], b["comp_r"], b["value_r"], pb)]
    iss = ctx.issues(b["value_id"], "p_attainable", sev, [f"HR {h}, P {c} {x}" for h, c, x in zip(b["value"], b["comp_r"], b["value_r"])],
                     [f"P ≥ {q:.2g}" for q in pb], msg,
                     [[h, p_, n] for h, p_, n in zip(b["value_id"], b["value_id_r"], b["n_id"])])
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
    c = ctx.claims[ctx.claims["claim_type"] == "no_difference"]
    byid = ctx.by_id
    out = []
    for _, r in c.iterrows():
        ps = [m for m in split_ids(r["member_ids"]) if m in byid.index and byid.loc[m, "quantity"] == "p_value" and byid.loc[m, "ok"]]
        sig = [m for m in ps if _significant([byid.loc[m, "num"]], [byid.loc[m, "comp"]], ctx.params.alpha)[0]]
        if not sig:
            continue
        txt = ", ".join(f"P {byid.loc[m, 'comp']} {byid.loc[m, 'value']}" for m in sig)
        out.append(ctx.issues([sig[0]], "no_difference_claim", "error", [txt], [f"P ≥ {ctx.params.alpha}"],
                              [f"The text says there is no difference, but the comparison it rests on is significant ({txt})."],
                              [[r["claim_id"]] + sig],
                              override={"section": [r["section"]], "location": [r["location"]], "refs": [r["refs"]]}))
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()


@register("hr_direction_wording", "warning",
          "A prognostic factor called favourable with HR > 1 (or unfavourable with HR < 1), or mixed directions in one list.")
def hr_direction_wording(ctx: AuditContext):
    """Compare each prognostic factor's wording with its HR direction; flag mixed lists.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "h1", "quantity": "hr", "value": "3.887"}, {"value_id": "h2", "quantity": "hr", "value": "0.024"}]
    >>> pg = [{"factor_id": "f1", "study_id": "s", "endpoint": "pfs", "hr_id": "h1", "wording": "favourable"},
    ...       {"factor_id": "f2", "study_id": "s", "endpoint": "pfs", "hr_id": "h2", "wording": "favourable"}]
    >>> sorted(hr_direction_wording(toy_review(values=vals, prognostic=pg))[0]["value_ids"])
    ['h1', 'h1;h2']
    """
    pg = ctx.prognostic[ctx.prognostic["hr_id"] != ""].copy()
    if pg.empty:
        return empty_issues(), empty_recomputed()
    byid = ctx.by_id
    pg = pg[pg["hr_id"].isin(byid.index)]
    pg["hr"] = pg["hr_id"].map(byid["num"]).astype(float)
    pg = pg[pg["hr"].notna()]
    out = []
    bad = pg[((pg["wording"] == "favourable") & (pg["hr"] > 1)) | ((pg["wording"] == "unfavourable") & (pg["hr"] < 1))]
    if not bad.empty:
        msg = [f"The factor '{f}' is described as {w} but its hazard ratio is {byid.loc[h, 'value']}, which points the other way (unless the reference category is reversed)."
               for f, w, h in zip(bad["factor"], bad["wording"], bad["hr_id"])]
        out.append(ctx.issues(bad["hr_id"], "hr_direction_wording", "warning",
                              [f"{w}, HR {byid.loc[h, 'value']}" for w, h in zip(bad["wording"], bad["hr_id"])],
                              ["HR < 1" if w == "favourable" else "HR > 1" for w in bad["wording"]], msg,
                              [[h] for h in bad["hr_id"]], study_ids=bad["study_id"]))
    fav = pg[(pg["wording"] == "favourable") & (pg["hr"] != 1)]
    for (sid, ep), g in fav.groupby(["study_id", "endpoint"], sort=True):
        if (g["hr"] > 1).any() and (g["hr"] < 1).any():
            hrs = ", ".join(f"{f} {byid.loc[h, 'value']}" for f, h in zip(g["factor_key"].where(g["factor_key"] != "", g["factor"]), g["hr_id"]))
            out.append(ctx.issues([g["hr_id"].iloc[0]], "hr_direction_wording", "warning", [hrs], ["all HR on one side of 1"],
                                  [f"Factors listed together as favourable for {ep.upper()} have hazard ratios on both sides of 1 ({hrs})."],
                                  [list(g["hr_id"])], study_ids=[sid]))
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()
