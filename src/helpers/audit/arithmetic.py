"""Checks recomputing figures from other printed figures (counts, denominators, partitions)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import STANDARD_ARMS, AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_dec, int_str, join_cols
from .grouping import gjoin, map_str
from .numeric import grim_count_range, percent_conventions
from .pairing import count_denominators, count_readings
from .registry import register

_CONV = ("half_up", "half_even", "truncation")


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
    cden = count_denominators(ctx)
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
    rec_nr = ctx.recomputed(nr["value_id"], "", "count or denominator not usable",
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
    rec = ctx.recomputed(u["value_id"], shown,
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
    iss = ctx.issues(bad["value_id"], sev, bp + "% (" + bk + "/" + bn + ")", ex, msgs,
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
    cden = count_denominators(ctx)
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
        recs.append(ctx.recomputed(ex["value_id"], np.where(fits, "k=" + int_str(lo).to_numpy(dtype=object) + ".."
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
            issues.append(ctx.issues(c["value_id"], "info", c["value"] + "% of " + c["n_x"].astype(str),
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
            issues.append(ctx.issues(bad["value_id"], "error", bad["value"] + "% of " + bad["n"].astype(str),
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
            recs.append(ctx.recomputed(fit.index, np.where(fit.to_numpy(), "fits one of " + nstr, "fits none of " + nstr),
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
                issues.append(ctx.issues(t["value_id"], sev, t["value"] + "%", exp, msg,
                                         join_cols(t["value_id"], t["count_id"].where(hask, ""))))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec
