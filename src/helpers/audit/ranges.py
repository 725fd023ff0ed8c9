"""Checks of figures that summarise others: a printed range against its members, a time unit
against the one other studies use.

Each check is three parts: a pairing step (:func:`range_members`, :func:`modal_time_units`), a
pure test (:func:`range_covers`; for units a comparison of names), and a message table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_arr, join_cols
from .grouping import gjoin, map_str
from .messages import Outcome, render
from .registry import register


#: wording and severity of :func:`range_claim`, by outcome of :func:`range_covers`
RANGE_CLAIM = {
    "member_outside": Outcome("error", "{range}", "{span}", "The range {range} leaves out figure(s) {outside} that it claims to summarise."),
    "ends_not_members": Outcome("warning", "{range}", "{span}",
                                "The ends of the range {range} are not among the figures it summarises (those span {span})."),
}


def range_members(ctx: AuditContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The range claims and their member figures (pairing step).

    Returns ``(claims, members)``: the ``range`` claims numbered ``cid`` (with ``ends``, the
    ids of both ends), and one row per claim and numeric member figure (``cid, m, x``).
    """
    c = ctx.claims[ctx.claims["claim_type"] == "range"].reset_index(drop=True)
    c["cid"] = np.arange(len(c))
    c["ends"] = join_cols(c["low_id"], c["high_id"])
    mem = c[["cid", "member_ids"]].assign(m=c["member_ids"].str.split(";")).explode("m")
    mem["m"] = mem["m"].fillna("").str.strip()
    mp = ctx.pos(mem["m"])
    mem = mem[mp >= 0]
    mem["x"] = ctx.take(mp[mp >= 0], ["num"])["num"].to_numpy()
    return c, mem


