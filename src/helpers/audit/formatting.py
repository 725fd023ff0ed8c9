"""Numbers and ids as text: how figures and value_id lists are written into issues and recomputed rows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .grouping import as_objects


def fmt(v) -> str:
    """Short display of a float (no trailing zeros)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and np.isinf(v):
        return "NR"
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"


def fmt_arr(x) -> np.ndarray:
    """Vectorised :func:`fmt` (``%.4g``; ``%.0f`` from 1e4; NR for inf; blank for NaN).

    Large arrays are formatted once per distinct number, then broadcast.

    Examples
    --------
    >>> fmt_arr([0.5, 12345.6, float("inf"), float("nan"), -0.0]).tolist()
    ['0.5', '12346', 'NR', '', '-0']
    """
    a = np.asarray(x, dtype="float64")
    if a.size == 0:
        return np.zeros(0, dtype=object)
    return _per_distinct_float(a, _fmt_arr)


def _per_distinct_float(a: np.ndarray, fn) -> np.ndarray:
    """``fn(a)`` for an elementwise float formatter ``fn``, computed once per distinct number of
    a large array and broadcast (not when -0.0 occurs: it would share 0.0's code)."""
    if a.size > 64 and not (np.signbit(a) & (a == 0)).any():
        codes, uniq = pd.factorize(a, use_na_sentinel=False)
        if len(uniq) < a.size:
            return fn(np.asarray(uniq, dtype="float64"))[codes]
    return fn(a)


def _fmt_arr(a: np.ndarray) -> np.ndarray:
    fin = np.isfinite(a)
    safe = np.where(fin, a, 0.0)
    is_small = np.abs(safe) < 1e4
    out = np.empty(len(safe), dtype=object)
    out[is_small] = np.char.mod("%.4g", safe[is_small]).astype(object)
    out[~is_small] = np.char.mod("%.0f", safe[~is_small]).astype(object)
    out = np.where(np.isinf(a), "NR", out)
    out = np.where(np.isnan(a), "", out)
    return out.astype(object)


def format_floats(spec: str, x) -> np.ndarray:
    """``np.char.mod(spec, x)`` as an object array of str, formatting each distinct number once.

    Examples
    --------
    >>> format_floats("%.3g", [0.12345, 0.12345, -0.0, float("nan")]).tolist()
    ['0.123', '0.123', '-0', 'nan']
    """
    return _per_distinct_float(np.asarray(x, dtype="float64"), lambda u: np.char.mod(spec, u).astype(object))


def fmt_dec(x, decimals) -> np.ndarray:
    """Vectorised fixed-point formatting with a per-row number of decimals (``%.{d}f``).

    Each distinct number is formatted once per number of decimals, then broadcast.

    Examples
    --------
    >>> fmt_dec([12.345, 12.345, -0.0, 2.0], [1, 2, 1, 0]).tolist()
    ['12.3', '12.35', '-0.0', '2']
    """
    a = np.asarray(x, dtype="float64")
    d = np.asarray(decimals, dtype="int64")
    out = np.empty(len(a), dtype=object)
    for k in pd.unique(d):  # hash-based (np.unique sorts)
        m = d == k
        out[m] = format_floats(f"%.{max(int(k), 0)}f", a[m])
    return out


def int_str(x) -> pd.Series:
    """Integers as decimal strings in an object Series (index of ``x`` kept if it has one).

    Same text as ``x.astype(str)``, without pandas' string dtype, whose concatenations are
    several times slower on large columns.

    Examples
    --------
    >>> ("n=" + int_str(pd.Series([3, 40]))).tolist()
    ['n=3', 'n=40']
    """
    index = x.index if isinstance(x, pd.Series) else None
    a = np.asarray(x)
    if a.dtype.kind not in "iu":
        a = a.astype("int64")
    return pd.Series(a.astype(str).astype(object), index=index, dtype=object)


def split_ids(s) -> list[str]:
    """Split a ``;``-joined id/ref cell.

    Examples
    --------
    >>> split_ids("29; 30")
    ['29', '30']
    """
    return [x.strip() for x in str(s).split(";") if x.strip()] if s else []


def join_ids(x) -> str:
    """Join ids with ``;`` (dedupe, keep order).

    Examples
    --------
    >>> join_ids(["b", "a", "b"])
    'b;a'
    """
    if isinstance(x, str):
        return x
    seen = []
    for i in x:
        if i and i not in seen:
            seen.append(i)
    return ";".join(seen)


def join_cols(*cols) -> np.ndarray:
    """Row-wise ``;``-join of id columns, skipping blanks (vectorised).

    Examples
    --------
    >>> join_cols(pd.Series(["a", "b"]), pd.Series(["", "c"])).tolist()
    ['a', 'b;c']
    """
    out = None
    for c in cols:
        c = as_objects(c) if not isinstance(c, str) else c
        c = np.where(pd.isna(c), "", c).astype(object) if not isinstance(c, str) else c
        if out is None:
            out = c if not isinstance(c, str) else None
            if out is None:
                raise ValueError("join_cols needs an array first")
            continue
        out = np.where(c == "", out, np.where(out == "", c, out + ";" + c)).astype(object)
    return out
