"""A draft erratum addressed to the review's authors and editor (English and Chinese)."""
from __future__ import annotations

import pandas as pd

from .build import findings_in_review_order
from .texts import zh_places

ERRATUM_TIERS = ("definite_error", "probable_error")

_TEXT = {
    "en": {
        "title": "Draft erratum: {citation}",
        "intro": ("To the authors and the editor. An audit that recomputed every figure of the review from its own text "
                  "found the {n} errors below ({n_def} definite, {n_prob} probable), listed in the order they appear. "
                  "Each gives the place, the text as printed, the corrected figure where the evidence determines it, and "
                  "the evidence. Plausibility notes and matters of reporting style are in the audit report, not here."),
        "tier": {"definite_error": "definite error", "probable_error": "probable error"},
        "where": "Where", "printed": "As printed", "corrected": "Correction", "evidence": "Evidence",
        "none": "cannot be determined from the review; {note}",
        "none_plain": "cannot be determined from the review or the stored sources; the cited study should be consulted.",
        "flags": "audit flags", "empty": "The audit found no definite or probable errors.",
    },
    "zh": {
        "title": "勘误草稿：{citation}",
        "intro": ("致作者及编辑：本审核依据综述原文逐一重新计算了全部数据，发现以下 {n} 处错误（确定错误 {n_def} 处，"
                  "很可能错误 {n_prob} 处），按其在文中出现的顺序列出。每条给出位置、原文、可确定时的更正数据及依据。"
                  "合理性提示和报告格式问题见审核报告，此处不列。"),
        "tier": {"definite_error": "确定错误", "probable_error": "很可能错误"},
        "where": "位置", "printed": "原文", "corrected": "更正", "evidence": "依据",
        "none": "无法仅凭综述确定；{note}", "none_plain": "无法根据综述或已存来源确定，需查阅所引研究。",
        "flags": "审核标记", "empty": "本审核未发现确定或很可能的错误。",
    },
}


def erratum_markdown(findings: pd.DataFrame, tables: dict[str, pd.DataFrame], citation: str, lang: str = "en") -> str:
    """The erratum draft as Markdown: definite and probable errors in the review's order.

    Examples
    --------
    >>> erratum_markdown(pd.DataFrame(columns=["tier", "value_ids"]), {}, "A review", "en").splitlines()[0]
    '# Draft erratum: A review'
    """
    t = _TEXT[lang]
    sfx = "en" if lang == "en" else "zh"
    f = findings[findings["tier"].isin(ERRATUM_TIERS)] if len(findings) else findings
    lines = [f"# {t['title'].format(citation=citation)}", ""]
    if f.empty:
        return "\n".join(lines + [t["empty"], ""])
    f = findings_in_review_order(f, tables)
    n_def = int((f["tier"] == "definite_error").sum())
    lines += [t["intro"].format(n=len(f), n_def=n_def, n_prob=len(f) - n_def), ""]
    loc = zh_places if lang == "zh" else (lambda x: x)
    for k, (_, r) in enumerate(f.iterrows(), 1):
        lines += [f"## {k}. {r[f'title_{sfx}']}", "",
                  f"- **{t['where']}**: {loc(r['locations'].replace(';', ', '))}" + (f" [{r['refs'].replace(';', '] [')}]" if r["refs"] else "")
                  + f" · {t['tier'][r['tier']]}"]
        lines.append(f"- **{t['printed']}**:")
        for p in str(r["printed"]).split(" | "):
            if p:
                lines.append(f"  - {loc(p.split(': «')[0])}: «{p.split(': «', 1)[1]}" if ": «" in p else f"  - {p}")
        if r["corrected"]:
            corr = loc(r["corrected"])
        elif r[f"resolution_note_{sfx}"]:
            corr = r[f"resolution_note_{sfx}"]
        else:
            corr = t["none_plain"]
        lines.append(f"- **{t['corrected']}**: {corr}")
        ev = r[f"resolution_note_{sfx}"] if r["corrected"] else ""
        lines.append(f"- **{t['evidence']}**: {r[f'meaning_{sfx}']}" + (f" {ev}" if ev else "")
                     + f" ({t['flags']}: {r['flag_ids'].replace(';', ', ')})")
        lines.append("")
    return "\n".join(lines)


def review_citation(data_dir, lang: str = "en") -> str:
    """The review's citation as ``data_dir/raw/CITATION.md`` gives it after "Citation:" (the
    last paragraph for English, the first for Chinese), else the source file's name."""
    from pathlib import Path

    p = Path(data_dir) / "raw" / "CITATION.md"
    if p.exists():
        text = p.read_text(encoding="utf-8")
        if "Citation:" in text:
            paras = [" ".join(x.split()) for x in text.split("Citation:", 1)[1].split("\n\n") if x.strip()]
            paras = [x for x in paras if not x.startswith("#")]
            if paras:
                return paras[-1] if lang == "en" else paras[0]
    srcs = sorted((Path(data_dir) / "raw").glob("*.txt"))
    return srcs[0].name if srcs else str(data_dir)
