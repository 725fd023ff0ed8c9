"""Checks of what the prose says against the figures and rows it summarises.

Each check is three parts: a pairing step (:func:`factor_wordings`, :func:`no_factor_claim_pvalues`,
:func:`named_group_printings`), a pure test (:func:`wordings_conflict`,
:func:`~.numeric.significance`, :func:`labels_exchanged`), and a message table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, current_check, empty_issues, empty_recomputed
from .formatting import join_cols, split_ids
from .messages import Outcome, render
from .numeric import significance
from .registry import register

DIRECTED = ("favourable", "unfavourable")

#: wording and severity of :func:`claim_vs_figures`, by kind of contradiction
CLAIM_VS_FIGURES = {
    # a direction at one place, "no association" for the same study, endpoint and factor at another
    "direction_vs_no_difference": Outcome(
        "error", "{factor} {wording} ({location})", "no difference ({location_n})",
        "The review calls {factor} {wording} for {ENDPOINT} in {location}, but the same study's {location_n} reports no "
        "difference for it ({factor_n})."),
    # a direction for an endpoint the study's own row gives the factor for only at other endpoints
    "direction_for_other_endpoint": Outcome(
        "warning", "{factor} {wording} for {ENDPOINT}", "as the study's row: {row_endpoints}",
        "The review calls {factor} {wording} for {ENDPOINT} in {location}, but the study's row in {location_r} gives it "
        "for {row_endpoints} only."),
    # a subgroup's p may test an interaction rather than a prognostic factor: a warning
    "no_factor_vs_significant": Outcome(
        "warning", "no factor associated with {ENDPOINT}; {items}", "no significant factor for {ENDPOINT}",
        "The review says no factor is associated with {ENDPOINT}, but for the same study it prints {items} for {ENDPOINT}."),
}


def wordings_conflict(wording, wording_other) -> np.ndarray:
    """Whether two wordings of one factor contradict each other (pure test): a direction
    (favourable, unfavourable) against "no association".

    Examples
    --------
    >>> wordings_conflict(["favourable", "favourable", "unfavourable"], ["no_association", "favourable", "associated"]).tolist()
    [True, False, False]
    """
    w, o = np.asarray(wording, dtype=object), np.asarray(wording_other, dtype=object)
    return np.isin(w, DIRECTED) & (o == "no_association")


def factor_wordings(ctx: AuditContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The directed wordings of prognostic factors (favourable, unfavourable) paired with every
    wording of the same study, endpoint and factor at another location (pairing step).

    Returns ``(pairs, directed)``: the pairs (the other row's columns with ``_n``) and the
    directed rows themselves; ``_off`` is each row's text offset.
    """
    pg = ctx.prognostic
    pg = pg[pg["factor_key"] != ""].assign(_off=pd.to_numeric(pg["offset"], errors="coerce").fillna(-1))
    d = pg[pg["wording"].isin(DIRECTED)]
    m = d.merge(pg, on=["study_id", "endpoint", "factor_key"], suffixes=("", "_n"))
    return m[m["location"] != m["location_n"]], d


def _direction_conflicts(ctx: AuditContext, m: pd.DataFrame) -> list[pd.DataFrame]:
    m = m[wordings_conflict(m["wording"], m["wording_n"])]
    m = m.sort_values(["_off", "factor_id", "factor_id_n"], kind="stable").drop_duplicates("factor_id")
    if m.empty:
        return []
    return [_issues(ctx, m, join_cols(m["factor_id"], m["factor_id_n"]),
                    render(CLAIM_VS_FIGURES, "direction_vs_no_difference", m.assign(ENDPOINT=m["endpoint"].str.upper())))]


def _directions_without_row(ctx: AuditContext, d: pd.DataFrame) -> list[pd.DataFrame]:
    """A direction in the prose for an endpoint the study's row does not give the factor for."""
    pg = ctx.prognostic
    pg = pg[pg["factor_key"] != ""]
    key = ["study_id", "endpoint", "factor_key"]
    text = d[d["location"].str.startswith("text")]
    rows = pg[~pg["location"].str.startswith("text")]
    if text.empty or rows.empty:
        return []
    same = text.merge(rows[key], on=key, how="left", indicator=True)
    lone = same[same["_merge"] == "left_only"].drop(columns="_merge")
    other = lone.merge(rows[["study_id", "factor_key", "endpoint", "location", "factor_id", "wording"]],
                       on=["study_id", "factor_key"], suffixes=("", "_r"))
    other = other[other["wording_r"].isin(DIRECTED + ("associated",))]
    if other.empty:
        return []
    g = other.sort_values(["_off", "factor_id", "endpoint_r"], kind="stable").groupby("factor_id", sort=False)
    a = g.first().reset_index()
    a["row_endpoints"] = g["endpoint_r"].agg(lambda s: "/".join(dict.fromkeys(x.upper() for x in s))).to_numpy()
    ids = pd.Series(g["factor_id_r"].agg(";".join).to_numpy(), dtype=object)
    return [_issues(ctx, a, join_cols(a["factor_id"], ids),
                    render(CLAIM_VS_FIGURES, "direction_for_other_endpoint", a.assign(ENDPOINT=a["endpoint"].str.upper())))]


