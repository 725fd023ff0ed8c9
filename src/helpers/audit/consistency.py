"""Checks comparing printings of the same figure, arms and directions of effect.

Each check is three parts: a pairing step (:func:`~.pairing.swapped_printings`,
:func:`same_figure_groups`, :func:`~.pairing.median_hr_pairs`, :func:`announced_order_pairs`),
a pure test of numbers (:func:`values_exchanged`, :func:`printed_differently`,
:func:`medians_vs_hr_direction`, :func:`hr_vs_medians`, :func:`order_reversed`), and a message
table of the wording and severity of each outcome.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_arr, join_cols
from .grouping import gjoin, group_nunique
from .messages import Outcome, render
from .numeric import is_significant
from .pairing import median_hr_pairs, swapped_printings
from .registry import register

SAME_KEY = ["study_id", "quantity", "endpoint", "armn", "subgroup", "timepoint", "bnd", "unit", "comp"]

#: wording and severity of :func:`arms_swapped` (both printings side by side: which one is
#: right is decided by the finding, not here)
ARMS_SWAPPED = {
    "exchanged": Outcome("error", "{location}: {arm1} {key1}, {arm2} {key2} | {location_b}: {arm1} {key2}, {arm2} {key1}",
                         "the same value for each arm in both places",
                         "The {arm1} and {arm2} values are exchanged between {location} and {location_b}."),
    "exchanged_relabelled": Outcome(
        "error", "{location}: {arm1} {key1}, {arm2} {key2} | {location_b}: {arm1} {key2}, {arm2} {key1}",
        "the same value for each arm in both places",
        "The {arm1} and {arm2} values are exchanged between {location} and {location_b} (labelled {endpoint} in one "
        "place and {endpoint_b} in the other)."),
}


def values_exchanged(a1, a2, b1, b2) -> np.ndarray:
    """Whether a second printing gives arm 1 the first's arm-2 value and arm 2 its arm-1 value
    (pure test; values as numeric keys, two different numbers).

    Examples
    --------
    >>> values_exchanged(["10", "10"], ["6", "6"], ["6", "10"], ["10", "6"]).tolist()
    [True, False]
    """
    a1, a2, b1, b2 = (np.asarray(x, dtype=object) for x in (a1, a2, b1, b2))
    return (a1 == b2) & (a2 == b1) & (a1 != a2)


@register("arms_swapped", "error",
          "Two printings of the same study give the same pair of numbers with the arms exchanged.", cost=2)
def arms_swapped(ctx: AuditContext):
    """Find two-arm printings whose values are exchanged between two places.

    Also catches the case where the two printings carry different endpoint labels but the same
    study prints the same pair of numbers with the arm roles reversed. Parts:
    :func:`~.pairing.swapped_printings`, :func:`values_exchanged`, :data:`ARMS_SWAPPED`.

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
    m = swapped_printings(ctx)
    m = m[values_exchanged(m["key1"], m["key2"], m["key1_b"], m["key2_b"])].reset_index(drop=True) if not m.empty else m
    if m.empty:
        return empty_issues(), empty_recomputed()
    outcome = np.where(m["endpoint"] == m["endpoint_b"], "exchanged", "exchanged_relabelled")
    cols = {c: m[c].astype(object) for c in ("arm1", "arm2", "location", "location_b", "key1", "key2", "endpoint", "endpoint_b")}
    fa, fb = (m["first_arm"] == m["arm1"]).to_numpy(), (m["first_arm_b"] == m["arm1"]).to_numpy()
    ids = join_cols(np.where(fa, m["id1"], m["id2"]), np.where(fa, m["id2"], m["id1"]),
                    np.where(fb, m["id1_b"], m["id2_b"]), np.where(fb, m["id2_b"], m["id1_b"]))
    return ctx.issues(m["id1"], value_ids=ids, **render(ARMS_SWAPPED, outcome, cols)), empty_recomputed()


