"""Compare two extractions of the same text, field by field: what to correct when curating.

Values are matched by where they are printed (``value_offset`` and ``value``), never by id, so
a proposal and a hand-made extraction compare although their ids differ. Links
(``count_id``, ``denominator_id``, ``total_id``) agree when they point at the same printed
number; ``partition_id`` agrees when the two sides group the same printed numbers together.
``arm`` is compared as written and as the engine reads it (blank = ``total``).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: value fields compared as written
PLAIN_FIELDS = ["quantity", "endpoint", "arm", "timepoint", "unit", "comparator", "bound", "subgroup",
                "section", "location", "refs"]
LINK_FIELDS = ["count_id", "denominator_id", "total_id"]


@dataclass
class ValueDiff:
    """Per-field agreement, and every difference, of two values tables."""

    fields: pd.DataFrame
    differences: pd.DataFrame
    matched: int
    proposed: int
    curated: int

    @property
    def recovery(self) -> float:
        """Share of curated values the proposal has at the same offset."""
        return self.matched / self.curated if self.curated else float("nan")

    @property
    def precision(self) -> float:
        """Share of proposed values that are curated values (same offset)."""
        return self.matched / self.proposed if self.proposed else float("nan")

    def rate(self, field: str) -> float:
        """Agreement rate of one field (NaN when the field was not compared)."""
        row = self.fields[self.fields["field"] == field]
        return float(row["rate"].iloc[0]) if len(row) else float("nan")


def _keyed(values: pd.DataFrame) -> pd.DataFrame:
    v = values.copy()
    v["_key"] = v["value_offset"].astype(str) + "|" + v["value"].astype(str)
    return v.drop_duplicates("_key").set_index("_key", drop=False)


def _link_targets(v: pd.DataFrame, column: str) -> pd.Series:
    where = dict(zip(v["value_id"], v["_key"]))
    return v[column].map(lambda x: where.get(x, f"?{x}") if x else "")


def _partition_peers(v: pd.DataFrame) -> pd.Series:
    groups = v[v["partition_id"] != ""].groupby("partition_id")["_key"].apply(lambda s: "+".join(sorted(s)))
    return v["partition_id"].map(lambda p: groups.get(p, "") if p else "")


def diff_values(proposed: pd.DataFrame, curated: pd.DataFrame) -> ValueDiff:
    """Compare two values tables of the same source text.

    Returns per-field agreement over the values both sides have (``fields``: field, compared,
    agree, rate) and one row per difference (``differences``: value_offset, value, field,
    proposed, curated, proposed_id, curated_id, quote), including the rows only one side has
    (field ``row``).

    Examples
    --------
    >>> cols = ["value_id", "value", "value_offset", "quantity", "arm", "count_id", "denominator_id",
    ...         "total_id", "partition_id", "quote"]
    >>> a = pd.DataFrame([["a1", "12", "5", "count", "", "", "", "", "", "q"]], columns=cols)
    >>> b = pd.DataFrame([["b1", "12", "5", "n", "total", "", "", "", "", "q"],
    ...                   ["b2", "40", "8", "n", "", "", "", "", "", "q"]], columns=cols)
    >>> d = diff_values(a, b)
    >>> d.matched, d.rate("quantity"), d.rate("arm_as_read")
    (1, 0.0, 1.0)
    >>> sorted(d.differences["field"])
    ['arm', 'quantity', 'row']
    """
    p, c = _keyed(proposed), _keyed(curated)
    both = p.index.intersection(c.index, sort=False)
    rows, stats = [], []

    def compare(field: str, pv: pd.Series, cv: pd.Series, on: pd.Index, record: bool = True) -> None:
        """Record agreement of one field over the keys ``on``; list differences if ``record``."""
        a, b = pv.reindex(on).fillna(""), cv.reindex(on).fillna("")
        same = a == b
        stats.append({"field": field, "compared": len(on), "agree": int(same.sum()),
                      "rate": round(float(same.mean()), 4) if len(on) else float("nan")})
        if record:
            for k in on[~same.to_numpy()]:
                rows.append({"value_offset": p.at[k, "value_offset"], "value": p.at[k, "value"], "field": field,
                             "proposed": a[k], "curated": b[k], "proposed_id": p.at[k, "value_id"],
                             "curated_id": c.at[k, "value_id"], "quote": c.at[k, "quote"]})

    for field in PLAIN_FIELDS:
        if field in p.columns and field in c.columns:
            compare(field, p[field], c[field], both)
    if "arm" in p.columns and "arm" in c.columns:
        read = lambda s: s.replace("", "total")  # noqa: E731  (the engine reads a blank arm as total)
        compare("arm_as_read", read(p["arm"]), read(c["arm"]), both, record=False)
        if "endpoint" in p.columns:
            compare("endpoint_and_arm", p["endpoint"] + "/" + p["arm"], c["endpoint"] + "/" + c["arm"], both,
                    record=False)
            ep_arm = lambda v: v["endpoint"] + "/" + read(v["arm"])  # noqa: E731
            compare("endpoint_and_arm_as_read", ep_arm(p), ep_arm(c), both, record=False)
    targets = {}
    for field in LINK_FIELDS:
        if field in p.columns and field in c.columns:
            targets[field] = (_link_targets(p, field), _link_targets(c, field))
            compare(field, *targets[field], both, record=False)
            pv, cv = targets[field]
            linked = both[(pv.reindex(both) != "").to_numpy() | (cv.reindex(both) != "").to_numpy()]
            compare(f"{field} (linked rows)", pv, cv, linked)
    if "count_id" in targets and "denominator_id" in targets:
        pv = targets["count_id"][0] + "|" + targets["denominator_id"][0]
        cv = targets["count_id"][1] + "|" + targets["denominator_id"][1]
        linked = both[(pv.reindex(both) != "|").to_numpy() | (cv.reindex(both) != "|").to_numpy()]
        compare("count_and_denominator_links", pv, cv, linked, record=False)
    if "partition_id" in p.columns and "partition_id" in c.columns:
        pp, cp = _partition_peers(p), _partition_peers(c)
        linked = both[(pp.reindex(both) != "").to_numpy() | (cp.reindex(both) != "").to_numpy()]
        compare("partition (linked rows)", pp, cp, linked)
    for side, frame, other in (("proposed", p, c), ("curated", c, p)):
        for k in frame.index.difference(other.index, sort=False):
            rows.append({"value_offset": frame.at[k, "value_offset"], "value": frame.at[k, "value"], "field": "row",
                         "proposed": "present" if side == "proposed" else "", "curated": "present" if side == "curated"
                         else "", "proposed_id": frame.at[k, "value_id"] if side == "proposed" else "",
                         "curated_id": frame.at[k, "value_id"] if side == "curated" else "",
                         "quote": frame.at[k, "quote"] if "quote" in frame.columns else ""})
    diffs = pd.DataFrame(rows, columns=["value_offset", "value", "field", "proposed", "curated", "proposed_id",
                                        "curated_id", "quote"])
    if len(diffs):
        diffs = diffs.assign(_o=pd.to_numeric(diffs["value_offset"], errors="coerce")) \
            .sort_values(["_o", "field"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return ValueDiff(pd.DataFrame(stats, columns=["field", "compared", "agree", "rate"]), diffs,
                     len(both), len(p), len(c))


def diff_tokens(proposed_ledger: pd.DataFrame, curated_ledger: pd.DataFrame) -> pd.DataFrame:
    """Body tokens whose coverage status differs (extracted / not_a_statistic / unexplained).

    Both ledgers come from :func:`helpers.coverage.coverage_ledger`, i.e. the one tokeniser.

    Examples
    --------
    >>> a = pd.DataFrame({"offset": [1, 5], "token": ["3", "7"], "status": ["extracted", "unexplained"]})
    >>> b = pd.DataFrame({"offset": [1, 5], "token": ["3", "7"], "status": ["extracted", "not_a_statistic"]})
    >>> diff_tokens(a, b).to_dict("records")
    [{'offset': 5, 'token': '7', 'proposed': 'unexplained', 'curated': 'not_a_statistic'}]
    """
    m = proposed_ledger[["offset", "token", "status"]].merge(
        curated_ledger[["offset", "token", "status"]], on=["offset", "token"], how="outer",
        suffixes=("_p", "_c")).fillna("")
    out = m[m["status_p"] != m["status_c"]].rename(columns={"status_p": "proposed", "status_c": "curated"})
    return out.sort_values("offset", kind="stable").reset_index(drop=True)


def summary(d: ValueDiff) -> str:
    """A short plain-text report of a :class:`ValueDiff`.

    Examples
    --------
    >>> cols = ["value_id", "value", "value_offset", "quantity"]
    >>> v = pd.DataFrame([["a", "12", "5", "count"]], columns=cols)
    >>> print(summary(diff_values(v, v)).splitlines()[0])
    values: proposed 1, curated 1, at the same offset 1 (recovery 100.0%, precision 100.0%)
    """
    lines = [f"values: proposed {d.proposed}, curated {d.curated}, at the same offset {d.matched} "
             f"(recovery {d.recovery:.1%}, precision {d.precision:.1%})",
             f"{'field':34s} {'compared':>8s} {'agree':>6s} {'rate':>7s}"]
    for r in d.fields.itertuples(index=False):
        rate = "" if pd.isna(r.rate) else f"{r.rate:.1%}"
        lines.append(f"{r.field:34s} {r.compared:8d} {r.agree:6d} {rate:>7s}")
    only_p = int(((d.differences["field"] == "row") & (d.differences["proposed"] == "present")).sum())
    only_c = int(((d.differences["field"] == "row") & (d.differences["curated"] == "present")).sum())
    lines.append(f"rows only in the proposal: {only_p}; rows only in the curated extraction: {only_c}")
    return "\n".join(lines)
