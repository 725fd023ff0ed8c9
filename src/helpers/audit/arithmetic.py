"""Checks recomputing figures from other printed figures: a percentage from its count and
denominator, and percentages no whole count can give (GRIM).

Each check is three parts: a pairing step (``percent_count_pairs``, ``grim_candidates`` …) that
returns a tidy frame of candidates, a pure test of numbers (:func:`percent_from_count`,
:func:`percent_attainable`), and a message table (``PERCENT_VS_COUNT``, ``GRIM_PERCENT``) of
the wording and severity of each outcome; the registered function glues them together.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import STANDARD_ARMS, AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_dec, int_str, join_cols
from .grouping import gjoin, map_str
from .messages import Outcome, fill, render
from .numeric import fitting_denominator_lists, grim_count_range, percent_conventions
from .pairing import count_denominators, count_readings
from .registry import register

ROUNDING_CONVENTIONS = ("half_up", "half_even", "truncation")

# ---------------------------------------------------------------- percent_vs_count
_PVC_MESSAGE = ("The percentage {value}% does not match the printed count and denominator {k}/{n}, "
                "which give {expected}%{exchanged}.")
#: wording and severity of :func:`percent_vs_count`, by outcome of :func:`percent_from_count`
PERCENT_VS_COUNT = {
    "slip": Outcome("warning", "{value}% ({k}/{n})", "{expected}", _PVC_MESSAGE),
    "mismatch": Outcome("error", "{value}% ({k}/{n})", "{expected}", _PVC_MESSAGE),
}
#: added to the message when the exchanged fraction n/k gives the printed percentage
EXCHANGED_NOTE = "; the two numbers appear exchanged ({n}/{k} gives it)"


def percent_count_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Each percentage printed with its count, with the count's denominator (pairing step).

    The denominator is the percentage's own ``denominator_id``, else the count's (see
    :func:`~.pairing.count_denominators`). Columns: ``value_id, count_id, den_id, value, mant,
    dec, comp``, the integers ``k, n`` and ``usable`` (both whole numbers, n > 0; k = 0 and
    n = 1 where not usable).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "k", "quantity": "count", "value": "9", "denominator_id": "n"},
    ...                         {"value_id": "n", "quantity": "n", "value": "80"},
    ...                         {"value_id": "p", "quantity": "percent", "value": "12.5", "count_id": "k"}])
    >>> percent_count_pairs(AuditContext(rv))[["value_id", "den_id", "k", "n", "usable"]].values.tolist()
    [['p', 'n', 9, 80, True]]
    """
    v = ctx.values
    sel = ctx.eq("quantity", "percent") & ~ctx.blank("count_id") & v["ok"].to_numpy()
    pc = v.loc[sel, ["value_id", "count_id", "denominator_id", "mant", "dec", "comp", "value"]]
    if pc.empty:
        return pc.assign(den_id=pd.Series([], dtype=object), k=pd.Series([], dtype="int64"),
                         n=pd.Series([], dtype="int64"), usable=pd.Series([], dtype=bool))
    own = pc["denominator_id"].to_numpy(dtype=object) != ""
    den_id = pc["denominator_id"].to_numpy(dtype=object).copy()
    den_id[~own] = (pd.Series(pc["count_id"].to_numpy(dtype=object)[~own], dtype=object).map(count_denominators(ctx))
                    .astype(object).fillna("").to_numpy(dtype=object))
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
    return pc


def percent_from_count(k, n, mant, dec, comparator=None, slip_units: float = 0.0) -> pd.DataFrame:
    """Whether a printed percentage m·10^-d can be the exact 100·k/n (pure test).

    Any exact value inside the closed rounding interval of the printed precision is accepted
    (or, with a comparator ``<, >, ≤, ≥``, any value on the stated side); integer arithmetic
    only (:func:`~.numeric.percent_conventions`).

    Parameters
    ----------
    k, n : array-like of int
        Count and denominator (n > 0).
    mant, dec : array-like of int
        The printed percentage as mantissa and number of decimals ("12.5" -> 125, 1).
    comparator : array-like of str, optional
    slip_units : float
        How many units of the last printed digit beyond the interval count as a slip.

    Returns
    -------
    DataFrame
        ``exact`` (100·k/n, float), ``conventions`` (the rounding conventions that print it,
        ``;``-joined, or ``none``), ``consistent`` (bool), ``exchanged`` (not consistent, k > n
        and n/k gives the printed percentage) and ``outcome``: ``consistent``, ``slip`` (off by
        at most ``slip_units`` units beyond the interval) or ``mismatch``.

    Examples
    --------
    >>> t = percent_from_count([9, 5, 80], [80, 80, 10], [125, 62, 125], [1, 1, 1], slip_units=1)
    >>> t[["conventions", "outcome", "exchanged"]].values.tolist()
    [['none', 'mismatch', False], ['half_even;truncation', 'consistent', False], ['none', 'mismatch', True]]
    """
    k, n = np.asarray(k, dtype="int64"), np.asarray(n, dtype="int64")
    conv = percent_conventions(k, n, mant, dec, comparator)
    names = np.full(len(k), "", dtype=object)
    for c in ROUNDING_CONVENTIONS:
        names = np.where(conv[c], np.where(names == "", c, names + ";" + c), names)
    consistent = conv["interval"].to_numpy()
    slip = np.abs(conv["diff_units"].to_numpy()) <= 0.5 + slip_units
    exchanged = ~consistent & (k > n) & percent_conventions(np.clip(n, 0, None), np.clip(k, 1, None),
                                                           mant, dec)["interval"].to_numpy()
    return pd.DataFrame({"exact": 100.0 * k / n, "conventions": np.where(names == "", "none", names),
                         "consistent": consistent, "exchanged": exchanged,
                         "outcome": np.where(consistent, "consistent", np.where(slip, "slip", "mismatch"))})


@register("percent_vs_count", "error",
          "A percentage recomputed from its printed count and denominator (rounding-aware).", cost=3)
