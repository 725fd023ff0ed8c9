"""Checks of what the prose says against the figures and rows it summarises."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, current_check, empty_issues, empty_recomputed
from .formatting import join_cols, split_ids
from .numeric import significance
from .registry import register

DIRECTED = ("favourable", "unfavourable")


def _factor_conflicts(ctx: AuditContext) -> list[pd.DataFrame]:
    """A factor given a direction at one place and 'no association' for the same study,
    endpoint and factor at another (error); a direction stated for an endpoint for which the
    study's own row gives the factor only at other endpoints (warning)."""
    pg = ctx.prognostic
    if pg.empty:
        return []
    pg = pg[pg["factor_key"] != ""].assign(_off=pd.to_numeric(pg["offset"], errors="coerce").fillna(-1))
    out = []
    key = ["study_id", "endpoint", "factor_key"]
    d = pg[pg["wording"].isin(DIRECTED)]
    n = pg[pg["wording"] == "no_association"]
    m = d.merge(n, on=key, suffixes=("", "_n"))
    m = m[m["location"] != m["location_n"]].sort_values(["_off", "factor_id", "factor_id_n"], kind="stable")
    m = m.drop_duplicates("factor_id")
    if not m.empty:
        ep = m["endpoint"].str.upper()
        msg = ("The review calls " + m["factor"] + " " + m["wording"] + " for " + ep + " in " + m["location"]
               + ", but the same study's " + m["location_n"] + " reports no difference for it (" + m["factor_n"] + ").")
        out.append(_issues(ctx, m, "error", m["factor"] + " " + m["wording"] + " (" + m["location"] + ")",
                           "no difference (" + m["location_n"] + ")", msg, join_cols(m["factor_id"], m["factor_id_n"])))
    # a direction in the prose for an endpoint the study's row does not give the factor for
    text = d[d["location"].str.startswith("text")]
    rows = pg[~pg["location"].str.startswith("text")]
    if not text.empty and not rows.empty:
        same = text.merge(rows[key], on=key, how="left", indicator=True)
        lone = same[same["_merge"] == "left_only"].drop(columns="_merge")
        other = lone.merge(rows[["study_id", "factor_key", "endpoint", "location", "factor_id", "wording"]],
                           on=["study_id", "factor_key"], suffixes=("", "_r"))
        other = other[other["wording_r"].isin(DIRECTED + ("associated",))]
        if not other.empty:
            g = other.sort_values(["_off", "factor_id", "endpoint_r"], kind="stable").groupby("factor_id", sort=False)
            a = g.first().reset_index()
            eps = g["endpoint_r"].agg(lambda s: "/".join(dict.fromkeys(x.upper() for x in s))).to_numpy()
            ids = g["factor_id_r"].agg(";".join).to_numpy()
            msg = ("The review calls " + a["factor"] + " " + a["wording"] + " for " + a["endpoint"].str.upper() + " in "
                   + a["location"] + ", but the study's row in " + a["location_r"] + " gives it for " + eps + " only.")
            out.append(_issues(ctx, a, "warning", a["factor"] + " " + a["wording"] + " for " + a["endpoint"].str.upper(),
                               "as the study's row: " + pd.Series(eps, dtype=object), msg,
                               join_cols(a["factor_id"], pd.Series(ids, dtype=object))))
    return out


