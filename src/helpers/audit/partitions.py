"""Checks of figures against the whole they belong to: partitions, impossible values, ranges, units."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt, fmt_arr, join_cols
from .grouping import factorize_sorted, gjoin, group_join, map_str, ngroup_codes
from .pairing import count_denominators
from .registry import register

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
        recs.append(ctx.recomputed(cnt_rows["total_id"], fmt_arr(cnt_rows["total"].to_numpy() / 10 ** S),
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
            issues.append(ctx.issues(b["first"], sev, rep, exp, msg, join_cols(b["ids"], b["total_id"])))
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
            issues.append(ctx.issues(grp["first"].str.split(";").str[0], sev, grp["parts"] + " = " + tot, nn,
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
    cden = count_denominators(ctx)
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
        out.append(ctx.issues(rows["value_id"], "info" if key == "p0" else "error", pre + rows["value"] + post,
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
    recs = [ctx.recomputed(c.loc[~has_members, "low_id"][lambda x: x != ""], "", "no member figures printed",
                           "not_recomputable"),
            ctx.recomputed(c.loc[~has_members, "high_id"][lambda x: x != ""], "", "no member figures printed",
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
    recs.append(ctx.recomputed(r.loc[has_lo, "low_id"], fmn[has_lo], "min of members",
                               np.where(lo[has_lo] == mn[has_lo], "consistent", "inconsistent")))
    recs.append(ctx.recomputed(r.loc[has_hi, "high_id"], fmx[has_hi], "max of members",
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
    iss = ctx.issues(prim, np.where(err[sel], "error", "warning"), rep[sel], exp[sel], msg[sel],
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
    iss = ctx.issues(odd["value_id"], "warning", x + " " + u, conv + " months", msg, odd["value_id"])
    return iss, empty_recomputed()
