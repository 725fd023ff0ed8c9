"""Exact (integer / Fraction) arithmetic on numbers printed as decimal strings.

A printed number ``"24.0"`` is held as an integer mantissa (240) and a count of decimals (1),
so rounding intervals can be tested exactly without binary floating point.
"""
from __future__ import annotations

from decimal import Decimal, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP
from fractions import Fraction

import numpy as np
import pandas as pd

_NUM_RE = r"^\s*(\d*)(?:\.(\d+))?\s*$"


def parse_decimal(s: pd.Series) -> pd.DataFrame:
    """Parse printed decimal strings into mantissa, decimals and float value (vectorised).

    Parameters
    ----------
    s : Series of str
        Numbers as printed (``"24.0"``, ``"0.0002"``, ``"NR"``, ``"1,234"``).

    Returns
    -------
    DataFrame with int64 ``mant`` (-1 when unparsable), int64 ``dec``, float ``num`` (NaN when
    unparsable) and bool ``ok``.

    Examples
    --------
    >>> parse_decimal(pd.Series(["24.0", "7", "NR"])).to_dict("list")["mant"]
    [240, 7, -1]
    """
    s = s.astype(str).str.replace(",", "", regex=False)
    ex = s.str.extract(_NUM_RE)
    ip = ex[0].fillna("")
    fp = ex[1].fillna("")
    digits = ip + fp
    ok = ex[0].notna() & (digits.str.len() > 0) & (digits.str.len() <= 17)
    mant = pd.to_numeric(digits.where(ok, "-1"), errors="coerce").fillna(-1).astype("int64")
    dec = fp.str.len().where(ok, 0).astype("int64")
    num = mant.astype("float64") / np.power(10.0, dec.to_numpy())
    num = num.where(ok, np.nan)
    return pd.DataFrame(
        {"mant": mant.to_numpy(), "dec": dec.to_numpy(), "num": num.to_numpy(), "ok": ok.to_numpy()},
        index=s.index,
    )


def percent_conventions(k, n, m, d, comparator=None) -> pd.DataFrame:
    """Which rounding conventions turn the exact percentage 100·k/n into the printed m·10^-d.

    Integer arithmetic only. With ``A = 200·k·10^d − 2·m·n``: closed interval ``|A| ≤ n``;
    half-up ``−n ≤ A < n``; half-even ``|A| < n`` or ``|A| = n`` with m even; truncation
    ``0 ≤ A < 2n``. For comparators ``<, >, ≤, ≥`` the exact value is compared with the
    printed bound instead (all three convention columns then carry that result).

    Parameters
    ----------
    k, n, m, d : array-like of int
        Count, denominator, printed mantissa and printed number of decimals.
    comparator : array-like of str, optional

    Returns
    -------
    DataFrame of bool columns ``interval, half_up, half_even, truncation`` and float ``diff_units``
    (exact − printed, in units of the last printed digit).

    Examples
    --------
    >>> r = percent_conventions([5], [80], [62], [1])   # 5/80 = 6.25 printed "6.2"
    >>> r[["interval", "half_up", "half_even", "truncation"]].iloc[0].tolist()
    [True, False, True, True]
    """
    k = np.asarray(k, dtype="int64")
    n = np.asarray(n, dtype="int64")
    m = np.asarray(m, dtype="int64")
    d = np.asarray(d, dtype="int64")
    p10 = np.power(10, d).astype("int64")
    a = 200 * k * p10 - 2 * m * n
    interval = np.abs(a) <= n
    half_up = (a >= -n) & (a < n)
    half_even = (np.abs(a) < n) | ((np.abs(a) == n) & (m % 2 == 0))
    trunc = (a >= 0) & (a < 2 * n)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff_units = np.where(n > 0, a / (2.0 * n), np.nan)
    if comparator is not None:
        comp = np.asarray(comparator, dtype=object)
        lhs = 100 * k * p10  # exact·n·10^d
        rhs = m * n
        res = np.select(
            [comp == "<", comp == ">", comp == "≤", comp == "≥"],
            [lhs < rhs, lhs > rhs, lhs <= rhs, lhs >= rhs],
            default=interval,
        )
        is_ineq = np.isin(comp, ["<", ">", "≤", "≥"])
        interval = np.where(is_ineq, res, interval)
        half_up = np.where(is_ineq, res, half_up)
        half_even = np.where(is_ineq, res, half_even)
        trunc = np.where(is_ineq, res, trunc)
        diff_units = np.where(is_ineq & res, 0.0, diff_units)
    ok_n = n > 0
    return pd.DataFrame(
        {
            "interval": interval & ok_n,
            "half_up": half_up & ok_n,
            "half_even": half_even & ok_n,
            "truncation": trunc & ok_n,
            "diff_units": diff_units,
        }
    )


