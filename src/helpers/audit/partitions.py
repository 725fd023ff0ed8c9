"""Checks of figures against the whole they belong to: partitions and impossible values.

Each check is three parts: a pairing step returning a tidy candidate frame, a pure test of
numbers (:func:`parts_add_up`, :func:`arms_add_up`, :func:`impossible_values`), and a message
table of the wording and severity of each outcome. Ranges and units: :mod:`.ranges`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt, fmt_arr, join_cols
from .grouping import factorize_sorted, gjoin, group_join, ngroup_codes
from .messages import Outcome, render
from .pairing import count_denominators
from .registry import register

#: partition sums are exact integers in units of 10^-SCALE_DECIMALS
SCALE_DECIMALS = 6
_PCT_MSG = "The percentages of one whole add up to {sum}%, {word} than {target}% even allowing for rounding"
_ARMS = Outcome("error", "{parts} = {sum}", "{n}", "The group sizes ({parts}) add up to {sum}, not to the study's {n} patients.")
#: wording and severity of :func:`parts_vs_total`, by outcome of :func:`parts_add_up` / :func:`arms_add_up`
PARTS_VS_TOTAL = {
    "count_over": Outcome("error", "sum {sum}", "{target}", "The parts add up to {sum}, more than the total of {target} they belong to."),
    "count_short": Outcome("info", "sum {sum}", "{target}", "The parts add up to {sum}, fewer than the total of {target} they belong to."),
    "percent_over": Outcome("error", "sum {sum}%", "{target}%", _PCT_MSG.format(sum="{sum}", word="more", target="{target}") + "."),
    # an unprinted category is ordinary for a few points, worth a look beyond ``partition_shortfall_pp``
    "percent_short": Outcome("info", "sum {sum}%", "{target}%", _PCT_MSG.format(sum="{sum}", word="less", target="{target}")
                             + " ({short} points short: a category may be unprinted)."),
    "percent_far_short": Outcome("warning", "sum {sum}%", "{target}%", _PCT_MSG.format(sum="{sum}", word="less", target="{target}")
                                 + " ({short} points short: a category may be unprinted)."),
    "arms_over": _ARMS,
    "arms_short": Outcome("warning", _ARMS.reported, _ARMS.expected, _ARMS.message),
}


def partition_sums(ctx: AuditContext) -> pd.DataFrame:
    """One row per partition and kind (counts, percentages): its members' exact sum and the
    total it should reach (pairing step).

    Members are the point values of one ``partition_id`` (in text order); the total is the
    (last-sorted) non-blank ``total_id`` of its members. Numbers are integers in units of
    10^-:data:`SCALE_DECIMALS`. Columns: ``partition_id, kind, sum, half_units`` (half a unit of
    each member's last printed digit, summed), ``n_parts, first, ids, total_id``, and of the
    total: ``total_ok, total, total_is_percent, total_half, total_value``.
    """
    v, S = ctx.values, SCALE_DECIMALS
    sel = ~ctx.blank("partition_id") & v["ok"].to_numpy() & ctx.eq("bnd", "point")
    rows = np.flatnonzero(sel)
    if not len(rows):
        return pd.DataFrame()
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
    tids = v["total_id"].to_numpy(dtype=object)[rows]
    has = tids != ""
    best = np.full(len(starts), -1, dtype="int64")
    tcode, tnames = factorize_sorted(tids[has])
    np.maximum.at(best, gid[has], tcode)
    agg = pd.DataFrame({
        "partition_id": pnames[pcode[order][starts]],
        "kind": np.where(pct[order][starts], "percent", "count").astype(object),
        "sum": np.add.reduceat(sc[order], starts),
        "half_units": np.add.reduceat(half[order], starts),
        "n_parts": np.diff(np.r_[starts, len(order)]),
        "first": vid[order][starts],
        "ids": group_join(gid, vid, ";", n_groups=len(starts)),
        "total_id": np.where(best >= 0, tnames[np.maximum(best, 0)] if len(tnames) else "", "").astype(object),
    })
    t = ctx.take(ctx.pos(agg["total_id"]), ["ok", "mant", "dec", "quantity", "unit", "value"])
    agg["total_ok"] = t["ok"].fillna(False).to_numpy(dtype=bool)
    agg["total"] = np.where(agg["total_ok"], t["mant"].fillna(0).to_numpy() * np.power(10, (S - t["dec"].fillna(0)).clip(lower=0).to_numpy()), 0).astype("int64")
    agg["total_is_percent"] = agg["total_ok"].to_numpy() & (t["quantity"].eq("percent") | t["unit"].eq("percent")).to_numpy(dtype=bool)
    agg["total_half"] = 5 * np.power(10, (S - 1 - t["dec"].fillna(0)).clip(lower=0).to_numpy())
    agg["total_value"] = t["value"].fillna("").to_numpy(dtype=object)
    return agg


def parts_add_up(parts_sum, half_units, n_parts, is_count, total_ok, total, total_is_percent, total_half,
                 percent_total: float, shortfall_pp: float, scale_decimals: int = SCALE_DECIMALS) -> pd.DataFrame:
    """Whether the parts of a whole can add up to it (pure test; exact integers).

    Counts must add up to their total exactly. Percentages must add up to the total's value
    (when it is a percentage) or to ``percent_total``, within half a unit of each part's (and
    the total's) last printed digit. A whole of fewer than two parts, or counts without a
    numeric total, is not judged.

    Parameters
    ----------
    parts_sum, half_units, total, total_half : array-like of int
        Sums and half units in units of 10^-``scale_decimals``.
    n_parts : array-like of int
    is_count, total_ok, total_is_percent : array-like of bool
    percent_total, shortfall_pp : float
        The whole of a percentage partition (100) and the shortfall, in points, beyond which a
        missing category is worth a warning.

    Returns
    -------
    DataFrame
        ``judged``, ``target`` (scaled), ``short_pp`` (points short, percentages) and
        ``outcome``: ``consistent``, ``not_judged``, ``count_over``, ``count_short``,
        ``percent_over``, ``percent_short`` or ``percent_far_short``.

    Examples
    --------
    >>> t = parts_add_up([48, 45, 990, 900], [0, 0, 15, 15], [3, 3, 3, 3], [True, True, False, False],
    ...                  [True] * 4, [45, 45, 0, 0], [False] * 4, [0] * 4, 100.0, 5.0, scale_decimals=1)
    >>> t["outcome"].tolist()        # 48 of 45; 45 of 45; 99.0%; 90.0%
    ['count_over', 'consistent', 'consistent', 'percent_far_short']
    """
    S = scale_decimals
    is_cnt = np.asarray(is_count, dtype=bool)
    t_pct = np.asarray(total_is_percent, dtype=bool)
    sm = np.asarray(parts_sum, dtype="int64")
    target = np.where(is_cnt | t_pct, np.asarray(total, dtype="int64"), int(round(percent_total * 10 ** S)))
    tol = np.where(is_cnt, 0, np.asarray(half_units) + np.where(t_pct, np.asarray(total_half), 0)).astype("int64")
    judged = (np.asarray(n_parts) >= 2) & (~is_cnt | np.asarray(total_ok, dtype=bool))
    bad = judged & (np.abs(sm - target) > tol)
    over = sm > target
    short_pp = (target - sm) / 10 ** S
    outcome = np.where(is_cnt, np.where(over, "count_over", "count_short"),
                       np.where(over, "percent_over", np.where(short_pp > shortfall_pp, "percent_far_short", "percent_short")))
    outcome = np.where(bad, outcome, np.where(judged, "consistent", "not_judged"))
    return pd.DataFrame({"judged": judged, "target": target, "short_pp": short_pp, "outcome": outcome})


def arm_size_sums(ctx: AuditContext) -> pd.DataFrame:
    """The sizes of a study's trial arms (``n`` rows of two or more arms, blank endpoint and
    subgroup, outside partitions; one distinct value per arm) with the study's N in the same
    unit (pairing step). Columns: ``study_id, timepoint, unit, narms, sum, first, ids, parts``
    (the arm sizes as ``a + b``), ``n_id, n``."""
    v = ctx.values
    sel = (ctx.eq("quantity", "n") & ~ctx.blank("study_id") & ~ctx.eq("armn", "total") & v["ok"].to_numpy()
           & ctx.eq("comp", "=") & ctx.blank("partition_id") & ctx.blank("endpoint") & ctx.blank("subgroup"))
    arms = v.loc[sel, ["study_id", "timepoint", "unit", "armn", "valkey", "num", "voff", "value_id"]].assign(_vo=ctx.vord[sel])
    if arms.empty:
        return pd.DataFrame()
    key = ["study_id", "timepoint", "unit"]
    arms = arms.sort_values("_vo", kind="stable")
    g = arms.groupby(key + ["armn"], sort=False)
    per = g.agg(nv=("valkey", "nunique"), num=("num", "first"), off=("voff", "first"))
    per["ids"] = gjoin(g, "value_id", ";")
    per = per.reset_index()
    per = per[per["nv"] == 1].sort_values(key + ["off"], kind="stable")
    per["numf"] = fmt_arr(per["num"])
    gp = per.groupby(key, sort=True)
    grp = gp.agg(narms=("armn", "size"), sum=("num", "sum"), first=("ids", "first"))
    grp["ids"] = gjoin(gp, "ids", ";")
    grp["parts"] = gjoin(gp, "numf", " + ")
    grp = grp.reset_index()
    grp = grp[grp["narms"] >= 2].merge(ctx.study_n, on="study_id", how="inner")
    if grp.empty:
        return grp
    nunit = ctx.take(ctx.pos(grp["n_id"]), ["unit"])["unit"].fillna("").to_numpy(dtype=object)
    return grp[nunit == grp["unit"].to_numpy(dtype=object)].reset_index(drop=True)


def arms_add_up(arm_sum, n) -> np.ndarray:
    """Outcome of the arm sizes of a study against its N (pure test): ``consistent``,
    ``arms_over`` (more patients in the arms than in the study) or ``arms_short``.

    Examples
    --------
    >>> arms_add_up([60, 60, 58], [60, 58, 60]).tolist()
    ['consistent', 'arms_over', 'arms_short']
    """
    s, n = np.asarray(arm_sum, dtype=float), np.asarray(n, dtype=float)
    return np.where(s == n, "consistent", np.where(s > n, "arms_over", "arms_short"))


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
    (integer arithmetic on scaled decimals). Parts: :func:`partition_sums`,
    :func:`parts_add_up`, :func:`arm_size_sums`, :func:`arms_add_up`, :data:`PARTS_VS_TOTAL`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rows = [{"value_id": f"c{i}", "quantity": "count", "value": x, "partition_id": "P", "total_id": "n"}
    ...         for i, x in enumerate(["10", "20", "18"])] + [{"value_id": "n", "quantity": "n", "value": "45"}]
    >>> parts_vs_total(toy_review(values=rows))[0].loc[0, ["severity", "reported", "expected"]].tolist()
    ['error', 'sum 48', '45']
    """
    issues, recs = [], []
    agg = partition_sums(ctx)
    if not agg.empty:
        prm, S = ctx.params, SCALE_DECIMALS
        t = parts_add_up(agg["sum"], agg["half_units"], agg["n_parts"], agg["kind"] == "count", agg["total_ok"], agg["total"],
                         agg["total_is_percent"], agg["total_half"], prm.partition_percent_total, prm.partition_shortfall_pp)
        outcome = t["outcome"].to_numpy()
        cm = t["judged"].to_numpy() & (agg["kind"] == "count").to_numpy()
        recs.append(ctx.recomputed(agg.loc[cm, "total_id"], fmt_arr(agg.loc[cm, "sum"].to_numpy() / 10 ** S),
                                   "sum of partition " + agg.loc[cm, "partition_id"],
                                   np.where(outcome[cm] == "consistent", "consistent", "inconsistent")))
        bad = ~np.isin(outcome, ["consistent", "not_judged"])
        b = agg[bad].reset_index(drop=True)
        if not b.empty:
            pct_target = np.where(b["total_is_percent"], b["total_value"], fmt(prm.partition_percent_total))
            cols = {"sum": fmt_arr(b["sum"].to_numpy() / 10 ** S),
                    "target": np.where(b["kind"] == "count", b["total_value"], pct_target),
                    "short": fmt_arr(np.round(t["short_pp"].to_numpy()[bad], 6))}
            issues.append(ctx.issues(b["first"], value_ids=join_cols(b["ids"], b["total_id"]),
                                     **render(PARTS_VS_TOTAL, outcome[bad], cols)))
    grp = arm_size_sums(ctx)
    if not grp.empty:
        outcome = arms_add_up(grp["sum"], grp["n"])
        b = grp[outcome != "consistent"].reset_index(drop=True)
        if not b.empty:
            cols = {"parts": b["parts"], "sum": fmt_arr(b["sum"]), "n": fmt_arr(b["n"])}
            issues.append(ctx.issues(b["first"].str.split(";").str[0], value_ids=join_cols(b["ids"], b["n_id"]),
                                     **render(PARTS_VS_TOTAL, outcome[outcome != "consistent"], cols)))
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec


