"""Checks recomputing figures from other printed figures (counts, denominators, partitions)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed, fmt, split_ids
from .numeric import (fitting_denominators, grim_count_range, percent_conventions, to_fraction,
                      decimals_of)
from .registry import register

_CONV = ("half_up", "half_even", "truncation")


def _count_denominators(ctx: AuditContext) -> pd.Series:
    """value_id of each count row -> denominator value_id (own, else from a percent linking it)."""
    v = ctx.values
    own = v.loc[(v["quantity"] == "count") & (v["denominator_id"] != ""), ["value_id", "denominator_id"]]
    via = v.loc[(v["quantity"] == "percent") & (v["count_id"] != "") & (v["denominator_id"] != ""),
                ["count_id", "denominator_id"]].rename(columns={"count_id": "value_id"})
    both = pd.concat([own, via], ignore_index=True).drop_duplicates("value_id", keep="first")
    return both.set_index("value_id")["denominator_id"].astype(object)


@register("percent_vs_count", "error",
          "A percentage recomputed from its printed count and denominator (rounding-aware).")
def percent_vs_count(ctx: AuditContext):
    """Recompute each percentage from its printed count and denominator.

    Accepts any exact value inside the closed rounding interval of the printed precision and
    reports which conventions (half_up, half_even, truncation) reproduce the printed figure.
    Integer arithmetic only. Off by at most ``percent_slip_units`` units of the last digit beyond
    the interval: warning; further: error.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[
    ...     {"value_id": "k", "quantity": "count", "value": "9", "denominator_id": "n"},
    ...     {"value_id": "n", "quantity": "n", "value": "80"},
    ...     {"value_id": "p", "quantity": "percent", "value": "12.5", "count_id": "k"}])
    >>> issues, rec = percent_vs_count(rv)
    >>> issues.loc[0, ["severity", "expected"]].tolist()
    ['error', '11.250']
    """
    v = ctx.values
    pc = v[(v["quantity"] == "percent") & (v["count_id"] != "") & v["ok"]].copy()
    if pc.empty:
        return empty_issues(), empty_recomputed()
    cden = _count_denominators(ctx)
    pc["den_id"] = pc["denominator_id"].where(pc["denominator_id"] != "", pc["count_id"].map(cden).astype(object).fillna(""))
    byid = ctx.by_id
    k = byid.reindex(pc["count_id"])
    n = byid.reindex(pc["den_id"])
    usable = (k["ok"].fillna(False).to_numpy(dtype=bool) & (k["dec"].fillna(1).to_numpy() == 0)
              & n["ok"].fillna(False).to_numpy(dtype=bool) & (n["dec"].fillna(1).to_numpy() == 0)
              & (n["num"].fillna(0).to_numpy() > 0))
    pc["k"] = np.where(usable, k["mant"].fillna(0).to_numpy(), 0).astype("int64")
    pc["n"] = np.where(usable, n["mant"].fillna(1).to_numpy(), 1).astype("int64")
    pc["usable"] = np.asarray(usable, dtype=bool)
    nr = pc[~pc["usable"]]
    rec_nr = ctx.recomputed(nr["value_id"], "percent_vs_count", "", "count or denominator not usable",
                            "not_recomputable")
    u = pc[pc["usable"]].reset_index(drop=True)
    conv = percent_conventions(u["k"], u["n"], u["mant"], u["dec"], u["comp"])
    methods = np.full(len(u), "", dtype=object)
    for c in _CONV:
        methods = np.where(conv[c], np.where(methods == "", c, methods + ";" + c), methods)
    methods = np.where(methods == "", "none", methods)
    exact = 100.0 * u["k"] / u["n"]
    shown = [f"{x:.{int(d) + 2}f}" for x, d in zip(exact, u["dec"])]
    status = np.where(conv["interval"], "consistent", "inconsistent")
    rec = ctx.recomputed(u["value_id"], "percent_vs_count", shown,
                         ["exact " + str(a) + "/" + str(b) + "; conventions: " + m
                          for a, b, m in zip(u["k"], u["n"], methods)], status)
    bad = u[~conv["interval"].to_numpy()]
    if bad.empty:
        return empty_issues(), pd.concat([rec, rec_nr], ignore_index=True)
    du = np.abs(conv["diff_units"].to_numpy()[~conv["interval"].to_numpy()])
    sev = np.where(du <= 0.5 + ctx.params.percent_slip_units, "warning", "error")
    ex = [shown[i] for i in np.flatnonzero(~conv["interval"].to_numpy())]
    msgs = [
        f"The percentage {p}% does not match the printed count and denominator {k}/{n}, which give {e}%."
        for p, k, n, e in zip(bad["value"], bad["k"], bad["n"], ex)
    ]
    iss = ctx.issues(bad["value_id"], "percent_vs_count", sev,
                     [f"{p}% ({k}/{n})" for p, k, n in zip(bad["value"], bad["k"], bad["n"])], ex, msgs,
                     [[a, b, c] for a, b, c in zip(bad["value_id"], bad["count_id"], bad["den_id"])])
    return iss, pd.concat([rec, rec_nr], ignore_index=True)


@register("grim_percent", "error",
          "Percentages no integer count over the stated (or any of the study's) denominators can give.")
def grim_percent(ctx: AuditContext):
    """GRIM test for percentages printed without their count.

    With a printed denominator (``denominator_id``) an unattainable percentage is an error; the
    evidence lists which of the study's other sample sizes (N, arm sizes) would fit and the
    smallest denominators up to ``grim_max_n`` that fit. Without one, the percentage is tried
    against every sample size printed for the study (its N and every ``n`` row); if none fits it
    is a warning. A percentage printed with its count but no denominator is tried the same way
    (``percent_vs_count`` cannot run).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[
    ...     {"value_id": "n", "study_id": "s", "quantity": "n", "value": "45"},
    ...     {"value_id": "p", "study_id": "s", "quantity": "percent", "value": "33.0", "denominator_id": "n"}],
    ...     studies=[{"study_id": "s", "n_id": "n"}])
    >>> grim_percent(rv)[0].loc[0, ["check", "severity"]].tolist()
    ['grim_percent', 'error']
    """
    v = ctx.values
    prm = ctx.params
    cden = _count_denominators(ctx)
    p = v[(v["quantity"] == "percent") & v["simple"] & (v["num"] <= 100)].copy()
    p["den_id"] = p["denominator_id"].where(p["denominator_id"] != "",
                                            p["count_id"].map(cden).astype(object).fillna(""))
    p = p[p["den_id"].eq("") | p["count_id"].eq("")]
    p = p[~(p["count_id"].ne("") & p["den_id"].ne(""))]
    issues, recs = [], []
    byid = ctx.by_id
    # (1) explicit denominator, no count
    ex = p[p["den_id"] != ""].copy()
    if not ex.empty:
        n = byid.reindex(ex["den_id"])
        okn = n["ok"].fillna(False).to_numpy(dtype=bool) & (n["dec"].fillna(1).to_numpy() == 0) & (n["num"].fillna(0).to_numpy() > 0)
        ex = ex[okn].copy()
        ex["n"] = n["mant"].to_numpy()[okn].astype("int64")
        lo, hi = grim_count_range(ex["n"], ex["mant"], ex["dec"])
        fits = lo <= hi
        recs.append(ctx.recomputed(ex["value_id"], "grim_percent",
                                   [f"k={a}..{b} of {n}" if f else f"no k of {n}" for a, b, n, f in zip(lo, hi, ex["n"], fits)],
                                   "grim: stated denominator", np.where(fits, "consistent", "inconsistent")))
        bad = ex[~fits]
        if not bad.empty:
            exp, msg, ids = [], [], []
            for _, r in bad.iterrows():
                others = ctx.study_ns[(ctx.study_ns["study_id"] == r["study_id"]) & (ctx.study_ns["value_id"] != r["den_id"])]
                fit_other = [f"{int(x)}" for x in sorted(set(others["n"].dropna())) if x == int(x) and x > 0
                             and _attainable(int(x), r["mant"], r["dec"])]
                dens = fitting_denominators(int(r["mant"]), int(r["dec"]), prm.grim_max_n)[: prm.grim_max_listed]
                exp.append(f"denominators that fit: {', '.join(map(str, dens)) or 'none'}; study sizes that fit: {', '.join(fit_other) or 'none'}")
                msg.append(f"No whole number of patients out of {r['n']} gives {r['value']}%"
                           + (f"; it would fit a denominator of {', '.join(fit_other)} printed elsewhere for this study." if fit_other else "."))
                ids.append([r["value_id"], r["den_id"]] + list(others.loc[others["n"].isin([float(x) for x in fit_other]), "value_id"]))
            issues.append(ctx.issues(bad["value_id"], "grim_percent", "error",
                                     [f"{a}% of {b}" for a, b in zip(bad["value"], bad["n"])], exp, msg, ids))
    # (2) no denominator: try every sample size printed for the study
    im = p[(p["den_id"] == "") & (p["study_id"] != "")].copy()
    if not im.empty:
        cnt = byid.reindex(im["count_id"])
        im["k"] = np.where(im["count_id"].ne("").to_numpy() & cnt["ok"].fillna(False).to_numpy(dtype=bool),
                           cnt["mant"].fillna(-1).to_numpy(), -1).astype("int64")
        ns = ctx.study_ns[(ctx.study_ns["n"] > 0) & (ctx.study_ns["n"] == ctx.study_ns["n"].round())]
        m = im[["value_id", "study_id", "mant", "dec", "k"]].merge(ns, on="study_id", how="inner",
                                                                    suffixes=("", "_n"))
        if not m.empty:
            nn = m["n"].astype("int64").to_numpy()
            lo, hi = grim_count_range(nn, m["mant"], m["dec"])
            conv = percent_conventions(np.maximum(m["k"], 0), nn, m["mant"], m["dec"])
            m["fit"] = np.where(m["k"] >= 0, conv["interval"].to_numpy() & (m["k"].to_numpy() <= nn), lo <= hi)
            agg = m.groupby("value_id", sort=False).agg(fit=("fit", "any"),
                                                        ns=("n", lambda s: ",".join(str(int(x)) for x in sorted(set(s)))))
            tried = im.set_index("value_id").loc[agg.index]
            recs.append(ctx.recomputed(agg.index, "grim_percent",
                                       ["fits one of " + s if f else "fits none of " + s for s, f in zip(agg["ns"], agg["fit"])],
                                       "grim: study sample sizes", np.where(agg["fit"], "consistent", "inconsistent")))
            bad = agg[~agg["fit"]]
            if not bad.empty:
                exp, msg, ids = [], [], []
                for vid, r in bad.iterrows():
                    t = tried.loc[vid]
                    dens = fitting_denominators(int(t["mant"]), int(t["dec"]), prm.grim_max_n,
                                                count=int(t["k"]) if t["k"] >= 0 else None)[: prm.grim_max_listed]
                    exp.append(f"denominators that fit: {', '.join(map(str, dens)) or 'none'}")
                    what = f"{t['value']}% ({t['k']} patients)" if t["k"] >= 0 else f"{t['value']}%"
                    msg.append(f"{what} cannot be a proportion of any sample size printed for this study ({r['ns']}).")
                    ids.append([vid] + ([t["count_id"]] if t["count_id"] else []))
                issues.append(ctx.issues(bad.index, "grim_percent", "warning",
                                         [f"{tried.loc[i, 'value']}%" for i in bad.index], exp, msg, ids))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec


def _attainable(n: int, m: int, d: int) -> bool:
    lo, hi = grim_count_range([n], [m], [d])
    return bool(lo[0] <= hi[0])


@register("parts_vs_total", "error",
          "Parts of a partition against their total (counts) or 100% (percentages); arm sizes against N.")
def parts_vs_total(ctx: AuditContext):
    """Compare the members of each partition with the whole they should add up to.

    Counts: sum above the total is an error, below it info (categories may be unprinted).
    Percentages: sum compared with the total's value (when a percentage) or
    ``partition_percent_total``, allowing ±0.5 unit of each member's (and the total's) printed
    precision; above: error, below: warning. Arm sizes (``n`` rows of a study's arms sharing
    endpoint/subgroup/timepoint, outside partitions) against the study's N: above: error,
    below: warning. Sums are exact (integer arithmetic on scaled decimals).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rows = [{"value_id": f"c{i}", "quantity": "count", "value": x, "partition_id": "P", "total_id": "n"}
    ...         for i, x in enumerate(["10", "20", "18"])] + [{"value_id": "n", "quantity": "n", "value": "45"}]
    >>> parts_vs_total(toy_review(values=rows))[0].loc[0, ["severity", "reported", "expected"]].tolist()
    ['error', 'sum 48', '45']
    """
    v = ctx.values
    issues, recs = [], []
    S = 6
    scale = lambda m, d: m.astype("int64") * np.power(10, (S - d).clip(lower=0)).astype("int64")  # noqa: E731
    mem = v[(v["partition_id"] != "") & v["ok"] & v["bnd"].eq("point")].copy()
    if not mem.empty:
        mem["kind"] = np.where(mem["quantity"].eq("percent") | mem["unit"].eq("percent"), "percent", "count")
        mem["sc"] = scale(mem["mant"], mem["dec"])
        mem["half"] = 5 * np.power(10, (S - 1 - mem["dec"]).clip(lower=0)).astype("int64")
        mem = mem.sort_values(["voff", "value_id"], kind="stable")
        g = mem.groupby(["partition_id", "kind"], sort=True)
        agg = g.agg(total=("sc", "sum"), tol=("half", "sum"), k=("value_id", "size"),
                    ids=("value_id", list), first=("value_id", "first"),
                    total_id=("total_id", "max"))
        agg = agg.reset_index()
        byid = ctx.by_id
        t = byid.reindex(agg["total_id"])
        t_ok = t["ok"].fillna(False).to_numpy(dtype=bool)
        t_sc = np.where(t_ok, t["mant"].fillna(0).to_numpy() * np.power(10, (S - t["dec"].fillna(0)).clip(lower=0).to_numpy()), 0).astype("int64")
        t_pct = t_ok & (t["quantity"].eq("percent") | t["unit"].eq("percent")).to_numpy(dtype=bool)
        is_cnt = (agg["kind"] == "count").to_numpy()
        target = np.where(is_cnt | t_pct, t_sc, int(round(ctx.params.partition_percent_total * 10 ** S)))
        tol = np.where(is_cnt, 0, agg["tol"].to_numpy() + np.where(
            t_pct, 5 * np.power(10, (S - 1 - t["dec"].fillna(0)).clip(lower=0).to_numpy()), 0)).astype("int64")
        judged = (agg["k"].to_numpy() >= 2) & (~is_cnt | t_ok)
        sm = agg["total"].to_numpy()
        bad = judged & (np.abs(sm - target) > tol)
        cnt_rows = agg[judged & is_cnt]
        recs.append(ctx.recomputed(list(cnt_rows["total_id"]), "parts_vs_total",
                                   [fmt(x / 10 ** S) for x in cnt_rows["total"]],
                                   ["sum of partition " + x for x in cnt_rows["partition_id"]],
                                   np.where(bad[judged & is_cnt], "inconsistent", "consistent")))
        for i in np.flatnonzero(bad):
            r = agg.iloc[i]
            shown = fmt(sm[i] / 10 ** S)
            over = sm[i] > target[i]
            if is_cnt[i]:
                tv = t["value"].iloc[i]
                word = "more" if over else "fewer"
                issues.append(ctx.issues([r["first"]], "parts_vs_total", "error" if over else "info", [f"sum {shown}"], [tv],
                                         [f"The parts add up to {shown}, {word} than the total of {tv} they belong to."],
                                         [r["ids"] + [r["total_id"]]]))
            else:
                tgt = (t["value"].iloc[i] if t_pct[i] else fmt(ctx.params.partition_percent_total)) + "%"
                word = "more" if over else "less"
                issues.append(ctx.issues([r["first"]], "parts_vs_total", "error" if over else "warning", [f"sum {shown}%"], [tgt],
                                         [f"The percentages of one whole add up to {shown}%, {word} than {tgt} even allowing for rounding."],
                                         [r["ids"] + ([r["total_id"]] if r["total_id"] else [])]))
    # arm sizes against the study N
    arms = v[(v["quantity"] == "n") & (v["study_id"] != "") & (v["armn"] != "total") & v["ok"]
             & v["comp"].eq("=") & v["partition_id"].eq("")]
    if not arms.empty:
        key = ["study_id", "endpoint", "subgroup", "timepoint", "unit"]
        g = arms.groupby(key + ["armn"], sort=False)
        per = g.agg(nv=("valkey", "nunique"), num=("num", "first"), ids=("value_id", list)).reset_index()
        per = per[per["nv"] == 1]
        grp = per.groupby(key, sort=True).agg(narms=("armn", "size"), total=("num", "sum"),
                                              ids=("ids", lambda s: [i for x in s for i in x]),
                                              arms=("armn", lambda s: list(s)), nums=("num", list)).reset_index()
        grp = grp[grp["narms"] >= 2].merge(ctx.study_n, on="study_id", how="inner")
        byid = ctx.by_id
        for _, r in grp.iterrows():
            nrow = byid.loc[r["n_id"]]
            if nrow["unit"] != r["unit"]:
                continue
            if r["total"] == r["n"]:
                continue
            sev = "error" if r["total"] > r["n"] else "warning"
            parts = " + ".join(fmt(x) for x in r["nums"])
            issues.append(ctx.issues([r["ids"][0]], "parts_vs_total", sev, [f"{parts} = {fmt(r['total'])}"],
                                     [fmt(r["n"])],
                                     [f"The group sizes ({parts}) add up to {fmt(r['total'])}, not to the study's {fmt(r['n'])} patients."],
                                     [r["ids"] + [r["n_id"]]]))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec


@register("impossible_value", "error",
          "Numbers that cannot be printed: p = 0, p > 1, percent or rate > 100, count above its denominator, ratio ≤ 0.")
def impossible_value(ctx: AuditContext):
    """Flag printings that are impossible whatever the data.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "p", "quantity": "p_value", "value": "0.000"},
    ...                         {"value_id": "q", "quantity": "percent", "value": "105.0"}])
    >>> sorted(impossible_value(rv)[0]["value_ids"])
    ['p', 'q']
    """
    v = ctx.values
    okv = v["ok"] & ~v["comp"].isin(["<", "≤"])
    is_p = v["quantity"].eq("p_value")
    pct = v["quantity"].isin(["percent", "rate"]) | v["unit"].eq("percent")
    pct = pct & ~v["bnd"].eq("plus_minus")
    cden = _count_denominators(ctx)
    cnt = v["quantity"].eq("count") & v["ok"]
    den_id = v["value_id"].map(cden).astype(object).fillna("").where(cnt, "")
    den = ctx.by_id["num"].reindex(den_id).to_numpy()
    conds = {
        "p0": is_p & v["ok"] & v["comp"].eq("=") & (v["mant"] == 0),
        "p1": is_p & okv & (v["num"] > 1),
        "pct": pct & okv & (v["num"] > 100),
        "cnt": cnt & (den_id != "") & (v["num"].to_numpy() > np.nan_to_num(den, nan=np.inf)),
        "ratio": v["quantity"].isin(["hr", "or"]) & v["ok"] & v["comp"].eq("=") & (v["num"] <= 0),
    }
    texts = {
        "p0": ("p = {v}", "a p-value above 0 (e.g. P < 0.001)", "A p-value cannot be exactly zero; it should be printed as P < 0.001 or similar."),
        "p1": ("p = {v}", "≤ 1", "A p-value cannot exceed 1."),
        "pct": ("{v}%", "≤ 100%", "A percentage or survival rate cannot exceed 100%."),
        "cnt": ("{v}", "≤ denominator", "The count is larger than the number of patients it is taken from."),
        "ratio": ("{v}", "> 0", "A hazard or odds ratio must be positive."),
    }
    out = []
    for key, mask in conds.items():
        rows = v[mask.to_numpy() if hasattr(mask, "to_numpy") else mask]
        if rows.empty:
            continue
        rep, exp, msg = texts[key]
        ids = [[i] + ([den_id[j]] if key == "cnt" else []) for i, j in zip(rows["value_id"], rows.index)]
        expected = [exp if key != "cnt" else f"≤ {fmt(den[j])}" for j in rows.index]
        out.append(ctx.issues(rows["value_id"], "impossible_value", "error",
                              [rep.format(v=x) for x in rows["value"]], expected, [msg] * len(rows), ids))
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()


@register("range_claim", "error",
          "A printed range 'x%~y%' against the figures it summarises.")
def range_claim(ctx: AuditContext):
    """Compare each range claim with the minimum and maximum of its member figures.

    A member outside the printed range: error. Range ends that are not any member's value:
    warning. No members: not recomputable. Comparison is exact (Fractions).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": i, "quantity": "percent", "value": x} for i, x in
    ...         [("lo", "5.0"), ("hi", "20.0"), ("a", "5"), ("b", "25.0")]]
    >>> cl = [{"claim_id": "c1", "claim_type": "range", "low_id": "lo", "high_id": "hi", "member_ids": "a;b"}]
    >>> range_claim(toy_review(values=vals, claims=cl))[0].loc[0, "severity"]
    'error'
    """
    c = ctx.claims[ctx.claims["claim_type"] == "range"]
    byid = ctx.by_id
    issues, recs = [], []
    for _, r in c.iterrows():
        lo_s = byid.loc[r["low_id"], "value"] if r["low_id"] in byid.index else ""
        hi_s = byid.loc[r["high_id"], "value"] if r["high_id"] in byid.index else ""
        members = [m for m in split_ids(r["member_ids"]) if m in byid.index]
        ends = [x for x in (r["low_id"], r["high_id"]) if x]
        if not members:
            recs.append(ctx.recomputed(ends, "range_claim", "", "no member figures printed", "not_recomputable"))
            continue
        vals = {m: to_fraction(byid.loc[m, "value"]) for m in members}
        vals = {m: x for m, x in vals.items() if x is not None}
        if not vals:
            continue
        lo, hi = to_fraction(lo_s), to_fraction(hi_s)
        mn, mx = min(vals.values()), max(vals.values())
        fmtf = lambda x: fmt(float(x))  # noqa: E731
        status_lo = "consistent" if lo is not None and lo == mn else "inconsistent"
        status_hi = "consistent" if hi is not None and hi == mx else "inconsistent"
        recs.append(ctx.recomputed([x for x in [r["low_id"]] if x], "range_claim", [fmtf(mn)], "min of members", [status_lo]))
        recs.append(ctx.recomputed([x for x in [r["high_id"]] if x], "range_claim", [fmtf(mx)], "max of members", [status_hi]))
        outside = [m for m, x in vals.items() if (lo is not None and x < lo) or (hi is not None and x > hi)]
        ov = {"section": [r["section"]], "location": [r["location"]], "refs": [r["refs"]],
              "quantity": [r["quantity"]]}
        rep = f"{lo_s}~{hi_s}"
        exp = f"{fmtf(mn)}~{fmtf(mx)}"
        if outside:
            names = ", ".join(byid.loc[m, "value"] for m in outside)
            issues.append(ctx.issues([r["low_id"] or members[0]], "range_claim", "error", [rep], [exp],
                                     [f"The range {rep} leaves out figure(s) {names} that it claims to summarise."],
                                     [ends + members], study_ids=[""], override=ov))
        elif (lo is not None and lo not in vals.values()) or (hi is not None and hi not in vals.values()):
            issues.append(ctx.issues([r["low_id"] or members[0]], "range_claim", "warning", [rep], [exp],
                                     [f"The ends of the range {rep} are not among the figures it summarises (those span {exp})."],
                                     [ends + members], study_ids=[""], override=ov))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec


@register("unit_mix", "warning",
          "A time quantity given in a minority unit (e.g. weeks) where other studies use another (months).")
def unit_mix(ctx: AuditContext):
    """Flag medians/means whose time unit differs from the one most studies use for that endpoint.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": f"v{i}", "study_id": s, "quantity": "median", "endpoint": "pfs", "unit": u, "value": "16"}
    ...         for i, (s, u) in enumerate([("a", "months"), ("b", "months"), ("c", "weeks")])]
    >>> unit_mix(toy_review(values=vals))[0].loc[0, "value_ids"]
    'v2'
    """
    v = ctx.values
    t = v[v["quantity"].isin(["median", "mean"]) & v["unit"].isin(["months", "weeks", "days"]) & (v["ok"] | v["is_nr"])]
    if t.empty:
        return empty_issues(), empty_recomputed()
    cnt = t.groupby(["quantity", "endpoint", "unit"]).agg(ns=("study_id", "nunique"), nv=("value_id", "size")).reset_index()
    cnt = cnt.sort_values(["quantity", "endpoint", "ns", "nv", "unit"], ascending=[True, True, False, False, True])
    top = cnt.groupby(["quantity", "endpoint"]).head(2)
    modal = cnt.groupby(["quantity", "endpoint"]).head(1).rename(columns={"unit": "modal"})
    second = top.groupby(["quantity", "endpoint"]).nth(1)
    tie = modal.merge(second, on=["quantity", "endpoint"], suffixes=("", "_2"))
    tie = tie[(tie["ns"] == tie["ns_2"]) & (tie["nv"] == tie["nv_2"])][["quantity", "endpoint"]]
    modal = modal.merge(tie, how="left", indicator=True)
    modal = modal[modal["_merge"] == "left_only"][["quantity", "endpoint", "modal"]]
    odd = t.merge(modal, on=["quantity", "endpoint"])
    odd = odd[odd["unit"] != odd["modal"]]
    if odd.empty:
        return empty_issues(), empty_recomputed()
    conv = [fmt(x) for x in odd["months"]]
    msg = [f"This {q} is given in {u} while other studies use {m}; {x} {u} is about {c} months."
           for q, u, m, x, c in zip(odd["quantity"], odd["unit"], odd["modal"], odd["value"], conv)]
    iss = ctx.issues(odd["value_id"], "unit_mix", "warning", [f"{x} {u}" for x, u in zip(odd["value"], odd["unit"])],
                     [f"{c} months" for c in conv], msg, [[i] for i in odd["value_id"]])
    return iss, empty_recomputed()