def percent_vs_count(ctx: AuditContext):
    """Recompute each percentage from its printed count and denominator.

    Accepts any exact value inside the closed rounding interval of the printed precision and
    reports which conventions (half_up, half_even, truncation) reproduce the printed figure.
    Integer arithmetic only. Off by at most ``percent_slip_units`` units of the last digit beyond
    the interval: warning; further: error. When the count exceeds the denominator and the
    exchanged fraction gives the percentage, the message says so. Parts:
    :func:`percent_count_pairs`, :func:`percent_from_count`, :data:`PERCENT_VS_COUNT`.

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
    pairs = percent_count_pairs(ctx)
    if pairs.empty:
        return empty_issues(), empty_recomputed()
    rec_unusable = ctx.recomputed(pairs.loc[~pairs["usable"], "value_id"], "", "count or denominator not usable",
                                  "not_recomputable")
    pc = pairs[pairs["usable"]].reset_index(drop=True)
    test = percent_from_count(pc["k"], pc["n"], pc["mant"], pc["dec"], pc["comp"], ctx.params.percent_slip_units)
    exact = fmt_dec(test["exact"].to_numpy(), pc["dec"].to_numpy() + 2)
    fraction = int_str(pc["k"]) + "/" + int_str(pc["n"])
    rec = pd.concat([ctx.recomputed(pc["value_id"], exact, "exact " + fraction + "; conventions: " + test["conventions"],
                                    np.where(test["consistent"], "consistent", "inconsistent")), rec_unusable],
                    ignore_index=True)
    bad = ~test["consistent"].to_numpy()
    if not bad.any():
        return empty_issues(), rec
    wrong = pc[bad].reset_index(drop=True)
    cols = {"value": wrong["value"].astype(str), "k": int_str(wrong["k"]), "n": int_str(wrong["n"]), "expected": exact[bad]}
    cols["exchanged"] = np.where(test["exchanged"].to_numpy()[bad], fill(EXCHANGED_NOTE, cols), "")
    iss = ctx.issues(wrong["value_id"], value_ids=join_cols(wrong["value_id"], wrong["count_id"], wrong["den_id"]),
                     **render(PERCENT_VS_COUNT, test["outcome"].to_numpy()[bad], cols))
    return iss, rec


# ---------------------------------------------------------------- grim_percent
_NO_COUNT_OF_N = "No whole number of patients out of {n} gives {value}%"
_NO_SIZE = "{what} cannot be a proportion of any sample size printed for this study ({sizes})"
#: wording and severity of :func:`grim_percent`, by outcome
GRIM_PERCENT = {
    # a stated denominator no whole count fits
    "stated_denominator": Outcome("error", "{value}% of {n}", "denominators that fit: {fitting}; study sizes that fit: {sizes}",
                                  _NO_COUNT_OF_N + "."),
    "stated_denominator_other_size_fits": Outcome(
        "error", "{value}% of {n}", "denominators that fit: {fitting}; study sizes that fit: {sizes}",
        _NO_COUNT_OF_N + "; it would fit a denominator of {sizes} printed elsewhere for this study."),
    # "N patients … X%": N out of the study's N gives X%, so N is the count
    "count_reading": Outcome("info", "{value}% of {n}", "{n}/{study_n}",
                             _NO_COUNT_OF_N + ", but {n} of the study's {study_n} patients is {value}%: the clause reads "
                             "as a count with its percentage, and its wording leaves the denominator unstated."),
    # no denominator printed: none of the study's sample sizes fits
    "no_study_size": Outcome("warning", "{value}%", "denominators that fit: {fitting}", _NO_SIZE + "."),
    "group_size_unprinted": Outcome("info", "{value}%", "denominators that fit: {fitting}",
                                    _NO_SIZE + "; it refers to a group whose size is not printed."),
}
#: how a percentage tried against the study's sizes is named, without and with its count
PERCENT_ALONE, PERCENT_WITH_COUNT = "{value}%", "{value}% ({k} patients)"


def percent_attainable(n, mant, dec, k=None) -> pd.DataFrame:
    """Whether some whole count out of n (or the given count k) gives the printed percentage
    m·10^-d (pure test: GRIM for percentages).

    Parameters
    ----------
    n : array-like of int
        Denominators.
    mant, dec : array-like of int
        The printed percentage as mantissa and number of decimals.
    k : array-like of int, optional
        A printed count per row, -1 where none is printed.

    Returns
    -------
    DataFrame
        ``k_lo, k_hi``: the counts whose percentage lies in the printed rounding interval
        (none when ``k_lo > k_hi``), and ``attainable``: some count fits (or, where k ≥ 0, k
        itself fits and k ≤ n).

    Examples
    --------
    >>> percent_attainable([45, 40], [330, 250], [1, 1]).values.tolist()   # 33.0% of 45; 25.0% of 40
    [[15, 14, False], [10, 10, True]]
    >>> percent_attainable([40, 40], [250, 250], [1, 1], k=[10, 11])["attainable"].tolist()
    [True, False]
    """
    n = np.asarray(n, dtype="int64")
    lo, hi = grim_count_range(n, mant, dec)
    attainable = lo <= hi
    if k is not None:
        k = np.asarray(k, dtype="int64")
        with_k = percent_conventions(np.maximum(k, 0), n, mant, dec)["interval"].to_numpy() & (k <= n)
        attainable = np.where(k >= 0, with_k, attainable)
    return pd.DataFrame({"k_lo": lo, "k_hi": hi, "attainable": attainable})


def grim_candidates(ctx: AuditContext) -> pd.DataFrame:
    """Plain percentages (≤ 100) that :func:`percent_vs_count` cannot judge: printed without
    their count, or with a count but no denominator (pairing step).

    Columns: ``value_id, study_id, denominator_id, count_id, mant, dec, value, armn, popsub,
    subgroup`` and ``den_id`` (the percentage's denominator, else its count's; blank if none).
    """
    v = ctx.values
    p = v.loc[ctx.eq("quantity", "percent") & v["simple"].to_numpy() & (v["num"].to_numpy() <= 100),
              ["value_id", "study_id", "denominator_id", "count_id", "mant", "dec", "value", "armn", "popsub", "subgroup"]]
    p["den_id"] = p["denominator_id"].where(p["denominator_id"] != "",
                                            p["count_id"].map(count_denominators(ctx)).astype(object).fillna(""))
    return p[~(p["count_id"].ne("") & p["den_id"].ne(""))]


def stated_denominator_pairs(ctx: AuditContext, p: pd.DataFrame) -> pd.DataFrame:
    """The candidates of :func:`grim_candidates` with a denominator that is a whole number
    above 0, with it as the int64 column ``n`` (pairing step)."""
    ex = p[p["den_id"] != ""].copy()
    n = ctx.take(ctx.pos(ex["den_id"]), ["ok", "dec", "num", "mant"])
    okn = n["ok"].fillna(False).to_numpy(dtype=bool) & (n["dec"].fillna(1).to_numpy() == 0) & (n["num"].fillna(0).to_numpy() > 0)
    ex = ex[okn].copy()
    ex["n"] = n["mant"].to_numpy()[okn].astype("int64")
    return ex


def study_size_pairs(ctx: AuditContext, p: pd.DataFrame) -> pd.DataFrame:
    """Each candidate of :func:`grim_candidates` without a denominator, once per whole sample
    size printed for its study (:attr:`~.context.AuditContext.printed_ns`): the candidate's
    columns plus ``k`` (its printed count, -1 if none), ``value_id_n`` and ``n`` (pairing step)."""
    im = p[(p["den_id"] == "") & (p["study_id"] != "")].copy()
    cnt = ctx.take(ctx.pos(im["count_id"]), ["ok", "mant"])
    im["k"] = np.where(im["count_id"].ne("").to_numpy() & cnt["ok"].fillna(False).to_numpy(dtype=bool),
                       cnt["mant"].fillna(-1).to_numpy(), -1).astype("int64")
    return im.merge(_whole_study_sizes(ctx), on="study_id", how="inner", suffixes=("", "_n"))


def _whole_study_sizes(ctx: AuditContext) -> pd.DataFrame:
    ns = ctx.printed_ns
    return ns[(ns["n"] > 0) & (ns["n"] == ns["n"].round())]


def _other_sizes_that_fit(ctx: AuditContext, bad: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """For each row: the study's other whole sample sizes the percentage fits (text, ids)."""
    o = bad[["value_id", "study_id", "den_id", "mant", "dec"]].merge(
        _whole_study_sizes(ctx).rename(columns={"value_id": "nid"}), on="study_id", how="inner")
    o = o[o["nid"] != o["den_id"]]
    if not o.empty:
        o = o[percent_attainable(o["n"].astype("int64"), o["mant"], o["dec"])["attainable"].to_numpy()]
    o = o.assign(_isn=~o["nid"].isin(set(ctx.study_n["n_id"]))).sort_values(["value_id", "n", "_isn", "nid"], kind="stable")
    o = o.drop_duplicates(["value_id", "n"])
    o["ns"] = int_str(o["n"])
    g = o.groupby("value_id", sort=False)
    return map_str(bad["value_id"], gjoin(g, "ns", ", ")), map_str(bad["value_id"], gjoin(g, "nid", ";"))