#: wording and severity of :func:`same_quantity_mismatch`
SAME_QUANTITY_MISMATCH = {
    "printed_differently": Outcome("error", "{places}", "one value in every place",
                                   "The same {what}{arm} is printed as {values} in different places."),
}


def printed_differently(group, value) -> np.ndarray:
    """Whether the group of each row (one figure printed at several places) holds more than one
    distinct value (pure test; integer codes of groups and of numeric values).

    Examples
    --------
    >>> printed_differently([0, 0, 1, 1], [5, 7, 5, 5]).tolist()
    [True, True, False, False]
    """
    return group_nunique(np.asarray(group), np.asarray(value)) > 1


def same_figure_groups(ctx: AuditContext) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are one figure of a study (same :data:`SAME_KEY`), leaving out the values of
    exchanged arms (see ``arms_swapped``): returns ``(rows, group)``, the row positions and the
    number of each row's figure (pairing step)."""
    v = ctx.values
    sw = swapped_printings(ctx)
    skip = set(sw["id1"]) | set(sw["id2"]) | set(sw["id1_b"]) | set(sw["id2_b"]) if not sw.empty else set()
    sel = ~ctx.blank("study_id") & ~ctx.blank("valkey")
    if skip:
        sel &= ~v["value_id"].isin(skip).to_numpy()
    if not sel.any():
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    return np.flatnonzero(sel), ctx.ngroup(SAME_KEY, sel)


@register("same_quantity_mismatch", "error",
          "The same figure (study, quantity, endpoint, arm, subgroup, timepoint) printed with different values.", cost=2)
def same_quantity_mismatch(ctx: AuditContext):
    """Flag a key printed at two or more places with different values.

    Values belonging to an ``arms_swapped`` finding are left to that check. Parts:
    :func:`same_figure_groups`, :func:`printed_differently`, :data:`SAME_QUANTITY_MISMATCH`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "a", "study_id": "s", "quantity": "n", "value": "80", "location": "table 1"},
    ...                         {"value_id": "b", "study_id": "s", "quantity": "n", "value": "82", "location": "text 1"}])
    >>> same_quantity_mismatch(rv)[0].loc[0, ["reported", "value_ids"]].tolist()
    ['80 (table 1); 82 (text 1)', 'a;b']
    """
    v = ctx.values
    rows, gid = same_figure_groups(ctx)
    if not len(rows):
        return empty_issues(), empty_recomputed()
    differ = printed_differently(gid, pd.factorize(v["valkey"].to_numpy(dtype=object)[rows])[0])
    w = v.loc[rows[differ], ["value_id", "valkey", "voff", "value", "location", "endpoint", "quantity", "subgroup",
                             "timepoint", "armn"]].assign(_g=gid[differ])
    w = w.sort_values(["voff", "value_id"], kind="stable")
    if w.empty:
        return empty_issues(), empty_recomputed()
    w = w.assign(_vl=w["value"] + " (" + w["location"] + ")")
    g = w.groupby("_g", sort=True)
    first = g.first()
    dv = w.drop_duplicates(["_g", "value"])
    what = join_cols(first["endpoint"], first["quantity"], first["subgroup"], first["timepoint"])
    cols = {"places": gjoin(g, "_vl", "; "), "values": gjoin(dv.groupby("_g", sort=True), "value", " and "),
            "what": pd.Series(what, dtype=object).str.replace(";", " ", regex=False),
            "arm": np.where(first["armn"] == "total", "", " (" + first["armn"] + ")")}
    return (ctx.issues(first["value_id"], value_ids=gjoin(g, "value_id", ";"),
                       **render(SAME_QUANTITY_MISMATCH, "printed_differently", cols)), empty_recomputed())


_MEDIANS_VS_HR = Outcome("error", "{endpoint} median experimental {key2} vs control {key1}; HR {value_r}{p}",
                         "medians and hazard ratio favouring the same arm",
                         "The medians favour the {favoured_by_medians} arm but the hazard ratio {value_r}{p} favours the "
                         "{favoured_by_hr} arm.")
