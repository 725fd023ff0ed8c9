"""Pairing steps shared by checks: which printed figures belong together.

A check first builds a tidy frame of candidates (a two-arm printing, a figure and the HR or
p-value printed after it, a count and its denominator), then tests each row. The pairing
steps used by more than one check live here, public; one check's own pairing stays in its module.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .grouping import group_cumcount, group_nunique, ngroup_codes
from .numeric import grim_count_range, percent_conventions

if TYPE_CHECKING:
    from .context import AuditContext


def pair_forward(left: pd.DataFrame, right: pd.DataFrame, by: list[str], left_off: str,
                 window: int, suffix: str = "_r") -> pd.DataFrame:
    """Attach to each left row the nearest right row printed after it (same ``by`` keys).

    ``right`` must have a ``voff`` column (value offset); the match must satisfy
    ``left[left_off] < right.voff <= left[left_off] + window``. Left rows without a match are dropped.
    """
    if left.empty or right.empty:
        return left.iloc[0:0].assign(**{f"{c}{suffix}": pd.Series([], dtype=object) for c in right.columns})
    left = left.assign(_lid=np.arange(len(left)))
    r = right.add_suffix(suffix)
    m = left.merge(r, left_on=by, right_on=[f"{b}{suffix}" for b in by], how="inner")
    d = m[f"voff{suffix}"] - m[left_off]
    m = m[(d > 0) & (d <= window)].assign(_d=d)
    m = m.sort_values("_d", kind="stable").drop_duplicates("_lid", keep="first")
    return m.sort_values("_lid", kind="stable").drop(columns=["_d", "_lid"])


def pair_nearest_before(items: pd.DataFrame, tables: pd.DataFrame, by: list[str], window: int) -> pd.DataFrame:
    """Attach to each item (a p-value or OR) the table it reports on.

    Same ``by`` keys exactly; the nearest table printed before the item (its last figure
    within ``window`` characters before the item), else the nearest printed after it. Items
    without a candidate are dropped. ``items`` needs ``voff``; ``tables`` needs ``off_min``,
    ``off_max``. Columns of ``tables`` keep their names, those of ``items`` get ``_r``.
    """
    if items.empty or tables.empty:
        return tables.iloc[0:0].assign(**{f"{c}_r": pd.Series([], dtype=object) for c in items.columns})
    it = items.add_suffix("_r").assign(_iid=np.arange(len(items)))
    m = tables.merge(it, left_on=by, right_on=[f"{b}_r" for b in by], how="inner")
    before = m["voff_r"] - m["off_max"]
    after = m["off_min"] - m["voff_r"]
    cand_b = (before > 0) & (before <= window)
    cand_a = (after > 0) & (after <= window)
    m = m[cand_b | cand_a].assign(_rank=np.where(cand_b[cand_b | cand_a], 0, 1),
                                   _d=np.where(cand_b, before, after)[(cand_b | cand_a).to_numpy()])
    m = m.sort_values(["_iid", "_rank", "_d"], kind="stable").drop_duplicates("_iid", keep="first")
    return m.drop(columns=["_rank", "_d", "_iid"]).reset_index(drop=True)


#: what makes one printing in :func:`two_arm_printings`
TWO_ARM_KEY = ["study_id", "location", "quantity", "unit", "endpoint", "subgroup", "timepoint", "bnd"]
#: the ``values`` columns :func:`two_arm_printings` reads (a row subset may carry only these)
TWO_ARM_INPUT = TWO_ARM_KEY + ["armn", "voff", "value_id", "num", "valkey", "months", "ok", "is_nr", "comp"]


def two_arm_printings(v: pd.DataFrame, ctx: "AuditContext | None" = None) -> pd.DataFrame:
    """One row per printing of exactly two arms of one quantity (vectorised).

    A printing is the set of values sharing study, location, quantity, unit, endpoint, subgroup,
    timepoint and bound; when an arm is printed several times there, the k-th value of each arm
    (in text order) forms the k-th printing. Columns: the key, ``rank``, ``arm1 < arm2`` (sorted
    names), ``id1, id2``, ``num1, num2``, ``key1, key2`` (valkeys), ``months1, months2``,
    ``first_arm`` (arm printed first), ``off_min``, ``off_max``.

    ``v`` is the values table of an :class:`AuditContext` or a row subset of it (same index);
    passing ``ctx`` lets the grouping run on its integer codes (same result, faster).

    Examples
    --------
    >>> from helpers.audit import AuditContext, toy_review
    >>> mk = lambda i, arm, x, o: {"value_id": i, "study_id": "s", "location": "t", "quantity": "median",
    ...                            "arm": arm, "value": x, "value_offset": o}
    >>> ctx = AuditContext(toy_review(values=[mk("c", "control", "6", 1), mk("e", "experimental", "9", 2)]))
    >>> two_arm_printings(ctx.values, ctx)[["arm1", "arm2", "id1", "id2", "first_arm"]].values.tolist()
    [['control', 'experimental', 'c', 'e', 'control']]
    """
    key = TWO_ARM_KEY
    cols = key + ["rank", "arm1", "arm2", "id1", "id2", "num1", "num2", "key1", "key2",
                  "months1", "months2", "first_arm", "off_min", "off_max"]
    need = key + ["armn", "voff", "value_id", "num", "valkey", "months"]
    ok = (v["ok"] | v["is_nr"]).to_numpy(dtype=bool)
    if ctx is not None:
        pos = v.index.to_numpy()
        sel = ~ctx.blank("study_id")[pos] & ~ctx.eq("armn", "total")[pos] & ok & ctx.eq("comp", "=")[pos]
        pos = pos[sel]
        w = v.loc[sel, need]
        kc = pd.DataFrame({c: ctx.codes(c)[0][pos] for c in key + ["armn"]})
        vo = ctx.vord[pos]
    else:
        sel = ((v["study_id"] != "") & (v["armn"] != "total") & v["comp"].eq("=")).to_numpy(dtype=bool) & ok
        w = v.loc[sel, need]
        kc = pd.DataFrame({c: pd.factorize(w[c].to_numpy(dtype=object), sort=True)[0] for c in key + ["armn"]})
        vid = pd.factorize(w["value_id"].to_numpy(dtype=object), sort=True)[0]
        vo = np.empty(len(w), dtype="int64")
        vo[np.lexsort((vid, w["voff"].to_numpy()))] = np.arange(len(w))
    if w.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    # text order (voff, value_id), then the k-th value of each arm within its key
    o = np.argsort(vo, kind="stable")
    w, kc = w.iloc[o], kc.iloc[o].reset_index(drop=True)
    kc["gk"] = ngroup_codes([kc[c].to_numpy() for c in key])
    armc = kc["armn"].to_numpy()
    kc["rank"] = group_cumcount(ngroup_codes([kc["gk"].to_numpy(), armc]))
    g3 = ngroup_codes([kc["gk"].to_numpy(), kc["rank"].to_numpy()])
    keep = (np.bincount(g3)[g3] == 2) & (group_nunique(g3, armc) == 2)
    if not keep.any():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    w, kc = w[keep], kc[keep]
    # sort by key (codes follow string order), rank, arm: each printing is two adjacent rows
    o = np.lexsort([kc["armn"].to_numpy(), kc["rank"].to_numpy()] + [kc[c].to_numpy() for c in reversed(key)])
    w, rank = w.iloc[o], kc["rank"].to_numpy()[o]
    a, b = w.iloc[0::2], w.iloc[1::2]
    out = pd.DataFrame({c: a[c].to_numpy() for c in key})
    for c in key:
        out[c] = out[c].astype(w[c].dtype)
    out["rank"] = rank[0::2].astype("int64")
    for name, col in (("arm", "armn"), ("id", "value_id"), ("num", "num"), ("key", "valkey"), ("months", "months"),
                      ("off", "voff")):
        out[f"{name}1"] = a[col].to_numpy()
        out[f"{name}2"] = b[col].to_numpy()
    out = out[key + ["rank", "arm1", "arm2", "id1", "id2", "num1", "num2", "key1", "key2", "months1", "months2",
                     "off1", "off2"]]
    out["first_arm"] = np.where(out["off1"] <= out["off2"], out["arm1"], out["arm2"])
    out["off_min"] = np.minimum(out["off1"], out["off2"])
    out["off_max"] = np.maximum(out["off1"], out["off2"])
    return out.drop(columns=["off1", "off2"])


def count_denominators(ctx: AuditContext) -> pd.Series:
    """value_id of each count row -> denominator value_id (own, else from a percent linking it)."""
    return ctx.memo("count_denominators", lambda: _count_denominators(ctx))


def _count_denominators(ctx: AuditContext) -> pd.Series:
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
    >>> from helpers.audit import AuditContext
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


def two_by_two_tables(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm count printings with their denominators (one row per 2×2 table).

    Columns of :func:`two_arm_printings` plus ``n1, n2`` (denominators), ``den1, den2`` (their
    value_ids) and ``swap`` (the experimental arm, or the arm printed first, is arm 2).
    """
    return ctx.memo("two_by_two", lambda: _two_by_two_tables(ctx))


