"""Checks recomputing test statistics: 2×2 tables, odds ratios, attainable p, claims, wording."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats as sst
from scipy.special import gammaln

from .arithmetic import _count_denominators
from .consistency import _significant
from .context import (TWO_ARM_INPUT, format_floats, int_str, AuditContext, empty_issues, empty_recomputed,
                      fmt_arr, join_cols, pair_forward, two_arm_printings, gjoin, map_str)
from .numeric import in_printed_interval, significance, to_fraction
from .registry import register

WINDOW = 160


def _two_by_two(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm count printings with their denominators (one row per 2×2 table)."""
    return ctx.memo("two_by_two", lambda: _two_by_two_(ctx))


def _two_by_two_(ctx: AuditContext) -> pd.DataFrame:
    v = ctx.values
    cden = _count_denominators(ctx)
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


_METHODS = ("fisher", "chi2", "chi2_yates", "chi2_n_minus_1", "g_test", "cressie_read", "wald_or")


def check_two_by_two(a, n1, c, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate 2×2 tables given as events and arm sizes; return them as int64 arrays.

    Raises ``ValueError`` naming the first impossible table (a missing or non-integer cell, a
    negative count, events above their arm's size, an empty arm) instead of letting a test
    return a meaningless p.

    Examples
    --------
    >>> check_two_by_two([3], [10], [12], [10])
    Traceback (most recent call last):
    ...
    ValueError: impossible 2×2 table at row 0: 12 events in an arm of 10
    """
    arrs = [np.asarray(x, dtype="float64").reshape(-1) for x in (a, n1, c, n2)]
    if len({len(x) for x in arrs}) != 1:
        raise ValueError("2×2 tables: a, n1, c and n2 must have the same length")
    a_, n1_, c_, n2_ = arrs
    problems = [
        (np.isnan(a_) | np.isnan(n1_) | np.isnan(c_) | np.isnan(n2_), lambda i: "a missing cell"),
        ((a_ != np.round(a_)) | (n1_ != np.round(n1_)) | (c_ != np.round(c_)) | (n2_ != np.round(n2_)),
         lambda i: "a count that is not a whole number"),
        ((a_ < 0) | (c_ < 0), lambda i: "a negative count"),
        ((n1_ <= 0) | (n2_ <= 0), lambda i: "an arm of size 0 or less"),
        (a_ > n1_, lambda i: f"{a_[i]:g} events in an arm of {n1_[i]:g}"),
        (c_ > n2_, lambda i: f"{c_[i]:g} events in an arm of {n2_[i]:g}"),
    ]
    for mask, what in problems:
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            raise ValueError(f"impossible 2×2 table at row {i}: {what(i)}")
    return tuple(x.astype("int64") for x in arrs)


def power_divergence_p(a, n1, c, n2, lambda_: float) -> np.ndarray:
    """p of the Cressie-Read power-divergence test of independence for 2×2 tables (1 df, no
    continuity correction; vectorised): ``lambda_`` 1 is Pearson's chi-square, 0 the
    likelihood-ratio G-test, 2/3 Cressie-Read's recommendation. The same statistic as
    ``pingouin.chi2_independence(..., correction=False)`` (a test checks it); NaN when a margin
    is zero.

    Examples
    --------
    >>> round(float(power_divergence_p([47], [72], [33], [76], 0.0)[0]), 5)   # G-test
    0.00739
    """
    a, n1, c, n2 = (x.astype("float64") for x in check_two_by_two(a, n1, c, n2))
    obs = np.stack([a, n1 - a, c, n2 - c], axis=1)
    col1, col2, N = a + c, (n1 - a) + (n2 - c), n1 + n2
    exp = np.stack([n1 * col1, n1 * col2, n2 * col1, n2 * col2], axis=1) / N[:, None]
    okm = (exp > 0).all(axis=1)
    out = np.full(len(a), np.nan)
    if okm.any():
        stat = sst.power_divergence(obs[okm], exp[okm], ddof=2, axis=1, lambda_=lambda_).statistic
        out[okm] = chi2_sf(stat)
    return out


def wald_p_of_or(odds_ratio, a, n1, c, n2) -> np.ndarray:
    """Two-sided Wald p of a printed odds ratio with the standard error of the crude log OR,
    ``sqrt(1/a + 1/b + 1/c + 1/d)`` (NaN with a zero cell): the p a model reports beside an
    adjusted OR when its standard error is close to the crude one.

    Examples
    --------
    >>> round(float(wald_p_of_or([2.51], [47], [72], [33], [76])[0]), 4)
    0.0066
    """
    a, n1, c, n2 = (x.astype("float64") for x in check_two_by_two(a, n1, c, n2))
    cells = np.stack([a, n1 - a, c, n2 - c], axis=1)
    orr = np.asarray(odds_ratio, dtype="float64")
    ok = (cells > 0).all(axis=1) & (orr > 0)
    out = np.full(len(a), np.nan)
    se = np.sqrt((1.0 / np.where(ok[:, None], cells, 1.0)).sum(axis=1))
    out[ok] = 2.0 * sst.norm.sf(np.abs(np.log(orr[ok])) / se[ok])
    return out


def contingency_tests(a: int, n1: int, c: int, n2: int, correction: bool = False) -> pd.DataFrame:
    """Every test of independence pingouin computes for one 2×2 table (Pearson, Cressie-Read,
    G-test, Freeman-Tukey, modified G, Neyman), with its p: for reading one comparison in
    full (the engine uses the vectorised :func:`power_divergence_p`).

    Examples
    --------
    >>> t = contingency_tests(47, 72, 33, 76)
    >>> round(float(t.set_index("test").loc["log-likelihood", "pval"]), 5)
    0.00739
    """
    import pingouin as pg  # imported here: the engine's kernels do not pay for it

    a, n1, c, n2 = (int(x[0]) for x in check_two_by_two([a], [n1], [c], [n2]))
    rows = ([(0, 1)] * a + [(0, 0)] * (n1 - a) + [(1, 1)] * c + [(1, 0)] * (n2 - c))
    data = pd.DataFrame(rows, columns=["arm", "event"])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin warns on small expected counts
        _, _, st = pg.chi2_independence(data, x="arm", y="event", correction=correction)
    return st[["test", "lambda", "chi2", "dof", "pval"]]


def fisher_two_sided(a, n1, c, n2, chunk: int = 4096) -> np.ndarray:
    """Two-sided Fisher exact p of the tables [[a, n1-a], [c, n2-c]] (vectorised).

    Sums the hypergeometric probabilities not above the observed one (relative tolerance
    1e-7, as R and SciPy do); computed once per distinct table.

    Examples
    --------
    >>> round(float(fisher_two_sided([12], [20], [4], [20])[0]), 4)
    0.0225
    """
    a, n1, c, n2 = check_two_by_two(a, n1, c, n2)
    t = pd.DataFrame({"a": a, "n1": n1, "c": c, "n2": n2})
    if t.empty:
        return np.zeros(0)
    uq = t.drop_duplicates().reset_index(drop=True)
    codes = t.merge(uq.assign(_i=np.arange(len(uq))), on=["a", "n1", "c", "n2"], how="left")["_i"].to_numpy()
    A, N1, C, N2 = (uq[k].to_numpy() for k in ("a", "n1", "c", "n2"))
    K = A + C
    N = N1 + N2
    lo = np.maximum(0, K - N2)
    hi = np.minimum(K, N1)
    out = np.empty(len(uq))
    lgN = gammaln(N + 1) - gammaln(K + 1) - gammaln(N - K + 1)

    def logpmf(x, i):
        n1_, n2_, k_ = N1[i][:, None], N2[i][:, None], K[i][:, None]
        return (gammaln(n1_ + 1) - gammaln(x + 1) - gammaln(n1_ - x + 1) + gammaln(n2_ + 1) - gammaln(k_ - x + 1)
                - gammaln(n2_ - k_ + x + 1) - lgN[i][:, None])

    order = np.argsort(hi - lo, kind="stable")
    for s0 in range(0, len(uq), chunk):
        i = order[s0:s0 + chunk]
        width = int((hi[i] - lo[i]).max()) + 1
        x = lo[i][:, None] + np.arange(width)[None, :]
        valid = x <= hi[i][:, None]
        xs = np.where(valid, x, lo[i][:, None])
        lp = logpmf(xs, i)
        lobs = logpmf(A[i][:, None], i)
        keep = valid & (lp <= lobs + np.log1p(1e-7))
        out[i] = np.minimum(np.where(keep, np.exp(lp), 0.0).sum(axis=1), 1.0)
    return out[codes]


def p_methods(a, n1, c, n2) -> pd.DataFrame:
    """p of a 2×2 comparison by Fisher exact, chi-square, Yates-corrected chi-square, the N−1
    chi-square, the likelihood-ratio G-test and Cressie-Read's power divergence (λ = 2/3)
    (vectorised; chi-square columns NaN when a margin is zero)."""
    a, n1, c, n2 = (np.asarray(x, dtype="float64") for x in (a, n1, c, n2))
    b, d = n1 - a, n2 - c
    N = n1 + n2
    c1, c2 = a + c, b + d
    den = n1 * n2 * c1 * c2
    okm = den > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        D = np.abs(a * d - b * c) / N
        w = np.where(okm, N ** 3 / np.where(okm, den, 1.0), np.nan)
        x2 = D ** 2 * w
        x2y = (D - np.minimum(0.5, D)) ** 2 * w
    out = pd.DataFrame({"fisher": fisher_two_sided(a, n1, c, n2),
                        "chi2": np.where(okm, chi2_sf(x2), np.nan),
                        "chi2_yates": np.where(okm, chi2_sf(x2y), np.nan),
                        "chi2_n_minus_1": np.where(okm, chi2_sf(x2 * (N - 1) / N), np.nan),
                        "g_test": power_divergence_p(a, n1, c, n2, 0.0),
                        "cressie_read": power_divergence_p(a, n1, c, n2, 2.0 / 3.0)})
    return out


def chi2_sf(x):
    """Upper tail of chi-square with 1 degree of freedom."""
    return sst.chi2.sf(np.asarray(x, dtype="float64"), 1)


def _p_matches_arr(p: np.ndarray, mant, dec, comp) -> np.ndarray:
    """Whether recomputed p values reproduce the printed p (rounding interval, or the inequality)."""
    mant = np.asarray(mant, dtype="float64")
    scale = np.power(10.0, np.asarray(dec, dtype="float64"))
    x = mant / scale
    comp = np.asarray(comp, dtype=object)
    within = np.abs(p * scale - mant) <= 0.5
    res = np.select([comp == "<", comp == "≤", comp == ">", comp == "≥"], [p < x, p <= x, p > x, p >= x], default=within)
    return np.asarray(res, dtype=bool) & ~np.isnan(p)


def _p_matches(p: float, printed: str, comp: str) -> bool:
    x = to_fraction(printed)
    if x is None:
        return False
    if comp == "<":
        return Fraction(p) < x
    if comp == "≤":
        return Fraction(p) <= x
    if comp == ">":
        return Fraction(p) > x
    if comp == "≥":
        return Fraction(p) >= x
    return in_printed_interval(p, printed)


_PAIR_BY = ["study_id", "location", "endpoint", "subgroup", "timepoint"]


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
    stratified, may have been used); warning otherwise.

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
    v = ctx.values
    tb = _two_by_two(ctx)
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "value", "num", "mant", "dec", "comp", "voff"]]
    if tb.empty or p.empty:
        return empty_issues(), empty_recomputed()
    m = pair_nearest_before(p, tb, _PAIR_BY, WINDOW)
    if m.empty:
        return empty_issues(), empty_recomputed()
    alpha = ctx.params.alpha
    a, n1, c, n2 = (m[k].astype("int64").to_numpy() for k in ("num1", "n1", "num2", "n2"))
    ps = p_methods(a, n1, c, n2)
    # an odds ratio printed with the same table: the Wald test of its log belongs to the family
    o = v.loc[ctx.eq("quantity", "or") & v["simple"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "num", "voff"]]
    om = pair_nearest_before(o, tb, _PAIR_BY, WINDOW) if not o.empty else o
    ps["wald_or"] = np.nan
    if not om.empty:
        orr = pd.Series(om["num_r"].to_numpy(dtype=float), index=om["id1"] + ";" + om["id2"])
        orr = orr[~orr.index.duplicated()]
        has = (m["id1"] + ";" + m["id2"]).map(orr).to_numpy(dtype=float)
        sw = m["swap"].to_numpy(dtype=bool)  # the printed OR puts the experimental arm on top
        ea, en = np.where(sw, c, a), np.where(sw, n2, n1)
        ca, cn = np.where(sw, a, c), np.where(sw, n1, n2)
        okw = ~np.isnan(has)
        if okw.any():
            wp = np.full(len(m), np.nan)
            wp[okw] = wald_p_of_or(has[okw], ea[okw], en[okw], ca[okw], cn[okw])
            ps["wald_or"] = wp
    shown = None
    passing = None
    for k in _METHODS:
        has = ps[k].notna().to_numpy()
        txt = np.where(has, k + "=" + pd.Series(format_floats("%.4g", np.nan_to_num(ps[k].to_numpy())), dtype=object), "")
        ok = _p_matches_arr(ps[k].to_numpy(), m["mant_r"], m["dec_r"], m["comp_r"])
        okn = np.where(ok, k, "")
        shown = txt if shown is None else np.where(txt == "", shown, shown + "; " + txt)
        passing = okn if passing is None else np.where(okn == "", passing, np.where(passing == "", okn, passing + ";" + okn))
    good = passing != ""
    rec = ctx.recomputed(m["value_id_r"], "p_from_2x2", shown, np.where(good, passing, "none"),
                         np.where(good, "consistent", "inconsistent"))
    b = m[~good].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    pb = ps[~good].reset_index(drop=True)
    claim = significance(b["num_r"], b["comp_r"], alpha, ctx.params.p_equal_alpha_significant)
    arr = pb.to_numpy()
    with np.errstate(invalid="ignore"):
        flips = ~np.isnan(claim) & np.all(np.where(np.isnan(arr), True, (arr < alpha) != (claim == 1.0)[:, None]), axis=1)
    pmin, pmax = np.nanmin(arr, axis=1), np.nanmax(arr, axis=1)
    between = (b["comp_r"] == "=").to_numpy() & (b["num_r"].to_numpy() >= pmin) & (b["num_r"].to_numpy() <= pmax)
    sev = np.where(flips, "error", np.where(between, "info", "warning"))
    rng = pd.Series(format_floats("%.3g", pmin), dtype=object) + "–" + pd.Series(format_floats("%.3g", pmax), dtype=object)
    tab = int_str(b["num1"]) + "/" + int_str(b["n1"]) + " vs " + int_str(b["num2"]) + "/" + int_str(b["n2"])
    tail = np.where(flips, "; the conclusion about significance changes.",
                    np.where(between, "; it lies between the values the usual tests give, so another test may have been used.", "."))
    msg = ("Recomputing the test from " + tab + " gives p = " + rng + ", not P " + b["comp_r"] + " " + b["value_r"]
           + pd.Series(tail, dtype=object))
    iss = ctx.issues(b["value_id_r"], "p_from_2x2", sev, "P " + b["comp_r"] + " " + b["value_r"], shown[~good], msg,
                     join_cols(b["value_id_r"], b["id1"], b["den1"], b["id2"], b["den2"]))
    return iss, rec


@register("or_from_counts", "warning",
          "An odds ratio recomputed from two arms' counts (experimental, else first-printed, arm on top).")
def or_from_counts(ctx: AuditContext):
    """Recompute the odds ratio printed with a two-arm count comparison (exact integers).

    Paired like :func:`p_from_2x2`. Inconsistent when the crude OR lies outside the printed
    rounding interval: info when within ``or_adjusted_tolerance`` (relative) of it — an
    adjusted or stratified estimate is expected to differ a little — warning beyond.

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
    v = ctx.values
    tb = _two_by_two(ctx)
    o = v.loc[ctx.eq("quantity", "or") & v["simple"].to_numpy() & ctx.eq("armn", "total"),
              _PAIR_BY + ["value_id", "value", "num", "mant", "dec", "voff"]]
    if tb.empty or o.empty:
        return empty_issues(), empty_recomputed()
    m = pair_nearest_before(o, tb, _PAIR_BY, WINDOW)
    if m.empty:
        return empty_issues(), empty_recomputed()
    sw = m["swap"].to_numpy(dtype=bool)
    a = np.where(sw, m["num2"], m["num1"]).astype("int64")
    n1 = np.where(sw, m["n2"], m["n1"]).astype("int64")
    c = np.where(sw, m["num1"], m["num2"]).astype("int64")
    n2 = np.where(sw, m["n1"], m["n2"]).astype("int64")
    zero = (a == n1) | (c == 0)
    recs = [ctx.recomputed(m.loc[zero, "value_id_r"], "or_from_counts", "", "zero cell", "not_recomputable")]
    keep = ~zero
    m, a, n1, c, n2 = m[keep].reset_index(drop=True), a[keep], n1[keep], c[keep], n2[keep]
    A = a * (n2 - c)
    B = (n1 - a) * c
    mant, dec = m["mant_r"].astype("int64").to_numpy(), m["dec_r"].astype("int64").to_numpy()
    ok = np.abs(2 * np.power(10, dec) * A - 2 * mant * B) <= B
    orr = A / B
    shown = pd.Series(format_floats("%.4g", orr), dtype=object)
    tab = int_str(a) + "/" + int_str(n1) + " vs " + int_str(c) + "/" + int_str(n2)
    recs.append(ctx.recomputed(m["value_id_r"], "or_from_counts", shown, "crude OR " + tab,
                               np.where(ok, "consistent", "inconsistent")))
    bad = ~ok
    if not bad.any():
        return empty_issues(), pd.concat(recs, ignore_index=True)
    b = m[bad].reset_index(drop=True)
    rel = np.abs(b["num_r"].to_numpy() / orr[bad] - 1.0)
    near = rel <= ctx.params.or_adjusted_tolerance
    tail = np.where(near, " (close enough to be an adjusted or stratified estimate).", " (it may be adjusted).")
    msg = ("The odds ratio " + b["value_r"] + " differs from the " + pd.Series(format_floats("%.3g", orr[bad]), dtype=object)
           + " the counts " + tab[bad].reset_index(drop=True) + " give" + pd.Series(tail, dtype=object))
    iss = ctx.issues(b["value_id_r"], "or_from_counts", np.where(near, "info", "warning"), "OR " + b["value_r"],
                     shown[bad].reset_index(drop=True), msg,
                     join_cols(b["value_id_r"], b["id1"], b["den1"], b["id2"], b["den2"]))
    return iss, pd.concat(recs, ignore_index=True)


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


@register("p_attainable", "warning",
          "A hazard ratio's p-value smaller than the study's size could produce even if every patient had an event.", cost=2)
def p_attainable(ctx: AuditContext):
    """Smallest two-sided p attainable for an HR with at most D = N events: z = |ln HR|·sqrt(D/4),
    with HR the end of its printed rounding interval farthest from 1 (:func:`hr_farthest_from_one`).

    Warning when that minimum exceeds the printed p (respecting ``<``); error when the minimum
    is not even significant at ``alpha`` while the printed p is.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "n", "study_id": "s", "quantity": "n", "value": "40"},
    ...         {"value_id": "h", "study_id": "s", "quantity": "hr", "endpoint": "pfs", "value": "0.70", "value_offset": "10"},
    ...         {"value_id": "p", "study_id": "s", "quantity": "p_value", "endpoint": "pfs", "value": "0.001", "value_offset": "20"}]
    >>> p_attainable(toy_review(values=vals, studies=[{"study_id": "s", "n_id": "n"}]))[0].loc[0, "severity"]
    'error'
    """
    v = ctx.values
    by = ["study_id", "location", "endpoint", "subgroup", "armn"]
    hr = v.loc[ctx.eq("quantity", "hr") & v["simple"].to_numpy() & (v["num"].to_numpy() > 0) & ~ctx.blank("study_id"),
               by + ["value_id", "value", "num", "dec", "voff"]]
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy(), by + ["value_id", "value", "num", "comp", "dec", "voff"]]
    if hr.empty or p.empty:
        return empty_issues(), empty_recomputed()
    m = pair_forward(hr[by + ["value_id", "value", "num", "dec", "voff"]],
                     p[by + ["value_id", "value", "num", "comp", "dec", "voff"]], by, "voff", 60)
    m = m.merge(ctx.study_n, on="study_id", how="inner")
    if m.empty:
        return empty_issues(), empty_recomputed()
    z = np.abs(np.log(hr_farthest_from_one(m["num"], m["dec"]))) * np.sqrt(m["n"].astype(float) / 4.0)
    pmin = 2.0 * sst.norm.sf(z)
    half = 0.5 * np.power(10.0, -m["dec_r"].astype(float))
    comp = m["comp_r"]
    pnum = m["num_r"].astype(float)
    bad = np.where(comp.isin(["<", "≤"]), pmin >= pnum,
                   np.where(comp == "=", pmin > pnum + half, False))
    nf = pd.Series(fmt_arr(m["n"]), dtype=object)
    rec = ctx.recomputed(m["value_id_r"], "p_attainable", format_floats("%.3g", pmin),
                         "min p with D=N=" + nf + " events", np.where(bad, "inconsistent", "consistent"))
    b = m[bad].reset_index(drop=True)
    if b.empty:
        return empty_issues(), rec
    pb = pmin[bad]
    sig = _significant(b["num_r"], b["comp_r"], ctx.params.alpha, ctx.params.p_equal_alpha_significant)
    sev = np.where(sig & (pb >= ctx.params.alpha), "error", "warning")
    q = pd.Series(format_floats("%.2g", pb), dtype=object)
    hp = "HR " + b["value"] + ", P " + b["comp_r"] + " " + b["value_r"]
    msg = ("With " + nf[bad].reset_index(drop=True) + " patients, even if every one had an event a hazard ratio of " + b["value"]
           + " could not reach P " + b["comp_r"] + " " + b["value_r"] + "; the smallest possible p is about " + q + ".")
    iss = ctx.issues(b["value_id"], "p_attainable", sev, hp, "P ≥ " + q, msg, join_cols(b["value_id"], b["value_id_r"], b["n_id"]))
    return iss, rec


@register("no_difference_claim", "error",
          "A claim of 'no difference' whose own p-value is below alpha.")
def no_difference_claim(ctx: AuditContext):
    """A ``no_difference`` claim whose member p-values are significant.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "p", "quantity": "p_value", "value": "0.04"}]
    >>> cl = [{"claim_id": "c", "claim_type": "no_difference", "member_ids": "p"}]
    >>> no_difference_claim(toy_review(values=vals, claims=cl))[0].loc[0, "value_ids"]
    'c;p'
    """
    c = ctx.claims[ctx.claims["claim_type"] == "no_difference"].reset_index(drop=True)
    if c.empty:
        return empty_issues(), empty_recomputed()
    mem = c[["claim_id"]].assign(_c=np.arange(len(c)), m=c["member_ids"].str.split(";")).explode("m")
    mem["m"] = mem["m"].fillna("").str.strip()
    mp = ctx.pos(mem["m"])
    mem = mem[mp >= 0]
    x = ctx.take(mp[mp >= 0], ["quantity", "ok", "num", "comp", "value"])
    keep = (x["quantity"] == "p_value").to_numpy() & x["ok"].fillna(False).to_numpy(dtype=bool)
    mem, x = mem[keep], x[keep]
    sig = _significant(x["num"].astype(float), x["comp"], ctx.params.alpha, ctx.params.p_equal_alpha_significant)
    mem = mem[sig].assign(txt=("P " + x["comp"] + " " + x["value"]).to_numpy()[sig])
    if mem.empty:
        return empty_issues(), empty_recomputed()
    g = mem.groupby("_c", sort=True)
    agg = pd.DataFrame({"first": g["m"].first(), "ids": gjoin(g, "m", ";"), "txt": gjoin(g, "txt", ", ")})
    r = c.loc[agg.index].reset_index(drop=True)
    agg = agg.reset_index(drop=True)
    iss = ctx.issues(agg["first"], "no_difference_claim", "error", agg["txt"], "P ≥ " + str(ctx.params.alpha),
                     "The text says there is no difference, but the comparison it rests on is significant (" + agg["txt"] + ").",
                     join_cols(r["claim_id"], agg["ids"]),
                     override={"section": r["section"], "location": r["location"], "refs": r["refs"]})
    return iss, empty_recomputed()


@register("hr_direction_wording", "warning",
          "Prognostic factors called favourable with HR > 1 (or unfavourable with HR < 1), one finding per study and endpoint.")
def hr_direction_wording(ctx: AuditContext):
    """Compare each prognostic factor's wording with its HR direction.

    One finding per (study, endpoint) lists the factors whose HR points against their wording
    (unless the reference category is reversed); when factors listed together as favourable
    have HRs on both sides of 1, the finding says so and its evidence includes the whole list.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "h1", "quantity": "hr", "value": "2.75"}, {"value_id": "h2", "quantity": "hr", "value": "0.31"}]
    >>> pg = [{"factor_id": "f1", "study_id": "s", "endpoint": "pfs", "hr_id": "h1", "wording": "favourable"},
    ...       {"factor_id": "f2", "study_id": "s", "endpoint": "pfs", "hr_id": "h2", "wording": "favourable"}]
    >>> hr_direction_wording(toy_review(values=vals, prognostic=pg))[0]["value_ids"].tolist()
    ['h1;h2']
    """
    pg = ctx.prognostic[ctx.prognostic["hr_id"] != ""].copy()
    if pg.empty:
        return empty_issues(), empty_recomputed()
    hp = ctx.pos(pg["hr_id"])
    pg, hp = pg[hp >= 0], hp[hp >= 0]
    x = ctx.take(hp, ["num", "value", "voff"])
    pg["hr"] = x["num"].astype(float).to_numpy()
    pg["hrv"] = x["value"].to_numpy(dtype=object)
    pg["voff"] = x["voff"].to_numpy()
    pg = pg[pg["hr"].notna() & pg["wording"].isin(["favourable", "unfavourable"])]
    pg["bad"] = ((pg["wording"] == "favourable") & (pg["hr"] > 1)) | ((pg["wording"] == "unfavourable") & (pg["hr"] < 1))
    key = ["study_id", "endpoint"]
    pg["lab"] = pg["factor_key"].where(pg["factor_key"] != "", pg["factor"])
    pg = pg.sort_values(key + ["voff", "hr_id"], kind="stable")
    fav = pg[(pg["wording"] == "favourable") & (pg["hr"] != 1)]
    fg = fav.assign(_hi=fav["hr"] > 1, _lo=fav["hr"] < 1).groupby(key)
    mx_ = (fg["_hi"].any() & fg["_lo"].any()).rename("mixed").reset_index()
    pg = pg.merge(mx_, on=key, how="left")
    pg["mixed"] = pg["mixed"].fillna(False).astype(bool)
    b = pg[pg["bad"]]
    if b.empty:
        return empty_issues(), empty_recomputed()
    b = b.assign(item=b["lab"] + " " + b["wording"] + " with HR " + b["hrv"])
    gb = b.groupby(key, sort=True)
    agg = gb.agg(first=("hr_id", "first"), k=("hr_id", "size"), mixed=("mixed", "first"))
    agg["bad_ids"], agg["items"] = gjoin(gb, "hr_id", ";"), gjoin(gb, "item", "; ")
    agg = agg.reset_index()
    fgb = fav.assign(it=fav["lab"] + " " + fav["hrv"]).groupby(key, sort=True)
    fl = pd.DataFrame({"fav_ids": gjoin(fgb, "hr_id", ";"), "fav_items": gjoin(fgb, "it", ", ")}).reset_index()
    agg = agg.merge(fl, on=key, how="left").fillna({"fav_ids": "", "fav_items": ""})
    mx = agg["mixed"].to_numpy(dtype=bool)
    # the whole favourable list when mixed (bad unfavourable ones appended), else the bad ones
    bad_unfav = gjoin(b[b["wording"] != "favourable"].groupby(key, sort=True), "hr_id", ";")
    agg["bad_unfav"] = map_str(pd.Series(list(zip(agg["study_id"], agg["endpoint"]))), dict(zip(bad_unfav.index, bad_unfav)))
    ids = pd.Series(np.where(mx, join_cols(agg["fav_ids"], agg["bad_unfav"]), agg["bad_ids"]), dtype=object)
    ep = agg["endpoint"].str.upper()
    msg = ("The direction words of " + agg["k"].astype(str) + " factor(s) for " + ep + " contradict their hazard ratios ("
           + agg["items"] + ")"
           + pd.Series(np.where(mx, "; factors listed together as favourable have hazard ratios on both sides of 1 ("
                                + agg["fav_items"] + ")", ""), dtype=object)
           + ", unless the reference category is reversed.")
    exp = np.where(mx, "all HR on one side of 1", "HR on the side the wording states")
    iss = ctx.issues(agg["first"], "hr_direction_wording", "warning", agg["items"], exp, msg, ids.to_numpy(dtype=object),
                     study_ids=agg["study_id"])
    return iss, empty_recomputed()