def no_factor_claim_pvalues(ctx: AuditContext) -> list[dict]:
    """Each "no factor associated with <endpoint>" claim with the p-values of subgroups or
    factors of the cited studies printed for that endpoint (pairing step): one dict per claim
    with any, holding the claim, the p rows and the significance each p claims."""
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
    p = p.assign(sig=significance(p["num"], p["comp"], ctx.params.alpha, ctx.params.p_equal_alpha_significant))
    r2s = ctx.ref_to_studies
    out = []
    for _, cl in c.iterrows():
        sids = {s for r in split_ids(cl["refs"]) for s in r2s.get(r, [])}
        out.append({"claim": cl, "p": p[p["study_id"].isin(sids) & (p["endpoint"] == cl["endpoint"])]})
    return out


def _no_factor_claims(ctx: AuditContext) -> list[pd.DataFrame]:
    """'No factor associated with <endpoint>' beside a subgroup or factor of the same study
    printed for that endpoint with a significant p."""
    rows = []
    for x in no_factor_claim_pvalues(ctx):
        cl, hit = x["claim"], x["p"][x["p"]["sig"] == 1.0]
        if len(hit):
            items = "; ".join(hit["subgroup"] + " P " + hit["comp"] + " " + hit["value"] + " (" + hit["location"] + ")")
            rows.append({"claim": cl, "ids": ";".join([cl["claim_id"]] + hit["value_id"].tolist()), "items": items,
                         "sid": hit["study_id"].iat[0]})
    if not rows:
        return []
    cl = pd.DataFrame([r["claim"] for r in rows]).reset_index(drop=True)
    cols = {"ENDPOINT": cl["endpoint"].str.upper(), "items": pd.Series([r["items"] for r in rows], dtype=object)}
    return [ctx.issues([r["ids"].split(";")[1] for r in rows], value_ids=[r["ids"] for r in rows],
                       study_ids=[r["sid"] for r in rows],
                       override={"section": cl["section"], "location": cl["location"], "refs": cl["refs"]},
                       **render(CLAIM_VS_FIGURES, "no_factor_vs_significant", cols))]


def _issues(ctx, rows, ids, text: dict) -> pd.DataFrame:
    """Issues placed at a prognostic row (section, location and refs of the row itself);
    ``text``: :func:`~.messages.render` of the rows."""
    rows = rows.reset_index(drop=True)
    return pd.DataFrame({
        "check": current_check(), "severity": text["severity"], "section": rows["section"].to_numpy(dtype=object),
        "location": rows["location"].to_numpy(dtype=object), "refs": rows["refs"].to_numpy(dtype=object),
        "study": ctx.label(rows["study_id"]).to_numpy(dtype=object), "quantity": "",
        "reported": text["reported"], "expected": text["expected"], "message": text["message"],
        "value_ids": np.asarray(ids, dtype=object)})


@register("claim_vs_figures", "error",
          "Prose claims that contradict the rows or figures they summarise (a factor called favourable where "
          "the study reports no difference; 'no factor associated' beside a significant one).")
