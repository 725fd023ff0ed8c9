"""findings.csv: one row per distinct defect, with tier, impact, resolution and correction."""
from __future__ import annotations

import hashlib

import pandas as pd

from ..plaintext import plain
from .evidence import evidence_index
from ..audit.formatting import split_ids
from .grouping import group_flags
from .resolve import Context, resolve
from .rubric import IMPACTS, TIER_RANK, tiers
from .texts import RESOLUTION_TEXT, template, zh_places

FINDING_COLUMNS = ["finding_id", "tier", "impact", "kind", "section", "locations", "refs", "study", "title_en", "title_zh",
                   "meaning_en", "meaning_zh", "printed", "resolution", "resolution_note_en", "resolution_note_zh",
                   "right_printing", "corrected", "flag_ids", "value_ids"]

#: which check names a finding when several describe it (most specific first)
LEAD_ORDER = ["arms_swapped", "citation_value_match", "citation_author", "percent_vs_count", "impossible_value",
              "parts_vs_total", "grim_percent", "same_quantity_mismatch", "primary_source_mismatch",
              "hr_direction_vs_medians", "claim_vs_figures", "no_difference_claim", "announced_arm_order"]


#: kinds whose defect lies between printings at several places
SPANS_PRINTINGS = ("arms_swapped", "same_quantity_mismatch", "announced_arm_order")


def _digest(*parts: str, n: int = 8) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def assign_flag_ids(flags: pd.DataFrame) -> pd.DataFrame:
    """``flags`` with a first column ``flag_id``: ``X-`` and a digest of the flag's content
    (check, location, value_ids, reported, message), stable across runs and row orders.

    Examples
    --------
    >>> f = pd.DataFrame({"check": ["c"], "location": ["t"], "value_ids": ["a;b"], "reported": ["1"], "message": ["m"]})
    >>> assign_flag_ids(f).columns[0], len(assign_flag_ids(f)["flag_id"].iat[0])
    ('flag_id', 10)
    """
    ids = [f"X-{_digest(c, l, v, r, m)}" for c, l, v, r, m in
           zip(flags["check"], flags["location"], flags["value_ids"], flags["reported"], flags["message"])]
    if len(set(ids)) != len(ids):  # identical content: number the repeats in row order
        seen: dict[str, int] = {}
        for i, x in enumerate(ids):
            seen[x] = seen.get(x, 0) + 1
            if seen[x] > 1:
                ids[i] = f"{x}-{seen[x]}"
    out = flags.drop(columns=["flag_id"], errors="ignore")
    out.insert(0, "flag_id", ids)
    return out


def _kind(lead: pd.Series) -> str:
    c, sev, rep = lead["check"], lead["severity"], str(lead["reported"])
    if c == "impossible_value" and rep.lower().startswith("p ="):
        return "impossible_p_zero"
    if c == "parts_vs_total" and sev != "error":
        return "parts_short"
    if c == "grim_percent" and sev == "info" and "/" in str(lead["expected"]):
        return "count_reading"
    if c == "grim_percent" and sev != "error":
        return "grim_unprinted"
    return c


def _ordered(ids: list[str], ev: pd.DataFrame) -> list[str]:
    known = [i for i in dict.fromkeys(ids) if i in ev.index]
    return sorted(known, key=lambda i: (int(ev.at[i, "offset"]), i))


