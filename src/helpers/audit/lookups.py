"""Cached lookups over the ``values`` table of an :class:`~helpers.audit.context.AuditContext`.

Integer codes of columns (factorised once, in sorted order), boolean masks, text order, value_id
joins: the speed-ups that let every check select, group and join on codes instead of strings.
Each method states the pandas operation it reproduces.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from .grouping import factorize_sorted, ngroup_codes, str_argsort


class ValueLookups:
    """Mixin of :class:`~helpers.audit.context.AuditContext`: fast access to ``self.values``."""

    def codes(self, col: str) -> tuple[np.ndarray, pd.Index]:
        """Integer codes of a ``values`` column and its distinct values (factorised once).

        Codes follow the sorted order of the distinct values, so sorting or grouping on them
        orders rows as sorting on the strings would.
        """
        cache = self.__dict__.setdefault("_codes", {})
        if col not in cache:
            c, u = factorize_sorted(self.values[col].to_numpy(dtype=object))
            cache[col] = (c, pd.Index(u, dtype=object))
        return cache[col]

    def eq(self, col: str, *vals: str) -> np.ndarray:
        """Boolean mask of ``values`` rows whose ``col`` is one of ``vals`` (cached, vectorised).

        Same result as ``values[col].isin(vals)`` at a fraction of the cost on large tables.

        Examples
        --------
        >>> from helpers.audit import AuditContext, toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "a", "quantity": "n"},
        ...                                       {"value_id": "b", "quantity": "count"}]))
        >>> ctx.eq("quantity", "count").tolist(), ctx.eq("quantity", "n", "count").tolist()
        ([False, True], [True, True])
        """
        cache = self.__dict__.setdefault("_masks", {})
        key = (col, vals)
        if key not in cache:
            c, u = self.codes(col)
            idx = u.get_indexer(list(vals))
            idx = idx[idx >= 0]
            if len(idx) == 0:
                m = np.zeros(len(c), dtype=bool)
            elif len(idx) == 1:
                m = c == idx[0]
            else:
                m = np.isin(c, idx)
            m.flags.writeable = False
            cache[key] = m
        return cache[key]

    def ngroup(self, cols: list[str], sel: np.ndarray) -> np.ndarray:
        """Group numbers of the ``values`` rows selected by mask ``sel``, grouped on ``cols``.

        Same numbers as ``values[sel].groupby(cols, sort=False).ngroup()`` (groups numbered in
        order of first appearance), computed from the cached integer codes.

        Examples
        --------
        >>> from helpers.audit import AuditContext, toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": i, "study_id": s, "quantity": q} for i, s, q in
        ...                                       [("a", "y", "n"), ("b", "x", "n"), ("c", "y", "n"), ("d", "y", "hr")]]))
        >>> ctx.ngroup(["study_id", "quantity"], np.ones(4, dtype=bool)).tolist()
        [0, 1, 0, 2]
        """
        sel = np.asarray(sel, dtype=bool)
        return ngroup_codes([self.codes(c)[0][sel] for c in cols])

    def on_distinct(self, col: str, fn) -> np.ndarray:
        """``fn`` (a vectorised function of a str Series, e.g. ``lambda s: s.str.startswith("text")``)
        applied to the distinct values of a ``values`` column only, broadcast to every row."""
        c, u = self.codes(col)
        if len(u) == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(fn(pd.Series(u.to_numpy(dtype=object), dtype=object)).to_numpy())[c]

    def blank(self, col: str) -> np.ndarray:
        """Mask of ``values`` rows whose ``col`` is blank (cached).

        Same as ``eq(col, "")``; without factorising the column when its codes are not needed
        otherwise (id columns have many distinct values: a sorted factorisation costs 10x more).
        """
        cache = self.__dict__.setdefault("_masks", {})
        key = (col, ("",))
        if key not in cache and col not in self.__dict__.get("_codes", {}):
            m = np.asarray(self.values[col].to_numpy(dtype=object) == "", dtype=bool)
            m.flags.writeable = False
            cache[key] = m
        return self.eq(col, "")

    @cached_property
    def vord(self) -> np.ndarray:
        """Rank of each ``values`` row in text order (``voff``, then ``value_id``), equal for ties.

        Sorting a subset on it (stable) orders it exactly as sorting on (voff, value_id) would.
        """
        return text_order_rank(self.values["voff"].to_numpy(), self.values["value_id"].to_numpy(dtype=object))

    def adopt(self, codes: dict, vord: np.ndarray | None = None):
        """Take lookups computed elsewhere (e.g. by another process, from the same table):
        ``codes`` maps a column to its :func:`factorize_sorted` result, ``vord`` is
        :func:`text_order_rank` of the rows. Lookups already built are kept."""
        cache = self.__dict__.setdefault("_codes", {})
        for col, (c, u) in codes.items():
            if col not in cache and len(c) == len(self.values):
                cache[col] = (c, pd.Index(u, dtype=object))
        if vord is not None and "vord" not in self.__dict__ and len(vord) == len(self.values):
            self.__dict__["vord"] = vord
        return self

    #: ``values`` columns most checks group or select on (factorised by :meth:`prepare`)
    COMMON_COLUMNS = ("quantity", "study_id", "location", "unit", "endpoint", "subgroup", "timepoint",
                      "comp", "bnd", "armn")

    def prepare(self):
        """Build now the lazily cached lookups that most checks use (text order, value_id index,
        codes of the common columns), e.g. before worker processes inherit the context.
        Results do not change."""
        for c in self.COMMON_COLUMNS:
            self.codes(c)
        self.vord
        self.pos([""])  # builds the value_id hash index
        return self

    def merge_rows(self, left: pd.DataFrame, right: pd.DataFrame, on: list[str], **kw) -> pd.DataFrame:
        """``left.merge(right, on=on, **kw)`` for row subsets of ``values`` (their index: row
        positions, as from ``values.loc[mask]``) joined on ``values`` columns: the join runs on
        the cached integer codes, the key columns are then put back as strings. Same rows in the
        same order as the string merge.

        Examples
        --------
        >>> from helpers.audit import AuditContext, toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "a", "study_id": "s"}, {"value_id": "b", "study_id": "s"}]))
        >>> v = ctx.values
        >>> ctx.merge_rows(v.loc[[0], ["study_id", "value_id"]], v.loc[[1], ["study_id", "value_id"]], ["study_id"]).values.tolist()
        [['s', 'a', 'b']]
        """
        lk = {c: self.codes(c)[0][left.index.to_numpy()] for c in on}
        rk = {c: self.codes(c)[0][right.index.to_numpy()] for c in on}
        m = left.assign(**lk).merge(right.assign(**rk), on=on, **kw)
        for c in on:  # as object, the dtype of the ``values`` columns the string merge keeps
            m[c] = pd.Series(self.codes(c)[1].to_numpy(dtype=object)[m[c].to_numpy()], index=m.index, dtype=object)
        return m


    @cached_property
    def _vid_index(self) -> tuple[pd.Index, np.ndarray]:
        """Distinct value_ids (first occurrence) as an Index, and the row of each."""
        vid = self.values["value_id"].to_numpy(dtype=object)
        idx = pd.Index(vid, dtype=object, copy=False)
        if idx.is_unique:  # the usual case: the index's own hash table serves the lookups
            return idx, np.arange(len(vid), dtype="int64")
        codes, uniq = pd.factorize(vid)
        first = np.unique(codes, return_index=True)[1].astype("int64")
        return pd.Index(uniq, dtype=object), first

    def pos(self, ids) -> np.ndarray:
        """Row of ``values`` holding each value_id in ``ids`` (first occurrence), -1 if none.

        Examples
        --------
        >>> from helpers.audit import AuditContext, toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "a"}, {"value_id": "b"}]))
        >>> ctx.pos(["b", "", "a", "x"]).tolist()
        [1, -1, 0, -1]
        """
        idx, first = self._vid_index
        a = ids.to_numpy(dtype=object) if isinstance(ids, (pd.Series, pd.Index)) else np.asarray(ids, dtype=object)
        if len(a) == 0 or len(idx) == 0:
            return np.full(len(a), -1, dtype="int64")
        i = idx.get_indexer(a)
        return np.where(i >= 0, first[np.maximum(i, 0)], -1).astype("int64")

    def take(self, rows, cols, index=None) -> pd.DataFrame:
        """Columns ``cols`` of the ``values`` rows at positions ``rows`` (-1: missing, NaN).

        Same cells and dtypes as ``values.drop_duplicates("value_id").set_index("value_id").reindex(ids)[cols]``
        for ``rows = pos(ids)``.

        Examples
        --------
        >>> from helpers.audit import AuditContext, toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "a", "value": "7"}]))
        >>> ctx.take(ctx.pos(["a", "z"]), ["value", "num"]).values.tolist()
        [['7', 7.0], [nan, nan]]
        """
        rows = np.asarray(rows, dtype="int64")
        v = self.values
        index = index if index is not None else pd.RangeIndex(len(rows))
        out = {}
        for c in cols:
            a = pd.api.extensions.take(v[c].array if not isinstance(v[c].dtype, np.dtype) else v[c].to_numpy(),
                                       rows, allow_fill=True)
            # the taken array's own dtype: pandas would infer its str dtype from an object array of str
            out[c] = pd.Series(a, index=index, dtype=a.dtype, copy=False)
        return pd.DataFrame(out, index=index, copy=False)

    def id_pos(self, col: str) -> np.ndarray:
        """For an id column of ``values`` (``count_id``, ``denominator_id``, ``total_id`` …): the
        row each cell points to, -1 when blank or unknown (cached)."""
        cache = self.__dict__.setdefault("_id_pos", {})
        if col not in cache:
            out = np.full(len(self.values), -1, dtype="int64")
            nb = ~self.blank(col) if self._vid_index[0].get_indexer([""])[0] < 0 else np.ones(len(out), dtype=bool)
            out[nb] = self.pos(self.values[col].to_numpy(dtype=object)[nb])
            out.flags.writeable = False
            cache[col] = out
        return cache[col]



def text_order_rank(voff: np.ndarray, value_id: np.ndarray) -> np.ndarray:
    """Rank of each row in text order: by ``voff`` (ints), ties broken by ``value_id`` (str,
    code point order); rows equal on both share a rank.

    Examples
    --------
    >>> text_order_rank(np.array([5, 2, 5, 2]), np.array(["b", "z", "a", "z"], dtype=object)).tolist()
    [2, 0, 1, 0]
    """
    voff = np.asarray(voff)
    # value_id only breaks ties of voff: rank it among the tied rows only
    tied = pd.Series(voff).duplicated(keep=False).to_numpy()
    vid_rank = np.zeros(len(voff), dtype="int64")
    if tied.any():
        sub = np.asarray(value_id, dtype=object)[tied]
        o = str_argsort(sub)
        ss = sub[o]
        r = np.empty(len(sub), dtype="int64")
        r[o] = np.cumsum(np.r_[True, ss[1:] != ss[:-1]]) - 1
        vid_rank[tied] = r
    order = np.lexsort((vid_rank, voff))
    a, b = voff[order], vid_rank[order]
    new = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])] if len(order) else np.zeros(0, dtype=bool)
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.cumsum(new) - 1
    return rank
