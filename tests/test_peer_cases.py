"""Peers' test cases, recorded as data in tests/peer_cases/ (sources and licences in its README),
run against the engine's primitives: GRIM (scrutiny) against helpers.audit.numeric, decision
errors (statcheck) and 2×2 p-values (SciPy, R) against helpers.audit.contingency.

A case on which the engine disagrees with the peer is an expected failure (strict: it must keep
failing) whose reason names the discrepancy; it is reported, never silently accepted.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst

from helpers.audit.numeric import grim_count_range, parse_decimal, percent_conventions, significance
from helpers.audit.contingency import fisher_two_sided, p_matches_printed, p_methods

CASES = Path(__file__).parent / "peer_cases"


def _rows(name: str) -> list[dict]:
    with open(CASES / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _param(row: dict, ident: str, known: dict[str, str]):
    reason = known.get(ident)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(row, id=ident, marks=marks)


# ------------------------------------------------------------------ GRIM (scrutiny)
#: scrutiny's rounding names -> the conventions of percent_conventions
CONVENTION = {"up_or_down": "interval", "up": "half_up", "even": "half_even", "trunc": "truncation"}

#: where the engine's exact arithmetic and scrutiny disagree, and why (scrutiny moves each
#: reconstructed mean k/N by ±1e-12, its "dust", before rounding it)
_DUST_TRUNC = ("scrutiny's dust moves a mean that lies exactly on the next printed value (e.g. 190/40 = 4.75) "
               "just below it, so 'trunc' also gives the printed value (4.74); exact truncation of 4.75 is 4.75, "
               "and no k/N truncates to the printed mean")
_DUST_EVEN = ("scrutiny's dust lets an exact tie (e.g. 209/40 = 5.225) round both ways under 'even'; exact "
              "half-even rounding of a tie goes to the even last digit only (5.22), so no k/N prints as 5.23")
GRIM_KNOWN = {f"pigs1_n{n}-{x}-{mode}": reason
              for n in (40, 80)
              for mode, xs, reason in (("trunc", ("4.74", "3.14", "6.89", "0.24"), _DUST_TRUNC),
                                       ("even", ("5.23", "2.57", "6.77"), _DUST_EVEN))
              for x in xs}


def grim_consistent(x: str, n: int, items: int, percent: bool, convention: str) -> tuple[bool, bool]:
    """Whether a mean (or percentage) ``x`` of integer data is possible with ``n`` cases of
    ``items`` items, by the engine's primitives. Returns (by ``percent_conventions``, by
    ``grim_count_range`` — the latter only for the closed interval, else the former again).

    A mean x = I + f with D ≥ 2 printed decimals is a sum k / N (N = n·items) exactly when its
    fractional part f is the proportion j / N of some 0 ≤ j ≤ N, i.e. when f, read as a
    percentage with D − 2 decimals, passes the engine's GRIM test of percentages (the integer
    part changes neither the rounding interval nor, for D ≥ 1, the parity of the last digit).
    A percentage is first read as the proportion x / 100 (scrutiny's ``percent = TRUE``).
    """
    p = parse_decimal(pd.Series([x])).iloc[0]
    mant, dec = int(p["mant"]), int(p["dec"]) + (2 if percent else 0)
    assert dec >= 2, "the mapping needs at least two decimals of the proportion"
    N = n * items
    frac = mant - (mant // 10 ** dec) * 10 ** dec
    d = dec - 2
    k = np.arange(N + 1)
    conv = percent_conventions(k, np.full_like(k, N), np.full_like(k, frac), np.full_like(k, d))[convention]
    by_conventions = bool(conv.any())
    if convention != "interval":
        return by_conventions, by_conventions
    lo, hi = grim_count_range([N], [frac], [d])
    return by_conventions, bool(lo[0] <= hi[0])


GRIM = [_param(r, f"{r['group']}-{r['x']}-{r['rounding']}", GRIM_KNOWN) for r in _rows("grim_scrutiny.csv")]


@pytest.mark.parametrize("row", GRIM)
def test_grim_cases_of_scrutiny(row):
    expected = row["consistent"] == "TRUE"
    by_conv, by_range = grim_consistent(row["x"], int(row["n"]), int(row["items"]), row["percent"] == "TRUE",
                                        CONVENTION[row["rounding"]])
    assert by_conv == by_range, "percent_conventions and grim_count_range disagree"
    assert by_conv == expected, row


# ------------------------------------------------------------------ decision errors (statcheck)
def _statistic(row: dict) -> float:
    if row["statistic"]:
        return float(row["statistic"])
    # t(df) from a p-value as the peer builds it (qt(p/2, df, lower.tail = FALSE) + offset),
    # printed with 15 significant digits as R's paste0 does
    t = sst.t.isf(float(row["stat_from_p"]) / 2, int(row["df1"])) + float(row["stat_offset"] or 0)
    return float(f"{t:.15g}")


def recomputed_p(row: dict) -> float:
    """The p-value of the reported test statistic (two-sided for t, r and z), as statcheck computes it."""
    x, test = _statistic(row), row["test"]
    df1 = int(row["df1"]) if row["df1"] else None
    if test == "t":
        return float(2 * sst.t.sf(abs(x), df1))
    if test == "F":
        return float(sst.f.sf(x, df1, int(row["df2"])))
    if test == "r":
        return float(2 * sst.t.sf(abs(x) * np.sqrt(df1 / (1 - x * x)), df1))
    if test in ("chi2", "Q"):
        return float(sst.chi2.sf(x, df1))
    if test == "z":
        return float(2 * sst.norm.sf(abs(x)))
    raise ValueError(test)


def decision_error(p: float, comparator: str, printed: str, alpha: float, equal_is_significant: bool) -> bool:
    """The engine's rule (p_from_2x2): the recomputed p does not reproduce the printed one, the
    printed p makes a claim about significance (:func:`significance`; ``P = alpha`` as the
    audit parameter ``p_equal_alpha_significant`` says, statcheck's ``pEqualAlphaSig``), and
    the recomputed p falls on the other side of ``alpha``."""
    pdx = parse_decimal(pd.Series([printed]))
    matches = p_matches_printed(np.array([p]), pdx["mant"], pdx["dec"], np.array([comparator], dtype=object))[0]
    claim = significance(pdx["num"].to_numpy(), np.array([comparator], dtype=object), alpha, equal_is_significant)[0]
    flips = not np.isnan(claim) and (claim == 1.0) != (p < alpha)
    return bool(not matches and flips)


STATCHECK_KNOWN: dict[str, str] = {}
STATCHECK = [_param(r, f"{r['group']}-{r['test']}{r['statistic'] or r['stat_from_p'] + r['stat_offset']}"
                       f"-p{r['comparator']}{r['reported_p']}-a{r['alpha']}-eqsig{r['p_equal_alpha_sig']}",
                    STATCHECK_KNOWN) for r in _rows("statcheck_decision_errors.csv")]


@pytest.mark.parametrize("row", STATCHECK)
def test_decision_errors_of_statcheck(row):
    p = recomputed_p(row)
    got = decision_error(p, row["comparator"], row["reported_p"], float(row["alpha"]), row["p_equal_alpha_sig"] == "TRUE")
    assert got == (row["decision_error"] == "TRUE"), (p, row)


# ------------------------------------------------------------------ 2×2 tables (SciPy, R)
TWO_BY_TWO = [pytest.param(r, id=r["case"]) for r in _rows("two_by_two.csv")]


@pytest.mark.parametrize("row", TWO_BY_TWO)
def test_two_by_two_p_values_of_scipy_and_r(row):
    a, b, c, d = (int(row[k]) for k in "abcd")
    if row["method"] == "fisher":
        p = float(fisher_two_sided([a], [a + b], [c], [c + d])[0])
    else:
        p = float(p_methods([a], [a + b], [c], [c + d])[row["method"]].iloc[0])
    printed = row["expected_p"]
    decimals = len(printed.split(".")[1])
    if decimals >= 15:  # printed at full precision
        assert p == pytest.approx(float(printed), rel=1e-9)
    else:  # printed rounded: the recomputed p must round to it
        assert abs(p - float(printed)) <= 0.5 * 10 ** -decimals, (p, printed)
