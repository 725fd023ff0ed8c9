"""Checks recomputing figures from other printed figures (counts, denominators, partitions)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import (STANDARD_ARMS, AuditContext, empty_issues, empty_recomputed, factorize_sorted, fmt,
                      fmt_arr, fmt_dec, gjoin, group_join, int_str, join_cols, map_str, ngroup_codes)
from .numeric import grim_count_range, percent_conventions
from .registry import register

_CONV = ("half_up", "half_even", "truncation")


def _count_denominators(ctx: AuditContext) -> pd.Series:
    """value_id of each count row -> denominator value_id (own, else from a percent linking it)."""
    return ctx.memo("count_denominators", lambda: _count_denominators_(ctx))


def _count_denominators_(ctx: AuditContext) -> pd.Series:
    v = ctx.values
    own = v.loc[ctx.eq("quantity", "count") & ~ctx.blank("denominator_id"), ["value_id", "denominator_id"]]
    via = v.loc[ctx.eq("quantity", "percent") & ~ctx.blank("count_id") & ~ctx.blank("denominator_id"),
                ["count_id", "denominator_id"]].rename(columns={"count_id": "value_id"})
    both = pd.concat([own, via], ignore_index=True).drop_duplicates("value_id", keep="first")
    return both.set_index("value_id")["denominator_id"].astype(object)


def count_readings(ctx: AuditContext) -> pd.DataFrame:
    """Percentages whose printed "denominator" reads better as their count.

    A clause such as "N patients … X%" is extracted with N as the denominator of X%. When no
    whole number out of N gives X% but N out of the study's declared N (``studies.n_id``) does,
    N is the count and the study's N the denominator: the percentage is attainable, and only the
    wording is ambiguous. Returns ``value_id, den_id, n_id, n`` of those percentage rows.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[
    ...     {"value_id": "N", "study_id": "s", "quantity": "n", "value": "62"},
    ...     {"value_id": "d", "study_id": "s", "quantity": "n", "value": "13", "endpoint": "adverse_event"},
    ...     {"value_id": "p", "study_id": "s", "quantity": "percent", "value": "21.0", "denominator_id": "d"}],
    ...     studies=[{"study_id": "s", "n_id": "N"}])
    >>> count_readings(AuditContext(rv))[["value_id", "n"]].values.tolist()   # 13/62 = 21.0 %
    [['p', 62.0]]
    """
    return ctx.memo("count_readings", lambda: _count_readings(ctx))


def _count_readings(ctx: AuditContext) -> pd.DataFrame:
    v = ctx.values
    cols = ["value_id", "den_id", "n_id", "n"]
    p = v.loc[ctx.eq("quantity", "percent") & v["simple"].to_numpy() & ctx.blank("count_id") & ~ctx.blank("denominator_id"),
              ["value_id", "study_id", "denominator_id", "mant", "dec"]]
    if p.empty:
        return pd.DataFrame(columns=cols)
    d = ctx.take(ctx.pos(p["denominator_id"]), ["ok", "dec", "mant"])
    okd = d["ok"].fillna(False).to_numpy(dtype=bool) & (d["dec"].fillna(1).to_numpy() == 0) & (d["mant"].fillna(0).to_numpy() > 0)
    p = p[okd].assign(k=d["mant"].to_numpy()[okd].astype("int64"))
    lo, hi = grim_count_range(p["k"], p["mant"], p["dec"])
    p = p[lo > hi].merge(ctx.study_n, on="study_id", how="inner")
    p = p[(p["n"] == p["n"].round()) & (p["n"] >= p["k"]) & (p["n_id"] != p["denominator_id"])]
    if p.empty:
        return pd.DataFrame(columns=cols)
    fits = percent_conventions(p["k"], p["n"].astype("int64"), p["mant"], p["dec"])["interval"].to_numpy()
    p = p[fits].rename(columns={"denominator_id": "den_id"})
    return p[cols].drop_duplicates("value_id").reset_index(drop=True)


@register("percent_vs_count", "error",
          "A percentage recomputed from its printed count and denominator (rounding-aware).", cost=3)
def percent_vs_count(ctx: AuditContext):
    """Recompute each percentage from its printed count and denominator.

    Accepts any exact value inside the closed rounding interval of the printed precision and
    reports which conventions (half_up, half_even, truncation) reproduce the printed figure.
    Integer arithmetic only. Off by at most ``percent_slip_units`` units of the last digit beyond
    the interval: warning; further: error. When the count exceeds the denominator and the
    exchanged fraction gives the percentage, the message says so.

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
    sel = ctx.eq("quantity", "percent") & ~ctx.blank("count_id") & v["ok"].to_numpy()
    pc = v.loc[sel, ["value_id", "count_id", "denominator_id", "mant", "dec", "comp", "value"]]
    if pc.empty:
        return empty_issues(), empty_recomputed()
    cden = _count_denominators(ctx)
    own = pc["denominator_id"].to_numpy(dtype=object) != ""
    den_id = pc["denominator_id"].to_numpy(dtype=object).copy()
    den_id[~own] = pd.Series(pc["count_id"].to_numpy(dtype=object)[~own], dtype=object).map(cden).astype(object).fillna("").to_numpy(dtype=object)
    pc["den_id"] = den_id
    npos = ctx.id_pos("denominator_id")[sel].copy()
    npos[~own] = ctx.pos(den_id[~own])
    cols = ["ok", "dec", "mant", "num"]
    k = ctx.take(ctx.id_pos("count_id")[sel], cols)
    n = ctx.take(npos, cols)
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
    exact = 100.0 * u["k"].to_numpy() / u["n"].to_numpy()
    shown = fmt_dec(exact, u["dec"].to_numpy() + 2)
    status = np.where(conv["interval"], "consistent", "inconsistent")
    ks, ns = int_str(u["k"]), int_str(u["n"])
    rec = ctx.recomputed(u["value_id"], "percent_vs_count", shown,
                         "exact " + ks + "/" + ns + "; conventions: " + pd.Series(methods, dtype=object), status)
    badm = ~conv["interval"].to_numpy()
    bad = u[badm].reset_index(drop=True)
    if bad.empty:
        return empty_issues(), pd.concat([rec, rec_nr], ignore_index=True)
    du = np.abs(conv["diff_units"].to_numpy()[badm])
    sev = np.where(du <= 0.5 + ctx.params.percent_slip_units, "warning", "error")
    ex = pd.Series(shown[badm], dtype=object)
    bk, bn, bp = int_str(bad["k"]), int_str(bad["n"]), bad["value"].astype(str)
    # count and denominator exchanged? (k > n and n/k gives the printed percentage)
    swapped = (bad["k"] > bad["n"]).to_numpy() & percent_conventions(
        bad["n"].clip(lower=0), bad["k"].clip(lower=1), bad["mant"], bad["dec"])["interval"].to_numpy()
    msgs = ("The percentage " + bp + "% does not match the printed count and denominator " + bk + "/" + bn
            + ", which give " + ex + "%" + pd.Series(np.where(swapped, "; the two numbers appear exchanged (" + bn + "/" + bk
                                                                + " gives it)", ""), dtype=object) + ".")
    iss = ctx.issues(bad["value_id"], "percent_vs_count", sev, bp + "% (" + bk + "/" + bn + ")", ex, msgs,
                     join_cols(bad["value_id"], bad["count_id"], bad["den_id"]))
    return iss, pd.concat([rec, rec_nr], ignore_index=True)


