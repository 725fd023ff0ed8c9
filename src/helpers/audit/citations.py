"""Checks that figures and names are attributed to the right references."""
from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

from .arithmetic import _count_denominators
from .context import AuditContext, empty_issues, empty_recomputed, fmt, split_ids
from .registry import register

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(name: str) -> str:
    """ASCII-fold and lower-case a name (CJK characters are kept).

    Examples
    --------
    >>> fold("Müller"), fold("刘宝东")
    ('muller', '刘宝东')
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
    >>> name_matches("Xiao-Shan Wang", "Wang"), name_matches("Helmut Schoellnast", "Kodama")
    (True, False)
    >>> name_matches("刘宝东", "刘宝东")
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
    >>> rv = toy_review(mentions=[{"mention_id": "m1", "author_printed": "Helmut Schoellnast", "refs": "20"}],
    ...                 references=[{"ref": "20", "first_author": "Kodama"}, {"ref": "26", "first_author": "Schoellnast"}])
    >>> citation_author(rv)[0].loc[0, "expected"]
    'Kodama [20]; name matches [26]'
    """
    mn = ctx.mentions
    refs = dict(zip(ctx.references["ref"].str.strip(), ctx.references["first_author"]))
    out = []
    cols = ["mention_id", "author_printed", "refs", "section", "location"]
    for rec in zip(*(mn[c] for c in cols)):
        r = dict(zip(cols, rec))
        rs = [x for x in split_ids(r["refs"]) if x in refs]
        if not rs or not r["author_printed"].strip():
            continue
        bad = [x for x in rs if not name_matches(r["author_printed"], refs[x])]
        if not bad:
            continue
        sev = "error" if len(bad) == len(rs) else "warning"
        right = [k_ for k_, fa in refs.items() if name_matches(r["author_printed"], fa) and k_ not in rs]
        exp = "; ".join(f"{refs[x]} [{x}]" for x in bad) + (f"; name matches [{', '.join(right)}]" if right else "")
        msg = (f"'{r['author_printed']}' is cited as [{', '.join(bad)}], but that reference's first author is "
               f"{', '.join(refs[x] for x in bad)}" + (f"; the name belongs to reference [{', '.join(right)}]." if right else "."))
        out.append(ctx.issues([r["mention_id"]], "citation_author", sev, [f"{r['author_printed']} [{r['refs']}]"], [exp], [msg],
                              [[r["mention_id"]]], study_ids=[""],
                              override={"section": [r["section"]], "location": [r["location"]], "refs": [r["refs"]],
                                        "quantity": [""], "study": [r["author_printed"]]}))
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()