def range_covers(lo, hi, member_min, member_max, n_outside, lo_is_member, hi_is_member) -> np.ndarray:
    """Outcome of a printed range against the figures it summarises (pure test).

    ``member_outside`` when a member lies outside [lo, hi] (error), ``ends_not_members`` when an
    end printed is no member's value (warning), else ``consistent``. A missing end (NaN) is not
    judged.

    Examples
    --------
    >>> range_covers([5, 5, 5], [20, 20, 25], [5, 5, 5], [25, 20, 20], [1, 0, 0],
    ...              [True, True, True], [False, True, False]).tolist()
    ['member_outside', 'consistent', 'ends_not_members']
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    ends_off = (~np.isnan(lo) & ~np.asarray(lo_is_member, dtype=bool)) | (~np.isnan(hi) & ~np.asarray(hi_is_member, dtype=bool))
    return np.where(np.asarray(n_outside) > 0, "member_outside", np.where(ends_off, "ends_not_members", "consistent"))


@register("range_claim", "error",
          "A printed range 'x%~y%' against the figures it summarises.")
def range_claim(ctx: AuditContext):
    """Compare each range claim with the minimum and maximum of its member figures.

    A member outside the printed range: error. Range ends that are not any member's value:
    warning. No members: not recomputable. Parts: :func:`range_members`, :func:`range_covers`,
    :data:`RANGE_CLAIM`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": i, "quantity": "percent", "value": x} for i, x in
    ...         [("lo", "5.0"), ("hi", "20.0"), ("a", "5"), ("b", "25.0")]]
    >>> cl = [{"claim_id": "c1", "claim_type": "range", "low_id": "lo", "high_id": "hi", "member_ids": "a;b"}]
    >>> range_claim(toy_review(values=vals, claims=cl))[0].loc[0, "severity"]
    'error'
    """
    if not (ctx.claims["claim_type"] == "range").any():
        return empty_issues(), empty_recomputed()
    claims, members = range_members(ctx)
    none = claims.loc[~claims["cid"].isin(set(members["cid"]))]
    recs = [ctx.recomputed(none.loc[none[end] != "", end], "", "no member figures printed", "not_recomputable")
            for end in ("low_id", "high_id")]
    members = members[members["x"].notna()]
    if members.empty:
        return empty_issues(), pd.concat(recs, ignore_index=True)
    per_claim = members.groupby("cid", sort=True)
    span = pd.DataFrame({"mn": per_claim["x"].min(), "mx": per_claim["x"].max(), "ids": gjoin(per_claim, "m", ";"),
                         "first": per_claim["m"].first()})
    ranges = pd.concat([claims.set_index("cid").loc[span.index].reset_index(), span.reset_index(drop=True)], axis=1)
    ends = {e: ctx.take(ctx.pos(ranges[f"{e}_id"]), ["num", "value"]) for e in ("low", "high")}
    lo, hi = ends["low"]["num"].to_numpy(), ends["high"]["num"].to_numpy()
    mn, mx = ranges["mn"].to_numpy(), ranges["mx"].to_numpy()
    shown_mn, shown_mx = fmt_arr(mn), fmt_arr(mx)
    for e, shown, end, extreme, how in (("low", shown_mn, lo, mn, "min"), ("high", shown_mx, hi, mx, "max")):
        has = ranges[f"{e}_id"].ne("").to_numpy()
        recs.append(ctx.recomputed(ranges.loc[has, f"{e}_id"], shown[has], how + " of members",
                                   np.where(end[has] == extreme[has], "consistent", "inconsistent")))
    pairs = members.merge(pd.DataFrame({"cid": ranges["cid"], "lo": lo, "hi": hi}), on="cid")
    outside = pairs[(pairs["lo"].notna() & (pairs["x"] < pairs["lo"])) | (pairs["hi"].notna() & (pairs["x"] > pairs["hi"]))]
    outside = outside.assign(vs=ctx.take(ctx.pos(outside["m"]), ["value"])["value"].to_numpy())
    names = map_str(ranges["cid"], gjoin(outside.groupby("cid"), "vs", ", ")).to_numpy(dtype=object)
    at_end = {e: ranges["cid"].map(pairs[pairs["x"] == pairs[e]].groupby("cid").size()).fillna(0).to_numpy() > 0
              for e in ("lo", "hi")}
    outcome = range_covers(lo, hi, mn, mx, (names != "").astype(int), at_end["lo"], at_end["hi"])
    sel = outcome != "consistent"
    if not sel.any():
        return empty_issues(), pd.concat(recs, ignore_index=True)
    b = ranges[sel]
    cols = {"range": (ends["low"]["value"].fillna("").to_numpy(dtype=object) + "~"
                      + ends["high"]["value"].fillna("").to_numpy(dtype=object))[sel],
            "span": (shown_mn + "~" + shown_mx)[sel], "outside": names[sel]}
    ov = {"section": b["section"], "location": b["location"], "refs": b["refs"], "quantity": b["quantity"]}
    iss = ctx.issues(b["low_id"].where(b["low_id"] != "", b["first"]), value_ids=join_cols(b["ends"], b["ids"]),
                     study_ids=np.full(len(b), "", dtype=object), override=ov, **render(RANGE_CLAIM, outcome[sel], cols))
    return iss, pd.concat(recs, ignore_index=True)


#: wording and severity of :func:`unit_mix`
UNIT_MIX = {"minority_unit": Outcome("warning", "{value} {unit}", "{months} months",
                                     "This {quantity} is given in {unit} while other studies use {modal}; {value} {unit} is "
                                     "about {months} months.")}


def modal_time_units(ctx: AuditContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Medians and means in a time unit, and the unit most studies use for each quantity and
    endpoint (pairing step; ties: no modal unit). Returns ``(times, modal)``."""
    v = ctx.values
    t = v[ctx.eq("quantity", "median", "mean") & ctx.eq("unit", "months", "weeks", "days") & (v["ok"] | v["is_nr"]).to_numpy()]
    if t.empty:
        return t, pd.DataFrame(columns=["quantity", "endpoint", "modal"])
    cnt = t.groupby(["quantity", "endpoint", "unit"]).agg(ns=("study_id", "nunique"), nv=("value_id", "size")).reset_index()
    cnt = cnt.sort_values(["quantity", "endpoint", "ns", "nv", "unit"], ascending=[True, True, False, False, True])
    top = cnt.groupby(["quantity", "endpoint"]).head(2)
    modal = cnt.groupby(["quantity", "endpoint"]).head(1).rename(columns={"unit": "modal"})
    second = top.groupby(["quantity", "endpoint"]).nth(1)
    tie = modal.merge(second, on=["quantity", "endpoint"], suffixes=("", "_2"))
    tie = tie[(tie["ns"] == tie["ns_2"]) & (tie["nv"] == tie["nv_2"])][["quantity", "endpoint"]]
    modal = modal.merge(tie, how="left", indicator=True)
    return t, modal[modal["_merge"] == "left_only"][["quantity", "endpoint", "modal"]]


@register("unit_mix", "warning",
          "A time quantity given in a minority unit (e.g. weeks) where other studies use another (months).")
def unit_mix(ctx: AuditContext):
    """Flag medians/means whose time unit differs from the one most studies use for that endpoint.

    Parts: :func:`modal_time_units` (the test is a comparison of units), :data:`UNIT_MIX`.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": f"v{i}", "study_id": s, "quantity": "median", "endpoint": "pfs", "unit": u, "value": "16"}
    ...         for i, (s, u) in enumerate([("a", "months"), ("b", "months"), ("c", "weeks")])]
    >>> unit_mix(toy_review(values=vals))[0].loc[0, "value_ids"]
    'v2'
    """
    t, modal = modal_time_units(ctx)
    if t.empty:
        return empty_issues(), empty_recomputed()
    odd = t.merge(modal, on=["quantity", "endpoint"])
    odd = odd[odd["unit"] != odd["modal"]]
    if odd.empty:
        return empty_issues(), empty_recomputed()
    cols = {c: odd[c].reset_index(drop=True).astype(object) for c in ("quantity", "unit", "modal", "value")}
    cols["months"] = fmt_arr(odd["months"])
    return ctx.issues(odd["value_id"], value_ids=odd["value_id"], **render(UNIT_MIX, "minority_unit", cols)), empty_recomputed()