def _no_factor_claims(ctx: AuditContext) -> list[pd.DataFrame]:
    """'No factor associated with <endpoint>' beside a subgroup or factor of the same study
    printed for that endpoint with a significant p (warning: a subgroup's p may test an
    interaction rather than a prognostic factor)."""
    c = ctx.claims
    c = c[(c["claim_type"] == "no_difference") & (c["wording"] == "no_association") & (c["member_ids"] == "")
          & (c["subgroup"] == "") & (c["endpoint"] != "")]
    if c.empty:
        return []
    v = ctx.values
    p = v.loc[ctx.eq("quantity", "p_value") & v["ok"].to_numpy() & ~ctx.blank("subgroup") & ~ctx.blank("study_id"),
              ["value_id", "study_id", "endpoint", "subgroup", "num", "comp", "value", "location"]]
    if p.empty:
        return []
    p = p[significance(p["num"], p["comp"], ctx.params.alpha, ctx.params.p_equal_alpha_significant) == 1.0]
    r2s = ctx.ref_to_studies
    rows = []
    for _, cl in c.iterrows():
        sids = {s for r in split_ids(cl["refs"]) for s in r2s.get(r, [])}
        hit = p[p["study_id"].isin(sids) & (p["endpoint"] == cl["endpoint"])]
        if len(hit):
            items = "; ".join(hit["subgroup"] + " P " + hit["comp"] + " " + hit["value"] + " (" + hit["location"] + ")")
            rows.append({"claim": cl, "ids": ";".join([cl["claim_id"]] + hit["value_id"].tolist()), "items": items,
                         "sid": hit["study_id"].iat[0]})
    if not rows:
        return []
    cl = pd.DataFrame([r["claim"] for r in rows]).reset_index(drop=True)
    items = pd.Series([r["items"] for r in rows], dtype=object)
    ep = cl["endpoint"].str.upper()
    msg = ("The review says no factor is associated with " + ep + ", but for the same study it prints " + items
           + " for " + ep + ".")
    first = [r["ids"].split(";")[1] for r in rows]
    return [ctx.issues(first, "warning", "no factor associated with " + ep + "; " + items,
                       "no significant factor for " + ep, msg, [r["ids"] for r in rows],
                       study_ids=[r["sid"] for r in rows],
                       override={"section": cl["section"], "location": cl["location"], "refs": cl["refs"]})]


def _issues(ctx, rows, severity, reported, expected, message, ids):
    """Issues placed at a prognostic row (section, location and refs of the row itself)."""
    rows = rows.reset_index(drop=True)
    iss = pd.DataFrame({
        "check": current_check(), "severity": severity, "section": rows["section"].to_numpy(dtype=object),
        "location": rows["location"].to_numpy(dtype=object), "refs": rows["refs"].to_numpy(dtype=object),
        "study": ctx.label(rows["study_id"]).to_numpy(dtype=object), "quantity": "",
        "reported": np.asarray(reported, dtype=object), "expected": np.asarray(expected, dtype=object),
        "message": np.asarray(message, dtype=object), "value_ids": np.asarray(ids, dtype=object)})
    return iss


@register("claim_vs_figures", "error",
          "Prose claims that contradict the rows or figures they summarise (a factor called favourable where "
          "the study reports no difference; 'no factor associated' beside a significant one).")
def claim_vs_figures(ctx: AuditContext):
    """Compare what the prose says about factors with the rows and figures of the same study.

    Error: a factor given a direction (favourable/unfavourable) at one place and "no
    difference" for the same study, endpoint and factor at another. Warning: a direction stated
    for an endpoint the study's own row gives the factor for only at other endpoints; "no factor
    associated with E" beside a significant p of a subgroup or factor of the same study for E.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> pg = [{"factor_id": "t", "study_id": "s", "location": "table 1", "endpoint": "os", "factor": "size",
    ...        "factor_key": "size", "wording": "no_association"},
    ...       {"factor_id": "x", "study_id": "s", "location": "text 2", "endpoint": "os", "factor": "size",
    ...        "factor_key": "size", "wording": "favourable"}]
    >>> claim_vs_figures(toy_review(prognostic=pg))[0][["severity", "value_ids"]].values.tolist()
    [['error', 'x;t']]
    """
    parts = _factor_conflicts(ctx) + _no_factor_claims(ctx)
    parts = [p for p in parts if len(p)]
    return (pd.concat(parts, ignore_index=True) if parts else empty_issues()), empty_recomputed()


@register("announced_arm_order", "error",
          "Two values a sentence assigns to two named groups by its announced order, printed with the "
          "group labels exchanged at another place.")