def _grim_stated(ctx: AuditContext, ex: pd.DataFrame) -> tuple[list, pd.DataFrame]:
    """Issues and recomputed rows of percentages with a stated denominator."""
    t = percent_attainable(ex["n"], ex["mant"], ex["dec"])
    fits = t["attainable"].to_numpy()
    exn = int_str(ex["n"]).to_numpy(dtype=object)
    counts = "k=" + int_str(t["k_lo"]).to_numpy(dtype=object) + ".." + int_str(t["k_hi"]).to_numpy(dtype=object) + " of " + exn
    rec = ctx.recomputed(ex["value_id"], np.where(fits, counts, "no k of " + exn), "grim: stated denominator",
                         np.where(fits, "consistent", "inconsistent"))
    bad = ex[~fits].reset_index(drop=True)
    cr = count_readings(ctx)
    as_count = bad["value_id"].isin(set(cr["value_id"])).to_numpy()
    issues = []
    if as_count.any():
        c = bad[as_count].merge(cr[["value_id", "n_id", "n"]], on="value_id")
        cols = {"value": c["value"], "n": c["n_x"].astype(str), "study_n": int_str(c["n_y"])}
        issues.append(ctx.issues(c["value_id"], value_ids=join_cols(c["value_id"], c["den_id"], c["n_id"]),
                                 **render(GRIM_PERCENT, "count_reading", cols)))
        bad = bad[~as_count].reset_index(drop=True)
    if not bad.empty:
        sizes, size_ids = _other_sizes_that_fit(ctx, bad)
        prm = ctx.params
        cols = {"value": bad["value"], "n": bad["n"].astype(str), "sizes": sizes.where(sizes != "", "none"),
                "fitting": fitting_denominator_lists(bad["mant"], bad["dec"], np.full(len(bad), -1),
                                                     prm.grim_max_n, prm.grim_max_listed)}
        outcome = np.where(sizes != "", "stated_denominator_other_size_fits", "stated_denominator")
        issues.append(ctx.issues(bad["value_id"], value_ids=join_cols(bad["value_id"], bad["den_id"], size_ids),
                                 **render(GRIM_PERCENT, outcome, cols)))
    return issues, rec


