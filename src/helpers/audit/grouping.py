"""Grouping and sorting on integer codes: vectorised stand-ins for pandas groupby/sort idioms.

Each function states the pandas operation it reproduces (same result, a fraction of the cost on
large tables); ``tests/test_fast_paths.py`` checks the claims. Nothing here knows a review.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype


def ngroup_codes(codes: list, sort: bool = False) -> np.ndarray:
    """``DataFrame(codes).groupby(list(range(len(codes))), sort=sort).ngroup()`` for integer code
    columns (each ≥ 0, e.g. from :meth:`AuditContext.codes`), via one combined integer key (no DataFrame, no multi-column grouping).

    Examples
    --------
    >>> ngroup_codes([np.array([2, 0, 2, 1]), np.array([0, 0, 0, 5])]).tolist()
    [0, 1, 0, 2]
    >>> ngroup_codes([np.array([2, 0, 2, 1]), np.array([0, 0, 0, 5])], sort=True).tolist()
    [2, 0, 2, 1]
    """
    codes = [np.asarray(c, dtype="int64") for c in codes]
    n = len(codes[0]) if codes else 0
    if n == 0:
        return np.zeros(0, dtype="int64")
    key = np.zeros(n, dtype="int64")
    radix = 1
    for c in codes:
        k = int(c.max()) + 2  # codes -1..max shifted to 0..max+1: the combined key keeps their order
        if radix * k >= 2 ** 62:  # would overflow: renumber what we have so far (order kept)
            key = pd.factorize(key, sort=True)[0].astype("int64")
            radix = int(key.max()) + 1
            if radix * k >= 2 ** 62:
                df = pd.DataFrame({i: x for i, x in enumerate(codes)})
                return df.groupby(list(range(len(codes))), sort=sort).ngroup().to_numpy().astype("int64")
        key = key * k + (c + 1)
        radix *= k
    return pd.factorize(key, sort=sort)[0].astype("int64")


def factorize_sorted(a) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(a, sort=True)`` for an object array of str: hash-factorise, then sort
    only the distinct values (code point order, see :func:`str_argsort`) and renumber.

    Examples
    --------
    >>> c, u = factorize_sorted(np.array(["b", "a", "b", "c"], dtype=object))
    >>> c.tolist(), u.tolist()
    ([1, 0, 1, 2], ['a', 'b', 'c'])
    """
    c, u = pd.factorize(np.asarray(a, dtype=object))
    u = np.asarray(u, dtype=object)
    if len(u) < 2:
        return c, u
    order = str_argsort(u)
    rank = np.empty(len(u), dtype=c.dtype)
    rank[order] = np.arange(len(u), dtype=c.dtype)
    if c.min() >= 0:  # no missing value (the usual case): one take renumbers
        return rank[c], u[order]
    return np.where(c >= 0, rank[np.maximum(c, 0)], -1).astype(c.dtype), u[order]


def group_cumcount(gid) -> np.ndarray:
    """Position of each row within its group (in row order): ``groupby(gid).cumcount()``.

    Examples
    --------
    >>> group_cumcount(np.array([3, 1, 3, 3, 1])).tolist()
    [0, 0, 1, 2, 1]
    """
    gid = np.asarray(gid, dtype="int64")
    if len(gid) == 0:
        return np.zeros(0, dtype="int64")
    order = np.argsort(gid, kind="stable")
    gs = gid[order]
    start = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    first = np.repeat(start, np.diff(np.r_[start, len(gs)]))
    out = np.empty(len(gid), dtype="int64")
    out[order] = np.arange(len(gid)) - first
    return out