#: wording and severity of :func:`hr_direction_vs_medians` (either the medians or the HR is
#: misprinted: which one is the finding's business)
HR_DIRECTION_VS_MEDIANS = {
    "opposite_significant": _MEDIANS_VS_HR,
    "opposite": Outcome("warning", _MEDIANS_VS_HR.reported, _MEDIANS_VS_HR.expected, _MEDIANS_VS_HR.message),
}


def medians_vs_hr_direction(median_exp, median_ctl, hr, p, comp, alpha: float,
                            equal_is_significant: bool = False) -> np.ndarray:
    """Whether two arms' medians and the hazard ratio printed with them favour the same arm
    (pure test; HR < 1 favours the experimental arm, a longer median favours its arm).

    Returns the outcome of each row: ``consistent``, ``opposite_significant`` (the HR's p is
    significant at ``alpha``, see :func:`~.numeric.significance`) or ``opposite``.

    Examples
    --------
    >>> medians_vs_hr_direction([5.0, 9.0, 5.0], [8.0, 6.0, 8.0], [0.55, 0.6, 0.55], [0.02, 0.02, 0.3],
    ...                         ["=", "=", "="], 0.05).tolist()
    ['opposite_significant', 'consistent', 'opposite']
    """
    e, c, h = (np.asarray(x, dtype=float) for x in (median_exp, median_ctl, hr))
    opposite = ((e > c) & (h > 1)) | ((e < c) & (h < 1))
    sig = is_significant(np.asarray(p, dtype=float), comp, alpha, equal_is_significant)
    return np.where(opposite, np.where(sig, "opposite_significant", "opposite"), "consistent")


@register("hr_direction_vs_medians", "error",
          "A two-arm comparison whose medians favour one arm while its hazard ratio favours the other.")