def claim_vs_figures(ctx: AuditContext):
    """Compare what the prose says about factors with the rows and figures of the same study.

    Error: a factor given a direction (favourable/unfavourable) at one place and "no
    difference" for the same study, endpoint and factor at another. Warning: a direction stated
    for an endpoint the study's own row gives the factor for only at other endpoints; "no factor
    associated with E" beside a significant p of a subgroup or factor of the same study for E.
    Parts: :func:`factor_wordings` and :func:`no_factor_claim_pvalues`, :func:`wordings_conflict`
    and :func:`~.numeric.significance`, :data:`CLAIM_VS_FIGURES`.

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
    parts = []
    if not ctx.prognostic.empty:
        pairs, directed = factor_wordings(ctx)
        parts += _direction_conflicts(ctx, pairs) + _directions_without_row(ctx, directed)
    parts = [p for p in parts + _no_factor_claims(ctx) if len(p)]
    return (pd.concat(parts, ignore_index=True) if parts else empty_issues()), empty_recomputed()


#: wording and severity of :func:`announced_arm_order`
ANNOUNCED_ARM_ORDER = {
    "labels_exchanged": Outcome("error", "{items}", "the group labels {other_study} prints in {other_location}",
                                "By the order its sentence announces, the review gives {items}; {other_study} in "
                                "{other_location} prints the same figure(s) under the other group's label, so a reader "
                                "attributes each result to the other group."),
}
_STANDARD = ["experimental", "control", "total"]


def labels_exchanged(k1, k2, b1, b2) -> pd.DataFrame:
    """Whether two printings of the same two named groups give their values with the labels
    exchanged (pure test; numeric keys): ``full`` (both values exchanged, two different numbers)
    or ``part`` (one value reappears under the other group's label).

    Examples
    --------
    >>> labels_exchanged(["23.4", "23.4", "23.4"], ["55.2", "55.2", "55.2"], ["55.2", "40", "23.4"],
    ...                  ["23.4", "23.4", "55.2"]).values.tolist()
    [[True, False], [False, True], [False, False]]
    """
    k1, k2, b1, b2 = (np.asarray(x, dtype=object).astype(str) for x in (k1, k2, b1, b2))
    full = (k1 == b2) & (k2 == b1) & (k1 != k2)
    part = ((k1 == b2) & (k2 != b2)) | ((k2 == b1) & (k1 != b1))
    return pd.DataFrame({"full": full, "part": part & ~full})


def named_group_printings(ctx: AuditContext) -> pd.DataFrame:
    """Two-arm printings of two named groups (not experimental/control) paired with printings
    of the same groups, quantity, unit, endpoint, subgroup, timepoint and bound at another
    location of another study (pairing step; the second's columns with ``_b``)."""
    t = ctx.two_arm
    t = t[~t["arm1"].isin(_STANDARD) & ~t["arm2"].isin(_STANDARD)]
    key = ["quantity", "unit", "endpoint", "subgroup", "timepoint", "bnd", "arm1", "arm2"]
    m = t.merge(t, on=key, suffixes=("", "_b"))
    return m[(m["location"] != m["location_b"]) & (m["study_id"] != m["study_id_b"])]


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
    Parts: :func:`named_group_printings`, :func:`labels_exchanged`, :data:`ANNOUNCED_ARM_ORDER`.

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
    m = named_group_printings(ctx)
    if m.empty:
        return empty_issues(), empty_recomputed()
    m = pd.concat([m, labels_exchanged(m["key1"], m["key2"], m["key1_b"], m["key2_b"]).set_axis(m.index)], axis=1)
    m = m[m["full"] | m["part"]]
    # a place pair is judged only when at least one pair is fully exchanged
    places = ["study_id", "location", "study_id_b", "location_b"]
    m = m[m.groupby(places, sort=True)["full"].transform("any").to_numpy()]
    if m.empty:
        return empty_issues(), empty_recomputed()
    # the announcing place prints both groups in one clause ("A 和 B 分别 x 和 y"); the other
    # labels each group in a clause of its own ("A: x … B: y")
    q1, q2, q1b, q2b = (ctx.take(ctx.pos(m[c]), ["offset"])["offset"].to_numpy(dtype=object) for c in ("id1", "id2", "id1_b", "id2_b"))
    m = m[(q1 == q2) & (q1b != q2b)]
    if m.empty:
        return empty_issues(), empty_recomputed()
    m = m.sort_values(["off_min", "id1"], kind="stable")
    rows = []
    for (sid, loc, sid_b, loc_b), x in m.groupby(places, sort=True):
        items = "; ".join(x["endpoint"].str.upper() + (" " + x["timepoint"]).where(x["timepoint"] != "", "") + ": "
                          + x["arm1"] + " " + x["key1"].astype(str) + ", " + x["arm2"] + " " + x["key2"].astype(str))
        ids = ";".join(dict.fromkeys(v for a in zip(x["id1"], x["id2"], x["id1_b"], x["id2_b"]) for v in a))
        rows.append({"first": x["id1"].iat[0], "sid": sid, "other_location": loc_b, "sid_b": sid_b, "items": items, "ids": ids})
    r = pd.DataFrame(rows)
    r["other_study"] = ctx.label(r["sid_b"]).to_numpy(dtype=object)
    return (ctx.issues(r["first"], value_ids=r["ids"], study_ids=r["sid"], **render(ANNOUNCED_ARM_ORDER, "labels_exchanged", r)),
            empty_recomputed())