def group_nunique(gid, codes) -> np.ndarray:
    """Per row, the number of distinct ``codes`` (ints ≥ 0) in its group ``gid`` (ints ≥ 0):
    ``groupby(gid)[x].transform("nunique")`` on integer codes, hash-based.

    Examples
    --------
    >>> group_nunique(np.array([0, 1, 0, 0]), np.array([3, 3, 4, 3])).tolist()
    [2, 1, 2, 2]
    """
    gid, codes = np.asarray(gid, dtype="int64"), np.asarray(codes, dtype="int64")
    if len(gid) == 0:
        return np.zeros(0, dtype="int64")
    k = int(codes.max()) + 1
    pairs = pd.unique(gid * k + codes)
    return np.bincount(pairs // k, minlength=int(gid.max()) + 1)[gid]


def str_argsort(a) -> np.ndarray:
    """Stable argsort of an object array of str (same order as ``np.argsort(a, kind="stable")``).

    Plain ASCII strings without NUL are sorted as fixed-width bytes (byte order is then code
    point order), several times faster than comparing Python objects; anything else falls back.

    Examples
    --------
    >>> str_argsort(np.array(["b", "a", "ab", "a"], dtype=object)).tolist()
    [1, 3, 2, 0]
    >>> str_argsort(np.array(["é", "e"], dtype=object)).tolist()
    [1, 0]
    """
    a = np.asarray(a, dtype=object)
    if len(a) and infer_dtype(a, skipna=False) == "string" and "\x00" not in "".join(a):
        try:
            return np.argsort(a.astype("S"), kind="stable")
        except UnicodeEncodeError:
            pass
    return np.argsort(a, kind="stable")


def stable_order(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """Stable lexicographic order of rows given as object arrays of str (one per sort key), and
    the group number of each row along that order (rows equal on every key share it).

    The first key is sorted on its own; each further key is consulted only for the rows still
    tied, so keys that rarely break ties cost little. Same order as
    ``DataFrame(columns).sort_values(list(range(k)), kind="stable")``.

    Examples
    --------
    >>> o, g = stable_order([np.array(["b", "a", "b", "a"], dtype=object), np.array(["2", "9", "1", "9"], dtype=object)])
    >>> o.tolist(), g.tolist()
    ([1, 3, 2, 0], [0, 0, 1, 2])
    """
    first = np.asarray(columns[0], dtype=object)
    n = len(first)
    if n == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    order = str_argsort(first).astype("int64")
    s = first[order]
    gid = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1
    for col in columns[1:]:
        tied = gid[1:] == gid[:-1]
        mask = np.r_[tied, False] | np.r_[False, tied]
        if not mask.any():
            break
        sub, g = order[mask], gid[mask]
        vals = np.asarray(col, dtype=object)[sub]
        o = str_argsort(vals)
        o = o[np.argsort(g[o], kind="stable")]  # by group, then by this key, ties in current order
        order[mask] = sub[o]
        key = np.zeros(n, dtype="int64")
        sv = vals[o]
        key[mask] = np.cumsum(np.r_[True, sv[1:] != sv[:-1]])
        gid = np.cumsum(np.r_[True, (gid[1:] != gid[:-1]) | (key[1:] != key[:-1])]) - 1
    return order, gid


def group_join(codes, vals, sep: str, n_groups: int | None = None) -> np.ndarray:
    """Join ``vals`` with ``sep`` within groups (vectorised ``groupby(...).agg(sep.join)``).

    ``codes`` are group numbers 0..G-1 (e.g. ``DataFrame.groupby(...).ngroup()``); the order
    of values inside a group is their order in ``vals``. Returns an object array of length G
    (``n_groups`` if given; groups without values get ``""``).

    Examples
    --------
    >>> group_join([1, 0, 1], ["a", "b", "c"], ";").tolist()
    ['b', 'a;c']
    """
    codes = np.asarray(codes, dtype="int64")
    vals = np.asarray(vals, dtype=object)
    keep = codes >= 0
    codes, vals = codes[keep], vals[keep]
    G = int(codes.max()) + 1 if n_groups is None and len(codes) else (n_groups or 0)
    out = np.full(G, "", dtype=object)
    if len(codes) == 0:
        return out
    order = np.argsort(codes, kind="stable")
    c, v = codes[order], as_strs(vals[order])
    first = np.r_[True, c[1:] != c[:-1]]
    el = np.where(first, v, sep + v)
    starts = np.flatnonzero(first)
    out[c[starts]] = np.add.reduceat(el, starts)
    return out


def gjoin(g, col: str, sep: str) -> pd.Series:
    """``g[col].agg(sep.join)`` for a DataFrameGroupBy ``g`` (vectorised; same index, and pandas' str dtype)."""
    codes = g.ngroup().to_numpy()
    idx = g.size().index
    return pd.Series(group_join(codes, g.obj[col].to_numpy(dtype=object), sep, n_groups=len(idx)), index=idx, dtype=str)


def map_str(s: pd.Series, mapping) -> pd.Series:
    """``s.map(mapping)`` as strings, blank where unmapped (index of ``s`` kept)."""
    r = s.map(mapping)
    return pd.Series(np.where(r.isna(), "", r.astype(object)), index=s.index, dtype=object)


def broadcast_strs(x, n: int) -> np.ndarray:
    """A scalar broadcast, or a sequence, as an object array of str."""
    if isinstance(x, str):
        return np.full(n, x, dtype=object)
    return as_strs(x)


def as_strs(x) -> np.ndarray:
    """``as_objects(x).astype(str).astype(object)``, skipping the round trip when every cell is a str."""
    a = as_objects(x)
    if len(a) and infer_dtype(a, skipna=False) == "string":
        return a
    return a.astype(str).astype(object)


def as_objects(x) -> np.ndarray:
    """Any sequence as a 1-d object array (lists of lists stay lists)."""
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy(dtype=object)
    if isinstance(x, np.ndarray):
        return x.astype(object)
    out = np.empty(len(x), dtype=object)
    out[:] = list(x)
    return out