def build_findings(flags: pd.DataFrame, tables: dict[str, pd.DataFrame],
                   comparisons: pd.DataFrame | None = None, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Group flags into findings (one per defect) and decide each finding's right printing.

    Parameters
    ----------
    flags : DataFrame
        ``inconsistencies.csv`` rows with ``flag_id`` (see :func:`assign_flag_ids`).
    tables : dict of DataFrame
        the review's extracted tables (``values``, ``studies``, ``mentions``, ``claims``, …).
    comparisons : DataFrame, optional
        review figure vs source figure (``value_id, status, expected, source``), e.g.
        :func:`helpers.crosscheck.source_comparisons`.
    facts : DataFrame, optional
        categorical facts compared with the sources (:func:`helpers.crosscheck.compare_facts`):
        a finding about a fact quotes the review's words (``review_quote``) and says what the
        source says.

    Returns
    -------
    DataFrame with :data:`FINDING_COLUMNS`, most serious first (tier, impact, place in the review).
    """
    if flags.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    f = tiers(flags.reset_index(drop=True).fillna(""))
    f = f[f["tier"] != "none"].reset_index(drop=True)
    if f.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    ev = evidence_index(tables)
    studies = tables.get("studies", pd.DataFrame(columns=["study_id", "n_id"])).fillna("")
    ctx = Context(ev, comparisons, studies, facts)
    src_exp = ({} if comparisons is None else
               dict(zip(comparisons.loc[comparisons["status"].isin(["confirmed", "contradicted"]), "value_id"],
                        comparisons.loc[comparisons["status"].isin(["confirmed", "contradicted"]), "expected"])))
    groups, roles = group_flags(f, tables.get("values", pd.DataFrame(columns=["value_id", "location", "study_id", "value"])),
                                src_exp)
    role = [roles.get(i, "defect") for i in range(len(f))]
    f["_group"] = groups
    f["_role"] = ["defect" if r.startswith("restated:") else r for r in role]
    f["expected_effective"] = [r.split(":", 1)[1] if r.startswith("restated:") else e for r, e in zip(role, f["expected"])]
    rows = []
    for _, g in f.groupby("_group", sort=True):
        defects = g[g["_role"] == "defect"]
        defects = defects if len(defects) else g
        rank = defects["tier"].map(TIER_RANK)
        lead_order = defects["check"].map(lambda c: LEAD_ORDER.index(c) if c in LEAD_ORDER else len(LEAD_ORDER))
        lead = defects.assign(_r=rank, _o=lead_order).sort_values(["_r", "_o"], kind="stable").iloc[0]
        kind = _kind(lead)
        tier = lead["tier"]
        imp = min(defects["impact"], key=IMPACTS.index)
        all_ids = [i for x in g["value_ids"] for i in split_ids(x)]
        ordered = _ordered(all_ids, ev)
        vids = [i for i in ordered if ev.at[i, "kind"] == "value"]
        # where the defect is: the flags' own places (and both printings of a disagreement)
        locs = list(dict.fromkeys(defects["location"]))
        if kind in SPANS_PRINTINGS:
            locs = list(dict.fromkeys([ev.at[i, "location"] for i in ordered if ev.at[i, "kind"] == "value"] + locs))
        section = ev.at[ordered[0], "section"] if ordered else lead["section"]
        refs = ";".join(dict.fromkeys(r for x in g["refs"] for r in str(x).split(";") if r))
        studies_printed = [s for s in dict.fromkeys(defects["study"]) if s]
        study = studies_printed[0] if studies_printed else ""
        printed = " | ".join(dict.fromkeys(
            [f"{ev.at[i, 'location']}: «{plain(ev.at[i, 'quote'])}»" for i in ordered]
            + [f"{r['review_location']}: «{plain(r['review_quote'])}»" for r in ctx.facts_of(defects)
               if r["review_quote"]]))
        where = " / ".join(locs)
        t = template(kind)
        fill = {"study": study or "—", "where": where, "kind": kind}
        res = resolve(kind, g, ctx)
        note_en, note_zh = RESOLUTION_TEXT[res.resolution]
        rows.append({
            "finding_id": "F-" + _digest(kind, ";".join(sorted(set(all_ids))) or ";".join(sorted(g["flag_id"]))),
            "tier": tier, "impact": imp, "kind": kind, "section": section, "locations": ";".join(locs), "refs": refs,
            "study": study,
            "title_en": t["title_en"].format(**fill), "title_zh": t["title_zh"].format(**dict(fill, where=zh_places(where))),
            "meaning_en": t["meaning_en"], "meaning_zh": t["meaning_zh"], "printed": printed,
            "resolution": res.resolution,
            "resolution_note_en": note_en.format(detail=res.detail_en) if note_en else "",
            "resolution_note_zh": zh_places(note_zh.format(detail=res.detail_zh)) if note_zh else "",
            "right_printing": res.right_printing, "corrected": res.corrected,
            "flag_ids": ";".join(g["flag_id"]), "value_ids": ";".join(vids),
            "_offset": int(ev.at[ordered[0], "offset"]) if ordered else -1,
        })
    out = _mixed_citations(pd.DataFrame(rows))
    out = out.assign(_t=out["tier"].map(TIER_RANK), _i=out["impact"].map(IMPACTS.index))
    out = out.sort_values(["_t", "_i", "_offset", "finding_id"], kind="stable")
    return out[FINDING_COLUMNS].reset_index(drop=True)


def _mixed_citations(out: pd.DataFrame) -> pd.DataFrame:
    """A sentence citing one reference for figures of several other studies: re-citing is a
    correction only for the study most of its figures belong to; for the others the right
    figures cannot be told from the review (the sentence may have meant its own study's)."""
    cv = out[out["kind"] == "citation_value_match"]
    for _, g in cv.groupby(["locations", "refs"], sort=False):
        if g["corrected"].nunique() < 2:
            continue
        n = g["flag_ids"].str.count(";") + 1
        keep = n.idxmax() if (n == n.max()).sum() == 1 else None
        for i in g.index:
            if i == keep:
                continue
            out.loc[i, ["resolution", "right_printing"]] = ["undecidable", ""]
            out.loc[i, "resolution_note_en"] = (f"The figures are those of {out.at[i, 'corrected'].replace('cite ', '')}, "
                                                "but the same sentence cites figures of another study; which figures "
                                                "the sentence meant cannot be told from the review.")
            out.loc[i, "resolution_note_zh"] = (f"这些数据属于文献 {out.at[i, 'corrected'].replace('cite ', '')}，"
                                                "但同一句中还引用了另一项研究的数据；无法从综述判断该句原本所指的数据。")
            out.loc[i, "corrected"] = ""
    return out


def findings_in_review_order(findings: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Findings sorted by where they first appear in the review's text."""
    ev = evidence_index(tables)
    first = [min((int(ev.at[i, "offset"]) for i in split_ids(v) if i in ev.index), default=-1) for v in findings["value_ids"]]
    return findings.assign(_o=first).sort_values(["_o", "finding_id"], kind="stable").drop(columns="_o")
