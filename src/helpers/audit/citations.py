"""Checks that figures and names are attributed to the right references.

Each check is three parts: a pairing step (:func:`mention_references`, :func:`text_denominators`,
:func:`cited_figure_groups`), a pure test (:func:`name_matches`, :func:`denominator_among_sizes`,
:func:`figures_of_other_study`), and a message table of the wording and severity of each outcome.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

from .context import PATIENT_UNITS, AuditContext, empty_issues, empty_recomputed
from .formatting import fmt_arr, join_cols, split_ids
from .grouping import gjoin, group_nunique, map_str, ngroup_codes
from .messages import Outcome, fill, render
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
    """Whether a printed author name is compatible with a reference's first-author surname
    (the pure test of :func:`citation_author`).

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


_NOT_FIRST = "'{author}' is cited as [{refs_bad}], but that reference's first author is {first_authors}"
#: wording and severity of :func:`citation_author`: the name matches none of the refs printed
#: beside it, or only some; and whether it matches another reference of the list
CITATION_AUTHOR = {
    "matches_none": Outcome("error", "{author} [{refs}]", "{expected}", _NOT_FIRST + "."),
    "matches_none_other_ref": Outcome("error", "{author} [{refs}]", "{expected}; name matches [{other_refs}]",
                                      _NOT_FIRST + "; the name belongs to reference [{other_refs}]."),
    "matches_some": Outcome("warning", "{author} [{refs}]", "{expected}", _NOT_FIRST + "."),
    "matches_some_other_ref": Outcome("warning", "{author} [{refs}]", "{expected}; name matches [{other_refs}]",
                                      _NOT_FIRST + "; the name belongs to reference [{other_refs}]."),
}


def mention_references(ctx: AuditContext) -> pd.DataFrame:
    """Each author mention with each reference printed beside it that the reference list has
    (pairing step): the mention's columns, ``_m`` (its row), ``r`` (the reference) and ``fa``
    (its first author)."""
    mn = ctx.mentions.reset_index(drop=True)
    refs = dict(zip(ctx.references["ref"].str.strip(), ctx.references["first_author"]))
    ex = mn.assign(_m=np.arange(len(mn)), r=mn["refs"].str.split(";")).explode("r")
    ex["r"] = ex["r"].fillna("").str.strip()
    ex = ex[ex["r"].isin(refs.keys()) & (ex["author_printed"].str.strip() != "")]
    return ex.assign(fa=ex["r"].map(refs))


@register("citation_author", "error",
          "An author named in the text whose name is not the first author of the reference printed beside it.")