def _grim_study_sizes(ctx: AuditContext, m: pd.DataFrame) -> tuple[list, pd.DataFrame]:
    """Issues and recomputed rows of percentages tried against every size of their study."""
    m = m.assign(fit=percent_attainable(m["n"].astype("int64"), m["mant"], m["dec"], m["k"])["attainable"].to_numpy())
    fit = m.groupby("value_id", sort=False)["fit"].any()
    md = m.drop_duplicates(["value_id", "n"]).sort_values(["value_id", "n"], kind="stable")
    tried = gjoin(md.assign(s=int_str(md["n"])).groupby("value_id", sort=False), "s", ",")
    nstr = tried.reindex(fit.index).to_numpy(dtype=object)
    rec = ctx.recomputed(fit.index, np.where(fit.to_numpy(), "fits one of " + nstr, "fits none of " + nstr),
                         "grim: study sample sizes", np.where(fit.to_numpy(), "consistent", "inconsistent"))
    badi = fit.index[~fit.to_numpy()]
    if not len(badi):
        return [], rec
    t = m.drop_duplicates("value_id").set_index("value_id").loc[badi].reset_index()
    hask = (t["k"] >= 0).to_numpy()
    cols = {"value": t["value"], "k": t["k"].astype(str),
            "sizes": pd.Series(tried.reindex(badi).to_numpy(dtype=object), dtype=object),
            "fitting": fitting_denominator_lists(t["mant"], t["dec"], t["k"], ctx.params.grim_max_n,
                                                 ctx.params.grim_max_listed)}
    cols["what"] = np.where(hask, fill(PERCENT_WITH_COUNT, cols), fill(PERCENT_ALONE, cols))
    outcome = np.where(_named_group_size_unprinted(ctx, t), "group_size_unprinted", "no_study_size")
    return [ctx.issues(t["value_id"], value_ids=join_cols(t["value_id"], t["count_id"].where(hask, "")),
                       **render(GRIM_PERCENT, outcome, cols))], rec


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
    Parts: :func:`grim_candidates` (with :func:`stated_denominator_pairs` and
    :func:`study_size_pairs`), :func:`percent_attainable`, :data:`GRIM_PERCENT`.

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
    p = grim_candidates(ctx)
    issues, recs = [], []
    ex = stated_denominator_pairs(ctx, p)
    if not ex.empty:
        iss, rec = _grim_stated(ctx, ex)
        issues, recs = issues + iss, recs + [rec]
    m = study_size_pairs(ctx, p)
    if not m.empty:
        iss, rec = _grim_study_sizes(ctx, m)
        issues, recs = issues + iss, recs + [rec]
    iss = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    rec = pd.concat(recs, ignore_index=True) if recs else empty_recomputed()
    return iss, rec
