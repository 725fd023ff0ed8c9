"""Prepared, typed view of an extracted review shared by all checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ..schema import COLUMNS
from .numeric import parse_decimal
from .params import AuditParams

ISSUE_COLUMNS = ["check", "severity", "section", "location", "refs", "study", "quantity",
                 "reported", "expected", "message", "value_ids"]
RECOMPUTED_COLUMNS = ["value_id", "check", "recomputed", "method", "status"]
SEVERITIES = ("error", "warning", "info")
STATUSES = ("consistent", "inconsistent", "not_recomputable")

TIME_UNITS = ("months", "weeks", "days")
#: standard arm words of the schema; any other arm label is a named group
STANDARD_ARMS = ("total", "experimental", "control")
#: endpoints whose ``subgroup`` names a category of the event (a toxicity, a share's category)
#: or a prognostic factor rather than a subset of patients
CATEGORY_SUBGROUP_ENDPOINTS = ("adverse_event", "share", "prognostic")
#: units of a denominator that count patients (blank = not stated)
PATIENT_UNITS = ("patients", "")
_TIMEPOINT_RE = r"^\s*(\d+(?:\.\d+)?)\s*([ymwd])\s*$"


def _str_object(s: pd.Series) -> np.ndarray:
    """A column as an object array of str ('' for missing), copying only when needed."""
    a = s.to_numpy(dtype=object)
    if len(a) and infer_dtype(a, skipna=False) == "string":
        return a
    return s.fillna("").astype(str).to_numpy(dtype=object)


def _table(review, name: str) -> pd.DataFrame:
    """One table of the review, every cell a str (object dtype), schema columns added blank."""
    df = review.tables.get(name) if hasattr(review, "tables") else None
    cols = COLUMNS[name]
    if df is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    # copy=False: the arrays are never written to (checks add columns, they do not edit cells)
    out = {c: pd.Series(_str_object(df[c]), index=df.index, dtype=object, copy=False) for c in df.columns}
    for c in cols:
        if c not in out:
            out[c] = pd.Series(np.full(len(df), "", dtype=object), index=df.index, dtype=object, copy=False)
    return pd.DataFrame(out, index=df.index, copy=False)  # no consolidation into one 2-d block


def _offsets(s: pd.Series) -> np.ndarray:
    """Character offsets as int64 (-1 when not an integer); a fast path for plain ASCII digits."""
    a = s.to_numpy(dtype=object)
    if len(a):
        try:
            u = a.astype("U")
            if (u.dtype.itemsize // 4 <= 18 and bool(np.char.isdecimal(u).all())
                    and int(u.view(np.uint32).max()) < 128):  # plain ASCII digits only
                return a.astype("int64")  # int() of plain ASCII digits: same value, faster than from "U"
        except (ValueError, TypeError):
            pass
    return pd.to_numeric(s, errors="coerce").fillna(-1).astype("int64").to_numpy()


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS})


def empty_recomputed() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in RECOMPUTED_COLUMNS})


@dataclass
class AuditContext:
    """Typed tables of one review plus lookups, built once and shared by every check.

    ``values`` gains: ``mant, dec, num, ok`` (parsed value), ``is_nr``, ``comp`` (comparator,
    ``=`` when blank), ``bnd`` (bound, ``point`` when blank), ``armn`` (arm, ``total`` when blank),
    ``months`` (time value converted to months, inf for NR), ``tp_months`` (timepoint in months).
    """

    review: object
    params: AuditParams = field(default_factory=AuditParams)

    def __post_init__(self):
        if isinstance(self.params, dict):
            self.params = AuditParams.from_dict(self.params)
        self.references = _table(self.review, "references")
        self.studies = _table(self.review, "studies")
        self.mentions = _table(self.review, "mentions")
        self.prognostic = _table(self.review, "prognostic")
        self.claims = _table(self.review, "claims")
        v = _table(self.review, "values").reset_index(drop=True)
        # every derived column is computed on the distinct strings only, then broadcast
        # (printed numbers, units and timepoints repeat a lot: this keeps the cost linear and small)
        codes, uniq = pd.factorize(v["value"].to_numpy(dtype=object))
        u = pd.Series(uniq, dtype=object)
        pu = parse_decimal(u) if len(u) else pd.DataFrame(
            {"mant": pd.Series([], dtype="int64"), "dec": pd.Series([], dtype="int64"),
             "num": pd.Series([], dtype="float64"), "ok": pd.Series([], dtype=bool)})
        nr_u = u.astype(str).str.strip().str.upper().eq("NR").to_numpy(dtype=bool)
        # valkey: numeric identity ("14" and "14.0" are the same number); NR is its own key
        key_u = np.where(nr_u, "NR", np.where(pu["ok"].to_numpy(dtype=bool),
                                              pu["num"].round(9).astype(str).to_numpy(dtype=object), ""))
        for c in ("mant", "dec", "num", "ok"):
            v[c] = pu[c].to_numpy()[codes] if len(u) else pu[c].to_numpy()
        v["is_nr"] = nr_u[codes] if len(u) else np.zeros(0, dtype=bool)
        self.values = v
        for raw, col, default in (("comparator", "comp", "="), ("bound", "bnd", "point"), ("arm", "armn", "total")):
            self._normalised(raw, col, default)
        prm = self.params
        factor = v["unit"].map({"months": 1.0, "weeks": 1.0 / prm.weeks_per_month,
                                "days": 1.0 / prm.days_per_month}).astype("float64")
        months = v["num"].astype("float64") * factor
        months = months.where(~(v["is_nr"] & factor.notna()), np.inf)
        v["months"] = months

        def _tp(s):
            tp = s.str.lower().str.extract(_TIMEPOINT_RE)
            tpf = tp[1].map({"y": 12.0, "m": 1.0, "w": 1.0 / prm.weeks_per_month,
                             "d": 1.0 / prm.days_per_month}).astype("float64")
            return pd.to_numeric(tp[0], errors="coerce") * tpf

        v["tp_months"] = self.on_distinct("timepoint", _tp).astype("float64")
        self.values = v  # masks below come from the cached codes of these columns
        v["simple"] = v["ok"].to_numpy(dtype=bool) & self.eq("comp", "=") & self.eq("bnd", "point")
        v["voff"] = _offsets(v["value_offset"])
        v["valkey"] = key_u[codes] if len(u) else np.zeros(0, dtype=object)
        # a subgroup naming a population subset (not the category of an event or a share)
        v["popsub"] = ~self.blank("subgroup") & ~self.eq("endpoint", *CATEGORY_SUBGROUP_ENDPOINTS)
        self.values = v

    def _normalised(self, raw: str, col: str, default: str) -> None:
        """Add ``values[col]``: ``values[raw]`` stripped, ``default`` when blank; its codes are
        derived from the factorisation of ``raw`` (no second pass over the rows)."""
        c, u = self.codes(raw)
        norm = pd.Series(u.to_numpy(dtype=object), dtype=object).str.strip()
        norm = norm.where(norm != "", default).to_numpy(dtype=object)
        nc, nu = factorize_sorted(norm)
        self.values[col] = pd.Series(norm[c] if len(u) else np.zeros(0, dtype=object), dtype=object, copy=False)
        self.__dict__.setdefault("_codes", {})[col] = (nc[c] if len(u) else c, pd.Index(nu, dtype=object))

    # ------------------------------------------------------------------ fast column access
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
        >>> from helpers.audit.toy import toy_review
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
        >>> from helpers.audit.toy import toy_review
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
        v = self.values
        voff = v["voff"].to_numpy()
        # value_id only breaks ties of voff: rank it among the tied rows only
        tied = pd.Series(voff).duplicated(keep=False).to_numpy()
        vid_rank = np.zeros(len(voff), dtype="int64")
        if tied.any():
            sub = v["value_id"].to_numpy(dtype=object)[tied]
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

    #: ``values`` columns most checks group or select on (factorised by :meth:`prepare`)
    COMMON_COLUMNS = ("quantity", "study_id", "location", "unit", "endpoint", "subgroup", "timepoint",
                      "comp", "bnd", "armn")

    def prepare(self) -> "AuditContext":
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
        >>> from helpers.audit.toy import toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "a", "study_id": "s"}, {"value_id": "b", "study_id": "s"}]))
        >>> v = ctx.values
        >>> ctx.merge_rows(v.loc[[0], ["study_id", "value_id"]], v.loc[[1], ["study_id", "value_id"]], ["study_id"]).values.tolist()
        [['s', 'a', 'b']]
        """
        lk = {c: self.codes(c)[0][left.index.to_numpy()] for c in on}
        rk = {c: self.codes(c)[0][right.index.to_numpy()] for c in on}
        m = left.assign(**lk).merge(right.assign(**rk), on=on, **kw)
        for c in on:
            m[c] = self.codes(c)[1].to_numpy(dtype=object)[m[c].to_numpy()]
        return m

    # ------------------------------------------------------------------ lookups
    def memo(self, key: str, fn):
        """Compute ``fn()`` once per context (intermediates shared by several checks)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = fn()
        return cache[key]

    @cached_property
    def two_arm(self) -> pd.DataFrame:
        """:func:`two_arm_printings` of all values (shared by several checks)."""
        return two_arm_printings(self.values, self)

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
        >>> from helpers.audit.toy import toy_review
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
        >>> from helpers.audit.toy import toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "a", "value": "7"}]))
        >>> ctx.take(ctx.pos(["a", "z"]), ["value", "num"]).values.tolist()
        [['7', 7.0], [nan, nan]]
        """
        rows = np.asarray(rows, dtype="int64")
        v = self.values
        out = {c: pd.api.extensions.take(v[c].array if not isinstance(v[c].dtype, np.dtype) else v[c].to_numpy(),
                                         rows, allow_fill=True) for c in cols}
        return pd.DataFrame(out, index=index if index is not None else pd.RangeIndex(len(rows)))

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

    @cached_property
    def study_label(self) -> dict:
        """study_id -> name as printed (author_printed, else author_romanised, else study_id)."""
        s = self.studies
        lab = s["author_printed"].where(s["author_printed"] != "", s["author_romanised"])
        lab = lab.where(lab != "", s["study_id"])
        return dict(zip(s["study_id"], lab))

    @cached_property
    def study_n(self) -> pd.DataFrame:
        """study_id, n_id, n (float) of each study's total N."""
        s = self.studies[["study_id", "n_id"]].copy()
        s = s[s["n_id"] != ""]
        s["n"] = self.take(self.pos(s["n_id"]), ["num"])["num"].astype("float64").to_numpy()
        return s.dropna(subset=["n"])

    @cached_property
    def ref_to_studies(self) -> dict:
        """reference number (str) -> list of study_ids citing it."""
        out: dict[str, list[str]] = {}
        for sid, refs in zip(self.studies["study_id"], self.studies["refs"]):
            for r in split_ids(refs):
                out.setdefault(r, []).append(sid)
        return out

    @cached_property
    def printed_ns(self) -> pd.DataFrame:
        """Every sample size printed for each study: its N and every ``n`` row (value_id, n);
        the candidates for a percentage whose denominator is not printed."""
        v = self.values
        sel = self.eq("quantity", "n") & ~self.blank("study_id") & v["ok"].to_numpy(dtype=bool) & self.eq("comp", "=")
        rows = v.loc[sel, ["study_id", "value_id", "num"]].rename(columns={"num": "n"})
        sn = self.study_n.rename(columns={"n_id": "value_id"})[["study_id", "value_id", "n"]]
        return pd.concat([rows, sn], ignore_index=True).drop_duplicates(["study_id", "value_id"])

    @cached_property
    def study_ns(self) -> pd.DataFrame:
        """The sample sizes each study declares (value_id, n): its N (``studies.n_id``), every
        ``n`` row of the whole study or of an arm (blank endpoint and subgroup), and the members
        of a partition whose total is one of those (arm sizes adding up to the N).

        Denominators of single figures (the patients with an event, a toxicity's denominator,
        lesions or sessions) are not sample sizes of the study, so checks that compare a
        figure's denominator with the study's sizes never take the sizes from the figures
        they are checking.
        """
        v = self.values
        base = self.eq("quantity", "n") & ~self.blank("study_id") & v["ok"].to_numpy(dtype=bool) & self.eq("comp", "=")
        whole = base & self.blank("endpoint") & self.blank("subgroup")
        ids = set(v.loc[whole, "value_id"]) | set(self.study_n["n_id"])
        arms = base & v["total_id"].isin(ids).to_numpy() & self.blank("subgroup")
        rows = v.loc[whole | arms, ["study_id", "value_id", "num"]].rename(columns={"num": "n"})
        sn = self.study_n.rename(columns={"n_id": "value_id"})[["study_id", "value_id", "n"]]
        return pd.concat([rows, sn], ignore_index=True).drop_duplicates(["study_id", "value_id"])

    @cached_property
    def _label_index(self) -> tuple[pd.Index, np.ndarray]:
        """study_ids of :attr:`study_label` as an Index, and their labels in the same order."""
        lab = self.study_label
        return pd.Index(list(lab), dtype=object), np.asarray(list(lab.values()), dtype=object)

    def label(self, study_ids) -> pd.Series:
        """Printed study names for a sequence of study_ids (vectorised); unknown ids as given."""
        s = np.asarray(list(study_ids) if not isinstance(study_ids, (pd.Series, np.ndarray)) else study_ids,
                       dtype=object)
        idx, labs = self._label_index
        i = idx.get_indexer(s) if len(idx) and len(s) else np.full(len(s), -1)
        return pd.Series(np.where(i >= 0, labs[np.maximum(i, 0)] if len(labs) else s, s), dtype=object)

    # ------------------------------------------------------------------ output builders
    def issues(self, primary_ids, check: str, severity, reported, expected, message, value_ids,
               study_ids=None, override: dict | None = None) -> pd.DataFrame:
        """Build issue rows whose section/location/refs/study/quantity come from a primary value.

        All arguments are equal-length sequences (or scalars for ``check``/``severity``);
        ``value_ids`` is a sequence of ``;``-joined strings (see :func:`join_cols`) or of id
        lists; ``override`` maps issue columns to sequences replacing the looked-up ones (for
        issues whose evidence is a claim or mention rather than a value). Vectorised.
        """
        primary_ids = _arr(primary_ids)
        n = len(primary_ids)
        if n == 0:
            return empty_issues()
        meta = self.take(self.pos(primary_ids), ["study_id", "section", "location", "refs", "quantity"])
        sev = np.full(n, severity, dtype=object) if isinstance(severity, str) else _arr(severity).astype(str)
        sids = meta["study_id"].fillna("").to_numpy(dtype=object) if study_ids is None else _arr(study_ids)
        vid = _arr(value_ids)
        if n and not isinstance(vid[0], str):
            vid = np.array([join_ids(x) for x in vid], dtype=object)
        over = override or {}
        out = pd.DataFrame({
            "check": np.full(n, check, dtype=object),
            "severity": sev,
            "section": meta["section"].fillna("").to_numpy(dtype=object),
            "location": meta["location"].fillna("").to_numpy(dtype=object),
            "refs": meta["refs"].fillna("").to_numpy(dtype=object),
            "study": self.label(sids).to_numpy(dtype=object),
            "quantity": meta["quantity"].fillna("").to_numpy(dtype=object),
            "reported": _col(reported, n),
            "expected": _col(expected, n),
            "message": _col(message, n),
            "value_ids": vid,
        })
        for col, vals in over.items():
            out[col] = _arr(vals)
        return out

    def recomputed(self, value_ids, check: str, recomputed, method, status) -> pd.DataFrame:
        value_ids = _arr(value_ids)
        n = len(value_ids)
        if n == 0:
            return empty_recomputed()
        as_arr = lambda x: np.full(n, x, dtype=object) if isinstance(x, str) else _str_arr(x)  # noqa: E731
        return pd.DataFrame({"value_id": value_ids, "check": np.full(n, check, dtype=object),
                             "recomputed": as_arr(recomputed), "method": as_arr(method),
                             "status": as_arr(status)})


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


