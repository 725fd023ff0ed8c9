"""Tests of a 2×2 table (two arms, events out of each arm's size): the numeric primitives.

Pure functions of counts, vectorised over arrays, no knowledge of a review: Fisher's exact test,
chi-square with and without Yates's correction, the N-1 chi-square, the G-test, Cressie-Read,
the Wald test of the odds ratio. :func:`p_methods` runs them all; the checks of
:mod:`.stats` compare a printed p-value or odds ratio with them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sst
from scipy.special import gammaln


#: the tests :func:`p_methods` runs (its columns, in order), plus the Wald test of a printed OR
P_METHODS = ("fisher", "chi2", "chi2_yates", "chi2_n_minus_1", "g_test", "cressie_read", "wald_or")


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
    (vectorised; chi-square columns NaN when a margin is zero).

    Examples
    --------
    >>> p_methods([12], [20], [4], [20]).round(4).iloc[0].tolist()
    [0.0225, 0.0098, 0.0239, 0.0108, 0.0086, 0.0095]
    """
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


def p_matches_printed(p: np.ndarray, mant, dec, comp) -> np.ndarray:
    """Whether recomputed p values reproduce the printed p m·10^-d: within half a unit of its
    last digit, or on the stated side of ``<, ≤, >, ≥`` (NaN never does).

    Examples
    --------
    >>> p_matches_printed(np.array([0.0225, 0.0225, 0.0225, np.nan]), [22, 2, 5, 22], [3, 2, 2, 3], ["=", "=", "<", "="]).tolist()
    [True, True, True, False]
    """
    mant = np.asarray(mant, dtype="float64")
    scale = np.power(10.0, np.asarray(dec, dtype="float64"))
    x = mant / scale
    comp = np.asarray(comp, dtype=object)
    within = np.abs(p * scale - mant) <= 0.5
    res = np.select([comp == "<", comp == "≤", comp == ">", comp == "≥"], [p < x, p <= x, p > x, p >= x], default=within)
    return np.asarray(res, dtype=bool) & ~np.isnan(p)