def grim_count_range(n, m, d) -> tuple[np.ndarray, np.ndarray]:
    """Integer counts k in [0, n] whose percentage 100·k/n lies in the printed interval.

    Returns ``(k_lo, k_hi)``; the percentage is attainable iff ``k_lo <= k_hi``.

    Examples
    --------
    >>> lo, hi = grim_count_range([45], [330], [1])   # 33.0% of 45: 14/45=31.1, 15/45=33.3
    >>> bool(lo[0] <= hi[0])
    False
    """
    n = np.asarray(n, dtype="int64")
    m = np.asarray(m, dtype="int64")
    d = np.asarray(d, dtype="int64")
    s = 200 * np.power(10, d).astype("int64")
    lo_num = (2 * m - 1) * n
    hi_num = (2 * m + 1) * n
    k_lo = np.maximum(-(-lo_num // s), 0)  # ceil
    k_hi = np.minimum(hi_num // s, n)
    return k_lo, k_hi


def fitting_denominators(m: int, d: int, max_n: int, count: int | None = None) -> list[int]:
    """Denominators 1..max_n for which some count (or the given count) gives the printed percent.

    Examples
    --------
    >>> fitting_denominators(330, 1, 120)[:3]
    [88, 91, 94]
    >>> fitting_denominators(250, 1, 100, count=5)
    [20]
    """
    ns = np.arange(1, max_n + 1, dtype="int64")
    if count is not None:
        ok = np.array(percent_conventions(np.full_like(ns, count), ns, np.full_like(ns, m), np.full_like(ns, d))["interval"], dtype=bool)
        ok &= ns >= count
    else:
        lo, hi = grim_count_range(ns, np.full_like(ns, m), np.full_like(ns, d))
        ok = lo <= hi
    return [int(x) for x in ns[ok]]


def fitting_denominator_lists(m, d, k, max_n: int, listed: int) -> np.ndarray:
    """The first ``listed`` denominators ≤ ``max_n`` that give each printed percentage m·10^-d
    (with the count k when k ≥ 0, with some count when k is -1), comma-joined ("none" if none).

    Vectorised over 1..max_n and computed once per distinct (m, d, k): the row-wise
    :func:`fitting_denominators`, as text for readers.

    Examples
    --------
    >>> fitting_denominator_lists([330, 250], [1, 1], [-1, 5], 100, 3).tolist()
    ['88, 91, 94', '20']
    """
    key = pd.DataFrame({"m": np.asarray(m, dtype="int64"), "d": np.asarray(d, dtype="int64"),
                        "k": np.asarray(k, dtype="int64")})
    uq = key.drop_duplicates().reset_index(drop=True)
    codes = key.merge(uq.assign(_i=np.arange(len(uq))), on=["m", "d", "k"], how="left")["_i"].to_numpy()
    ns = np.arange(1, max_n + 1, dtype="int64")[None, :]
    um, ud, uk = (uq[c].to_numpy(dtype="int64")[:, None] for c in ("m", "d", "k"))
    s = 200 * np.power(10, ud)
    lo = np.maximum(-(-((2 * um - 1) * ns) // s), 0)
    hi = np.minimum(((2 * um + 1) * ns) // s, ns)
    with_k = (uk >= 0) & (np.abs(200 * np.maximum(uk, 0) * np.power(10, ud) - 2 * um * ns) <= ns) & (ns >= uk)
    fits = np.where(uk >= 0, with_k, lo <= hi)
    strs = np.empty(len(uq), dtype=object)
    for i in range(len(uq)):  # one per distinct printed percentage
        strs[i] = ", ".join(map(str, ns[0][fits[i]][:listed])) or "none"
    return strs[codes]


def to_fraction(s: str) -> Fraction | None:
    """Exact value of a printed decimal string (None when not a number).

    Examples
    --------
    >>> to_fraction("0.10")
    Fraction(1, 10)
    """
    try:
        return Fraction(Decimal(str(s).replace(",", "").strip()))
    except Exception:
        return None


def decimals_of(s: str) -> int:
    """Number of printed decimals of a number string.

    Examples
    --------
    >>> decimals_of("0.0039"), decimals_of("12")
    (4, 0)
    """
    s = str(s).strip()
    return len(s.split(".", 1)[1]) if "." in s else 0


def in_printed_interval(x: float | Fraction, printed: str) -> bool:
    """Whether x lies in the closed rounding interval of a printed number.

    Examples
    --------
    >>> in_printed_interval(2.905, "2.9"), in_printed_interval(2.905, "2.96")
    (True, False)
    """
    p = to_fraction(printed)
    if p is None:
        return False
    half = Fraction(1, 2 * 10 ** decimals_of(printed))
    x = Fraction(x) if not isinstance(x, Fraction) else x
    return p - half <= x <= p + half


def round_conventions(x: Fraction, printed: str) -> list[str]:
    """Rounding conventions under which the exact value x prints as ``printed``.

    Examples
    --------
    >>> round_conventions(Fraction(25, 4), "6.2")
    ['half_even', 'truncation']
    """
    out = []
    target = to_fraction(printed)
    for name, mode in (("half_up", ROUND_HALF_UP), ("half_even", ROUND_HALF_EVEN), ("truncation", ROUND_DOWN)):
        scaled = x * 10 ** decimals_of(printed)
        fl = scaled.numerator // scaled.denominator
        frac = scaled - fl
        if mode == ROUND_DOWN:
            r = fl
        elif frac > Fraction(1, 2) or (frac == Fraction(1, 2) and (mode == ROUND_HALF_UP or fl % 2 == 1)):
            r = fl + 1
        else:
            r = fl
        if Fraction(r, 10 ** decimals_of(printed)) == target:
            out.append(name)
    return out


def format_number(x: float, decimals: int) -> str:
    """Format a recomputed number for display (display only; decisions never use it).

    Examples
    --------
    >>> format_number(11.25, 2)
    '11.25'
    """
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if np.isinf(x):
        return "inf"
    return f"{x:.{max(decimals, 0)}f}"


def significance(num, comp, alpha: float, equal_is_significant: bool = False) -> np.ndarray:
    """What a printed p-value claims about significance at ``alpha``: 1.0 significant, 0.0 not
    significant, NaN undetermined.

    ``P < x`` (or ``≤``) claims significance only when x ≤ alpha; ``P > x`` (or ``≥``) claims
    non-significance only when x ≥ alpha (``P > 0.01`` says nothing about alpha = 0.05);
    ``P = x`` is significant below alpha, and at exactly alpha as ``equal_is_significant``
    says (the audit's convention, :class:`~helpers.audit.params.AuditParams`
    ``p_equal_alpha_significant``: by default P = 0.05 is not significant at alpha 0.05).

    Examples
    --------
    >>> significance([0.001, 0.01, 0.1, 0.05, 0.3], ["<", ">", "<", "=", "="], 0.05).tolist()
    [1.0, nan, nan, 0.0, 0.0]
    >>> significance([0.05, 0.05], ["=", ">"], 0.05, equal_is_significant=True).tolist()
    [1.0, 0.0]
    """
    num = np.asarray(num, dtype=float)
    comp = np.asarray(comp, dtype=object)
    below = np.isin(comp, ["<", "≤"])
    above = np.isin(comp, [">", "≥"])
    eq = ~below & ~above
    out = np.full(num.shape, np.nan)
    out[below & (num <= alpha)] = 1.0
    out[above & (num >= alpha)] = 0.0
    sig_eq = (num <= alpha) if equal_is_significant else (num < alpha)
    out[eq & sig_eq] = 1.0
    out[eq & ~sig_eq & ~np.isnan(num)] = 0.0
    return out


def is_significant(num, comp, alpha: float, equal_is_significant: bool = False) -> np.ndarray:
    """Whether each printed p-value claims significance: :func:`significance` equal to 1.

    Examples
    --------
    >>> is_significant([0.01, 0.2, 0.05], ["=", "=", "<"], 0.05).tolist()
    [True, False, True]
    """
    return significance(num, comp, alpha, equal_is_significant) == 1.0