def _two_by_two_tables(ctx: AuditContext) -> pd.DataFrame:
    v = ctx.values
    cden = count_denominators(ctx)
    cnt = v.loc[ctx.eq("quantity", "count") & v["simple"].to_numpy() & (v["dec"].to_numpy() == 0), TWO_ARM_INPUT]
    pr = two_arm_printings(cnt, ctx)
    if pr.empty:
        return pr
    for i in ("1", "2"):
        did = pr[f"id{i}"].map(cden).astype(object).fillna("")
        nrow = ctx.take(ctx.pos(did), ["ok", "num"])
        pr[f"n{i}"] = np.where(did.ne("").to_numpy() & nrow["ok"].fillna(False).to_numpy(dtype=bool), nrow["num"].to_numpy(), np.nan)
        pr[f"den{i}"] = did.to_numpy()
    pr = pr[pr["n1"].notna() & pr["n2"].notna() & (pr["num1"] <= pr["n1"]) & (pr["num2"] <= pr["n2"])]
    # orientation: experimental first when labelled so, else the arm printed first
    exp_first = np.where((pr["arm2"] == "experimental") | ((pr["arm1"] != "experimental") & (pr["first_arm"] == pr["arm2"])), True, False)
    pr = pr.assign(swap=exp_first)
    return pr