def hr_direction_vs_medians(ctx: AuditContext):
    """Medians (experimental vs control) against the HR printed with them (<1 favours experimental).

    Error when the HR's p-value is below ``alpha``, warning otherwise (or when no p is printed).
    Parts: :func:`~.pairing.median_hr_pairs`, :func:`medians_vs_hr_direction`,
    :data:`HR_DIRECTION_VS_MEDIANS`.

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
    m = median_hr_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    # arm2 = experimental; compare in months, or as printed when no time unit is given
    both = (m["months2"].notna() & m["months1"].notna()).to_numpy()
    e_ = np.where(both, m["months2"], m["num2"]).astype(float)
    c_ = np.where(both, m["months1"], m["num1"]).astype(float)
    prm = ctx.params
    outcome = medians_vs_hr_direction(m["months2"].astype(float).fillna(m["num2"].astype(float)),
                                      m["months1"].astype(float).fillna(m["num1"].astype(float)), m["num_r"],
                                      m["num_p"], m["comp_p"].fillna(""), prm.alpha, prm.p_equal_alpha_significant)
    bad = outcome != "consistent"
    if not bad.any():
        return empty_issues(), empty_recomputed()
    m = m[bad].reset_index(drop=True)
    e_, c_ = e_[bad], c_[bad]
    hasp = m["value_p"].notna()
    cols = {c: m[c] for c in ("endpoint", "key1", "key2", "value_r")}
    cols["p"] = np.where(hasp, ", P " + m["comp_p"].fillna("").astype(str) + " " + m["value_p"].fillna("").astype(str), "")
    cols["favoured_by_medians"] = np.where(e_ > c_, "experimental", "control")
    cols["favoured_by_hr"] = np.where(m["num_r"].astype(float) < 1, "experimental", "control")
    ids = join_cols(m["id2"], m["id1"], m["value_id_r"], m["value_id_p"].fillna(""))
    return ctx.issues(m["id2"], value_ids=ids, **render(HR_DIRECTION_VS_MEDIANS, outcome[bad], cols)), empty_recomputed()


#: wording and severity of :func:`hr_vs_median_ratio`
HR_VS_MEDIAN_RATIO = {
    "far_from_medians": Outcome("warning", "HR {value_r}", "HR ≈ {implied}",
                                "The hazard ratio {value_r} is far from the {implied} that the medians ({key2} vs {key1}) "
                                "suggest (ratio {ratio})."),
}


def hr_vs_medians(median_ctl, median_exp, hr, band) -> pd.DataFrame:
    """The hazard ratio an exponential model implies from two medians, against the printed HR
    (pure test).

    Returns ``implied`` (median_control / median_experimental), ``ratio`` (implied / HR) and
    ``consistent`` (the ratio within ``band`` = (low, high)).

    Examples
    --------
    >>> hr_vs_medians([16.4, 12.0], [10.5, 10.0], [0.25, 1.1], (0.5, 2.0)).round(3).values.tolist()
    [[1.562, 6.248, False], [1.2, 1.091, True]]
    """
    implied = np.asarray(median_ctl, dtype=float) / np.asarray(median_exp, dtype=float)
    ratio = implied / np.asarray(hr, dtype=float)
    lo, hi = band
    return pd.DataFrame({"implied": implied, "ratio": ratio, "consistent": (ratio >= lo) & (ratio <= hi)})


@register("hr_vs_median_ratio", "warning",
          "Hazard ratio far from the ratio of medians (control/experimental) an exponential model implies.")
def hr_vs_median_ratio(ctx: AuditContext):
    """(median_control / median_experimental) / HR outside ``median_ratio_band``: warning.

    Parts: :func:`~.pairing.median_hr_pairs`, :func:`hr_vs_medians`, :data:`HR_VS_MEDIAN_RATIO`.

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
    m = median_hr_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    e, c, hr = m["months2"].astype(float), m["months1"].astype(float), m["num_r"].astype(float)
    m = m[(np.isfinite(e) & np.isfinite(c) & (e > 0) & (c > 0) & (hr > 0)).to_numpy()]
    if m.empty:
        return empty_issues(), empty_recomputed()
    t = hr_vs_medians(m["months1"], m["months2"], m["num_r"], ctx.params.median_ratio_band)
    ok = t["consistent"].to_numpy()
    rec = ctx.recomputed(m["value_id_r"], fmt_arr(t["implied"].to_numpy()),
                         "median_control/median_experimental (exponential model)", np.where(ok, "consistent", "inconsistent"))
    b = m[~ok].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    cols = {"value_r": b["value_r"], "key1": b["key1"], "key2": b["key2"],
            "implied": fmt_arr(t["implied"].to_numpy()[~ok]), "ratio": fmt_arr(t["ratio"].to_numpy()[~ok])}
    return (ctx.issues(b["value_id_r"], value_ids=join_cols(b["value_id_r"], b["id2"], b["id1"]),
                       **render(HR_VS_MEDIAN_RATIO, "far_from_medians", cols)), rec)


#: wording and severity of :func:`arm_order`
ARM_ORDER = {
    "reversed": Outcome("warning", "{k} of {judged} pairs {first_words} first", "{announced}",
                        "{k} of the {judged} two-arm pairs here print the {first_words} value first although the header "
                        "announces the order {announced}, so a reader may attribute the values to the wrong arms."),
}


def order_reversed(first_arm, arm1, arm2, pos1, pos2) -> np.ndarray:
    """Whether a pair of arms is printed against the announced order (pure test): the arm
    printed first is not the one whose position in the announced order is lower.

    Examples
    --------
    >>> order_reversed(["control", "experimental"], ["control"] * 2, ["experimental"] * 2, [1, 1], [0, 0]).tolist()
    [True, False]
    """
    expected_first = np.where(np.asarray(pos1) < np.asarray(pos2), np.asarray(arm1, dtype=object), np.asarray(arm2, dtype=object))
    return np.asarray(first_arm, dtype=object) != expected_first


