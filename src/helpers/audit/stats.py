"""Checks recomputing test statistics of a 2×2 table: its p-value and its odds ratio.

Each check is three parts: a pairing step (:func:`p_value_tables`, :func:`odds_ratio_tables`,
built on :func:`~.pairing.two_by_two_tables`), a pure test of numbers
(:func:`p_from_two_by_two`, :func:`odds_ratio_from_counts`, from the primitives of
:mod:`.contingency`), and a message table of the wording and severity of each outcome.
What a hazard ratio and its p-value can claim: :mod:`.effects`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .contingency import P_METHODS, p_matches_printed, p_methods, wald_p_of_or
from .formatting import format_floats, int_str, join_cols
from .messages import Outcome, render
from .numeric import significance
from .pairing import pair_nearest_before, two_by_two_tables
from .registry import register

#: characters between a 2×2 table and the p-value or odds ratio printed with it
WINDOW = 160
_PAIR_BY = ["study_id", "location", "endpoint", "subgroup", "timepoint"]

_P_MSG = "Recomputing the test from {table} gives p = {p_range}, not P {comp_r} {value_r}"
#: wording and severity of :func:`p_from_2x2`, by outcome of :func:`p_from_two_by_two`
P_FROM_2X2 = {
    "significance_flips": Outcome("error", "P {comp_r} {value_r}", "{shown}",
                                  _P_MSG + "; the conclusion about significance changes."),
    # another test (e.g. stratified) may have been used
    "between_methods": Outcome("info", "P {comp_r} {value_r}", "{shown}",
                               _P_MSG + "; it lies between the values the usual tests give, so another test may have been used."),
    "mismatch": Outcome("warning", "P {comp_r} {value_r}", "{shown}", _P_MSG + "."),
}


def p_value_tables(ctx: AuditContext) -> pd.DataFrame:
    """Each p-value printed with a two-arm count comparison, with its 2×2 table (pairing step).

    The p is paired with the table of the same study, location, endpoint, subgroup and
    timepoint printed nearest before it (a p follows the figures it tests), else nearest after
    (:func:`~.pairing.pair_nearest_before`). Columns of :func:`~.pairing.two_by_two_tables`,
    the p's with ``_r``, and ``printed_or``: an odds ratio printed with the same table (NaN if none).
    """
    v = ctx.values
    tb = two_by_two_tables(ctx)
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "value", "num", "mant", "dec", "comp", "voff"]]
    if tb.empty or p.empty:
        return pd.DataFrame()
    m = pair_nearest_before(p, tb, _PAIR_BY, WINDOW)
    if m.empty:
        return m
    o = v.loc[ctx.eq("quantity", "or") & v["simple"].to_numpy() & ctx.eq("armn", "total"), _PAIR_BY + ["value_id", "num", "voff"]]
    om = pair_nearest_before(o, tb, _PAIR_BY, WINDOW) if not o.empty else o
    m["printed_or"] = np.nan
    if not om.empty:
        orr = pd.Series(om["num_r"].to_numpy(dtype=float), index=om["id1"] + ";" + om["id2"])
        m["printed_or"] = (m["id1"] + ";" + m["id2"]).map(orr[~orr.index.duplicated()]).to_numpy(dtype=float)
    return m


def p_from_two_by_two(a, n1, c, n2, mant, dec, comp, alpha: float, equal_is_significant: bool = False,
                      odds_ratio=None, or_swapped=None) -> pd.DataFrame:
    """Whether a printed p-value can come from a 2×2 table (pure test).

    The family of usual tests (:func:`~.contingency.p_methods`: Fisher exact, chi-square
    plain, Yates and N−1, G-test, Cressie-Read) and, where an odds ratio is printed with the
    table, the Wald test of its log (:func:`~.contingency.wald_p_of_or`; ``or_swapped``: the
    printed OR puts arm 2 on top). A method reproduces the p when its value lies in the
    printed rounding interval (or on the stated side of ``<``/``>``).

    Returns
    -------
    DataFrame
        One column per method of :data:`~.contingency.P_METHODS` (NaN where it cannot run),
        ``matching`` (the methods reproducing the p, ``;``-joined, blank if none), ``p_min``,
        ``p_max`` and ``outcome``: ``consistent``; ``significance_flips`` (every method falls
        on the other side of ``alpha`` from what the printed p claims, see
        :func:`~.numeric.significance`); ``between_methods`` (an exact p between the methods'
        values); ``mismatch``.

    Examples
    --------
    >>> t = p_from_two_by_two([12, 12], [20, 20], [4, 4], [20, 20], [50, 22], [2, 3], ["=", "="], 0.05)
    >>> t[["matching", "outcome"]].values.tolist()
    [['', 'significance_flips'], ['fisher', 'consistent']]
    """
    ps = p_methods(a, n1, c, n2)
    ps["wald_or"] = np.nan
    if odds_ratio is not None:
        has = np.asarray(odds_ratio, dtype=float)
        sw = np.asarray(or_swapped, dtype=bool)
        a_, n1_, c_, n2_ = (np.asarray(x) for x in (a, n1, c, n2))
        okw = ~np.isnan(has)
        if okw.any():
            wp = np.full(len(has), np.nan)
            wp[okw] = wald_p_of_or(has[okw], np.where(sw, c_, a_)[okw], np.where(sw, n2_, n1_)[okw],
                                   np.where(sw, a_, c_)[okw], np.where(sw, n1_, n2_)[okw])
            ps["wald_or"] = wp
    matching = np.full(len(ps), "", dtype=object)
    for k in P_METHODS:
        okn = np.where(p_matches_printed(ps[k].to_numpy(), mant, dec, comp), k, "")
        matching = np.where(okn == "", matching, np.where(matching == "", okn, matching + ";" + okn))
    comp = np.asarray(comp, dtype=object)
    printed = np.asarray(mant, dtype=float) / np.power(10.0, np.asarray(dec, dtype=float))
    claim = significance(printed, comp, alpha, equal_is_significant)
    arr = ps[list(P_METHODS)].to_numpy()
    with np.errstate(invalid="ignore"):
        flips = ~np.isnan(claim) & np.all(np.where(np.isnan(arr), True, (arr < alpha) != (claim == 1.0)[:, None]), axis=1)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a row where no method runs
            pmin, pmax = np.nanmin(arr, axis=1), np.nanmax(arr, axis=1)
    between = (comp == "=") & (printed >= pmin) & (printed <= pmax)
    outcome = np.where(matching != "", "consistent",
                       np.where(flips, "significance_flips", np.where(between, "between_methods", "mismatch")))
    return ps.assign(matching=matching, p_min=pmin, p_max=pmax, outcome=outcome)


@register("p_from_2x2", "error",
          "p-values recomputed from two arms' counts (Fisher, chi-square with/without Yates, N−1 chi-square).", cost=2)
def p_from_2x2(ctx: AuditContext):
    """Recompute the p-value printed with a two-arm count comparison.

    The p is paired with the 2×2 table of the same study, location, endpoint, subgroup and
    timepoint printed nearest before it (a p follows the figures it tests), else nearest after.
    The family of usual tests: Fisher exact, chi-square (plain, Yates, N−1), the G-test and
    Cressie-Read (λ = 2/3) power divergence, and, when an odds ratio is printed with the table,
    the Wald test of the printed log OR (:func:`wald_p_of_or`; an adjusted model's p).
    Consistent when any method reproduces the printed p at its printed precision (respecting
    ``<``/``>``); error when every method falls on the other side of ``alpha`` and the printed
    p makes a claim about significance (see :func:`~helpers.audit.numeric.significance`);
    info when the printed p lies between the values the methods give (another test, e.g.
    stratified, may have been used); warning otherwise. Parts: :func:`p_value_tables`,
    :func:`p_from_two_by_two`, :data:`P_FROM_2X2`.

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
    m = p_value_tables(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    a, n1, c, n2 = (m[k].astype("int64").to_numpy() for k in ("num1", "n1", "num2", "n2"))
    t = p_from_two_by_two(a, n1, c, n2, m["mant_r"], m["dec_r"], m["comp_r"], ctx.params.alpha,
                          ctx.params.p_equal_alpha_significant, m["printed_or"], m["swap"])
    shown = None
    for k in P_METHODS:
        txt = np.where(t[k].notna().to_numpy(), k + "=" + pd.Series(format_floats("%.4g", np.nan_to_num(t[k].to_numpy())),
                                                                     dtype=object), "")
        shown = txt if shown is None else np.where(txt == "", shown, shown + "; " + txt)
    good = t["outcome"].to_numpy() == "consistent"
    rec = ctx.recomputed(m["value_id_r"], shown, np.where(good, t["matching"], "none"),
                         np.where(good, "consistent", "inconsistent"))
    b = m[~good].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    tb = t[~good]
    cols = {"comp_r": b["comp_r"], "value_r": b["value_r"], "shown": shown[~good],
            "table": int_str(b["num1"]) + "/" + int_str(b["n1"]) + " vs " + int_str(b["num2"]) + "/" + int_str(b["n2"]),
            "p_range": format_floats("%.3g", tb["p_min"]) + "–" + format_floats("%.3g", tb["p_max"])}
    iss = ctx.issues(b["value_id_r"], value_ids=join_cols(b["value_id_r"], b["id1"], b["den1"], b["id2"], b["den2"]),
                     **render(P_FROM_2X2, tb["outcome"].to_numpy(), cols))
    return iss, rec


_OR_MSG = "The odds ratio {value_r} differs from the {or_3g} the counts {table} give"
#: wording and severity of :func:`or_from_counts`, by outcome of :func:`odds_ratio_from_counts`
OR_FROM_COUNTS = {
    # an adjusted or stratified estimate is expected to differ a little
    "near": Outcome("info", "OR {value_r}", "{shown}", _OR_MSG + " (close enough to be an adjusted or stratified estimate)."),
    "far": Outcome("warning", "OR {value_r}", "{shown}", _OR_MSG + " (it may be adjusted)."),
}


def odds_ratio_tables(ctx: AuditContext) -> pd.DataFrame:
    """Each odds ratio printed with a two-arm count comparison, with its 2×2 table oriented as
    the OR reads (experimental, else first-printed, arm on top): ``a, n1`` (top arm's events
    and size), ``c, n2`` (pairing step; paired like :func:`p_value_tables`)."""
    v = ctx.values
    tb = two_by_two_tables(ctx)
    o = v.loc[ctx.eq("quantity", "or") & v["simple"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "value", "num", "mant", "dec", "voff"]]
    if tb.empty or o.empty:
        return pd.DataFrame()
    m = pair_nearest_before(o, tb, _PAIR_BY, WINDOW)
    if m.empty:
        return m
    sw = m["swap"].to_numpy(dtype=bool)
    return m.assign(a=np.where(sw, m["num2"], m["num1"]).astype("int64"), n1_top=np.where(sw, m["n2"], m["n1"]).astype("int64"),
                    c=np.where(sw, m["num1"], m["num2"]).astype("int64"), n2_top=np.where(sw, m["n1"], m["n2"]).astype("int64"))


def odds_ratio_from_counts(a, n1, c, n2, mant, dec, printed, adjusted_tolerance: float) -> pd.DataFrame:
    """Whether a printed odds ratio m·10^-d can be the crude OR of a 2×2 table (pure test;
    exact integers: a·(n2−c) / ((n1−a)·c) within the printed rounding interval).

    Returns ``odds_ratio`` (the crude OR, float) and ``outcome``: ``zero_cell`` (not
    recomputable), ``consistent``, ``near`` (within ``adjusted_tolerance``, relative: an adjusted
    estimate may differ that much) or ``far``.

    Examples
    --------
    >>> t = odds_ratio_from_counts([20, 20, 20, 5], [50, 50, 50, 5], [10, 10, 10, 2], [50, 50, 50, 10],
    ...                            [267, 280, 310, 10], [2, 2, 2, 1], [2.67, 2.8, 3.1, 1.0], 0.1)
    >>> t["outcome"].tolist()
    ['consistent', 'near', 'far', 'zero_cell']
    """
    a, n1, c, n2 = (np.asarray(x, dtype="int64") for x in (a, n1, c, n2))
    mant, dec = np.asarray(mant, dtype="int64"), np.asarray(dec, dtype="int64")
    zero = (a == n1) | (c == 0)
    A, B = a * (n2 - c), (n1 - a) * c
    ok = np.abs(2 * np.power(10, dec) * A - 2 * mant * B) <= B
    with np.errstate(divide="ignore", invalid="ignore"):
        orr = A / B
        near = np.abs(np.asarray(printed, dtype=float) / orr - 1.0) <= adjusted_tolerance
    outcome = np.where(zero, "zero_cell", np.where(ok, "consistent", np.where(near, "near", "far")))
    return pd.DataFrame({"odds_ratio": np.where(zero, np.nan, orr), "outcome": outcome})


@register("or_from_counts", "warning",
          "An odds ratio recomputed from two arms' counts (experimental, else first-printed, arm on top).")
def or_from_counts(ctx: AuditContext):
    """Recompute the odds ratio printed with a two-arm count comparison (exact integers).

    Paired like :func:`p_from_2x2`. Inconsistent when the crude OR lies outside the printed
    rounding interval: info when within ``or_adjusted_tolerance`` (relative) of it — an
    adjusted or stratified estimate is expected to differ a little — warning beyond. Parts:
    :func:`odds_ratio_tables`, :func:`odds_ratio_from_counts`, :data:`OR_FROM_COUNTS`.

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
    m = odds_ratio_tables(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    t = odds_ratio_from_counts(m["a"], m["n1_top"], m["c"], m["n2_top"], m["mant_r"], m["dec_r"], m["num_r"],
                               ctx.params.or_adjusted_tolerance)
    zero = (t["outcome"] == "zero_cell").to_numpy()
    recs = [ctx.recomputed(m.loc[zero, "value_id_r"], "", "zero cell", "not_recomputable")]
    m, t = m[~zero].reset_index(drop=True), t[~zero].reset_index(drop=True)
    shown = pd.Series(format_floats("%.4g", t["odds_ratio"]), dtype=object)
    table = int_str(m["a"]) + "/" + int_str(m["n1_top"]) + " vs " + int_str(m["c"]) + "/" + int_str(m["n2_top"])
    ok = (t["outcome"] == "consistent").to_numpy()
    recs.append(ctx.recomputed(m["value_id_r"], shown, "crude OR " + table, np.where(ok, "consistent", "inconsistent")))
    if ok.all():
        return empty_issues(), pd.concat(recs, ignore_index=True)
    b = m[~ok].reset_index(drop=True)
    cols = {"value_r": b["value_r"], "shown": shown[~ok], "table": table[~ok],
            "or_3g": format_floats("%.3g", t["odds_ratio"].to_numpy()[~ok])}
    iss = ctx.issues(b["value_id_r"], value_ids=join_cols(b["value_id_r"], b["id1"], b["den1"], b["id2"], b["den2"]),
                     **render(OR_FROM_COUNTS, t["outcome"].to_numpy()[~ok], cols))
    return iss, pd.concat(recs, ignore_index=True)