def swapped_printings(ctx: AuditContext) -> pd.DataFrame:
    """Pairs of two-arm printings of one study whose two values are exchanged between them.

    Both printings share study, quantity, unit, bound, subgroup, timepoint and arm names; the
    second prints arm 1's value for arm 2 and arm 2's for arm 1 (different numbers, so a pair
    of equal values never counts; the join is on the exchanged keys, for speed). Columns of
    :func:`two_arm_printings`, the second printing's with ``_b``. Shared by ``arms_swapped`` and ``same_quantity_mismatch``.
    """
    return ctx.memo("swapped_pairs", lambda: _swapped_printings(ctx))


def _swapped_printings(ctx: AuditContext) -> pd.DataFrame:
    pr = ctx.two_arm
    pr = pr[pr["key1"] != pr["key2"]]
    if pr.empty:
        return pr.assign(**{c: pd.Series([], dtype=object) for c in ["id1_b", "id2_b", "endpoint_b", "location_b"]})
    pr = pr.reset_index(drop=True).assign(pid=lambda d: np.arange(len(d)))
    on = ["study_id", "quantity", "unit", "bnd", "subgroup", "timepoint", "arm1", "arm2"]
    b = pr.rename(columns={"key1": "key2", "key2": "key1"})
    m = pr.merge(b, on=on + ["key1", "key2"], suffixes=("", "_b"))
    m = m[m["pid"] < m["pid_b"]]
    # the join matched the exchanged keys: the second printing's own keys, for the test to read
    return m.assign(key1_b=m["key2"], key2_b=m["key1"])


