"""Assemble the three self-contained pages: report.html, report.zh.html, review_annotated.html."""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..coverage import body_end, configured_body_end_marker
from . import annotate
from . import findings_view as fv
from . import pages
from .text import LANGS, plain, t

TEMPLATES = Path(__file__).with_name("templates")
PAGE_NAMES = {"en": "report.html", "zh": "report.zh.html"}
SEVERITY_ORDER = {s: i for i, s in enumerate(pages.SEVERITIES)}


@dataclass
class Inputs:
    """Everything the pages are built from (tables as the audit wrote them)."""

    review: object
    flags: pd.DataFrame
    recomputed: pd.DataFrame
    ledger: pd.DataFrame
    sections: pd.DataFrame
    figure_dir: Path
    findings: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None
    publications: pd.DataFrame | None = None
    notebook_href: str = "notebooks/{notebook}.html"
    citation: str = ""


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["style"] = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    return env


def sorted_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags by severity, section, location, check (the report's numbering), with flag_ids."""
    f = fv.with_flag_ids(flags)
    f = f.assign(_sev=f["severity"].map(SEVERITY_ORDER), _sec=f["section"].str.split(";").str[0])
    f = f.sort_values(["_sev", "_sec", "location", "check", "value_ids"], kind="stable")
    return f.drop(columns=["_sev", "_sec"]).reset_index(drop=True)


def figure_list(figure_dir: Path, lang: str) -> list[dict]:
    """PNG figures (embedded) with their caption in ``lang`` from ``<stem>.caption.json``."""
    out = []
    for png in sorted(Path(figure_dir).glob("*.png")):
        cap_file = png.with_suffix(".caption.json")
        caption = json.loads(cap_file.read_text(encoding="utf-8")).get(lang, "") if cap_file.exists() else ""
        out.append({"stem": png.stem, "data": base64.b64encode(png.read_bytes()).decode("ascii"),
                    "caption": caption, "svg_href": f"figures/{png.stem}.svg"})
    return out


def value_status(inp: Inputs) -> pd.Series:
    return fv.value_status(inp.review.tables["values"], inp.findings, inp.flags, inp.recomputed)


def report_page(inp: Inputs, lang: str) -> str:
    """report.html (``en``) or report.zh.html (``zh``)."""
    review = inp.review
    values = review.tables["values"]
    flags = sorted_flags(inp.flags)
    findings = inp.findings
    frows = pages.flag_rows(flags, review, findings, lang)
    flag_n = {f["id"]: f["n"] for f in frows}
    status = value_status(inp)
    sections = []
    listed = set(inp.sections["section"])
    for s in inp.sections.to_dict("records") + [{"section": "", "title_en": "", "title_zh": "", "notebook": ""}]:
        rows = [f for f in frows if (f["section"] == s["section"]) or (not s["section"] and f["section"] not in listed)]
        if not s["section"] and not rows:
            continue
        sections.append({"anchor": f"section-{pages.anchor(s['section'] or 'other')}",
                         "section": s["section"] or t("section.other", lang),
                         "title": s.get(f"title_{lang}", "") if s["section"] else "",
                         "notebook_href": inp.notebook_href.format(notebook=s["notebook"]) if s["notebook"] else "",
                         "text_href": f"{pages.ANNOTATED}#{annotate.section_anchor(s['section'])}" if s["section"] else "",
                         "rows": rows})
    notebooks = list(dict.fromkeys(inp.sections["notebook"]))
    ctx = {
        "lang": lang, "t": lambda key, **kw: t(key, lang, **kw), "other_lang": [l for l in LANGS if l != lang][0],
        "page_names": PAGE_NAMES, "annotated": pages.ANNOTATED, "citation": inp.citation,
        "verdict": pages.verdict(findings, flags, len(values), lang),
        "findings": pages.finding_rows(findings, values, flag_n, lang) if findings is not None else None,
        "notices": pages.notice_rows(inp.publications, review, lang),
        "counts": pages.count_table(findings, flags, lang), "impacts": fv.IMPACTS,
        "studies": pages.study_rows(review, status, inp.recomputed, findings, frows, inp.sources, inp.publications, lang),
        "sections": sections, "n_flags": len(flags), "figures": figure_list(inp.figure_dir, lang),
        "notebooks": [{"name": nb, "href": inp.notebook_href.format(notebook=nb)} for nb in notebooks],
        "statuses": [s for s in fv.STATUSES if s != "not_a_statistic"],
    }
    return _env().get_template("report.html.j2").render(**ctx)


def annotated_page(inp: Inputs) -> str:
    """review_annotated.html: the review's text with every extracted number marked (bilingual labels)."""
    review = inp.review
    values = review.tables["values"]
    status = value_status(inp)
    ranked = fv.ranked(inp.findings) if inp.findings is not None else None
    vfind = fv.findings_of_values(ranked)
    titles_of = dict(zip(ranked["finding_id"], ranked["title_en"])) if ranked is not None else {}
    href, titles = {}, {}
    for vid in values["value_id"]:
        fids = vfind.get(vid, [])
        href[vid] = f"{PAGE_NAMES['en']}#finding-{fids[0]}" if fids else f"{PAGE_NAMES['en']}#val-{vid}"
        st = status.get(vid, "unchecked")
        titles[vid] = " · ".join([vid, t(f"status.{st}", "en"), t(f"status.{st}", "zh")] + [plain(titles_of[f]) for f in fids])
    marks = annotate.marks_for(values, inp.ledger, status, href, titles)
    end = body_end(review.source, configured_body_end_marker(review.data_dir))
    body = annotate.render(review.source, marks, end)
    toc = [{"id": i, "label": re.sub(r"<[^>]+>", "", h)} for i, h in
           re.findall(r'<h\d id="((?:sec|table)-[^"]+)">(.*?)</h\d>', body)]
    toc += [{"id": i, "label": re.sub(r"<[^>]+>", "", h).split(".")[0] + "."} for i, h in
            re.findall(r'<p class="caption" id="(table-[^"]+)">(.*?)</p>', body)]
    counts = status.value_counts()
    ctx = {"t": lambda key, **kw: {lang: t(key, lang, **kw) for lang in LANGS}, "body": body, "toc": toc,
           "page_names": PAGE_NAMES, "citation": inp.citation, "findings_available": inp.findings is not None,
           "legend": [{"status": s, "n": int(counts.get(s, 0)) if s != "not_a_statistic" else
                       int((inp.ledger["status"] == "not_a_statistic").sum())}
                      for s in fv.STATUSES if s != "finding" or inp.findings is not None]}
    return _env().get_template("annotated.html.j2").render(**ctx)


def build_pages(inp: Inputs) -> dict[str, str]:
    """All three pages: file name → HTML text."""
    out = {PAGE_NAMES[lang]: report_page(inp, lang) for lang in LANGS}
    out[pages.ANNOTATED] = annotated_page(inp)
    return out
