"""The audit context: typed tables of one review, its derived columns, and the output builders.

One :class:`AuditContext` is built per review and shared by every check. The helpers it is made
of live beside it: :mod:`.lookups` (cached codes, masks and value_id joins on ``values``),
:mod:`.grouping` (grouping and sorting on integer codes), :mod:`.formatting` (numbers and ids as
text) and :mod:`.pairing` (which printed figures belong together).
"""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ..schema import COLUMNS
from .formatting import join_ids
from .grouping import as_objects, as_strs, broadcast_strs, factorize_sorted
from .lookups import ValueLookups
from .numeric import parse_decimal
from .pairing import two_arm_printings
from .params import AuditParams
from ..vocabularies import DEFAULT_CATEGORY_SUBGROUP_ENDPOINTS, DEFAULT_ENDPOINT_PAIRS, Vocabularies

ISSUE_COLUMNS = ["check", "severity", "section", "location", "refs", "study", "quantity",
                 "reported", "expected", "message", "value_ids"]
RECOMPUTED_COLUMNS = ["value_id", "check", "recomputed", "method", "status"]
SEVERITIES = ("error", "warning", "info")
STATUSES = ("consistent", "inconsistent", "not_recomputable")

TIME_UNITS = ("months", "weeks", "days")
#: standard arm words of the schema; any other arm label is a named group
STANDARD_ARMS = ("total", "experimental", "control")
#: the default endpoints whose ``subgroup`` names a category rather than a subset of patients
#: (a data directory extends them: :attr:`AuditContext.vocabularies`)
CATEGORY_SUBGROUP_ENDPOINTS = DEFAULT_CATEGORY_SUBGROUP_ENDPOINTS
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
    """Character offsets as int64 (-1 when not an integer), converted once per distinct string.

    Examples
    --------
    >>> _offsets(pd.Series(["12", "x", "12", "7"], dtype=object)).tolist()
    [12, -1, 12, 7]
    """
    codes, uniq = pd.factorize(s.to_numpy(dtype=object))
    if codes.min(initial=0) < 0:  # a missing cell: convert row by row
        return _distinct_offsets(s)
    return _distinct_offsets(pd.Series(np.asarray(uniq, dtype=object), dtype=object))[codes]


def _distinct_offsets(s: pd.Series) -> np.ndarray:
    """:func:`_offsets` of each cell; a fast path for plain ASCII digits."""
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


#: name of the check being run: set by the registry around each check, read by the output builders
_CURRENT_CHECK: ContextVar[str | None] = ContextVar("current_check", default=None)


@contextmanager
def running_check(name: str):
    """Run the enclosed code as check ``name``: :meth:`AuditContext.issues` and
    :meth:`AuditContext.recomputed` write it in their ``check`` column (the registry does this
    around every registered check, so the name is written once, in :func:`~.registry.register`)."""
    token = _CURRENT_CHECK.set(name)
    try:
        yield
    finally:
        _CURRENT_CHECK.reset(token)


def current_check() -> str:
    """Name of the check being run (see :func:`running_check`)."""
    name = _CURRENT_CHECK.get()
    if name is None:
        raise RuntimeError("no check is running: call checks through the registry (a registered function or "
                           "helpers.audit.CHECKS[name].function), or wrap the code in running_check(name)")
    return name


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS})


def empty_recomputed() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in RECOMPUTED_COLUMNS})


