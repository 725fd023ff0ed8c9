"""Checks of what a hazard ratio and its p-value can claim: the smallest p a study's size
allows, a "no difference" claim against its own p, prognostic wording against the HR's direction.

Each check is three parts: a pairing step (:func:`hr_p_pairs`, :func:`claim_p_values`,
:func:`factor_hrs`), a pure test of numbers (:func:`p_attainable_with_n`,
:func:`~.numeric.is_significant`, :func:`wording_against_hr`), and a message table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sst

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_arr, format_floats, join_cols
from .grouping import gjoin, map_str
from .messages import Outcome, render
from .numeric import is_significant
from .pairing import pair_forward
from .registry import register

#: characters between a hazard ratio and the p-value printed after it
HR_P_WINDOW = 60
_UNATTAINABLE = Outcome("warning", "HR {value}, P {comp_r} {value_r}", "P ≥ {p_min}",
                        "With {n} patients, even if every one had an event a hazard ratio of {value} could not reach "
                        "P {comp_r} {value_r}; the smallest possible p is about {p_min}.")
#: wording and severity of :func:`p_attainable`, by outcome of :func:`p_attainable_with_n`
P_ATTAINABLE = {
    # the smallest attainable p is not even significant while the printed one is
    "significance_unattainable": Outcome("error", _UNATTAINABLE.reported, _UNATTAINABLE.expected, _UNATTAINABLE.message),
    "unattainable": _UNATTAINABLE,
}


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


def p_attainable_with_n(hr, hr_dec, n, p, p_dec, comp, alpha: float, equal_is_significant: bool = False) -> pd.DataFrame:
    """Whether a study of n patients can reach a printed p with a printed hazard ratio (pure test).

    With at most D = n events the log-rank z is at most |ln HR|·sqrt(D/4), HR the end of its
    rounding interval farthest from 1 (:func:`hr_farthest_from_one`): ``p_min`` = 2·(1 − Φ(z)).
    The printed p is unattainable when ``P < x`` with p_min ≥ x, or ``P = x`` with p_min above
    its rounding interval.

    Returns
    -------
    DataFrame
        ``p_min`` and ``outcome``: ``consistent``, ``significance_unattainable`` (the printed p
        claims significance at ``alpha`` and p_min ≥ alpha) or ``unattainable``.

    Examples
    --------
    >>> t = p_attainable_with_n([0.7, 0.7, 0.7], [2, 2, 2], [40, 40, 2000], [0.001, 0.2, 0.001], [3, 1, 3],
    ...                         ["=", "=", "<"], 0.05)
    >>> t["outcome"].tolist()
    ['significance_unattainable', 'consistent', 'consistent']
    """
    z = np.abs(np.log(hr_farthest_from_one(hr, hr_dec))) * np.sqrt(np.asarray(n, dtype=float) / 4.0)
    pmin = 2.0 * sst.norm.sf(z)
    half = 0.5 * np.power(10.0, -np.asarray(p_dec, dtype=float))
    comp = pd.Series(np.asarray(comp, dtype=object), dtype=object)
    pnum = np.asarray(p, dtype=float)
    bad = np.where(comp.isin(["<", "≤"]), pmin >= pnum, np.where(comp == "=", pmin > pnum + half, False))
    sig = is_significant(pnum, comp.to_numpy(), alpha, equal_is_significant)
    outcome = np.where(bad, np.where(sig & (pmin >= alpha), "significance_unattainable", "unattainable"), "consistent")
    return pd.DataFrame({"p_min": pmin, "outcome": outcome})


def hr_p_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Each plain hazard ratio of a study with the p printed after it (same study, location,
    endpoint, subgroup and arm, within :data:`HR_P_WINDOW` characters) and the study's N
    (pairing step). Columns: the HR's, the p's with ``_r``, ``n_id, n``."""
    v = ctx.values
    by = ["study_id", "location", "endpoint", "subgroup", "armn"]
    hr = v.loc[ctx.eq("quantity", "hr") & v["simple"].to_numpy() & (v["num"].to_numpy() > 0) & ~ctx.blank("study_id"),
               by + ["value_id", "value", "num", "dec", "voff"]]
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy(), by + ["value_id", "value", "num", "comp", "dec", "voff"]]
    if hr.empty or p.empty:
        return pd.DataFrame()
    return pair_forward(hr, p, by, "voff", HR_P_WINDOW).merge(ctx.study_n, on="study_id", how="inner")