def _row_studies(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """study_id of each row, else the single study its refs point to."""
    r2s = ctx.ref_to_studies

    def one(refs):
        c = {s for r in split_ids(refs) for s in r2s.get(r, [])}
        return next(iter(c)) if len(c) == 1 else ""

    return rows["study_id"].where(rows["study_id"] != "", rows["refs"].map(one))


@register("citation_sample_size", "warning",
          "A count or percentage in the text whose denominator is none of the cited study's sample sizes.")
def citation_sample_size(ctx: AuditContext):
    """Denominators of text figures against every sample size printed for the cited study.

    Only rows at locations starting with ``text`` (a study's table row is its own source). The
    denominator row itself is not counted as a sample size of the study. If the denominator is
    a sample size of another study, the message names it.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> vals = [{"value_id": "na", "study_id": "a", "quantity": "n", "value": "79", "location": "table 1"},
    ...         {"value_id": "nb", "study_id": "b", "quantity": "n", "value": "44", "location": "table 1"},
    ...         {"value_id": "k", "study_id": "a", "location": "text 2", "quantity": "count", "value": "7", "denominator_id": "d"},
    ...         {"value_id": "d", "study_id": "a", "location": "text 2", "quantity": "n", "value": "44"}]
    >>> st = [{"study_id": "a", "n_id": "na", "author_printed": "Wei"}, {"study_id": "b", "n_id": "nb", "author_printed": "Kodama"}]
    >>> citation_sample_size(toy_review(values=vals, studies=st))[0].loc[0, "expected"]
    'a sample size of Wei (79); 44 is a sample size of Kodama'
    """
    v = ctx.values
    cden = _count_denominators(ctx)
    rows = v[v["location"].str.startswith("text") & v["quantity"].isin(["count", "percent"]) & v["ok"]].copy()
    rows = rows[~((rows["quantity"] == "percent") & (rows["count_id"] != ""))]
    rows["den_id"] = rows["denominator_id"].where(rows["denominator_id"] != "", rows["value_id"].map(cden).astype(object).fillna(""))
    rows = rows[rows["den_id"] != ""]
    if rows.empty:
        return empty_issues(), empty_recomputed()
    rows["sid"] = _row_studies(ctx, rows)
    rows = rows[rows["sid"] != ""]
    rows["den"] = rows["den_id"].map(ctx.by_id["num"]).astype(float)
    ns = ctx.study_ns
    dens = set(rows["den_id"])
    cand = ns[~ns["value_id"].isin(dens) | ns["value_id"].isin(set(ctx.study_n["n_id"]))]
    m = rows[["value_id", "sid", "den", "den_id"]].merge(cand.rename(columns={"study_id": "sid", "value_id": "nid"}), on="sid", how="left")
    m = m[m["nid"] != m["den_id"]]
    has = m.assign(h=m["n"].notna()).groupby("value_id")["h"].any()
    hit = m.assign(h=m["n"] == m["den"]).groupby("value_id")["h"].any()
    flagged = [i for i in rows["value_id"] if has.get(i, False) and not hit.get(i, False)]
    if not flagged:
        return empty_issues(), empty_recomputed()
    b = rows.set_index("value_id").loc[flagged]
    label = ctx.study_label
    exp, msg, ids = [], [], []
    for vid, r in b.iterrows():
        own = sorted({fmt(x) for x in ns.loc[(ns["study_id"] == r["sid"]) & (ns["value_id"] != r["den_id"]), "n"]})
        other = ns[(ns["study_id"] != r["sid"]) & (ns["n"] == r["den"])]
        oth = sorted(set(other["study_id"]))
        olab = ", ".join(label.get(s, s) for s in oth)
        exp.append(f"a sample size of {label.get(r['sid'], r['sid'])} ({', '.join(own)})"
                   + (f"; {fmt(r['den'])} is a sample size of {olab}" if oth else ""))
        msg.append(f"The figure cited to {label.get(r['sid'], r['sid'])} is out of {fmt(r['den'])} patients, which is none of that study's sample sizes ({', '.join(own)})"
                   + (f"; {fmt(r['den'])} is the size of {olab}, so the figure may belong to that study." if oth else "."))
        ids.append([vid, r["den_id"]])
    return ctx.issues(flagged, "citation_sample_size", "warning",
                      [f"{x}/{fmt(d)}" if q == "count" else f"{x}% of {fmt(d)}" for x, d, q in zip(b["value"], b["den"], b["quantity"])],
                      exp, msg, ids, study_ids=list(b["sid"])), empty_recomputed()


_MATCH_QUANTITIES = ("median", "mean", "rate", "percent", "count", "hr", "or")


@register("citation_value_match", "error",
          "A group of figures cited to one study that are exactly another study's figures.")
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
    w = v[v["quantity"].isin(_MATCH_QUANTITIES) & v["simple"] & (v["study_id"] != "")].copy()
    if w.empty:
        return empty_issues(), empty_recomputed()
    minv = ctx.params.citation_match_min_values
    flagged_ids: set[str] = set()
    srefs = dict(zip(ctx.studies["study_id"], ctx.studies["refs"]))
    out = []
    keys = ["tp", "valkey"]
    w["tp"] = w["timepoint"]
    for extra in ([], ["armn"]):
        gkey = ["location", "refs", "study_id", "quantity", "endpoint"] + extra
        w["gid"] = w.groupby(gkey, sort=True).ngroup()
        size = w.groupby("gid")["valkey"].transform("nunique")
        grp = w[(size >= minv) & ~w["value_id"].isin(flagged_ids)]
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
        oth_by_gid = oth.groupby("gid", sort=False)
        cg_by_gid = cg.groupby("gid", sort=False)
        for gid, f in full.groupby("gid", sort=True):
            g = cg_by_gid.get_group(gid).sort_values(["voff", "value_id"])
            sids = list(f["sid_o"])
            og = oth_by_gid.get_group(gid)
            ev = list(og.loc[og["sid_o"].isin(sids)].drop_duplicates("vid_o")["vid_o"])
            r0 = g.iloc[0]
            orefs = sorted({x for s in sids for x in split_ids(srefs.get(s, ""))}, key=lambda x: (len(x), x))
            olab = ", ".join(ctx.label(sids))
            vals = ", ".join(g["value"])
            out.append(ctx.issues([r0["value_id"]], "citation_value_match", "error", [f"{vals} [{r0['refs']}]"],
                                  [f"figures of {olab} [{';'.join(orefs)}]"],
                                  [f"The figures {vals} attributed to [{r0['refs']}] are those of {olab} [{'; '.join(orefs)}], not of the cited study."],
                                  [list(g["value_id"]) + ev]))
            flagged_ids |= set(g["value_id"])
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()