def _col(x, n: int) -> np.ndarray:
    """A scalar broadcast, or a sequence, as an object array of str."""
    if isinstance(x, str):
        return np.full(n, x, dtype=object)
    return _str_arr(x)


def _str_arr(x) -> np.ndarray:
    """``_arr(x).astype(str).astype(object)``, skipping the round trip when every cell is a str."""
    a = _arr(x)
    if len(a) and infer_dtype(a, skipna=False) == "string":
        return a
    return a.astype(str).astype(object)


def _arr(x) -> np.ndarray:
    """Any sequence as a 1-d object array (lists of lists stay lists)."""
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy(dtype=object)
    if isinstance(x, np.ndarray):
        return x.astype(object)
    out = np.empty(len(x), dtype=object)
    out[:] = list(x)
    return out


def join_cols(*cols) -> np.ndarray:
    """Row-wise ``;``-join of id columns, skipping blanks (vectorised).

    Examples
    --------
    >>> join_cols(pd.Series(["a", "b"]), pd.Series(["", "c"])).tolist()
    ['a', 'b;c']
    """
    out = None
    for c in cols:
        c = _arr(c) if not isinstance(c, str) else c
        c = np.where(pd.isna(c), "", c).astype(object) if not isinstance(c, str) else c
        if out is None:
            out = c if not isinstance(c, str) else None
            if out is None:
                raise ValueError("join_cols needs an array first")
            continue
        out = np.where(c == "", out, np.where(out == "", c, out + ";" + c)).astype(object)
    return out


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
    c, v = codes[order], _str_arr(vals[order])
    first = np.r_[True, c[1:] != c[:-1]]
    el = np.where(first, v, sep + v)
    starts = np.flatnonzero(first)
    out[c[starts]] = np.add.reduceat(el, starts)
    return out