@register("p_attainable", "warning",
          "A hazard ratio's p-value smaller than the study's size could produce even if every patient had an event.", cost=2)
def p_attainable(ctx: AuditContext):
    """Smallest two-sided p attainable for an HR with at most D = N events: z = |ln HR|·sqrt(D/4),
    with HR the end of its printed rounding interval farthest from 1 (:func:`hr_farthest_from_one`).

    Warning when that minimum exceeds the printed p (respecting ``<``); error when the minimum
    is not even significant at ``alpha`` while the printed p is. Parts: :func:`hr_p_pairs`,
    :func:`p_attainable_with_n`, :data:`P_ATTAINABLE`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "n", "study_id": "s", "quantity": "n", "value": "40"},
    ...         {"value_id": "h", "study_id": "s", "quantity": "hr", "endpoint": "pfs", "value": "0.70", "value_offset": "10"},
    ...         {"value_id": "p", "study_id": "s", "quantity": "p_value", "endpoint": "pfs", "value": "0.001", "value_offset": "20"}]
    >>> p_attainable(toy_review(values=vals, studies=[{"study_id": "s", "n_id": "n"}]))[0].loc[0, "severity"]
    'error'
    """
    m = hr_p_pairs(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    prm = ctx.params
    t = p_attainable_with_n(m["num"], m["dec"], m["n"], m["num_r"], m["dec_r"], m["comp_r"], prm.alpha,
                            prm.p_equal_alpha_significant)
    bad = (t["outcome"] != "consistent").to_numpy()
    nf = pd.Series(fmt_arr(m["n"]), dtype=object)
    rec = ctx.recomputed(m["value_id_r"], format_floats("%.3g", t["p_min"]), "min p with D=N=" + nf + " events",
                         np.where(bad, "inconsistent", "consistent"))
    b = m[bad].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    cols = {"value": b["value"], "comp_r": b["comp_r"], "value_r": b["value_r"], "n": nf[bad].reset_index(drop=True),
            "p_min": format_floats("%.2g", t["p_min"].to_numpy()[bad])}
    return (ctx.issues(b["value_id"], value_ids=join_cols(b["value_id"], b["value_id_r"], b["n_id"]),
                       **render(P_ATTAINABLE, t["outcome"].to_numpy()[bad], cols)), rec)


#: wording and severity of :func:`no_difference_claim`
NO_DIFFERENCE_CLAIM = {
    "significant": Outcome("error", "{p_values}", "P ≥ {alpha}",
                           "The text says there is no difference, but the comparison it rests on is significant ({p_values})."),
}


def claim_p_values(ctx: AuditContext, claim_type: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims of one type and their member p-values (pairing step): ``(claims, members)``,
    one member row per claim (``_c``, its row in ``claims``) and p-value (``m``, its value_id)
    with the p's ``num, comp, value``."""
    c = ctx.claims[ctx.claims["claim_type"] == claim_type].reset_index(drop=True)
    mem = c[["claim_id"]].assign(_c=np.arange(len(c)), m=c["member_ids"].str.split(";")).explode("m")
    mem["m"] = mem["m"].fillna("").str.strip()
    mp = ctx.pos(mem["m"])
    mem = mem[mp >= 0]
    x = ctx.take(mp[mp >= 0], ["quantity", "ok", "num", "comp", "value"])
    keep = (x["quantity"] == "p_value").to_numpy() & x["ok"].fillna(False).to_numpy(dtype=bool)
    mem, x = mem[keep], x[keep]
    return c, mem.assign(num=x["num"].astype(float).to_numpy(), comp=x["comp"].to_numpy(), value=x["value"].to_numpy())


@register("no_difference_claim", "error",
          "A claim of 'no difference' whose own p-value is below alpha.")
def no_difference_claim(ctx: AuditContext):
    """A ``no_difference`` claim whose member p-values are significant.

    Parts: :func:`claim_p_values`, :func:`~.numeric.is_significant`, :data:`NO_DIFFERENCE_CLAIM`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "p", "quantity": "p_value", "value": "0.04"}]
    >>> cl = [{"claim_id": "c", "claim_type": "no_difference", "member_ids": "p"}]
    >>> no_difference_claim(toy_review(values=vals, claims=cl))[0].loc[0, "value_ids"]
    'c;p'
    """
    if not (ctx.claims["claim_type"] == "no_difference").any():
        return empty_issues(), empty_recomputed()
    c, mem = claim_p_values(ctx, "no_difference")
    sig = is_significant(mem["num"], mem["comp"], ctx.params.alpha, ctx.params.p_equal_alpha_significant)
    mem = mem[sig].assign(txt=("P " + mem["comp"] + " " + mem["value"]).to_numpy()[sig])
    if mem.empty:
        return empty_issues(), empty_recomputed()
    g = mem.groupby("_c", sort=True)
    agg = pd.DataFrame({"first": g["m"].first(), "ids": gjoin(g, "m", ";"), "txt": gjoin(g, "txt", ", ")})
    r = c.loc[agg.index].reset_index(drop=True)
    agg = agg.reset_index(drop=True)
    cols = {"p_values": agg["txt"], "alpha": str(ctx.params.alpha)}
    return (ctx.issues(agg["first"], value_ids=join_cols(r["claim_id"], agg["ids"]),
                       override={"section": r["section"], "location": r["location"], "refs": r["refs"]},
                       **render(NO_DIFFERENCE_CLAIM, "significant", cols)), empty_recomputed())


_AGAINST = ("The direction words of {k} factor(s) for {ENDPOINT} contradict their hazard ratios ({items}){mixed}, "
            "unless the reference category is reversed.")
#: wording and severity of :func:`hr_direction_wording`: factors against their HR, and the same
#: when the factors listed together as favourable have HRs on both sides of 1
HR_DIRECTION_WORDING = {
    "against": Outcome("warning", "{items}", "HR on the side the wording states", _AGAINST.replace("{mixed}", "")),
    "against_mixed": Outcome("warning", "{items}", "all HR on one side of 1",
                             _AGAINST.replace("{mixed}", "; factors listed together as favourable have hazard ratios on "
                                                         "both sides of 1 ({fav_items})")),
}


def wording_against_hr(wording, hr) -> np.ndarray:
    """Whether a factor's direction word contradicts its hazard ratio (pure test): called
    favourable with HR > 1, or unfavourable with HR < 1.

    Examples
    --------
    >>> wording_against_hr(["favourable", "favourable", "unfavourable", "no_association"], [2.75, 0.31, 0.8, 3.0]).tolist()
    [True, False, True, False]
    """
    w, h = np.asarray(wording, dtype=object), np.asarray(hr, dtype=float)
    return ((w == "favourable") & (h > 1)) | ((w == "unfavourable") & (h < 1))


def factor_hrs(ctx: AuditContext) -> pd.DataFrame:
    """Prognostic factors called favourable or unfavourable with the HR printed for them
    (pairing step): the prognostic row plus ``hr`` (float), ``hrv`` (as printed), ``voff``."""
    pg = ctx.prognostic[ctx.prognostic["hr_id"] != ""].copy()
    hp = ctx.pos(pg["hr_id"])
    pg, hp = pg[hp >= 0], hp[hp >= 0]
    x = ctx.take(hp, ["num", "value", "voff"])
    pg["hr"] = x["num"].astype(float).to_numpy()
    pg["hrv"] = x["value"].to_numpy(dtype=object)
    pg["voff"] = x["voff"].to_numpy()
    return pg[pg["hr"].notna() & pg["wording"].isin(["favourable", "unfavourable"])]


@register("hr_direction_wording", "warning",
          "Prognostic factors called favourable with HR > 1 (or unfavourable with HR < 1), one finding per study and endpoint.")
def hr_direction_wording(ctx: AuditContext):
    """Compare each prognostic factor's wording with its HR direction.

    One finding per (study, endpoint) lists the factors whose HR points against their wording
    (unless the reference category is reversed); when factors listed together as favourable
    have HRs on both sides of 1, the finding says so and its evidence includes the whole list.
    Parts: :func:`factor_hrs`, :func:`wording_against_hr`, :data:`HR_DIRECTION_WORDING`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "h1", "quantity": "hr", "value": "2.75"}, {"value_id": "h2", "quantity": "hr", "value": "0.31"}]
    >>> pg = [{"factor_id": "f1", "study_id": "s", "endpoint": "pfs", "hr_id": "h1", "wording": "favourable"},
    ...       {"factor_id": "f2", "study_id": "s", "endpoint": "pfs", "hr_id": "h2", "wording": "favourable"}]
    >>> hr_direction_wording(toy_review(values=vals, prognostic=pg))[0]["value_ids"].tolist()
    ['h1;h2']
    """
    if not (ctx.prognostic["hr_id"] != "").any():
        return empty_issues(), empty_recomputed()
    key = ["study_id", "endpoint"]
    factors = factor_hrs(ctx)
    factors = factors.assign(against=wording_against_hr(factors["wording"], factors["hr"]),
                             label=factors["factor_key"].where(factors["factor_key"] != "", factors["factor"]))
    factors = factors.sort_values(key + ["voff", "hr_id"], kind="stable")
    # factors listed together as favourable, with HRs on both sides of 1 ("mixed")
    fav = factors[(factors["wording"] == "favourable") & (factors["hr"] != 1)]
    by_side = fav.assign(_hi=fav["hr"] > 1, _lo=fav["hr"] < 1).groupby(key)
    mixed = (by_side["_hi"].any() & by_side["_lo"].any()).rename("mixed").reset_index()
    factors = factors.merge(mixed, on=key, how="left")
    factors["mixed"] = factors["mixed"].fillna(False).astype(bool)
    against = factors[factors["against"]]
    if against.empty:
        return empty_issues(), empty_recomputed()
    against = against.assign(item=against["label"] + " " + against["wording"] + " with HR " + against["hrv"])
    per_key = against.groupby(key, sort=True)
    found = per_key.agg(first=("hr_id", "first"), k=("hr_id", "size"), mixed=("mixed", "first"))
    found["bad_ids"], found["items"] = gjoin(per_key, "hr_id", ";"), gjoin(per_key, "item", "; ")
    found = found.reset_index()
    fav_per_key = fav.assign(it=fav["label"] + " " + fav["hrv"]).groupby(key, sort=True)
    fav_lists = pd.DataFrame({"fav_ids": gjoin(fav_per_key, "hr_id", ";"), "fav_items": gjoin(fav_per_key, "it", ", ")})
    found = found.merge(fav_lists.reset_index(), on=key, how="left").fillna({"fav_ids": "", "fav_items": ""})
    is_mixed = found["mixed"].to_numpy(dtype=bool)
    # the whole favourable list when mixed (bad unfavourable ones appended), else the bad ones
    bad_unfav = gjoin(against[against["wording"] != "favourable"].groupby(key, sort=True), "hr_id", ";")
    found["bad_unfav"] = map_str(pd.Series(list(zip(found["study_id"], found["endpoint"]))), dict(zip(bad_unfav.index, bad_unfav)))
    ids = pd.Series(np.where(is_mixed, join_cols(found["fav_ids"], found["bad_unfav"]), found["bad_ids"]), dtype=object)
    cols = {"k": found["k"].astype(str), "ENDPOINT": found["endpoint"].str.upper(), "items": found["items"],
            "fav_items": found["fav_items"]}
    return (ctx.issues(found["first"], value_ids=ids.to_numpy(dtype=object), study_ids=found["study_id"],
                       **render(HR_DIRECTION_WORDING, np.where(is_mixed, "against_mixed", "against"), cols)), empty_recomputed())