def announced_arm_order(ctx: AuditContext):
    """Values assigned to named groups by a sentence's order words against the same figures
    printed elsewhere under group labels.

    A pair of named groups (not experimental/control, which ``arms_swapped`` compares within a
    study) printed at one place is compared with pairs of the same groups, quantity, endpoint
    and timepoint at other places, of any study (the figures may be cited to the wrong study):
    when both numbers reappear with the labels exchanged, the sentence gives each group the
    other's result. The finding lists every figure of the two places whose label is exchanged.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> mk = lambda i, loc, sid, arm, x, o, q: {"value_id": i, "study_id": sid, "location": loc, "quantity": "median",
    ...     "endpoint": "os", "unit": "months", "arm": arm, "value": x, "value_offset": o, "offset": q}
    >>> rv = toy_review(values=[mk("a", "text 2", "p", "surgery", "23.4", 1, 0), mk("b", "text 2", "p", "radiotherapy", "55.2", 2, 0),
    ...                         mk("c", "table 1", "q", "radiotherapy", "23.4", 9, 8), mk("d", "table 1", "q", "surgery", "55.2", 12, 11)])
    >>> announced_arm_order(rv)[0][["location", "value_ids"]].values.tolist()
    [['text 2', 'b;a;c;d']]
    """
    t = ctx.two_arm
    t = t[~t["arm1"].isin(["experimental", "control", "total"]) & ~t["arm2"].isin(["experimental", "control", "total"])]
    if t.empty:
        return empty_issues(), empty_recomputed()
    key = ["quantity", "unit", "endpoint", "subgroup", "timepoint", "bnd", "arm1", "arm2"]
    m = t.merge(t, on=key, suffixes=("", "_b"))
    m = m[(m["location"] != m["location_b"]) & (m["study_id"] != m["study_id_b"])]
    if m.empty:
        return empty_issues(), empty_recomputed()
    k1, k2, b1, b2 = (m[c].astype(str) for c in ("key1", "key2", "key1_b", "key2_b"))
    full = (k1 == b2) & (k2 == b1) & (k1 != k2)
    part = ((k1 == b2) & (k2 != b2)) | ((k2 == b1) & (k1 != b1))
    m = m.assign(full=full.to_numpy(), part=(part & ~full).to_numpy())
    m = m[m["full"] | m["part"]]
    # a place pair is judged only when at least one pair is fully exchanged; the labelled place is
    # the one printing the groups in separate clauses (its own labels), the other the sentence
    g = m.groupby(["study_id", "location", "study_id_b", "location_b"], sort=True)
    keep = g["full"].transform("any")
    m = m[keep.to_numpy()]
    if m.empty:
        return empty_issues(), empty_recomputed()
    q1 = ctx.take(ctx.pos(m["id1"]), ["offset"])["offset"].to_numpy(dtype=object)
    q2 = ctx.take(ctx.pos(m["id2"]), ["offset"])["offset"].to_numpy(dtype=object)
    q1b = ctx.take(ctx.pos(m["id1_b"]), ["offset"])["offset"].to_numpy(dtype=object)
    q2b = ctx.take(ctx.pos(m["id2_b"]), ["offset"])["offset"].to_numpy(dtype=object)
    # the announcing place prints both groups in one clause ("A 和 B 分别 x 和 y"); the other
    # labels each group in a clause of its own ("A: x … B: y")
    m = m[(q1 == q2) & (q1b != q2b)]
    if m.empty:
        return empty_issues(), empty_recomputed()
    m = m.sort_values(["off_min", "id1"], kind="stable")
    rows = []
    for (sid, loc, sid_b, loc_b), x in m.groupby(["study_id", "location", "study_id_b", "location_b"], sort=True):
        items = "; ".join(x["endpoint"].str.upper() + (" " + x["timepoint"]).where(x["timepoint"] != "", "") + ": "
                          + x["arm1"] + " " + x["key1"].astype(str) + ", " + x["arm2"] + " " + x["key2"].astype(str))
        ids = ";".join(dict.fromkeys(v for a in zip(x["id1"], x["id2"], x["id1_b"], x["id2_b"]) for v in a))
        rows.append({"first": x["id1"].iat[0], "sid": sid, "loc_b": loc_b, "sid_b": sid_b, "items": items, "ids": ids,
                     "n": len(x)})
    r = pd.DataFrame(rows)
    lab_b = ctx.label(r["sid_b"])
    msg = ("By the order its sentence announces, the review gives " + r["items"] + "; " + lab_b + " in " + r["loc_b"]
           + " prints the same figure(s) under the other group's label, so a reader attributes each result to the "
           "other group.")
    return (ctx.issues(r["first"], "error", r["items"],
                       "the group labels " + lab_b + " prints in " + r["loc_b"], msg, r["ids"], study_ids=r["sid"]),
            empty_recomputed())
