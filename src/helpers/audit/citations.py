"""Checks that figures and names are attributed to the right references."""
from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

from .context import PATIENT_UNITS, AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_arr, join_cols, split_ids
from .grouping import gjoin, group_nunique, map_str, ngroup_codes
from .pairing import count_denominators, count_readings
from .registry import register

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(name: str) -> str:
    """ASCII-fold and lower-case a name (CJK characters are kept).

    Examples
    --------
    >>> fold("Müller"), fold("王小明")
    ('muller', '王小明')
    """
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.lower().strip()


@functools.lru_cache(maxsize=65536)
def name_matches(printed: str, first_author: str) -> bool:
    """Whether a printed author name is compatible with a reference's first-author surname.

    Latin names: every surname token must be among the printed name's tokens (ASCII-folded,
    case-insensitive). Names with CJK characters: exact match (or containment).

    Examples
    --------
    >>> name_matches("Ana-Maria Popescu", "Popescu"), name_matches("Jonas Lindqvist", "Okafor")
    (True, False)
    >>> name_matches("王小明", "王小明")
    True
    """
    p, f = fold(printed), fold(first_author)
    if not p or not f:
        return True
    if _NON_ASCII.search(f) or _NON_ASCII.search(p):
        return p == f or f in p
    pt = set(re.findall(r"[a-z]+", p))
    ft = re.findall(r"[a-z]+", f)
    return bool(ft) and all(t in pt for t in ft)


@register("citation_author", "error",
          "An author named in the text whose name is not the first author of the reference printed beside it.")
def citation_author(ctx: AuditContext):
    """Compare each mention's printed name with ``references.first_author`` of its refs.

    Error when the name matches none of the printed refs; warning when it matches only some.
    The message names the reference whose first author the name does match, if any.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(mentions=[{"mention_id": "m1", "author_printed": "Jonas Lindqvist", "refs": "5"}],
    ...                 references=[{"ref": "5", "first_author": "Okafor"}, {"ref": "9", "first_author": "Lindqvist"}])
    >>> citation_author(rv)[0].loc[0, "expected"]
    'Okafor [5]; name matches [9]'
    """
    mn = ctx.mentions.reset_index(drop=True)
    refs = dict(zip(ctx.references["ref"].str.strip(), ctx.references["first_author"]))
    if mn.empty or not refs:
        return empty_issues(), empty_recomputed()
    ex = mn.assign(_m=np.arange(len(mn)), r=mn["refs"].str.split(";")).explode("r")
    ex["r"] = ex["r"].fillna("").str.strip()
    ex = ex[ex["r"].isin(refs.keys()) & (ex["author_printed"].str.strip() != "")]
    if ex.empty:
        return empty_issues(), empty_recomputed()
    ex["fa"] = ex["r"].map(refs)
    # name matching on the distinct (printed, first author) pairs only
    pairs = ex[["author_printed", "fa"]].drop_duplicates()
    pairs["ok"] = [name_matches(a_, f_) for a_, f_ in zip(pairs["author_printed"], pairs["fa"])]
    ex = ex.merge(pairs, on=["author_printed", "fa"], how="left")
    nref = ex.groupby("_m")["r"].size()
    badr = ex[~ex["ok"]]
    if badr.empty:
        return empty_issues(), empty_recomputed()
    gb = badr.groupby("_m", sort=True)
    badr = badr.assign(fr=badr["fa"] + " [" + badr["r"] + "]")
    gb = badr.groupby("_m", sort=True)
    agg = pd.DataFrame({"bad": gjoin(gb, "r", ", "), "k": gb.size(), "exp": gjoin(gb, "fr", "; "), "fas": gjoin(gb, "fa", ", ")})
    r = mn.loc[agg.index].reset_index(drop=True)
    agg = agg.reset_index()
    sev = np.where(agg["k"].to_numpy() == agg["_m"].map(nref).to_numpy(), "error", "warning")
    # which reference's first author the printed name does match (distinct names only)
    names = r["author_printed"].drop_duplicates()
    ref_keys = list(refs.keys())
    right = {nm: [k_ for k_ in ref_keys if name_matches(nm, refs[k_])] for nm in names}
    own = [set(split_ids(x)) for x in r["refs"]]
    rt = pd.Series([", ".join(k_ for k_ in right[nm] if k_ not in o) for nm, o in zip(r["author_printed"], own)], dtype=object)
    exp = agg["exp"] + pd.Series(np.where(rt != "", "; name matches [" + rt + "]", ""), dtype=object)
    msg = ("'" + r["author_printed"] + "' is cited as [" + agg["bad"] + "], but that reference's first author is " + agg["fas"]
           + pd.Series(np.where(rt != "", "; the name belongs to reference [" + rt + "].", "."), dtype=object))
    iss = ctx.issues(r["mention_id"], sev, r["author_printed"] + " [" + r["refs"] + "]", exp, msg,
                     r["mention_id"], study_ids=np.full(len(r), "", dtype=object),
                     override={"section": r["section"], "location": r["location"], "refs": r["refs"],
                               "quantity": np.full(len(r), "", dtype=object), "study": r["author_printed"]})
    return iss, empty_recomputed()