def _fitting_table(m, d, k, max_n: int, listed: int) -> np.ndarray:
    """For each (mantissa, decimals, count or -1): the first ``listed`` denominators ≤ max_n that fit.

    Computed once per distinct triple (vectorised over 1..max_n); returns comma-joined strings.
    """
    key = pd.DataFrame({"m": np.asarray(m, dtype="int64"), "d": np.asarray(d, dtype="int64"),
                        "k": np.asarray(k, dtype="int64")})
    uq = key.drop_duplicates().reset_index(drop=True)
    codes = key.merge(uq.assign(_i=np.arange(len(uq))), on=["m", "d", "k"], how="left")["_i"].to_numpy()
    ns = np.arange(1, max_n + 1, dtype="int64")[None, :]
    um, ud, uk = (uq[c].to_numpy(dtype="int64")[:, None] for c in ("m", "d", "k"))
    s = 200 * np.power(10, ud)
    lo = np.maximum(-(-((2 * um - 1) * ns) // s), 0)
    hi = np.minimum(((2 * um + 1) * ns) // s, ns)
    with_k = (uk >= 0) & (np.abs(200 * np.maximum(uk, 0) * np.power(10, ud) - 2 * um * ns) <= ns) & (ns >= uk)
    fits = np.where(uk >= 0, with_k, lo <= hi)
    strs = np.empty(len(uq), dtype=object)
    for i in range(len(uq)):  # one per distinct printed percentage
        strs[i] = ", ".join(map(str, ns[0][fits[i]][:listed])) or "none"
    return strs[codes]


def _named_group_size_unprinted(ctx: AuditContext, rows: pd.DataFrame) -> np.ndarray:
    """Rows whose arm is a named group or whose subgroup is a population subset, and for which
    no sample size (an ``n`` row of the same study, arm and subgroup) is printed."""
    named = (~rows["armn"].isin(STANDARD_ARMS) | rows["popsub"]).to_numpy(dtype=bool)
    v = ctx.values
    nrows = v.loc[ctx.eq("quantity", "n") & ~ctx.blank("study_id"), ["study_id", "armn", "subgroup", "popsub"]]
    sub = rows["subgroup"].where(rows["popsub"], "")
    key = rows["study_id"] + "\x1f" + rows["armn"] + "\x1f" + sub
    have = set(nrows["study_id"] + "\x1f" + nrows["armn"] + "\x1f" + nrows["subgroup"].where(nrows["popsub"], ""))
    return named & ~key.isin(have).to_numpy(dtype=bool)


@register("grim_percent", "error",
          "Percentages no integer count over the stated (or any of the study's) denominators can give.", cost=2)
def grim_percent(ctx: AuditContext):
    """GRIM test for percentages printed without their count.

    With a printed denominator (``denominator_id``) an unattainable percentage is an error; the
    evidence lists which of the study's other sample sizes (N, arm sizes) would fit and the
    smallest denominators up to ``grim_max_n`` that fit. Without one, the percentage is tried
    against every sample size printed for the study (its N and every ``n`` row); if none fits it
    is a warning — or info when the percentage belongs to a named group or patient subgroup
    whose size is not printed (its denominator is then simply unknown). A percentage printed
    with its count but no denominator is tried the same way (``percent_vs_count`` cannot run).

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
    p = v.loc[ctx.eq("quantity", "percent") & v["simple"].to_numpy() & (v["num"].to_numpy() <= 100),
              ["value_id", "study_id", "denominator_id", "count_id", "mant", "dec", "value", "armn", "popsub", "subgroup"]]
    p["den_id"] = p["denominator_id"].where(p["denominator_id"] != "",
                                            p["count_id"].map(cden).astype(object).fillna(""))
    p = p[~(p["count_id"].ne("") & p["den_id"].ne(""))]
    issues, recs = [], []
    ns_all = ctx.printed_ns
    ns_int = ns_all[(ns_all["n"] > 0) & (ns_all["n"] == ns_all["n"].round())]
    # (1) explicit denominator, no count
    ex = p[p["den_id"] != ""].copy()
    if not ex.empty:
        n = ctx.take(ctx.pos(ex["den_id"]), ["ok", "dec", "num", "mant"])
        okn = n["ok"].fillna(False).to_numpy(dtype=bool) & (n["dec"].fillna(1).to_numpy() == 0) & (n["num"].fillna(0).to_numpy() > 0)
        ex = ex[okn].copy()
        ex["n"] = n["mant"].to_numpy()[okn].astype("int64")
        lo, hi = grim_count_range(ex["n"], ex["mant"], ex["dec"])
        fits = lo <= hi
        exn = int_str(ex["n"])
        recs.append(ctx.recomputed(ex["value_id"], "grim_percent",
                                   np.where(fits, "k=" + int_str(lo).to_numpy(dtype=object) + ".."
                                            + int_str(hi).to_numpy(dtype=object) + " of " + exn.to_numpy(dtype=object),
                                            "no k of " + exn.to_numpy(dtype=object)),
                                   "grim: stated denominator", np.where(fits, "consistent", "inconsistent")))
        bad = ex[~fits].reset_index(drop=True)
        # "N patients … X%": N out of the study's N gives X% -> N is the count, not the denominator
        cr = count_readings(ctx)
        as_count = bad["value_id"].isin(set(cr["value_id"])).to_numpy()
        if as_count.any():
            c = bad[as_count].merge(cr[["value_id", "n_id", "n"]], on="value_id")
            nn = int_str(c["n_y"])
            msg_c = ("No whole number of patients out of " + c["n_x"].astype(str) + " gives " + c["value"] + "%, but "
                     + c["n_x"].astype(str) + " of the study's " + nn + " patients is " + c["value"]
                     + "%: the clause reads as a count with its percentage, and its wording leaves the denominator unstated.")
            issues.append(ctx.issues(c["value_id"], "grim_percent", "info", c["value"] + "% of " + c["n_x"].astype(str),
                                     c["n_x"].astype(str) + "/" + nn, msg_c, join_cols(c["value_id"], c["den_id"], c["n_id"])))
            bad = bad[~as_count].reset_index(drop=True)
        if not bad.empty:
            # the study's other sample sizes that would fit (one id per distinct size)
            o = bad[["value_id", "study_id", "den_id", "mant", "dec"]].merge(
                ns_int.rename(columns={"value_id": "nid"}), on="study_id", how="inner")
            o = o[o["nid"] != o["den_id"]]
            if not o.empty:
                lo2, hi2 = grim_count_range(o["n"].astype("int64"), o["mant"], o["dec"])
                o = o[lo2 <= hi2]
            sn = set(ctx.study_n["n_id"])
            o = o.assign(_isn=~o["nid"].isin(sn)).sort_values(["value_id", "n", "_isn", "nid"], kind="stable")
            o = o.drop_duplicates(["value_id", "n"])
            o["ns"] = int_str(o["n"])
            g = o.groupby("value_id", sort=False)
            fit_ns = gjoin(g, "ns", ", ")
            fit_ids = gjoin(g, "nid", ";")
            fo = map_str(bad["value_id"], fit_ns)
            fid = map_str(bad["value_id"], fit_ids)
            dens = _fitting_table(bad["mant"], bad["dec"], np.full(len(bad), -1), prm.grim_max_n, prm.grim_max_listed)
            exp = "denominators that fit: " + pd.Series(dens, dtype=object) + "; study sizes that fit: " + fo.where(fo != "", "none")
            msg = ("No whole number of patients out of " + bad["n"].astype(str) + " gives " + bad["value"] + "%"
                   + pd.Series(np.where(fo != "", "; it would fit a denominator of " + fo + " printed elsewhere for this study.", "."),
                               dtype=object))
            issues.append(ctx.issues(bad["value_id"], "grim_percent", "error", bad["value"] + "% of " + bad["n"].astype(str),
                                     exp, msg, join_cols(bad["value_id"], bad["den_id"], fid)))
    # (2) no denominator: try every sample size printed for the study
    im = p[(p["den_id"] == "") & (p["study_id"] != "")].copy()
    if not im.empty:
        cnt = ctx.take(ctx.pos(im["count_id"]), ["ok", "mant"])
        im["k"] = np.where(im["count_id"].ne("").to_numpy() & cnt["ok"].fillna(False).to_numpy(dtype=bool),
                           cnt["mant"].fillna(-1).to_numpy(), -1).astype("int64")
        m = im[["value_id", "study_id", "mant", "dec", "k"]].merge(ns_int, on="study_id", how="inner",
                                                                    suffixes=("", "_n"))
        if not m.empty:
            nn = m["n"].astype("int64").to_numpy()
            lo, hi = grim_count_range(nn, m["mant"], m["dec"])
            conv = percent_conventions(np.maximum(m["k"], 0), nn, m["mant"], m["dec"])
            m["fit"] = np.where(m["k"] >= 0, conv["interval"].to_numpy() & (m["k"].to_numpy() <= nn), lo <= hi)
            fit = m.groupby("value_id", sort=False)["fit"].any()
            md = m.drop_duplicates(["value_id", "n"]).sort_values(["value_id", "n"], kind="stable")
            nsj = gjoin(md.assign(s=int_str(md["n"])).groupby("value_id", sort=False), "s", ",")
            tried = im.set_index("value_id").loc[fit.index]
            nstr = nsj.reindex(fit.index).to_numpy(dtype=object)
            recs.append(ctx.recomputed(fit.index, "grim_percent",
                                       np.where(fit.to_numpy(), "fits one of " + nstr, "fits none of " + nstr),
                                       "grim: study sample sizes", np.where(fit.to_numpy(), "consistent", "inconsistent")))
            badi = fit.index[~fit.to_numpy()]
            if len(badi):
                t = tried.loc[badi].reset_index()
                dens = _fitting_table(t["mant"], t["dec"], t["k"], prm.grim_max_n, prm.grim_max_listed)
                exp = "denominators that fit: " + pd.Series(dens, dtype=object)
                hask = (t["k"] >= 0).to_numpy()
                what = pd.Series(np.where(hask, t["value"] + "% (" + t["k"].astype(str) + " patients)", t["value"] + "%"), dtype=object)
                unknown = _named_group_size_unprinted(ctx, t)
                sev = np.where(unknown, "info", "warning")
                msg = (what + " cannot be a proportion of any sample size printed for this study ("
                       + pd.Series(nsj.reindex(badi).to_numpy(dtype=object), dtype=object) + ")"
                       + pd.Series(np.where(unknown, "; it refers to a group whose size is not printed.", "."), dtype=object))
                issues.append(ctx.issues(t["value_id"], "grim_percent", sev, t["value"] + "%", exp, msg,
                                         join_cols(t["value_id"], t["count_id"].where(hask, ""))))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec


@register("parts_vs_total", "error",
          "Parts of a partition against their total (counts) or 100% (percentages); arm sizes against N.", cost=3)
def parts_vs_total(ctx: AuditContext):
    """Compare the members of each partition with the whole they should add up to.

    Counts: sum above the total is an error, below it info (categories may be unprinted).
    Percentages: sum compared with the total's value (when a percentage) or
    ``partition_percent_total``, allowing ±0.5 unit of each member's (and the total's) printed
    precision; above: error, below: info (categories may be unprinted), or a warning when the
    shortfall exceeds ``partition_shortfall_pp`` points. Arm sizes (``n`` rows of
    a study's arms with blank endpoint and subgroup — trial arms as such — outside partitions)
    against the study's N: above: error, below: warning. Denominators of an endpoint (e.g. the
    patients who progressed) are subsets, not arm sizes, and are not summed. Sums are exact
    (integer arithmetic on scaled decimals).

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
    sel = ~ctx.blank("partition_id") & v["ok"].to_numpy() & ctx.eq("bnd", "point")
    rows = np.flatnonzero(sel)
    if len(rows):
        rows = rows[np.argsort(ctx.vord[rows], kind="stable")]  # members in text order
        vid = v["value_id"].to_numpy(dtype=object)[rows]
        pcode, pnames = factorize_sorted(v["partition_id"].to_numpy(dtype=object)[rows])
        pct = (ctx.eq("quantity", "percent") | ctx.eq("unit", "percent"))[rows]
        # groups (partition, kind) numbered in sorted order ("count" < "percent")
        gid = ngroup_codes([pcode, pct.astype("int64")], sort=True)
        order = np.argsort(gid, kind="stable")
        gs = gid[order]
        starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
        mant = v["mant"].to_numpy()[rows].astype("int64")
        dec = v["dec"].to_numpy()[rows].astype("int64")
        sc = mant * np.power(10, np.clip(S - dec, 0, None)).astype("int64")
        half = 5 * np.power(10, np.clip(S - 1 - dec, 0, None)).astype("int64")
        # the partition's total: the (last-sorted) non-blank total_id of its members
        tids = v["total_id"].to_numpy(dtype=object)[rows]
        has = tids != ""
        best = np.full(len(starts), -1, dtype="int64")
        tcode, tnames = factorize_sorted(tids[has])
        np.maximum.at(best, gid[has], tcode)
        agg = pd.DataFrame({
            "partition_id": pnames[pcode[order][starts]],
            "kind": np.where(pct[order][starts], "percent", "count").astype(object),
            "total": np.add.reduceat(sc[order], starts),
            "tol": np.add.reduceat(half[order], starts),
            "k": np.diff(np.r_[starts, len(order)]),
            "first": vid[order][starts],
            "ids": group_join(gid, vid, ";", n_groups=len(starts)),
            "total_id": np.where(best >= 0, tnames[np.maximum(best, 0)] if len(tnames) else "", "").astype(object),
        })
        t = ctx.take(ctx.pos(agg["total_id"]), ["ok", "mant", "dec", "quantity", "unit", "value"])
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
        cm = judged & is_cnt
        cnt_rows = agg[cm]
        recs.append(ctx.recomputed(cnt_rows["total_id"], "parts_vs_total", fmt_arr(cnt_rows["total"].to_numpy() / 10 ** S),
                                   "sum of partition " + cnt_rows["partition_id"],
                                   np.where(bad[cm], "inconsistent", "consistent")))
        b = agg[bad].reset_index(drop=True)
        if not b.empty:
            sb, tb = sm[bad], target[bad]
            shown = pd.Series(fmt_arr(sb / 10 ** S), dtype=object)
            over = sb > tb
            cnt = is_cnt[bad]
            tv = pd.Series(t["value"].fillna("").to_numpy(dtype=object)[bad], dtype=object)
            tgt = pd.Series(np.where(t_pct[bad], tv, fmt(ctx.params.partition_percent_total)), dtype=object) + "%"
            # a percentage whole short of its total: an unprinted category is ordinary for a few
            # points, worth a look beyond ``partition_shortfall_pp``; counts short: info
            short_pp = (tb - sb) / 10 ** S
            sev = np.where(over, "error", np.where(~cnt & (short_pp > ctx.params.partition_shortfall_pp), "warning", "info"))
            cword = pd.Series(np.where(over, "more", "fewer"), dtype=object)
            pword = pd.Series(np.where(over, "more", "less"), dtype=object)
            rep = pd.Series(np.where(cnt, "sum " + shown, "sum " + shown + "%"), dtype=object)
            exp = pd.Series(np.where(cnt, tv, tgt), dtype=object)
            msg = pd.Series(np.where(cnt, "The parts add up to " + shown + ", " + cword + " than the total of " + tv + " they belong to.",
                                     "The percentages of one whole add up to " + shown + "%, " + pword + " than " + tgt
                                     + " even allowing for rounding"
                                     + pd.Series(np.where(over, ".", " (" + pd.Series(fmt_arr(np.round(short_pp, 6)), dtype=object)
                                                          + " points short: a category may be unprinted)."), dtype=object)),
                           dtype=object)
            issues.append(ctx.issues(b["first"], "parts_vs_total", sev, rep, exp, msg, join_cols(b["ids"], b["total_id"])))
    # arm sizes against the study N: trial arms as such (blank endpoint and subgroup)
    sel = (ctx.eq("quantity", "n") & ~ctx.blank("study_id") & ~ctx.eq("armn", "total") & v["ok"].to_numpy()
           & ctx.eq("comp", "=") & ctx.blank("partition_id") & ctx.blank("endpoint") & ctx.blank("subgroup"))
    arms = v.loc[sel, ["study_id", "timepoint", "unit", "armn", "valkey", "num", "voff", "value_id"]].assign(_vo=ctx.vord[sel])
    if not arms.empty:
        key = ["study_id", "timepoint", "unit"]
        arms = arms.sort_values("_vo", kind="stable")
        g = arms.groupby(key + ["armn"], sort=False)
        per = g.agg(nv=("valkey", "nunique"), num=("num", "first"), off=("voff", "first"))
        per["ids"] = gjoin(g, "value_id", ";")
        per = per.reset_index()
        per = per[per["nv"] == 1].sort_values(key + ["off"], kind="stable")
        per["numf"] = fmt_arr(per["num"])
        gp = per.groupby(key, sort=True)
        grp = gp.agg(narms=("armn", "size"), total=("num", "sum"), first=("ids", "first"))
        grp["ids"] = gjoin(gp, "ids", ";")
        grp["parts"] = gjoin(gp, "numf", " + ")
        grp = grp.reset_index()
        grp = grp[grp["narms"] >= 2].merge(ctx.study_n, on="study_id", how="inner")
        if not grp.empty:
            nunit = ctx.take(ctx.pos(grp["n_id"]), ["unit"])["unit"].fillna("").to_numpy(dtype=object)
            grp = grp[(nunit == grp["unit"].to_numpy(dtype=object)) & (grp["total"] != grp["n"]).to_numpy()].reset_index(drop=True)
        if not grp.empty:
            sev = np.where(grp["total"] > grp["n"], "error", "warning")
            tot, nn = pd.Series(fmt_arr(grp["total"]), dtype=object), pd.Series(fmt_arr(grp["n"]), dtype=object)
            issues.append(ctx.issues(grp["first"].str.split(";").str[0], "parts_vs_total", sev, grp["parts"] + " = " + tot, nn,
                                     "The group sizes (" + grp["parts"] + ") add up to " + tot + ", not to the study's " + nn + " patients.",
                                     join_cols(grp["ids"], grp["n_id"])))
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
    okv = v["ok"].to_numpy() & ~ctx.eq("comp", "<", "≤")
    is_p = ctx.eq("quantity", "p_value")
    pct = ctx.eq("quantity", "percent", "rate") | ctx.eq("unit", "percent")
    pct = pct & ~ctx.eq("bnd", "plus_minus")
    cden = _count_denominators(ctx)
    ok, num = v["ok"].to_numpy(), v["num"].to_numpy()
    cnt = ctx.eq("quantity", "count") & ok
    # denominators looked up for the count rows only
    den_id = np.full(len(v), "", dtype=object)
    den_id[cnt] = v["value_id"].to_numpy(dtype=object)[cnt]
    den_id[cnt] = pd.Series(den_id[cnt], dtype=object).map(cden).astype(object).fillna("").to_numpy(dtype=object)
    den = np.full(len(v), np.nan)
    den[cnt] = ctx.take(ctx.pos(den_id[cnt]), ["num"])["num"].to_numpy()
    conds = {
        "p0": is_p & ok & ctx.eq("comp", "=") & (v["mant"].to_numpy() == 0),
        "p1": is_p & okv & (num > 1),
        "pct": pct & okv & (num > 100),
        "cnt": cnt & (den_id != "") & (num > np.nan_to_num(den, nan=np.inf)),
        "ratio": ctx.eq("quantity", "hr", "or") & ok & ctx.eq("comp", "=") & (num <= 0),
    }
    texts = {
        "p0": ("p = ", "", "P < 0.001 (or the bound the precision allows)",
               "A p-value cannot be exactly zero: P = 0.000 is how statistics software prints a p below 0.0005, "
               "and it should be reported as P < 0.001."),
        "p1": ("p = ", "", "≤ 1", "A p-value cannot exceed 1."),
        "pct": ("", "%", "≤ 100%", "A percentage or survival rate cannot exceed 100%."),
        "cnt": ("", "", None, "The count is larger than the number of patients it is taken from."),
        "ratio": ("", "", "> 0", "A hazard or odds ratio must be positive."),
    }
    out = []
    for key, mask in conds.items():
        mk = np.asarray(mask, dtype=bool)
        rows = v.loc[mk, ["value_id", "value"]]
        if rows.empty:
            continue
        pre, post, exp, msg = texts[key]
        if key == "cnt":
            ids = join_cols(rows["value_id"], den_id[mk])
            expected = "≤ " + pd.Series(fmt_arr(den[mk]), dtype=object)
        else:
            ids, expected = rows["value_id"], exp
        # a zero p is a printing convention of statistics software, not an impossible result
        out.append(ctx.issues(rows["value_id"], "impossible_value", "info" if key == "p0" else "error", pre + rows["value"] + post,
                              np.full(len(rows), expected, dtype=object) if isinstance(expected, str) else expected,
                              np.full(len(rows), msg, dtype=object), ids))
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
    c = ctx.claims[ctx.claims["claim_type"] == "range"].reset_index(drop=True)
    if c.empty:
        return empty_issues(), empty_recomputed()
    c["cid"] = np.arange(len(c))
    c["ends"] = join_cols(c["low_id"], c["high_id"])
    mem = c[["cid", "member_ids"]].assign(m=c["member_ids"].str.split(";")).explode("m")
    mem["m"] = mem["m"].fillna("").str.strip()
    mp = ctx.pos(mem["m"])
    mem = mem[mp >= 0]
    mem["x"] = ctx.take(mp[mp >= 0], ["num"])["num"].to_numpy()
    has_members = c["cid"].isin(set(mem["cid"]))
    recs = [ctx.recomputed(c.loc[~has_members, "low_id"][lambda x: x != ""], "range_claim", "", "no member figures printed",
                           "not_recomputable"),
            ctx.recomputed(c.loc[~has_members, "high_id"][lambda x: x != ""], "range_claim", "", "no member figures printed",
                           "not_recomputable")]
    mem = mem[mem["x"].notna()]
    if mem.empty:
        return empty_issues(), pd.concat(recs, ignore_index=True)
    g = mem.groupby("cid", sort=True)
    agg = pd.DataFrame({"mn": g["x"].min(), "mx": g["x"].max(), "ids": gjoin(g, "m", ";"),
                        "first": g["m"].first()})
    r = c.set_index("cid").loc[agg.index].reset_index()
    r = pd.concat([r, agg.reset_index(drop=True)], axis=1)
    lo_t = ctx.take(ctx.pos(r["low_id"]), ["num", "value"])
    hi_t = ctx.take(ctx.pos(r["high_id"]), ["num", "value"])
    lo, hi = lo_t["num"].to_numpy(), hi_t["num"].to_numpy()
    lo_s = lo_t["value"].fillna("").to_numpy(dtype=object)
    hi_s = hi_t["value"].fillna("").to_numpy(dtype=object)
    mn, mx = r["mn"].to_numpy(), r["mx"].to_numpy()
    has_lo, has_hi = r["low_id"].ne("").to_numpy(), r["high_id"].ne("").to_numpy()
    fmn, fmx = fmt_arr(mn), fmt_arr(mx)
    recs.append(ctx.recomputed(r.loc[has_lo, "low_id"], "range_claim", fmn[has_lo], "min of members",
                               np.where(lo[has_lo] == mn[has_lo], "consistent", "inconsistent")))
    recs.append(ctx.recomputed(r.loc[has_hi, "high_id"], "range_claim", fmx[has_hi], "max of members",
                               np.where(hi[has_hi] == mx[has_hi], "consistent", "inconsistent")))
    # members outside the printed range
    mm = mem.merge(pd.DataFrame({"cid": r["cid"], "lo": lo, "hi": hi}), on="cid")
    out_m = mm[(mm["lo"].notna() & (mm["x"] < mm["lo"])) | (mm["hi"].notna() & (mm["x"] > mm["hi"]))]
    out_names = gjoin(out_m.assign(vs=ctx.take(ctx.pos(out_m["m"]), ["value"])["value"].to_numpy()).groupby("cid"), "vs", ", ")
    names = map_str(r["cid"], out_names).to_numpy(dtype=object)
    # range ends that are no member's value
    in_lo = mm[mm["x"] == mm["lo"]].groupby("cid").size()
    in_hi = mm[mm["x"] == mm["hi"]].groupby("cid").size()
    lo_off = ~np.isnan(lo) & (r["cid"].map(in_lo).fillna(0).to_numpy() == 0)
    hi_off = ~np.isnan(hi) & (r["cid"].map(in_hi).fillna(0).to_numpy() == 0)
    err = names != ""
    warn = ~err & (lo_off | hi_off)
    rep = pd.Series(lo_s + "~" + hi_s, dtype=object)
    exp = pd.Series(fmn + "~" + fmx, dtype=object)
    msg = pd.Series(np.where(err, "The range " + rep + " leaves out figure(s) " + names + " that it claims to summarise.",
                             "The ends of the range " + rep + " are not among the figures it summarises (those span " + exp + ")."),
                    dtype=object)
    sel = err | warn
    if not sel.any():
        return empty_issues(), pd.concat(recs, ignore_index=True)
    b = r[sel]
    prim = b["low_id"].where(b["low_id"] != "", b["first"])
    ov = {"section": b["section"], "location": b["location"], "refs": b["refs"], "quantity": b["quantity"]}
    iss = ctx.issues(prim, "range_claim", np.where(err[sel], "error", "warning"), rep[sel], exp[sel], msg[sel],
                     join_cols(b["ends"], b["ids"]), study_ids=np.full(len(b), "", dtype=object), override=ov)
    return iss, pd.concat(recs, ignore_index=True)


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
    t = v[ctx.eq("quantity", "median", "mean") & ctx.eq("unit", "months", "weeks", "days") & (v["ok"] | v["is_nr"]).to_numpy()]
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
    conv = pd.Series(fmt_arr(odd["months"]), dtype=object)
    q, u, mo, x = (odd[c].reset_index(drop=True).astype(object) for c in ("quantity", "unit", "modal", "value"))
    msg = "This " + q + " is given in " + u + " while other studies use " + mo + "; " + x + " " + u + " is about " + conv + " months."
    iss = ctx.issues(odd["value_id"], "unit_mix", "warning", x + " " + u, conv + " months", msg, odd["value_id"])
    return iss, empty_recomputed()