#: wording and severity of :func:`impossible_value`, by rule of :func:`impossible_values` (in order)
IMPOSSIBLE_VALUE = {
    # a zero p is a printing convention of statistics software, not an impossible result
    "p_zero": Outcome("info", "p = {value}", "P < 0.001 (or the bound the precision allows)",
                      "A p-value cannot be exactly zero: P = 0.000 is how statistics software prints a p below 0.0005, "
                      "and it should be reported as P < 0.001."),
    "p_above_one": Outcome("error", "p = {value}", "≤ 1", "A p-value cannot exceed 1."),
    "percent_above_100": Outcome("error", "{value}%", "≤ 100%", "A percentage or survival rate cannot exceed 100%."),
    "count_above_denominator": Outcome("error", "{value}", "≤ {den}",
                                       "The count is larger than the number of patients it is taken from."),
    "ratio_not_positive": Outcome("error", "{value}", "> 0", "A hazard or odds ratio must be positive."),
}


def impossible_values(num, mant, comp, is_p, is_percent, is_count, is_ratio, den) -> pd.DataFrame:
    """Which printed numbers are impossible whatever the data (pure test).

    Parameters
    ----------
    num, mant : array-like
        The printed number (NaN when not a number) and its mantissa (-1 when not a number).
    comp : array-like of str
        Comparator (``=``, ``<`` …): a bound ``< x`` or ``≤ x`` is never judged too large.
    is_p, is_percent, is_count, is_ratio : array-like of bool
        Kind of each figure (a percentage: a percent or rate, not a ± bound).
    den : array-like of float
        A count's denominator (NaN when none).

    Returns
    -------
    DataFrame of bool, one column per rule: ``p_zero`` (P = 0), ``p_above_one``,
    ``percent_above_100``, ``count_above_denominator``, ``ratio_not_positive``.

    Examples
    --------
    >>> t = impossible_values([0.0, 0.04, 105.0, 12, 0.0], [0, 4, 1050, 12, 0], ["="] * 5,
    ...                       [True, True, False, False, False], [False, False, True, False, False],
    ...                       [False, False, False, True, False], [False, False, False, False, True],
    ...                       [np.nan, np.nan, np.nan, 10, np.nan])
    >>> t.any(axis=1).tolist(), t.columns[t.iloc[2]].tolist()
    ([True, False, True, True, True], ['percent_above_100'])
    """
    num, comp = np.asarray(num, dtype=float), np.asarray(comp, dtype=object)
    upper_ok = ~np.isin(comp, ["<", "≤"])
    eq = comp == "="
    is_p = np.asarray(is_p, dtype=bool)
    return pd.DataFrame({
        "p_zero": is_p & eq & (np.asarray(mant) == 0),
        "p_above_one": is_p & upper_ok & (num > 1),
        "percent_above_100": np.asarray(is_percent, dtype=bool) & upper_ok & (num > 100),
        "count_above_denominator": np.asarray(is_count, dtype=bool) & (num > np.nan_to_num(np.asarray(den, dtype=float), nan=np.inf)),
        "ratio_not_positive": np.asarray(is_ratio, dtype=bool) & eq & (num <= 0),
    })


