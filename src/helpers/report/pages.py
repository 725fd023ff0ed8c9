"""What the report pages show, as plain dicts for the templates (one language at a time).

Generic: studies, sections, checks and figures come from the tables; every visible word comes
from the bilingual templates of :mod:`helpers.report.text`.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from . import findings_view as fv
from .annotate import location_anchor
from .text import has, plain, reader_text, t, words

SEVERITIES = ["error", "warning", "info"]
ANNOTATED = "review_annotated.html"


def label(prefix: str, key: str, lang: str) -> str:
    """The template ``prefix.key`` if there is one, else the key as words."""
    return t(f"{prefix}.{key}", lang) if has(f"{prefix}.{key}") else words(key)


def anchor(text: str) -> str:
    """A safe HTML id fragment."""
    return re.sub(r"[^0-9A-Za-z_-]+", "-", str(text)).strip("-")


def location_links(locations: str, value_ids: list[str], loc_of: dict[str, str], section: str = "") -> list[dict]:
    """One link per location into the annotated text: to its first value there, else to the heading.

    ``loc_of`` maps value_id → location. Without any location, a link to the heading of
    ``section`` (when given).
    """
    if not fv.split_ids(locations) and section:
        return [{"label": f"§{section}", "href": f"{ANNOTATED}#{location_anchor('text ' + section)}"}]
    out = []
    for loc in fv.split_ids(locations):
        first = next((v for v in value_ids if loc_of.get(v) == loc), None)
        out.append({"label": loc, "href": f"{ANNOTATED}#" + (f"v-{first}" if first else location_anchor(loc))})
    return out


def _evidence(ids: list[str], quotes: dict[str, str], value_ids: set[str], fallback: str) -> list[dict]:
    """Verbatim quotes behind ids, each linked to its value in the annotated text (else to ``fallback``)."""
    out, seen = [], set()
    for vid in ids:
        q = quotes.get(vid)
        if q and q not in seen:
            seen.add(q)
            href = f"{ANNOTATED}#v-{vid}" if vid in value_ids else fallback
            out.append({"id": vid, "quote": plain(q), "href": href})
    return out


def quote_index(review) -> dict[str, str]:
    """id → verbatim quote for every row of values, mentions, claims and prognostic factors."""
    out: dict[str, str] = {}
    for name, col in (("values", "value_id"), ("mentions", "mention_id"), ("claims", "claim_id"),
                      ("prognostic", "factor_id")):
        tab = review.tables.get(name)
        if tab is not None and col in tab:
            out.update(dict(zip(tab[col], tab["quote"])))
    return out


def study_names(review) -> dict[str, str]:
    """study_id → the name printed by the review (romanised name where none is printed)."""
    s = review.tables.get("studies", pd.DataFrame(columns=["study_id", "author_printed", "author_romanised"]))
    return {k: (p or r or k) for k, p, r in zip(s["study_id"], s["author_printed"], s["author_romanised"])}


def finding_rows(findings: pd.DataFrame, values: pd.DataFrame, flag_n: dict[str, int], lang: str) -> list[dict]:
    """The ranked findings as the summary lists them."""
    rows = []
    loc_of = dict(zip(values["value_id"], values["location"]))
    for f in fv.ranked(findings).to_dict("records"):
        ids = fv.split_ids(f["value_ids"])
        rows.append({
            "id": f["finding_id"], "rank": f["rank"], "tier": f["tier"], "impact": f["impact"],
            "tier_label": label("tier", f["tier"], lang), "impact_label": label("impact", f["impact"], lang),
            "title": plain(f[f"title_{lang}"]), "meaning": plain(f[f"meaning_{lang}"]),
            "study": f["study"], "section": f["section"], "refs": f["refs"].replace(";", "] ["),
            "places": location_links(f["locations"], ids, loc_of, f["section"]),
            "printed": [plain(p) for p in f["printed"].split(" | ") if p],
            "resolution": label("resolution", f["resolution"], lang),
            "resolution_note": plain(f[f"resolution_note_{lang}"]),
            "right": f["right_printing"].replace(";", ", "), "corrected": plain(f["corrected"]),
            "flags": [{"id": x, "n": flag_n.get(x, x)} for x in fv.split_ids(f["flag_ids"])],
        })
    return rows


def flag_rows(flags: pd.DataFrame, review, findings: pd.DataFrame | None, lang: str) -> list[dict]:
    """Every flag as supporting detail (cleaned text; ids only in attributes)."""
    names = study_names(review)
    quotes = quote_index(review)
    of_flag = fv.finding_of_flags(findings)
    values = review.tables["values"]
    known = set(values["value_id"])
    loc_of = dict(zip(values["value_id"], values["location"]))
    rows = []
    for i, f in enumerate(flags.to_dict("records"), start=1):
        ids = fv.split_ids(f["value_ids"])
        check = f["check"]
        reported, expected = reader_text(f["reported"], names), reader_text(f["expected"], names)
        if lang == "en":
            text = reader_text(f["message"], names)
        else:
            text = t("flag.sentence", lang, check=label("check", check, lang), reported=reported, expected=expected)
        rows.append({
            "id": f["flag_id"], "n": i, "severity": f["severity"], "severity_label": label("severity", f["severity"], lang),
            "check": check, "check_label": label("check", check, lang), "section": f["section"].split(";")[0],
            "places": location_links(f["location"], ids, loc_of), "study": f["study"], "refs": f["refs"].replace(";", "] ["),
            "reported": reported, "expected": expected, "text": text, "finding": of_flag.get(f["flag_id"], ""),
            "evidence": _evidence(ids, quotes, known, f"{ANNOTATED}#{location_anchor('text ' + f['section'].split(';')[0])}"),
            "value_ids": " ".join(ids),
        })
    return rows


def recomputations(recomputed: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """value_id → its recomputations as short sentences (check: value (status))."""
    out: dict[str, list[str]] = {}
    for vid, check, value, st in zip(recomputed["value_id"], recomputed["check"], recomputed["recomputed"],
                                     recomputed["status"]):
        out.setdefault(vid, []).append(f"{label('check', check, lang)}: {value or '—'} ({label('status', st, lang)})")
    return out


def value_rows(values: pd.DataFrame, status: dict[str, str], recs: dict[str, list[str]], vfind: dict[str, list[str]],
               lang: str) -> list[dict]:
    """Printed figures of one study: what, as printed, status, recomputation, links."""
    out = []
    for v in values.to_dict("records"):
        what = " · ".join(x for x in (plain(v["term"]) or words(v["endpoint"]), label("arm", v["arm"], lang) if v["arm"] else "",
                                       words(v["subgroup"]), v["timepoint"]) if x)
        printed = ("" if v["comparator"] in ("", "=") else v["comparator"] + " ") + v["value"]
        if v["unit"] and v["unit"] not in ("percent",):
            printed += " " + label("unit", v["unit"], lang)
        elif v["unit"] == "percent":
            printed += "%"
        st = status.get(v["value_id"], "unchecked")
        out.append({"id": v["value_id"], "location": v["location"], "quantity": label("quantity", v["quantity"], lang),
                    "what": what, "printed": printed, "status": st, "status_label": label("status", st, lang),
                    "recomputed": recs.get(v["value_id"], []), "findings": vfind.get(v["value_id"], []),
                    "href": f"{ANNOTATED}#v-{v['value_id']}"})
    return out


def study_rows(review, status: pd.Series, recomputed: pd.DataFrame, findings: pd.DataFrame | None,
               flags: list[dict], sources: pd.DataFrame | None, publications: pd.DataFrame | None,
               lang: str) -> list[dict]:
    """One block per study: identity, primary-source status, findings, flags, its printed figures."""
    values = review.tables["values"]
    studies = review.tables["studies"]
    names = study_names(review)
    vfind = fv.findings_of_values(fv.ranked(findings) if findings is not None else None)
    src = sources.set_index("study_id") if sources is not None and len(sources) else None
    flags_by_value: dict[str, list[dict]] = {}
    for f in flags:
        for vid in f["value_ids"].split():
            flags_by_value.setdefault(vid, []).append(f)
    n_of = dict(zip(values["value_id"], values["value"]))
    status_of = status.to_dict()
    recs = recomputations(recomputed, lang)
    out = []
    groups = [(s, values[values["study_id"] == s["study_id"]]) for s in studies.to_dict("records")]
    rest = values[~values["study_id"].isin(set(studies["study_id"]))]
    if len(rest):
        groups.append(({"study_id": "", "refs": "", "design": "", "location": "", "n_id": ""}, rest))
    for s, vals in groups:
        sid = s["study_id"]
        ids = set(vals["value_id"])
        fids = list(dict.fromkeys(f for v in vals["value_id"] for f in vfind.get(v, [])))
        fl = list({f["id"]: f for v in vals["value_id"] for f in flags_by_value.get(v, [])}.values())
        source = None
        if src is not None and sid in src.index:
            r = src.loc[sid]
            # which kinds of source were read and how many figures each covered ("found" alone is not "checked")
            read = r["sources_read"] if "sources_read" in r else label("found", r["found"].replace(" ", "_"), lang)
            source = {"found": read, "confirmed": r["confirmed"],
                      "contradicted": r["contradicted"], "not_checkable": r["not_checkable"], "notices": r["notices"],
                      "links": publication_links(publications, sid)}
        rows = value_rows(vals, status_of, recs, vfind, lang)
        counts = pd.Series([r["status"] for r in rows]).value_counts()
        out.append({
            "anchor": f"study-{anchor(sid)}" if sid else "study-none",
            "name": names.get(sid, sid) if sid else t("study.none", lang), "refs": s["refs"].replace(";", "] ["),
            "design": label("design", s["design"], lang) if s["design"] else "", "location": s["location"],
            "n": n_of.get(s["n_id"], ""), "source": source, "findings": fids,
            "flags": sorted(fl, key=lambda f: f["n"]), "rows": rows, "n_values": len(ids),
            "counts": ", ".join(f"{int(counts[k])} {label('status', k, lang)}" for k in fv.STATUSES if k in counts),
        })
    return out


def publication_links(publications: pd.DataFrame | None, study_id: str) -> list[dict]:
    """Links to the publication records read for a study (DOI, PubMed, the page read)."""
    if publications is None:
        return []
    out, seen = [], set()
    for p in publications[publications["study_id"] == study_id].to_dict("records"):
        for lab, href in ((f"doi:{p['doi']}", f"https://doi.org/{p['doi']}" if p["doi"] else ""),
                          (f"PMID {p['pmid']}", f"https://pubmed.ncbi.nlm.nih.gov/{p['pmid']}/" if p["pmid"] else ""),
                          (p["url"], p["url"])):
            if href and href not in seen:
                seen.add(href)
                out.append({"label": lab, "href": href})
    return out


def notice_rows(publications: pd.DataFrame | None, review, lang: str) -> list[dict]:
    """Publication notices (erratum, expression of concern, retraction) recorded for cited studies."""
    if publications is None:
        return []
    names = study_names(review)
    rows = publications[publications["notices"] != ""]
    return [{"study": names.get(p["study_id"], p["study_id"]), "ref": p["ref"], "notice": plain(p["notices"]),
             "anchor": f"study-{anchor(p['study_id'])}", "links": publication_links(rows, p["study_id"])}
            for p in rows.drop_duplicates("study_id").to_dict("records")]


def count_table(findings: pd.DataFrame | None, flags: pd.DataFrame, lang: str) -> dict:
    """Counts by tier and impact (findings) and by severity (flags), labelled."""
    out = {"tiers": [], "severities": []}
    if findings is not None:
        for tier in fv.TIERS:
            sub = findings[findings["tier"] == tier]
            out["tiers"].append({"label": label("tier", tier, lang), "n": len(sub),
                                 **{imp: int((sub["impact"] == imp).sum()) for imp in fv.IMPACTS}})
    for sev in SEVERITIES:
        out["severities"].append({"label": label("severity", sev, lang), "n": int((flags["severity"] == sev).sum())})
    return out


def verdict(findings: pd.DataFrame | None, flags: pd.DataFrame, n_values: int, lang: str) -> str:
    """The summary's opening paragraph, from the templates and the counts (plain text)."""
    sev = flags["severity"].value_counts()
    sev_list = ", ".join(f"{int(sev.get(s, 0))} {label('severity', s, lang)}" for s in SEVERITIES)
    if findings is None:
        return t("verdict.flags_only", lang, n_flags=len(flags), n_values=n_values, severities=sev_list)
    r = fv.ranked(findings)
    tiers = ", ".join(f"{int((r['tier'] == k).sum())} {label('tier', k, lang)}" for k in fv.TIERS if (r["tier"] == k).any())
    text = t("verdict.findings", lang, n_findings=len(r), n_values=n_values, tiers=tiers or "0",
             n_conclusion=int(((r["impact"] == "conclusion") & r["tier"].isin(fv.ERROR_TIERS)).sum()),
             n_conclusion_maybe=int(((r["impact"] == "conclusion") & ~r["tier"].isin(fv.ERROR_TIERS)).sum()),
             n_source=int((r["resolution"] == "primary_source").sum()),
             n_internal=int((r["resolution"] == "internal_evidence").sum()),
             n_undecidable=int((r["resolution"] == "undecidable").sum()))
    top = r[r["impact"] == "conclusion"].head(1)
    if len(top):
        text += " " + t("verdict.top", lang, title=plain(top.iloc[0][f"title_{lang}"]),
                        meaning=plain(top.iloc[0][f"meaning_{lang}"]))
    return text


def esc(text: str) -> str:
    return html.escape(str(text))