def citation_author(ctx: AuditContext):
    """Compare each mention's printed name with ``references.first_author`` of its refs.

    Error when the name matches none of the printed refs; warning when it matches only some.
    The message names the reference whose first author the name does match, if any. Parts:
    :func:`mention_references`, :func:`name_matches`, :data:`CITATION_AUTHOR`.

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
    ex = mention_references(ctx)
    if ex.empty:
        return empty_issues(), empty_recomputed()
    # name matching on the distinct (printed, first author) pairs only
    pairs = ex[["author_printed", "fa"]].drop_duplicates()
    pairs["ok"] = [name_matches(a_, f_) for a_, f_ in zip(pairs["author_printed"], pairs["fa"])]
    ex = ex.merge(pairs, on=["author_printed", "fa"], how="left")
    nref = ex.groupby("_m")["r"].size()
    badr = ex[~ex["ok"]]
    if badr.empty:
        return empty_issues(), empty_recomputed()
    badr = badr.assign(fr=badr["fa"] + " [" + badr["r"] + "]")
    gb = badr.groupby("_m", sort=True)
    agg = pd.DataFrame({"bad": gjoin(gb, "r", ", "), "k": gb.size(), "exp": gjoin(gb, "fr", "; "), "fas": gjoin(gb, "fa", ", ")})
    r = mn.loc[agg.index].reset_index(drop=True)
    agg = agg.reset_index()
    # which reference's first author the printed name does match (distinct names only)
    right = {nm: [k_ for k_ in refs if name_matches(nm, refs[k_])] for nm in r["author_printed"].drop_duplicates()}
    own = [set(split_ids(x)) for x in r["refs"]]
    other = pd.Series([", ".join(k_ for k_ in right[nm] if k_ not in o) for nm, o in zip(r["author_printed"], own)], dtype=object)
    none = agg["k"].to_numpy() == agg["_m"].map(nref).to_numpy()
    has_other = (other != "").to_numpy()
    outcome = np.where(none, np.where(has_other, "matches_none_other_ref", "matches_none"),
                       np.where(has_other, "matches_some_other_ref", "matches_some"))
    cols = {"author": r["author_printed"], "refs": r["refs"], "refs_bad": agg["bad"], "first_authors": agg["fas"],
            "expected": agg["exp"], "other_refs": other}
    iss = ctx.issues(r["mention_id"], value_ids=r["mention_id"], study_ids=np.full(len(r), "", dtype=object),
                     override={"section": r["section"], "location": r["location"], "refs": r["refs"],
                               "quantity": np.full(len(r), "", dtype=object), "study": r["author_printed"]},
                     **render(CITATION_AUTHOR, outcome, cols))
    return iss, empty_recomputed()


_NOT_A_SIZE = ("The figure cited to {study} is out of {den} patients, which is none of that study's sample sizes "
               "({own_sizes})")
#: wording and severity of :func:`citation_sample_size`: the denominator is none of the cited
#: study's sizes, and possibly another study's
CITATION_SAMPLE_SIZE = {
    "not_a_study_size": Outcome("warning", "{figure}", "a sample size of {study} ({own_sizes})", _NOT_A_SIZE + "."),
    "size_of_other_study": Outcome("warning", "{figure}", "a sample size of {study} ({own_sizes}); {den} is a sample size of "
                                   "{other_studies}", _NOT_A_SIZE + "; {den} is the size of {other_studies}, so the figure may "
                                   "belong to that study."),
}
#: how the figure is shown in ``reported``, by quantity
FIGURE_AS_PRINTED = {"count": "{value}/{den}", "percent": "{value}% of {den}"}


def _row_studies(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """study_id of each row, else the single study its refs point to."""
    r2s = ctx.ref_to_studies
    u = rows.loc[rows["study_id"] == "", "refs"].drop_duplicates()

    def one(refs):
        c = {s_ for r in split_ids(refs) for s_ in r2s.get(r, [])}
        return next(iter(c)) if len(c) == 1 else ""

    look = {x: one(x) for x in u}  # distinct ref strings only
    return rows["study_id"].where(rows["study_id"] != "", map_str(rows["refs"], look))


def patient_sample_sizes(ctx: AuditContext) -> pd.DataFrame:
    """:attr:`~.context.AuditContext.study_ns` restricted to sizes of patients of the whole
    study or an arm (not sessions or lesions, not a subgroup): ``study_id, value_id, n``."""
    ns = ctx.study_ns
    nmeta = ctx.take(ctx.pos(ns["value_id"]), ["unit", "popsub"])
    return ns[(nmeta["unit"].fillna("").isin(PATIENT_UNITS) & ~nmeta["popsub"].fillna(False).astype(bool)).to_numpy()]


def text_denominators(ctx: AuditContext) -> pd.DataFrame:
    """Counts and percentages in the text whose denominator is a sample size of patients, with
    the study they are cited to (pairing step): the values' columns plus ``den_id``, ``sid``
    (the study, from ``study_id`` or the single study of its refs) and ``den`` (float).

    Rows of a patient subgroup, percentages printed with their count, and "N patients … X%"
    readings (N is then a count, see :func:`~.pairing.count_readings`) are left out.
    """
    v = ctx.values
    rows = v[ctx.on_distinct("location", lambda s: s.str.startswith("text")).astype(bool) & ctx.eq("quantity", "count", "percent")
             & v["ok"].to_numpy() & ~v["popsub"].to_numpy()].copy()
    rows = rows[~((rows["quantity"] == "percent") & (rows["count_id"] != ""))]
    rows = rows[~rows["value_id"].isin(set(count_readings(ctx)["value_id"]))]
    rows["den_id"] = rows["denominator_id"].where(rows["denominator_id"] != "",
                                                  rows["value_id"].map(count_denominators(ctx)).astype(object).fillna(""))
    rows = rows[rows["den_id"] != ""]
    if rows.empty:
        return rows
    d = ctx.take(ctx.pos(rows["den_id"]), ["quantity", "unit", "popsub"])
    rows = rows[(d["quantity"].eq("n") & d["unit"].fillna("").isin(PATIENT_UNITS) & ~d["popsub"].fillna(False).astype(bool)).to_numpy()]
    if rows.empty:
        return rows
    rows["sid"] = _row_studies(ctx, rows)
    rows = rows[rows["sid"] != ""]
    rows["den"] = ctx.take(ctx.pos(rows["den_id"]), ["num"])["num"].astype(float).to_numpy()
    return rows


def denominator_among_sizes(row_id, den, size) -> pd.DataFrame:
    """For each figure (``row_id``) tried against candidate sample sizes (one row per figure
    and candidate; NaN size where the study has none): ``has_sizes`` (some size to compare
    with) and ``found`` (the denominator is one of them), indexed by figure (pure test).

    Examples
    --------
    >>> denominator_among_sizes(["a", "a", "b", "c"], [37, 37, 40, 12], [61, 37, 61, np.nan]).values.tolist()
    [[True, True], [True, False], [False, False]]
    """
    t = pd.DataFrame({"id": np.asarray(row_id, dtype=object), "den": np.asarray(den, dtype=float),
                      "n": np.asarray(size, dtype=float)})
    return pd.DataFrame({"has_sizes": t.assign(h=t["n"].notna()).groupby("id")["h"].any(),
                         "found": t.assign(h=t["n"] == t["den"]).groupby("id")["h"].any()})


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
    Parts: :func:`text_denominators`, :func:`denominator_among_sizes`, :data:`CITATION_SAMPLE_SIZE`.

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
    rows = text_denominators(ctx)
    if rows.empty:
        return empty_issues(), empty_recomputed()
    ns = patient_sample_sizes(ctx)
    cand = ns[~ns["value_id"].isin(set(rows["den_id"])) | ns["value_id"].isin(set(ctx.study_n["n_id"]))]
    m = rows[["value_id", "sid", "den", "den_id"]].merge(cand.rename(columns={"study_id": "sid", "value_id": "nid"}), on="sid", how="left")
    m = m[m["nid"] != m["den_id"]]
    t = denominator_among_sizes(m["value_id"], m["den"], m["n"])
    flag = rows["value_id"].map(t["has_sizes"]).fillna(False).astype(bool) & ~rows["value_id"].map(t["found"]).fillna(False).astype(bool)
    b = rows[flag.to_numpy()].reset_index(drop=True)
    if b.empty:
        return empty_issues(), empty_recomputed()
    label = ctx.study_label
    # the cited study's own sizes (excluding the denominator row), distinct, sorted as text
    own = b[["value_id", "sid", "den_id"]].merge(ns.rename(columns={"study_id": "sid", "value_id": "nid"}), on="sid")
    own = own[own["nid"] != own["den_id"]].assign(f=lambda x: fmt_arr(x["n"]))
    own = own.drop_duplicates(["value_id", "f"]).sort_values(["value_id", "f"], kind="stable")
    # other studies with that sample size
    oth = b[["value_id", "sid", "den"]].merge(ns.rename(columns={"n": "den", "study_id": "osid", "value_id": "nid"}), on="den")
    oth = oth[oth["osid"] != oth["sid"]].drop_duplicates(["value_id", "osid"]).sort_values(["value_id", "osid"], kind="stable")
    oth["olab"] = oth["osid"].map(label).fillna(oth["osid"])
    cols = {"study": b["sid"].map(label).fillna(b["sid"]), "den": pd.Series(fmt_arr(b["den"]), dtype=object), "value": b["value"],
            "own_sizes": map_str(b["value_id"], gjoin(own.groupby("value_id"), "f", ", ")),
            "other_studies": map_str(b["value_id"], gjoin(oth.groupby("value_id"), "olab", ", "))}
    cols["figure"] = np.where(b["quantity"] == "count", fill(FIGURE_AS_PRINTED["count"], cols), fill(FIGURE_AS_PRINTED["percent"], cols))
    outcome = np.where(cols["other_studies"] != "", "size_of_other_study", "not_a_study_size")
    return (ctx.issues(b["value_id"], value_ids=join_cols(b["value_id"], b["den_id"]), study_ids=b["sid"],
                       **render(CITATION_SAMPLE_SIZE, outcome, cols)), empty_recomputed())


_MATCH_QUANTITIES = ("median", "mean", "rate", "percent", "count", "hr", "or")
#: wording and severity of :func:`citation_value_match`
CITATION_VALUE_MATCH = {
    "other_study_figures": Outcome("error", "{values} [{refs}]", "figures of {other_studies} [{other_refs}]",
                                   "The figures {values} attributed to [{refs}] are those of {other_studies} "
                                   "[{other_refs_spaced}], not of the cited study."),
}


def figures_of_other_study(n_figures, n_own_elsewhere, n_matched) -> np.ndarray:
    """Whether a group of figures cited to a study is another study's (pure test): fewer of its
    (timepoint, value) figures are printed for the cited study elsewhere than it has, and all
    of them are figures of the other study.

    Examples
    --------
    >>> figures_of_other_study([2, 2, 2], [0, 2, 1], [2, 2, 1]).tolist()
    [True, False, False]
    """
    n = np.asarray(n_figures)
    return (np.asarray(n_own_elsewhere) < n) & (np.asarray(n_matched) == n)


def cited_figure_groups(ctx: AuditContext) -> pd.DataFrame:
    """The plain figures of studies that can be matched across studies (medians, means, rates,
    percentages, counts, HR, OR), keyed by integer codes sorted like the strings (pairing step):
    ``location, refs, study_id, quantity, endpoint, armn, tp, valkey`` (codes), ``value_id,
    value, refs_s`` (strings) and ``_vo`` (text order)."""
    v = ctx.values
    sel = ctx.eq("quantity", *_MATCH_QUANTITIES) & v["simple"].to_numpy() & ~ctx.blank("study_id")
    w = pd.DataFrame({c: ctx.codes(src)[0][sel] for c, src in (
        ("location", "location"), ("refs", "refs"), ("study_id", "study_id"), ("quantity", "quantity"),
        ("endpoint", "endpoint"), ("armn", "armn"), ("tp", "timepoint"), ("valkey", "valkey"))})
    w["value_id"] = v["value_id"].to_numpy(dtype=object)[sel]
    w["value"] = v["value"].to_numpy(dtype=object)[sel]
    w["refs_s"] = v["refs"].to_numpy(dtype=object)[sel]
    w["_vo"] = ctx.vord[sel]
    return w


_KEYS = ["tp", "valkey"]
_FIGURE = ["study_id", "quantity", "endpoint"]


def _own_elsewhere(w: pd.DataFrame, grp: pd.DataFrame) -> tuple[pd.Series, pd.Series, set]:
    """Per group: its number of (timepoint, value) figures, how many of them the cited study
    prints at another location, and the groups whose study prints that quantity elsewhere."""
    own = grp[["gid"] + _FIGURE + ["location"] + _KEYS + ["value_id"]].merge(
        w[_FIGURE + ["location"] + _KEYS].rename(columns={"location": "loc_o"}), on=_FIGURE + _KEYS, how="left")
    has_own = grp[["gid"] + _FIGURE + ["location"]].drop_duplicates().merge(
        w[_FIGURE + ["location"]].drop_duplicates().rename(columns={"location": "loc_o"}), on=_FIGURE)
    has_own = set(has_own.loc[has_own["loc_o"] != has_own["location"], "gid"])
    own = own[own["loc_o"].notna() & (own["loc_o"] != own["location"])]
    nk = grp.drop_duplicates(["gid"] + _KEYS).groupby("gid").size()
    return nk, own.drop_duplicates(["gid"] + _KEYS).groupby("gid").size().reindex(nk.index, fill_value=0), has_own


def _value_match_issues(ctx: AuditContext, cg: pd.DataFrame, full: pd.DataFrame, oth: pd.DataFrame,
                        sid_names: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Issues of the groups in ``full`` (gid, sid_o) and their rows."""
    srefs = dict(zip(ctx.studies["study_id"], ctx.studies["refs"]))
    full = full.assign(sid_o=sid_names[full["sid_o"].to_numpy()])
    g = cg[cg["gid"].isin(full["gid"].drop_duplicates())].sort_values(["gid", "_vo"], kind="stable")
    gg = g.groupby("gid", sort=True)
    agg = pd.DataFrame({"first": gg["value_id"].first(), "refs": gg["refs_s"].first(),
                        "values": gjoin(gg, "value", ", "), "ids": gjoin(gg, "value_id", ";")})
    ev = oth.assign(sid_o=sid_names[oth["sid_o"].to_numpy()]).merge(
        full[["gid", "sid_o"]], on=["gid", "sid_o"]).drop_duplicates(["gid", "vid_o"])
    agg["ev"] = gjoin(ev.groupby("gid", sort=True), "vid_o", ";")
    fr = full.assign(lab=ctx.label(full["sid_o"]).to_numpy(dtype=object))
    agg["other_studies"] = gjoin(fr.groupby("gid", sort=True), "lab", ", ")
    rx = fr.assign(r=fr["sid_o"].map(srefs).fillna("").str.split(";")).explode("r")
    rx["r"] = rx["r"].fillna("").str.strip()
    rx = rx[rx["r"] != ""].drop_duplicates(["gid", "r"])
    rx = rx.assign(_l=rx["r"].str.len()).sort_values(["gid", "_l", "r"], kind="stable")
    agg["other_refs"] = gjoin(rx.groupby("gid", sort=True), "r", ";")
    agg["other_refs_spaced"] = gjoin(rx.groupby("gid", sort=True), "r", "; ")
    agg = agg.fillna("")
    iss = ctx.issues(agg["first"], value_ids=join_cols(agg["ids"], agg["ev"]),
                     **render(CITATION_VALUE_MATCH, "other_study_figures", agg))
    return iss, g