def impossible_value_candidates(ctx: AuditContext) -> pd.DataFrame:
    """Every value with its kind (p, percentage, count, ratio) and a count's denominator
    (pairing step): ``value_id, value, num, mant, comp, is_p, is_percent, is_count, is_ratio,
    den_id, den``; one row per value, in table order."""
    v = ctx.values
    ok = v["ok"].to_numpy()
    cnt = ctx.eq("quantity", "count") & ok
    # denominators looked up for the count rows only
    den_id = np.full(len(v), "", dtype=object)
    den_id[cnt] = v["value_id"].to_numpy(dtype=object)[cnt]
    den_id[cnt] = pd.Series(den_id[cnt], dtype=object).map(count_denominators(ctx)).astype(object).fillna("").to_numpy(dtype=object)
    den = np.full(len(v), np.nan)
    den[cnt] = ctx.take(ctx.pos(den_id[cnt]), ["num"])["num"].to_numpy()
    return pd.DataFrame({
        "value_id": v["value_id"], "value": v["value"], "num": v["num"], "mant": v["mant"], "comp": v["comp"],
        "is_p": ctx.eq("quantity", "p_value") & ok,
        "is_percent": (ctx.eq("quantity", "percent", "rate") | ctx.eq("unit", "percent")) & ~ctx.eq("bnd", "plus_minus") & ok,
        "is_count": cnt & (den_id != ""), "is_ratio": ctx.eq("quantity", "hr", "or") & ok,
        "den_id": den_id, "den": den})