def announced_order_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm printings in a study's own table location, both values in one quoted clause,
    with each arm's position in the order the table header announces (``studies.arm_order``)
    as ``pos1, pos2`` (pairing step)."""
    st = ctx.studies[(ctx.studies["arm_order"] != "") & ctx.studies["location"].str.startswith("table")]
    st = st[["study_id", "location", "arm_order"]].drop_duplicates(["study_id", "location"])
    if st.empty:
        return pd.DataFrame()
    pr = ctx.two_arm.merge(st, on=["study_id", "location"])
    # a pair relies on an announced order only when both values sit in one quoted clause; values
    # printed in separate clauses each carry their own group label ("A: …; B: …")
    same = (ctx.take(ctx.pos(pr["id1"]), ["offset"])["offset"].to_numpy(dtype=object)
            == ctx.take(ctx.pos(pr["id2"]), ["offset"])["offset"].to_numpy(dtype=object))
    pr = pr[same]
    if pr.empty:
        return pr
    # position of each arm in the announced order (arm lists are short: a handful of exploded rows)
    order = pr[["arm_order"]].drop_duplicates().assign(arm=lambda d: d["arm_order"].str.split(";")).explode("arm")
    order["pos"] = order.groupby("arm_order", sort=False).cumcount()
    pos = order.set_index(["arm_order", "arm"])["pos"]
    pr["pos1"] = pos.reindex(pd.MultiIndex.from_arrays([pr["arm_order"], pr["arm1"]])).to_numpy()
    pr["pos2"] = pos.reindex(pd.MultiIndex.from_arrays([pr["arm_order"], pr["arm2"]])).to_numpy()
    return pr[pr["pos1"].notna() & pr["pos2"].notna()].copy()


@register("arm_order", "warning",
          "Values of two arms printed in the reverse of the order the study's table header announces.")
def arm_order(ctx: AuditContext):
    """Compare the printed order of each two-arm pair with ``studies.arm_order``.

    ``arm_order`` is the header order of the study's table row, so only printings in the
    study's own table location are judged, and only pairs printed within one quoted clause
    (``A vs B``, ``A 和 B``): values printed in separate clauses carry their own group labels. One finding per (study, location) lists every pair
    printed against the announced order (``reported``: how many of the judged pairs). Parts:
    :func:`announced_order_pairs`, :func:`order_reversed`, :data:`ARM_ORDER`.

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
    pr = announced_order_pairs(ctx)
    if pr.empty:
        return empty_issues(), empty_recomputed()
    pr["rev"] = order_reversed(pr["first_arm"], pr["arm1"], pr["arm2"], pr["pos1"], pr["pos2"])
    first_is_1 = pr["first_arm"] == pr["arm1"]
    pr["first_id"] = np.where(first_is_1, pr["id1"], pr["id2"])
    pr["pair"] = pr["first_id"] + ";" + np.where(first_is_1, pr["id2"], pr["id1"])
    key = ["study_id", "location"]
    judged = pr.groupby(key, sort=False).size().rename("n_judged")
    b = pr[pr["rev"]].sort_values(["off_min", "first_id"], kind="stable")
    if b.empty:
        return empty_issues(), empty_recomputed()
    g = b.groupby(key, sort=True)
    agg = g.agg(first_id=("first_id", "first"), k=("pair", "size"), arm_order=("arm_order", "first"))
    agg["ids"] = gjoin(g, "pair", ";")
    agg["words"] = gjoin(b.drop_duplicates(key + ["first_arm"]).groupby(key, sort=True), "first_arm", "/")
    agg = agg.reset_index().merge(judged.reset_index(), on=key)
    cols = {"k": agg["k"].astype(str), "judged": agg["n_judged"].astype(str), "first_words": agg["words"],
            "announced": agg["arm_order"].str.replace(";", " then ", regex=False)}
    return ctx.issues(agg["first_id"], value_ids=agg["ids"], **render(ARM_ORDER, "reversed", cols)), empty_recomputed()
