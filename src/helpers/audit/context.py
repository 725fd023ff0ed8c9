"""Prepared, typed view of an extracted review shared by all checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .numeric import parse_decimal
from .params import AuditParams

SCHEMA = {
    "references": ["ref", "first_author", "year", "title", "journal", "doi", "kind", "offset", "quote"],
    "studies": ["study_id", "refs", "author_printed", "author_romanised", "location", "design",
                "arm_order", "n_id", "offset", "quote", "reading"],
    "mentions": ["mention_id", "location", "section", "author_printed", "refs", "offset", "quote"],
    "values": ["value_id", "section", "location", "refs", "study_id", "quantity", "endpoint", "term",
               "arm", "subgroup", "timepoint", "unit", "comparator", "value", "value_offset", "bound",
               "count_id", "denominator_id", "partition_id", "total_id", "offset", "quote", "reading"],
    "prognostic": ["factor_id", "study_id", "refs", "location", "section", "endpoint", "factor",
                   "factor_key", "hr_id", "p_id", "wording", "offset", "quote", "reading"],
    "claims": ["claim_id", "claim_type", "section", "location", "refs", "quantity", "endpoint",
               "subgroup", "low_id", "high_id", "member_ids", "factor_key", "wording", "offset",
               "quote", "reading"],
}

ISSUE_COLUMNS = ["check", "severity", "section", "location", "refs", "study", "quantity",
                 "reported", "expected", "message", "value_ids"]
RECOMPUTED_COLUMNS = ["value_id", "check", "recomputed", "method", "status"]
SEVERITIES = ("error", "warning", "info")
STATUSES = ("consistent", "inconsistent", "not_recomputable")

TIME_UNITS = ("months", "weeks", "days")
_TIMEPOINT_RE = r"^\s*(\d+(?:\.\d+)?)\s*([ymwd])\s*$"


def _table(review, name: str) -> pd.DataFrame:
    df = review.tables.get(name) if hasattr(review, "tables") else None
    cols = SCHEMA[name]
    if df is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    df = df.copy()
    for c in cols:
        if c not in df.columns:
            df[c] = ""
    return df.fillna("").astype(str).astype(object)


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
        v = _table(self.review, "values")
        p = parse_decimal(v["value"]) if len(v) else pd.DataFrame(
            {"mant": pd.Series([], dtype="int64"), "dec": pd.Series([], dtype="int64"),
             "num": pd.Series([], dtype="float64"), "ok": pd.Series([], dtype=bool)})
        v = pd.concat([v, p.set_axis(v.index)], axis=1)
        v["is_nr"] = v["value"].str.strip().str.upper().eq("NR")
        v["comp"] = v["comparator"].where(v["comparator"].str.strip() != "", "=").str.strip()
        v["bnd"] = v["bound"].where(v["bound"].str.strip() != "", "point").str.strip()
        v["armn"] = v["arm"].where(v["arm"].str.strip() != "", "total").str.strip()
        prm = self.params
        factor = v["unit"].map({"months": 1.0, "weeks": 1.0 / prm.weeks_per_month,
                                "days": 1.0 / prm.days_per_month}).astype("float64")
        months = v["num"].astype("float64") * factor
        months = months.where(~(v["is_nr"] & factor.notna()), np.inf)
        v["months"] = months
        tp = v["timepoint"].str.lower().str.extract(_TIMEPOINT_RE)
        tpf = tp[1].map({"y": 12.0, "m": 1.0, "w": 1.0 / prm.weeks_per_month,
                         "d": 1.0 / prm.days_per_month}).astype("float64")
        v["tp_months"] = pd.to_numeric(tp[0], errors="coerce") * tpf
        v["simple"] = v["ok"] & v["comp"].eq("=") & v["bnd"].eq("point")
        v["voff"] = pd.to_numeric(v["value_offset"], errors="coerce").fillna(-1).astype("int64")
        # numeric identity key: "14" and "14.0" are the same number; NR is its own key
        v["valkey"] = np.where(v["is_nr"], "NR", np.where(v["ok"], v["num"].round(9).astype(str), ""))
        self.values = v.reset_index(drop=True)

    # ------------------------------------------------------------------ lookups
    @cached_property
    def by_id(self) -> pd.DataFrame:
        """Values indexed by value_id (first occurrence wins)."""
        return self.values.drop_duplicates("value_id").set_index("value_id")

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
        s["n"] = s["n_id"].map(self.by_id["num"]).astype("float64")
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
    def study_ns(self) -> pd.DataFrame:
        """All sample sizes printed for each study: its N and every ``n`` row (value_id, n)."""
        v = self.values
        rows = v.loc[(v["quantity"] == "n") & (v["study_id"] != "") & v["ok"] & v["comp"].eq("="),
                     ["study_id", "value_id", "num"]].rename(columns={"num": "n"})
        sn = self.study_n.rename(columns={"n_id": "value_id"})[["study_id", "value_id", "n"]]
        return pd.concat([rows, sn], ignore_index=True).drop_duplicates(["study_id", "value_id"])

    def label(self, study_ids) -> list[str]:
        lab = self.study_label
        return [lab.get(s, s) for s in study_ids]

    # ------------------------------------------------------------------ output builders
    def issues(self, primary_ids, check: str, severity, reported, expected, message, value_ids,
               study_ids=None, override: dict | None = None) -> pd.DataFrame:
        """Build issue rows whose section/location/refs/study/quantity come from a primary value.

        All arguments are equal-length sequences (or scalars for ``check``/``severity``);
        ``override`` maps issue columns to sequences replacing the looked-up ones (for issues
        whose evidence is a claim or mention rather than a value).
        """
        primary_ids = list(primary_ids)
        n = len(primary_ids)
        if n == 0:
            return empty_issues()
        meta = self.by_id.reindex(primary_ids)
        sev = [str(severity)] * n if isinstance(severity, str) else [str(x) for x in severity]
        sids = list(meta["study_id"].fillna("")) if study_ids is None else list(study_ids)
        over = override or {}
        out = pd.DataFrame({
            "check": [check] * n,
            "severity": sev,
            "section": list(meta["section"].fillna("")),
            "location": list(meta["location"].fillna("")),
            "refs": list(meta["refs"].fillna("")),
            "study": self.label(sids),
            "quantity": list(meta["quantity"].fillna("")),
            "reported": [str(x) for x in reported],
            "expected": [str(x) for x in expected],
            "message": [str(x) for x in message],
            "value_ids": [join_ids(x) for x in value_ids],
        })
        for col, vals in over.items():
            out[col] = list(vals)
        return out

    def recomputed(self, value_ids, check: str, recomputed, method, status) -> pd.DataFrame:
        n = len(value_ids)
        if n == 0:
            return empty_recomputed()
        as_list = lambda x: [x] * n if isinstance(x, str) else [str(y) for y in x]  # noqa: E731
        return pd.DataFrame({"value_id": list(value_ids), "check": [check] * n,
                             "recomputed": as_list(recomputed), "method": as_list(method),
                             "status": as_list(status)})


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


def two_arm_printings(v: pd.DataFrame) -> pd.DataFrame:
    """One row per printing of exactly two arms of one quantity (vectorised).

    A printing is the set of values sharing study, location, quantity, unit, endpoint, subgroup,
    timepoint and bound; when an arm is printed several times there, the k-th value of each arm
    (in text order) forms the k-th printing. Columns: the key, ``rank``, ``arm1 < arm2`` (sorted
    names), ``id1, id2``, ``num1, num2``, ``key1, key2`` (valkeys), ``months1, months2``,
    ``first_arm`` (arm printed first), ``off_min``, ``off_max``.
    """
    key = ["study_id", "location", "quantity", "unit", "endpoint", "subgroup", "timepoint", "bnd"]
    cols = key + ["rank", "arm1", "arm2", "id1", "id2", "num1", "num2", "key1", "key2",
                  "months1", "months2", "first_arm", "off_min", "off_max"]
    w = v[(v["study_id"] != "") & (v["armn"] != "total") & (v["ok"] | v["is_nr"]) & v["comp"].eq("=")]
    if w.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    w = w.sort_values(["voff", "value_id"], kind="stable").copy()
    w["rank"] = w.groupby(key + ["armn"], sort=False).cumcount()
    g = w.groupby(key + ["rank"], sort=False)
    w["_narms"] = g["armn"].transform("size")
    w["_nuniq"] = g["armn"].transform("nunique")
    w = w[(w["_narms"] == 2) & (w["_nuniq"] == 2)]
    if w.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    w = w.sort_values(key + ["rank", "armn"], kind="stable")
    a = w.groupby(key + ["rank"], sort=False).nth(0).reset_index(drop=True)
    b = w.groupby(key + ["rank"], sort=False).nth(1).reset_index(drop=True)
    a = a.set_index(key + ["rank"])
    b = b.set_index(key + ["rank"]).reindex(a.index)
    out = pd.DataFrame({
        "arm1": a["armn"].to_numpy(), "arm2": b["armn"].to_numpy(),
        "id1": a["value_id"].to_numpy(), "id2": b["value_id"].to_numpy(),
        "num1": a["num"].to_numpy(), "num2": b["num"].to_numpy(),
        "key1": a["valkey"].to_numpy(), "key2": b["valkey"].to_numpy(),
        "months1": a["months"].to_numpy(), "months2": b["months"].to_numpy(),
        "off1": a["voff"].to_numpy(), "off2": b["voff"].to_numpy(),
    }, index=a.index).reset_index()
    out["first_arm"] = np.where(out["off1"] <= out["off2"], out["arm1"], out["arm2"])
    out["off_min"] = np.minimum(out["off1"], out["off2"])
    out["off_max"] = np.maximum(out["off1"], out["off2"])
    return out.drop(columns=["off1", "off2"])