@register("impossible_value", "error",
          "Numbers that cannot be printed: p = 0, p > 1, percent or rate > 100, count above its denominator, ratio ≤ 0.")
def impossible_value(ctx: AuditContext):
    """Flag printings that are impossible whatever the data. Parts:
    :func:`impossible_value_candidates`, :func:`impossible_values`, :data:`IMPOSSIBLE_VALUE`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "p", "quantity": "p_value", "value": "0.000"},
    ...                         {"value_id": "q", "quantity": "percent", "value": "105.0"}])
    >>> sorted(impossible_value(rv)[0]["value_ids"])
    ['p', 'q']
    """
    c = impossible_value_candidates(ctx)
    t = impossible_values(c["num"], c["mant"], c["comp"], c["is_p"], c["is_percent"], c["is_count"], c["is_ratio"], c["den"])
    out = []
    for rule in IMPOSSIBLE_VALUE:  # one block of issues per rule, in the table's order
        rows = c[t[rule].to_numpy()]
        if rows.empty:
            continue
        ids = join_cols(rows["value_id"], rows["den_id"]) if rule == "count_above_denominator" else rows["value_id"]
        cols = {"value": rows["value"], "den": fmt_arr(rows["den"])}
        out.append(ctx.issues(rows["value_id"], value_ids=ids, **render(IMPOSSIBLE_VALUE, rule, cols)))
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()