#: characters between a two-arm printing and the HR printed after it (and between HR and p)
MEDIAN_HR_WINDOW, HR_P_WINDOW = 160, 60


def median_hr_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm (control, experimental) median printings with the HR printed after them (same
    study, location, endpoint and subgroup, within :data:`MEDIAN_HR_WINDOW` characters) and the
    p printed after that HR (within :data:`HR_P_WINDOW`; blank when none).

    Columns of :func:`two_arm_printings` (arm1 control, arm2 experimental), the HR's with ``_r``
    and the p's ``value_id_p, num_p, value_p, comp_p, dec_p``. Shared by
    ``hr_direction_vs_medians`` and ``hr_vs_median_ratio``.
    """
    return ctx.memo("median_hr_pairs", lambda: _median_hr_pairs(ctx))


def _median_hr_pairs(ctx: AuditContext) -> pd.DataFrame:
    v = ctx.values
    pr = ctx.two_arm
    pr = pr[(pr["quantity"] == "median") & (pr["arm1"] == "control") & (pr["arm2"] == "experimental")]
    by = ["study_id", "location", "endpoint", "subgroup"]
    hr = v.loc[ctx.eq("quantity", "hr") & v["simple"].to_numpy() & ctx.eq("armn", "total"), by + ["value_id", "num", "value", "voff"]]
    if pr.empty or hr.empty:
        return pd.DataFrame()
    m = pair_forward(pr, hr[by + ["value_id", "num", "value", "voff"]], by, "off_max", MEDIAN_HR_WINDOW)
    if m.empty:
        return m
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy() & ctx.eq("armn", "total"),
              by + ["value_id", "num", "value", "voff", "comp", "dec"]]
    left = m.assign(hr_off=m["voff_r"])
    pm = pair_forward(left, p[by + ["value_id", "num", "value", "voff", "comp", "dec"]], by, "hr_off", HR_P_WINDOW, suffix="_p")
    return left.merge(pm[["id1", "id2", "value_id_r", "value_id_p", "num_p", "value_p", "comp_p", "dec_p"]],
                      on=["id1", "id2", "value_id_r"], how="left")


#: what makes a rate and a median belong to the same curve in :func:`rate_median_pairs`
CURVE_KEY = ["study_id", "endpoint", "armn", "subgroup"]


def rate_median_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Each landmark rate (a plain rate with a timepoint) with each median of the same curve
    (study, endpoint, arm, subgroup; the median in a time unit or NR).

    Columns: the rate's ``value_id, value, num, mant, dec, months, tp_months, unit, timepoint``
    and the median's ``value_id_m, value_m, months_m, unit_m``. Shared by
    ``survival_landmark`` and ``survival_exponential``.
    """
    v = ctx.values
    cols = CURVE_KEY + ["value_id", "value", "num", "mant", "dec", "months", "tp_months", "unit", "timepoint"]
    r = v.loc[ctx.eq("quantity", "rate") & v["simple"].to_numpy() & v["tp_months"].notna().to_numpy() & ~ctx.blank("study_id"),
              cols]
    md = v.loc[ctx.eq("quantity", "median") & (v["simple"] | v["is_nr"]).to_numpy() & v["months"].notna().to_numpy()
               & ~ctx.blank("study_id"), CURVE_KEY + ["value_id", "value", "months", "unit"]]
    if r.empty or md.empty:
        return pd.DataFrame()
    return ctx.merge_rows(r, md, CURVE_KEY, suffixes=("", "_m"))