def gjoin(g, col: str, sep: str) -> pd.Series:
    """``g[col].agg(sep.join)`` for a DataFrameGroupBy ``g`` (vectorised; same index)."""
    codes = g.ngroup().to_numpy()
    idx = g.size().index
    return pd.Series(group_join(codes, g.obj[col].to_numpy(dtype=object), sep, n_groups=len(idx)), index=idx, dtype=object)


def map_str(s: pd.Series, mapping) -> pd.Series:
    """``s.map(mapping)`` as strings, blank where unmapped (index of ``s`` kept)."""
    r = s.map(mapping)
    return pd.Series(np.where(r.isna(), "", r.astype(object)), index=s.index, dtype=object)


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


def fmt(v) -> str:
    """Short display of a float (no trailing zeros)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and np.isinf(v):
        return "NR"
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"


def pair_forward(left: pd.DataFrame, right: pd.DataFrame, by: list[str], left_off: str,
                 window: int, suffix: str = "_r") -> pd.DataFrame:
    """Attach to each left row the nearest right row printed after it (same ``by`` keys).

    ``right`` must have a ``voff`` column (value offset); the match must satisfy
    ``left[left_off] < right.voff <= left[left_off] + window``. Left rows without a match are dropped.
    """
    if left.empty or right.empty:
        return left.iloc[0:0].assign(**{f"{c}{suffix}": pd.Series([], dtype=object) for c in right.columns})
    left = left.assign(_lid=np.arange(len(left)))
    r = right.add_suffix(suffix)
    m = left.merge(r, left_on=by, right_on=[f"{b}{suffix}" for b in by], how="inner")
    d = m[f"voff{suffix}"] - m[left_off]
    m = m[(d > 0) & (d <= window)].assign(_d=d)
    m = m.sort_values("_d", kind="stable").drop_duplicates("_lid", keep="first")
    return m.sort_values("_lid", kind="stable").drop(columns=["_d", "_lid"])


#: what makes one printing in :func:`two_arm_printings`
TWO_ARM_KEY = ["study_id", "location", "quantity", "unit", "endpoint", "subgroup", "timepoint", "bnd"]
#: the ``values`` columns :func:`two_arm_printings` reads (a row subset may carry only these)
TWO_ARM_INPUT = TWO_ARM_KEY + ["armn", "voff", "value_id", "num", "valkey", "months", "ok", "is_nr", "comp"]


def two_arm_printings(v: pd.DataFrame, ctx: "AuditContext | None" = None) -> pd.DataFrame:
    """One row per printing of exactly two arms of one quantity (vectorised).

    A printing is the set of values sharing study, location, quantity, unit, endpoint, subgroup,
    timepoint and bound; when an arm is printed several times there, the k-th value of each arm
    (in text order) forms the k-th printing. Columns: the key, ``rank``, ``arm1 < arm2`` (sorted
    names), ``id1, id2``, ``num1, num2``, ``key1, key2`` (valkeys), ``months1, months2``,
    ``first_arm`` (arm printed first), ``off_min``, ``off_max``.

    ``v`` is the values table of an :class:`AuditContext` or a row subset of it (same index);
    passing ``ctx`` lets the grouping run on its integer codes (same result, faster).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> mk = lambda i, arm, x, o: {"value_id": i, "study_id": "s", "location": "t", "quantity": "median",
    ...                            "arm": arm, "value": x, "value_offset": o}
    >>> ctx = AuditContext(toy_review(values=[mk("c", "control", "6", 1), mk("e", "experimental", "9", 2)]))
    >>> two_arm_printings(ctx.values, ctx)[["arm1", "arm2", "id1", "id2", "first_arm"]].values.tolist()
    [['control', 'experimental', 'c', 'e', 'control']]
    """
    key = TWO_ARM_KEY
    cols = key + ["rank", "arm1", "arm2", "id1", "id2", "num1", "num2", "key1", "key2",
                  "months1", "months2", "first_arm", "off_min", "off_max"]
    need = key + ["armn", "voff", "value_id", "num", "valkey", "months"]
    ok = (v["ok"] | v["is_nr"]).to_numpy(dtype=bool)
    if ctx is not None:
        pos = v.index.to_numpy()
        sel = ~ctx.blank("study_id")[pos] & ~ctx.eq("armn", "total")[pos] & ok & ctx.eq("comp", "=")[pos]
        pos = pos[sel]
        w = v.loc[sel, need]
        kc = pd.DataFrame({c: ctx.codes(c)[0][pos] for c in key + ["armn"]})
        vo = ctx.vord[pos]
    else:
        sel = ((v["study_id"] != "") & (v["armn"] != "total") & v["comp"].eq("=")).to_numpy(dtype=bool) & ok
        w = v.loc[sel, need]
        kc = pd.DataFrame({c: pd.factorize(w[c].to_numpy(dtype=object), sort=True)[0] for c in key + ["armn"]})
        vid = pd.factorize(w["value_id"].to_numpy(dtype=object), sort=True)[0]
        vo = np.empty(len(w), dtype="int64")
        vo[np.lexsort((vid, w["voff"].to_numpy()))] = np.arange(len(w))
    if w.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    # text order (voff, value_id), then the k-th value of each arm within its key
    o = np.argsort(vo, kind="stable")
    w, kc = w.iloc[o], kc.iloc[o].reset_index(drop=True)
    kc["gk"] = ngroup_codes([kc[c].to_numpy() for c in key])
    armc = kc["armn"].to_numpy()
    kc["rank"] = group_cumcount(ngroup_codes([kc["gk"].to_numpy(), armc]))
    g3 = ngroup_codes([kc["gk"].to_numpy(), kc["rank"].to_numpy()])
    keep = (np.bincount(g3)[g3] == 2) & (group_nunique(g3, armc) == 2)
    if not keep.any():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    w, kc = w[keep], kc[keep]
    # sort by key (codes follow string order), rank, arm: each printing is two adjacent rows
    o = np.lexsort([kc["armn"].to_numpy(), kc["rank"].to_numpy()] + [kc[c].to_numpy() for c in reversed(key)])
    w, rank = w.iloc[o], kc["rank"].to_numpy()[o]
    a, b = w.iloc[0::2], w.iloc[1::2]
    out = pd.DataFrame({c: a[c].to_numpy() for c in key})
    for c in key:
        out[c] = out[c].astype(w[c].dtype)
    out["rank"] = rank[0::2].astype("int64")
    for name, col in (("arm", "armn"), ("id", "value_id"), ("num", "num"), ("key", "valkey"), ("months", "months"),
                      ("off", "voff")):
        out[f"{name}1"] = a[col].to_numpy()
        out[f"{name}2"] = b[col].to_numpy()
    out = out[key + ["rank", "arm1", "arm2", "id1", "id2", "num1", "num2", "key1", "key2", "months1", "months2",
                     "off1", "off2"]]
    out["first_arm"] = np.where(out["off1"] <= out["off2"], out["arm1"], out["arm2"])
    out["off_min"] = np.minimum(out["off1"], out["off2"])
    out["off_max"] = np.maximum(out["off1"], out["off2"])
    return out.drop(columns=["off1", "off2"])