@dataclass
class AuditContext(ValueLookups):
    """Typed tables of one review plus lookups, built once and shared by every check.

    Every table of the review (``references, studies, mentions, prognostic, claims, values``) is
    an attribute, each cell a str, schema columns added blank. ``values`` gains the derived
    columns below, computed once per distinct printed string and broadcast to the rows:

    ===========  ==========================  =====================================================
    column       in plain words              content
    ===========  ==========================  =====================================================
    ``mant``     digits as an integer        the printed number without its decimal point
                                             ("12.5" -> 125); with ``dec``, exact arithmetic
    ``dec``      number of decimals          digits after the point ("12.5" -> 1)
    ``num``      value as a float            the printed number (NaN when not a plain number)
    ``ok``       parsed                      the printed value is a plain decimal number
    ``is_nr``    not reached                 the value is printed as "NR"
    ``comp``     comparator                  ``comparator`` stripped, ``=`` when blank
    ``bnd``      bound                       ``bound`` stripped (``lower``, ``upper`` …),
                                             ``point`` when blank
    ``armn``     arm                         ``arm`` stripped, ``total`` when blank
    ``months``   time in months              a time value in months (weeks and days converted
                                             with ``params``), inf for NR, NaN for other units
    ``tp_months`` timepoint in months        ``timepoint`` ("2y", "6m" …) in months
    ``simple``   plain point value           parsed, comparator ``=``, bound ``point``
    ``voff``     text offset                 ``value_offset`` as int64 (-1 when not an integer)
    ``valkey``   numeric identity            the number rounded to 9 places as text ("14" and
                                             "14.0" share it); "NR" for NR; blank otherwise
    ``popsub``   population subgroup         ``subgroup`` names a subset of patients (not the
                                             category of an event, a share or a factor)
    ===========  ==========================  =====================================================

    :attr:`vord` (rank of each row in text order) and the lookups of :class:`ValueLookups`
    (:meth:`codes`, :meth:`eq`, :meth:`blank`, :meth:`pos`, :meth:`take` …) work on these.
    Checks build their output with :meth:`issues` and :meth:`recomputed`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> ctx = AuditContext(toy_review(values=[{"value_id": "a", "value": "12.50", "comparator": "<"}]))
    >>> [str(x) for x in ctx.values.loc[0, ["mant", "dec", "num", "ok", "comp", "bnd", "armn", "simple", "valkey"]]]
    ['1250', '2', '12.5', 'True', '<', 'point', 'total', 'False', '12.5']
    """

    review: object
    params: AuditParams = field(default_factory=AuditParams)

    def __post_init__(self):
        if isinstance(self.params, dict):
            self.params = AuditParams.from_dict(self.params)
        #: words, endpoint pairs and category endpoints of the review's data directory
        self.vocabularies = getattr(self.review, "vocabularies", None) or Vocabularies()
        if self.params.endpoint_pairs == DEFAULT_ENDPOINT_PAIRS:  # the default: the data directory's pairs
            self.params = dataclasses.replace(self.params, endpoint_pairs=self.vocabularies.endpoint_pairs)
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
        v["popsub"] = ~self.blank("subgroup") & ~self.eq("endpoint", *self.vocabularies.category_subgroup_endpoints)
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
    def issues(self, primary_ids, severity, reported, expected, message, value_ids,
               study_ids=None, override: dict | None = None) -> pd.DataFrame:
        """Issue rows of the running check, placed where a primary value is printed.

        Section, location, refs, study and quantity are looked up from the ``values`` row of each
        primary id; the ``check`` column is the name the registry runs the check under (see
        :func:`running_check`), so a check never writes its own name. Vectorised.

        Parameters
        ----------
        primary_ids : sequence of str
            value_id of the figure each issue is placed at (one per issue).
        severity : str or sequence of str
            ``error``, ``warning`` or ``info``: one for all issues, or one per issue.
        reported, expected, message : str or sequence of str
            What the review prints, what the check expects, the sentence for readers.
        value_ids : sequence
            Evidence of each issue: ``;``-joined value_ids (see :func:`join_cols`) or lists of ids.
        study_ids : sequence of str, optional
            Study of each issue when it is not the primary value's (names come from
            :attr:`study_label`).
        override : dict, optional
            Issue column -> sequence replacing the looked-up column (for issues whose evidence is
            a claim or a mention rather than a value).

        Returns
        -------
        DataFrame
            Columns :data:`ISSUE_COLUMNS`, one row per primary id.

        Examples
        --------
        >>> from helpers.audit.toy import toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "p", "location": "table 1", "quantity": "percent"}]))
        >>> with running_check("my_check"):
        ...     iss = ctx.issues(["p"], "error", "12%", "10%", "12% should be 10%.", ["p;n"])
        >>> iss[["check", "severity", "location", "quantity", "value_ids"]].values.tolist()
        [['my_check', 'error', 'table 1', 'percent', 'p;n']]
        """
        check = current_check()
        primary_ids = as_objects(primary_ids)
        n = len(primary_ids)
        if n == 0:
            return empty_issues()
        meta = self.take(self.pos(primary_ids), ["study_id", "section", "location", "refs", "quantity"])
        sev = np.full(n, severity, dtype=object) if isinstance(severity, str) else as_objects(severity).astype(str)
        sids = meta["study_id"].fillna("").to_numpy(dtype=object) if study_ids is None else as_objects(study_ids)
        vid = as_objects(value_ids)
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
            "reported": broadcast_strs(reported, n),
            "expected": broadcast_strs(expected, n),
            "message": broadcast_strs(message, n),
            "value_ids": vid,
        })
        for col, vals in over.items():
            out[col] = as_objects(vals)
        return out

    def recomputed(self, value_ids, recomputed, method, status) -> pd.DataFrame:
        """Recomputed-value rows of the running check: what a printed figure should read.

        Parameters
        ----------
        value_ids : sequence of str
            The printed figures recomputed.
        recomputed : str or sequence of str
            The recomputed value as text (blank when it cannot be recomputed).
        method : str or sequence of str
            How it was recomputed (the inputs and the rule, for readers).
        status : str or sequence of str
            ``consistent``, ``inconsistent`` or ``not_recomputable`` (see :data:`STATUSES`).

        Returns
        -------
        DataFrame
            Columns :data:`RECOMPUTED_COLUMNS`; ``check`` is the name the registry runs the
            check under (see :func:`running_check`).

        Examples
        --------
        >>> from helpers.audit.toy import toy_review
        >>> ctx = AuditContext(toy_review(values=[{"value_id": "p"}]))
        >>> with running_check("my_check"):
        ...     rec = ctx.recomputed(["p"], ["10.0"], "exact 4/40", "inconsistent")
        >>> rec.values.tolist()
        [['p', 'my_check', '10.0', 'exact 4/40', 'inconsistent']]
        """
        check = current_check()
        value_ids = as_objects(value_ids)
        n = len(value_ids)
        if n == 0:
            return empty_recomputed()
        as_arr = lambda x: np.full(n, x, dtype=object) if isinstance(x, str) else as_strs(x)  # noqa: E731
        return pd.DataFrame({"value_id": value_ids, "check": np.full(n, check, dtype=object),
                             "recomputed": as_arr(recomputed), "method": as_arr(method),
                             "status": as_arr(status)})


# Names defined here before the context was split by job, still importable from this module.
from .formatting import fmt, fmt_arr, fmt_dec, format_floats, int_str, join_cols, split_ids  # noqa: E402,F401
from .grouping import (gjoin, group_cumcount, group_join, group_nunique, map_str, ngroup_codes,  # noqa: E402,F401
                       stable_order, str_argsort)
from .pairing import TWO_ARM_INPUT, TWO_ARM_KEY, pair_forward  # noqa: E402,F401