@register("citation_value_match", "error",
          "A group of figures cited to one study that are exactly another study's figures.", cost=4)
def citation_value_match(ctx: AuditContext):
    """Find groups of ≥ ``citation_match_min_values`` figures printed together for a study that
    are not that study's own figures (as printed elsewhere) but are all figures of one other study.

    Groups are values sharing location, refs, study, quantity and endpoint (and, failing that,
    also arm). A group is matched on (timepoint, value). Only studies whose own figures for that
    quantity/endpoint are printed elsewhere are judged. Parts: :func:`cited_figure_groups`,
    :func:`figures_of_other_study`, :data:`CITATION_VALUE_MATCH`.

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
    w = cited_figure_groups(ctx)
    if w.empty:
        return empty_issues(), empty_recomputed()
    sid_names = ctx.codes("study_id")[1].to_numpy(dtype=object)
    flagged = np.zeros(len(w), dtype=bool)  # rows already part of a finding
    out = []
    for extra in ([], ["armn"]):
        gkey = ["location", "refs", "study_id", "quantity", "endpoint"] + extra
        w["gid"] = ngroup_codes([w[c].to_numpy() for c in gkey], sort=True)
        size = group_nunique(w["gid"].to_numpy(), w["valkey"].to_numpy())
        grp = w[(size >= ctx.params.citation_match_min_values) & ~flagged]
        if grp.empty:
            continue
        nk, own_n, has_own = _own_elsewhere(w, grp)
        # the first condition of figures_of_other_study, early: it limits the join below
        cand = nk.index[nk.index.isin(list(has_own)) & (own_n < nk).to_numpy()]
        if len(cand) == 0:
            continue
        cg = grp[grp["gid"].isin(list(cand))]
        oth = cg[["gid"] + _FIGURE + ["value_id"] + _KEYS].merge(
            w[_FIGURE + ["value_id", "refs"] + _KEYS].rename(columns={"study_id": "sid_o", "value_id": "vid_o", "refs": "refs_o"}),
            on=["quantity", "endpoint"] + _KEYS)
        oth = oth[oth["sid_o"] != oth["study_id"]]
        if oth.empty:
            continue
        cnt = oth.drop_duplicates(["gid", "sid_o"] + _KEYS).groupby(["gid", "sid_o"]).size().reset_index(name="k")
        hit = figures_of_other_study(cnt["gid"].map(nk).to_numpy(), cnt["gid"].map(own_n).to_numpy(), cnt["k"].to_numpy())
        full = cnt[hit].sort_values(["gid", "sid_o"])
        iss, g = _value_match_issues(ctx, cg, full, oth, sid_names)
        out.append(iss)
        flagged |= w["value_id"].isin(set(g["value_id"])).to_numpy()
    return (pd.concat(out, ignore_index=True) if out else empty_issues()), empty_recomputed()
