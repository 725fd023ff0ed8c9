"""run_audit: every registered check over one review, deterministic output."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .context import (ISSUE_COLUMNS, RECOMPUTED_COLUMNS, SEVERITIES, STATUSES, AuditContext,
                      empty_issues, empty_recomputed, str_argsort)
from .params import AuditParams
from .registry import CHECKS


@dataclass
class AuditResult:
    """Output of :func:`run_audit`.

    Attributes
    ----------
    recomputed : DataFrame
        value_id, check, recomputed, method, status (consistent / inconsistent / not_recomputable).
    inconsistencies : DataFrame
        check, severity, section, location, refs, study, quantity, reported, expected, message,
        value_ids; sorted by (section, location, check, value_ids).
    params : AuditParams
    """

    recomputed: pd.DataFrame
    inconsistencies: pd.DataFrame
    params: AuditParams = field(default_factory=AuditParams)

    def summary(self) -> pd.DataFrame:
        """Counts of findings by check and severity."""
        i = self.inconsistencies
        if i.empty:
            return pd.DataFrame(columns=["check", "severity", "n"])
        return i.groupby(["check", "severity"]).size().reset_index(name="n")


def run_audit(review, params: AuditParams | dict | None = None, checks: list[str] | None = None) -> AuditResult:
    """Run every registered check (or the named ones) over a review.

    Parameters
    ----------
    review : helpers.review.Review
        Extracted tables (all columns str).
    params : AuditParams or dict, optional
        Tolerances; a dict is validated with :meth:`AuditParams.from_dict`.
    checks : list of str, optional
        Subset of :data:`CHECKS` names.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "p", "quantity": "p_value", "value": "0.000"}])
    >>> run_audit(rv).inconsistencies[["check", "severity"]].values.tolist()
    [['impossible_value', 'error']]
    """
    if params is None:
        params = AuditParams()
    elif isinstance(params, dict):
        params = AuditParams.from_dict(params)
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    ctx = AuditContext(review, params)
    iss, rec = [empty_issues()], [empty_recomputed()]
    for n in names:
        i, r = CHECKS[n].function(ctx)
        iss.append(i[ISSUE_COLUMNS])
        rec.append(r[RECOMPUTED_COLUMNS])
    inc = pd.concat(iss, ignore_index=True).fillna("").astype(str)
    rc = pd.concat(rec, ignore_index=True).fillna("").astype(str)
    assert set(inc["severity"].unique()) <= set(SEVERITIES), set(inc["severity"].unique())
    assert set(rc["status"].unique()) <= set(STATUSES), set(rc["status"].unique())
    inc = _dedupe_sort(inc, ["section", "location", "check", "value_ids", "severity", "message"])
    rc = _dedupe_sort(rc, ["value_id", "check", "method", "recomputed"])
    return AuditResult(recomputed=rc, inconsistencies=inc, params=params)


def _dedupe_sort(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``df.drop_duplicates().sort_values(by, kind="stable").reset_index(drop=True)`` on integer codes.

    Every column is factorised once with its distinct values sorted, so duplicate detection and
    the (stable, lexicographic) sort work on integers; the result is the same frame.

    Examples
    --------
    >>> d = pd.DataFrame({"a": ["y", "x", "y", "x"], "b": ["1", "2", "1", "1"]})
    >>> _dedupe_sort(d, ["a"]).values.tolist()
    [['x', '2'], ['x', '1'], ['y', '1']]
    """
    if df.empty:
        return df.drop_duplicates().reset_index(drop=True)
    codes, uniq = {}, {}
    for c in df.columns:
        codes[c], u = pd.factorize(df[c].to_numpy(dtype=object))
        uniq[c] = np.asarray(u, dtype=object)
    keep = ~pd.DataFrame(codes).duplicated().to_numpy()
    keys = []
    for c in reversed(by):
        rank = np.empty(len(uniq[c]), dtype="int64")  # code -> rank of its string among the distinct ones
        rank[str_argsort(uniq[c])] = np.arange(len(uniq[c]))
        keys.append(rank[codes[c][keep]])
    order = np.lexsort(keys)
    return df[keep].iloc[order].reset_index(drop=True)