def _row_studies(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """study_id of each row, else the single study its refs point to."""
    r2s = ctx.ref_to_studies
    u = rows.loc[rows["study_id"] == "", "refs"].drop_duplicates()

    def one(refs):
        c = {s_ for r in split_ids(refs) for s_ in r2s.get(r, [])}
        return next(iter(c)) if len(c) == 1 else ""

    look = {x: one(x) for x in u}  # distinct ref strings only
    return rows["study_id"].where(rows["study_id"] != "", map_str(rows["refs"], look))


@register("citation_sample_size", "warning",
          "A count or percentage in the text whose denominator is none of the cited study's sample sizes.")
def citation_sample_size(ctx: AuditContext):
    """Denominators of text figures against every sample size printed for the cited study.

    Only rows at locations starting with ``text`` (a study's table row is its own source), and
    only denominators that are sample sizes of patients: an ``n`` row whose unit is patients
    (or blank), for a figure not restricted to a patient subgroup. A denominator of sessions or
    lesions, of a subgroup, or a count of events (e.g. the patients who progressed) is
    legitimately not a study N. The denominator row itself is not counted as a sample size of
    the study. If the denominator is a sample size of another study, the message names it.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "na", "study_id": "a", "quantity": "n", "value": "61", "location": "table 1"},
    ...         {"value_id": "nb", "study_id": "b", "quantity": "n", "value": "37", "location": "table 1"},
    ...         {"value_id": "k", "study_id": "a", "location": "text 2", "quantity": "count", "value": "5", "denominator_id": "d"},
    ...         {"value_id": "d", "study_id": "a", "location": "text 2", "quantity": "n", "value": "37"}]
    >>> st = [{"study_id": "a", "n_id": "na", "author_printed": "Okafor"}, {"study_id": "b", "n_id": "nb", "author_printed": "Lindqvist"}]
    >>> citation_sample_size(toy_review(values=vals, studies=st))[0].loc[0, "expected"]
    'a sample size of Okafor (61); 37 is a sample size of Lindqvist'
    """
    v = ctx.values
    cden = count_denominators(ctx)
    rows = v[ctx.on_distinct("location", lambda s: s.str.startswith("text")).astype(bool) & ctx.eq("quantity", "count", "percent")
             & v["ok"].to_numpy() & ~v["popsub"].to_numpy()].copy()
    rows = rows[~((rows["quantity"] == "percent") & (rows["count_id"] != ""))]
    rows = rows[~rows["value_id"].isin(set(count_readings(ctx)["value_id"]))]  # "N patients … X%": N is a count
    rows["den_id"] = rows["denominator_id"].where(rows["denominator_id"] != "", rows["value_id"].map(cden).astype(object).fillna(""))
    rows = rows[rows["den_id"] != ""]
    if rows.empty:
        return empty_issues(), empty_recomputed()
    d = ctx.take(ctx.pos(rows["den_id"]), ["quantity", "unit", "popsub"])
    is_n = (d["quantity"].eq("n") & d["unit"].fillna("").isin(PATIENT_UNITS) & ~d["popsub"].fillna(False).astype(bool)).to_numpy()
    rows = rows[is_n]
    if rows.empty:
        return empty_issues(), empty_recomputed()
    rows["sid"] = _row_studies(ctx, rows)
    rows = rows[rows["sid"] != ""]
    rows["den"] = ctx.take(ctx.pos(rows["den_id"]), ["num"])["num"].astype(float).to_numpy()
    ns = ctx.study_ns
    nmeta = ctx.take(ctx.pos(ns["value_id"]), ["unit", "popsub"])
    # sample sizes of patients of the whole study or an arm (not sessions/lesions, not a subgroup)
    ns = ns[(nmeta["unit"].fillna("").isin(PATIENT_UNITS) & ~nmeta["popsub"].fillna(False).astype(bool)).to_numpy()]
    dens = set(rows["den_id"])
    cand = ns[~ns["value_id"].isin(dens) | ns["value_id"].isin(set(ctx.study_n["n_id"]))]
    m = rows[["value_id", "sid", "den", "den_id"]].merge(cand.rename(columns={"study_id": "sid", "value_id": "nid"}), on="sid", how="left")
    m = m[m["nid"] != m["den_id"]]
    has = m.assign(h=m["n"].notna()).groupby("value_id")["h"].any()
    hit = m.assign(h=m["n"] == m["den"]).groupby("value_id")["h"].any()
    flag = rows["value_id"].map(has).fillna(False).astype(bool) & ~rows["value_id"].map(hit).fillna(False).astype(bool)
    b = rows[flag.to_numpy()].reset_index(drop=True)
    if b.empty:
        return empty_issues(), empty_recomputed()
    label = ctx.study_label
    # the cited study's own sizes (excluding the denominator row), distinct, sorted as text
    own = b[["value_id", "sid", "den_id"]].merge(ns.rename(columns={"study_id": "sid", "value_id": "nid"}), on="sid")
    own = own[own["nid"] != own["den_id"]].assign(f=lambda x: fmt_arr(x["n"]))
    own = own.drop_duplicates(["value_id", "f"]).sort_values(["value_id", "f"], kind="stable")
    own_s = map_str(b["value_id"], gjoin(own.groupby("value_id"), "f", ", "))
    # other studies with that sample size
    oth = b[["value_id", "sid", "den"]].merge(ns.rename(columns={"n": "den", "study_id": "osid", "value_id": "nid"}), on="den")
    oth = oth[oth["osid"] != oth["sid"]].drop_duplicates(["value_id", "osid"]).sort_values(["value_id", "osid"], kind="stable")
    oth["olab"] = oth["osid"].map(label).fillna(oth["osid"])
    oth_s = map_str(b["value_id"], gjoin(oth.groupby("value_id"), "olab", ", "))
    lab = b["sid"].map(label).fillna(b["sid"])
    df = pd.Series(fmt_arr(b["den"]), dtype=object)
    has_o = (oth_s != "").to_numpy()
    exp = ("a sample size of " + lab + " (" + own_s + ")"
           + pd.Series(np.where(has_o, "; " + df + " is a sample size of " + oth_s, ""), dtype=object))
    msg = ("The figure cited to " + lab + " is out of " + df + " patients, which is none of that study's sample sizes (" + own_s + ")"
           + pd.Series(np.where(has_o, "; " + df + " is the size of " + oth_s + ", so the figure may belong to that study.", "."),
                       dtype=object))
    rep = pd.Series(np.where(b["quantity"] == "count", b["value"] + "/" + df, b["value"] + "% of " + df), dtype=object)
    return ctx.issues(b["value_id"], "warning", rep, exp, msg, join_cols(b["value_id"], b["den_id"]),
                      study_ids=b["sid"]), empty_recomputed()


_MATCH_QUANTITIES = ("median", "mean", "rate", "percent", "count", "hr", "or")


@register("citation_value_match", "error",
          "A group of figures cited to one study that are exactly another study's figures.", cost=4)
def citation_value_match(ctx: AuditContext):
    """Find groups of ≥ ``citation_match_min_values`` figures printed together for a study that
    are not that study's own figures (as printed elsewhere) but are all figures of one other study.

    Groups are values sharing location, refs, study, quantity and endpoint (and, failing that,
    also arm). A group is matched on (timepoint, value). Only studies whose own figures for that
    quantity/endpoint are printed elsewhere are judged.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> mk = lambda i, s, loc, x: {"value_id": i, "study_id": s, "location": loc, "quantity": "median",
    ...                            "endpoint": "os", "unit": "months", "value": x, "refs": s}
    >>> vals = [mk("a1", "16", "table 1", "32"), mk("b1", "18", "table 1", "23.4"), mk("b2", "18", "table 1", "55.2"),
    ...         mk("t1", "16", "text 2", "23.4"), mk("t2", "16", "text 2", "55.2")]
    >>> citation_value_match(toy_review(values=vals))[0].loc[0, "value_ids"]
    't1;t2;b1;b2'
    """
    v = ctx.values
    sel = ctx.eq("quantity", *_MATCH_QUANTITIES) & v["simple"].to_numpy() & ~ctx.blank("study_id")
    if not sel.any():
        return empty_issues(), empty_recomputed()
    # keys as integer codes (sorted like the strings); strings kept only for the output
    w = pd.DataFrame({c: ctx.codes(src)[0][sel] for c, src in (
        ("location", "location"), ("refs", "refs"), ("study_id", "study_id"), ("quantity", "quantity"),
        ("endpoint", "endpoint"), ("armn", "armn"), ("tp", "timepoint"), ("valkey", "valkey"))})
    w["value_id"] = v["value_id"].to_numpy(dtype=object)[sel]
    w["value"] = v["value"].to_numpy(dtype=object)[sel]
    w["refs_s"] = v["refs"].to_numpy(dtype=object)[sel]
    w["_vo"] = ctx.vord[sel]
    sid_names = ctx.codes("study_id")[1].to_numpy(dtype=object)
    minv = ctx.params.citation_match_min_values
    flagged = np.zeros(len(w), dtype=bool)  # rows already part of a finding
    srefs = dict(zip(ctx.studies["study_id"], ctx.studies["refs"]))
    out = []
    keys = ["tp", "valkey"]
    for extra in ([], ["armn"]):
        gkey = ["location", "refs", "study_id", "quantity", "endpoint"] + extra
        w["gid"] = ngroup_codes([w[c].to_numpy() for c in gkey], sort=True)
        size = group_nunique(w["gid"].to_numpy(), w["valkey"].to_numpy())
        grp = w[(size >= minv) & ~flagged]
        if grp.empty:
            continue
        # own figures of the same study printed at other locations
        own = grp[["gid", "study_id", "quantity", "endpoint", "location"] + keys + ["value_id"]].merge(
            w[["study_id", "quantity", "endpoint", "location"] + keys].rename(columns={"location": "loc_o"}),
            on=["study_id", "quantity", "endpoint"] + keys, how="left")
        own_any = w[["study_id", "quantity", "endpoint", "location"]].drop_duplicates()
        has_own = grp[["gid", "study_id", "quantity", "endpoint", "location"]].drop_duplicates().merge(
            own_any.rename(columns={"location": "loc_o"}), on=["study_id", "quantity", "endpoint"])
        has_own = set(has_own.loc[has_own["loc_o"] != has_own["location"], "gid"])
        own = own[own["loc_o"].notna() & (own["loc_o"] != own["location"])]
        nk = grp.drop_duplicates(["gid"] + keys).groupby("gid").size()
        own_n = own.drop_duplicates(["gid"] + keys).groupby("gid").size()
        own_n = own_n.reindex(nk.index, fill_value=0)
        cand = nk.index[nk.index.isin(list(has_own)) & (own_n < nk).to_numpy()]
        if len(cand) == 0:
            continue
        cg = grp[grp["gid"].isin(list(cand))]
        oth = cg[["gid", "study_id", "quantity", "endpoint", "value_id"] + keys].merge(
            w[["study_id", "quantity", "endpoint", "value_id", "refs"] + keys].rename(
                columns={"study_id": "sid_o", "value_id": "vid_o", "refs": "refs_o"}),
            on=["quantity", "endpoint"] + keys)
        oth = oth[oth["sid_o"] != oth["study_id"]]
        if oth.empty:
            continue
        cnt = oth.drop_duplicates(["gid", "sid_o"] + keys).groupby(["gid", "sid_o"]).size().reset_index(name="k")
        cnt["need"] = cnt["gid"].map(nk)
        full = cnt[cnt["k"] == cnt["need"]].sort_values(["gid", "sid_o"])
        full = full.assign(sid_o=sid_names[full["sid_o"].to_numpy()])
        gids = full["gid"].drop_duplicates()
        g = cg[cg["gid"].isin(gids)].sort_values(["gid", "_vo"], kind="stable")
        gg = g.groupby("gid", sort=True)
        agg = pd.DataFrame({"first": gg["value_id"].first(), "refs": gg["refs_s"].first(),
                            "vals": gjoin(gg, "value", ", "), "ids": gjoin(gg, "value_id", ";")})
        ev = oth.assign(sid_o=sid_names[oth["sid_o"].to_numpy()]).merge(
            full[["gid", "sid_o"]], on=["gid", "sid_o"]).drop_duplicates(["gid", "vid_o"])
        agg["ev"] = gjoin(ev.groupby("gid", sort=True), "vid_o", ";")
        fr = full.assign(lab=ctx.label(full["sid_o"]).to_numpy(dtype=object))
        agg["olab"] = gjoin(fr.groupby("gid", sort=True), "lab", ", ")
        rx = fr.assign(r=fr["sid_o"].map(srefs).fillna("").str.split(";")).explode("r")
        rx["r"] = rx["r"].fillna("").str.strip()
        rx = rx[rx["r"] != ""].drop_duplicates(["gid", "r"])
        rx = rx.assign(_l=rx["r"].str.len()).sort_values(["gid", "_l", "r"], kind="stable")
        agg["or1"] = gjoin(rx.groupby("gid", sort=True), "r", ";")
        agg["or2"] = gjoin(rx.groupby("gid", sort=True), "r", "; ")
        agg = agg.fillna("")
        out.append(ctx.issues(agg["first"], "error", agg["vals"] + " [" + agg["refs"] + "]",
                              "figures of " + agg["olab"] + " [" + agg["or1"] + "]",
                              "The figures " + agg["vals"] + " attributed to [" + agg["refs"] + "] are those of " + agg["olab"]
                              + " [" + agg["or2"] + "], not of the cited study.",
                              join_cols(agg["ids"], agg["ev"])))
        flagged |= w["value_id"].isin(set(g["value_id"])).to_numpy()
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()
