"""Tidy views of an extracted review for tables and figures (generic; DataFrames in and out)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .review import Review
from .sections import study_labels


@lru_cache(maxsize=None)
def _unit_months() -> tuple[dict[str, float], dict[str, float]]:
    """Months per time unit and per timepoint letter, from the conversions the engine's default
    parameters use (:mod:`helpers.units`; not a second copy of them, and not the audit package,
    which the notebooks that only select and plot do not need)."""
    from .units import DAYS_PER_MONTH, WEEKS_PER_MONTH

    months = {"months": 1.0, "weeks": 1 / WEEKS_PER_MONTH, "days": 1 / DAYS_PER_MONTH, "years": 12.0}
    return months, {"y": 12.0, "m": 1.0, "w": months["weeks"], "d": months["days"]}


def __getattr__(name: str):
    """``MONTHS`` (months per unit, for putting medians and landmark times on one axis) and
    ``TIMEPOINT_UNITS`` (months per timepoint letter), computed on first use."""
    if name == "MONTHS":
        return _unit_months()[0]
    if name == "TIMEPOINT_UNITS":
        return _unit_months()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _labelled(review: Review, values: pd.DataFrame) -> pd.DataFrame:
    out = values.merge(study_labels(review), on="study_id", how="left")
    out[["study", "label"]] = out[["study", "label"]].fillna("")
    out["label"] = out["label"].where(out["label"] != "", "refs " + out["refs"])
    return out


def timepoint_months(tp: pd.Series) -> pd.Series:
    """Convert landmark labels such as ``1y``, ``12w``, ``90d`` to months (NaN if blank).

    Examples
    --------
    >>> timepoint_months(pd.Series(["1y", "12w", ""])).round(2).tolist()
    [12.0, 2.76, nan]
    """
    m = tp.str.extract(r"^(\d+(?:\.\d+)?)([ymwd])$")
    return pd.to_numeric(m[0], errors="coerce") * m[1].map(_unit_months()[1])


def study_table(review: Review) -> pd.DataFrame:
    """One row per study: label, design, location, N as printed, endpoints reported.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(studies=[{"study_id": "s1", "author_romanised": "Wang", "refs": "3", "design": "rct",
    ...                           "location": "table 1", "n_id": "n1"}],
    ...                 values=[{"value_id": "n1", "study_id": "s1", "quantity": "n", "value": "80"},
    ...                         {"value_id": "m1", "study_id": "s1", "quantity": "median", "endpoint": "pfs", "value": "9.1"}])
    >>> study_table(rv).iloc[0].tolist()
    ['s1', 'Wang', 'Wang [3]', '3', 'rct', 'table 1', '80', 'pfs']
    """
    studies = review.tables["studies"]
    values = review.tables["values"]
    n = values.set_index("value_id")["value"]
    out = studies[["study_id", "refs", "design", "location", "n_id"]].merge(study_labels(review), on="study_id")
    out["n"] = out["n_id"].map(n).fillna("")
    eps = (values[values["quantity"].isin(["median", "rate", "hr", "percent", "mean"]) & (values["endpoint"] != "")]
           .groupby("study_id")["endpoint"].agg(lambda s: ", ".join(sorted(set(s)))))
    out["endpoints"] = out["study_id"].map(eps).fillna("")
    return out[["study_id", "study", "label", "refs", "design", "location", "n", "endpoints"]]


def hazard_ratios(review: Review) -> pd.DataFrame:
    """Every hazard ratio the review prints, with its p-value when printed beside it.

    ``kind`` is ``factor`` for an HR linked from prognostic.csv, ``treatment`` otherwise; for factors,
    ``wording`` is the review's direction and ``harmonised`` re-orients the HR so that < 1 means the
    group the review calls better (favourable: HR as printed; unfavourable: 1/HR); for treatment
    comparisons ``harmonised`` is the HR as printed (< 1 favours the experimental arm).
    """
    values = review.tables["values"]
    hr = values[values["quantity"] == "hr"].copy()
    prog = review.tables.get("prognostic", pd.DataFrame(columns=["hr_id", "p_id", "endpoint", "factor_key", "wording"]))
    link = prog[prog["hr_id"] != ""].drop_duplicates("hr_id").set_index("hr_id")
    hr["kind"] = hr["value_id"].map(lambda v: "factor" if v in link.index else "treatment")
    hr["predicts"] = hr["value_id"].map(link["endpoint"]).fillna(hr["endpoint"])
    hr["factor_key"] = hr["value_id"].map(link["factor_key"]).fillna(hr["subgroup"])
    hr["wording"] = hr["value_id"].map(link["wording"]).fillna("")
    p_of = link["p_id"].to_dict()
    pvals = values.set_index("value_id")
    hr["p"] = hr["value_id"].map(lambda v: (pvals.at[p_of[v], "comparator"] + " " + pvals.at[p_of[v], "value"])
                                 if p_of.get(v) in pvals.index else "")
    x = pd.to_numeric(hr["value"], errors="coerce")
    hr["harmonised"] = x.where(hr["wording"] != "unfavourable", 1 / x)
    hr["directed"] = hr["wording"].isin(["favourable", "unfavourable"])
    hr = _labelled(review, hr)
    what = hr["factor_key"].where(hr["factor_key"] != "", "treatment").str.replace("_", " ")
    what = what.where(hr["wording"] != "unfavourable", what + " [unfavourable]")
    hr["label"] = hr["label"] + " | " + hr["predicts"].str.upper() + " | " + what + " (" + hr["location"] + ")"
    return hr.reset_index(drop=True)


def arm_pairs(review: Review, quantities=("median", "percent", "rate")) -> pd.DataFrame:
    """Two-arm comparisons printed in more than one location, one row per printed arm value.

    Keeps studies whose experimental and control values for the same quantity, endpoint,
    subgroup and timepoint are printed at two or more locations (e.g. text and a table), so
    that a figure can show them side by side.
    """
    v = review.tables["values"]
    v = v[v["quantity"].isin(list(quantities)) & v["arm"].isin(["experimental", "control"]) & (v["study_id"] != "")]
    key = ["study_id", "quantity", "endpoint", "subgroup", "timepoint"]
    both = v.groupby(key + ["location"])["arm"].nunique().reset_index()
    both = both[both["arm"] == 2]
    multi = both.groupby(key)["location"].nunique()
    keep = multi[multi >= 2].reset_index()[key]
    pairs = v.merge(keep, on=key)
    pairs = pd.concat([pairs, _same_numbers_other_endpoint(v, both, key, set(pairs["value_id"]))], ignore_index=True)
    pairs = _labelled(review, pairs)
    tp = pairs["timepoint"].where(pairs["timepoint"] == "", " " + pairs["timepoint"])
    sg = pairs["subgroup"].where(pairs["subgroup"] == "", " " + pairs["subgroup"])
    pairs["label"] = pairs["label"] + " | " + pairs["endpoint"].str.upper() + tp + sg + " (" + pairs["quantity"] + ")"
    return pairs.sort_values(["label", "location", "arm"]).reset_index(drop=True)


def _same_numbers_other_endpoint(v: pd.DataFrame, both: pd.DataFrame, key: list[str], taken: set[str]) -> pd.DataFrame:
    """Two-arm pairs printed at two locations under different endpoint labels but with the same two
    numbers (e.g. one place says 'local control', the other 'DCR'): paired too, endpoints joined."""
    loose = [k for k in key if k != "endpoint"]
    cand = v.merge(both[key + ["location"]], on=key + ["location"])
    cand = cand[~cand["value_id"].isin(taken)]
    if cand.empty:
        return cand
    nums = cand.groupby(loose + ["endpoint", "location"])["value"].agg(lambda x: "|".join(sorted(x))).rename("nums")
    groups = nums.reset_index().groupby(loose + ["nums"])
    out = []
    for _, g in groups:
        if g["location"].nunique() >= 2 and g["endpoint"].nunique() >= 2:
            joined = "/".join(sorted(set(g["endpoint"])))
            rows = cand.merge(g[loose + ["endpoint", "location"]], on=loose + ["endpoint", "location"])
            out.append(rows.assign(endpoint=joined))
    return pd.concat(out, ignore_index=True) if out else cand.iloc[0:0]


def direction_claims(review: Review) -> pd.DataFrame:
    """Each summary claim of a factor's direction against the study-level hazard ratios it cites.

    One row per (claim, member HR): the claim's wording, the study row's own wording, the HR as
    printed and ``agrees`` (True when the HR lies on the side of 1 the claim's wording states;
    NaN when no direction can be judged).
    """
    claims = review.tables.get("claims", pd.DataFrame(columns=["claim_type"]))
    c = claims[claims["claim_type"] == "direction"].copy()
    if c.empty:
        return pd.DataFrame(columns=["claim_id", "factor_key", "claim_wording", "member_id", "study", "hr",
                                     "study_wording", "agrees"])
    c["member_id"] = c["member_ids"].str.split(";")
    c = c.explode("member_id")
    c = c[c["member_id"].fillna("") != ""]
    values = review.tables["values"].set_index("value_id")
    prog = review.tables.get("prognostic", pd.DataFrame(columns=["hr_id", "wording"]))
    study_wording = prog[prog["hr_id"] != ""].drop_duplicates("hr_id").set_index("hr_id")["wording"]
    hr = pd.to_numeric(c["member_id"].map(values["value"]), errors="coerce")
    c["hr"] = c["member_id"].map(values["value"]).fillna("")
    c["study_wording"] = c["member_id"].map(study_wording).fillna("")
    agrees = pd.Series(pd.NA, index=c.index, dtype="boolean")
    ok = hr.notna() & (hr != 1)
    fav, unf = ok & (c["wording"] == "favourable"), ok & (c["wording"] == "unfavourable")
    agrees[fav] = hr[fav] < 1
    agrees[unf] = hr[unf] > 1
    c["agrees"] = agrees
    names = study_labels(review).set_index("study_id")["label"]
    c["study"] = c["member_id"].map(values["study_id"]).map(names).fillna("")
    c = c.rename(columns={"wording": "claim_wording"})
    return c[["claim_id", "factor_key", "claim_wording", "member_id", "study", "hr", "study_wording",
              "agrees"]].reset_index(drop=True)


def landmark_rows(review: Review) -> pd.DataFrame:
    """Landmark survival rates paired with the median of the same study, location, arm, endpoint and subgroup."""
    v = review.tables["values"]
    key = ["study_id", "refs", "location", "arm", "endpoint", "subgroup"]
    rates = v[(v["quantity"] == "rate") & (v["timepoint"] != "")].copy()
    med = v[(v["quantity"] == "median") & v["value"].str.match(r"^\d")].copy()
    med["median_months"] = pd.to_numeric(med["value"], errors="coerce") * med["unit"].map(_unit_months()[0]).fillna(1.0)
    rows = rates.merge(med[key + ["median_months"]].drop_duplicates(key), on=key)
    rows["t_months"] = timepoint_months(rows["timepoint"])
    rows["rate"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = _labelled(review, rows)
    rows["label"] = rows["label"] + " | " + rows["endpoint"].str.upper() + " " + rows["arm"] + " (" + rows["location"] + ")"
    return rows.dropna(subset=["t_months", "rate", "median_months"]).reset_index(drop=True)


def range_claims(review: Review, endpoints: list[str] | None = None) -> pd.DataFrame:
    """Range claims with their printed ends and member values, one row per (claim, member)."""
    claims = review.tables.get("claims", pd.DataFrame())
    if claims.empty:
        return pd.DataFrame(columns=["claim_id", "label", "low", "high", "member", "member_id"])
    c = claims[claims["claim_type"] == "range"].copy()
    if endpoints is not None:
        c = c[c["endpoint"].isin(endpoints)]
    val = review.tables["values"].set_index("value_id")["value"]
    c["low"] = pd.to_numeric(c["low_id"].map(val), errors="coerce")
    c["high"] = pd.to_numeric(c["high_id"].map(val), errors="coerce")
    c["member_id"] = c["member_ids"].str.split(";")
    c = c.explode("member_id")
    c["member_id"] = c["member_id"].fillna("")
    c["member"] = pd.to_numeric(c["member_id"].map(val), errors="coerce")
    what = c["subgroup"].where(c["subgroup"] != "", c["endpoint"])
    c["label"] = what + " (" + c["location"] + ")"
    return c[["claim_id", "label", "location", "refs", "low", "high", "member", "member_id", "quote"]].reset_index(drop=True)


def swapped_comparisons(pairs: pd.DataFrame) -> list[str]:
    """Labels of comparisons (from :func:`arm_pairs`) whose two arms trade values between locations.

    Examples
    --------
    >>> p = pd.DataFrame({"label": ["a"] * 4, "location": ["t", "t", "x", "x"],
    ...                   "arm": ["experimental", "control"] * 2, "value": ["1", "2", "2", "1"]})
    >>> swapped_comparisons(p)
    ['a']
    """
    out = []
    for lab, g in pairs.groupby("label", sort=True):
        by_loc = {loc: dict(zip(x["arm"], x["value"])) for loc, x in g.groupby("location")}
        printed = [(a.get("experimental"), a.get("control")) for a in by_loc.values()]
        if any(p == (q[1], q[0]) and p[0] != p[1] for p in printed for q in printed):
            out.append(lab)
    return out
