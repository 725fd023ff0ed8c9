"""Numbers that are not statistics: citations, years, doses, thresholds ... and why.

Two kinds of rules, both generic:

* :data:`SOURCE_PATTERNS` are regular expressions on the source text that become
  ``pattern`` rows of non_statistics.csv (citation brackets, headings, dates, licence) when
  they match something;
* :data:`CONTEXT_RULES` read the normalised text around a number (``45 Gy``, ``2:1``,
  ``≤ 4 个``, ``3~4 级``) and become ``offset`` rows with a reason.

Examples
--------
>>> [r for r, _ in classify("放疗 45 Gy, 2:1 随机, ≤ 4 个转移灶")]
['dose_schedule', 'randomisation_ratio', 'randomisation_ratio', 'eligibility_threshold']
"""
from __future__ import annotations

import re

from .tokens import TOKEN_RE

#: (regex on the source, reason, note): become pattern rows when they match
SOURCE_PATTERNS: list[tuple[str, str, str]] = [
    (r"\[\d+\]", "citation_number", "citation bracket, alone or as an end of a range ([3]-[5])"),
    (r"(?m)^#{1,6} +\d+(?:\.\d+)*\.?(?= )", "section_number", "section number opening a Markdown heading"),
    (r"(?:Table|TABLE|表) ?\d+", "table_number", "table label (Table 1, 表 1)"),
    (r"<sup>\d+(?:\\?\*)?</sup>", "affiliation_marker", "author/affiliation superscript"),
    (r"(?<![\d.])(?:19|20)\d{2} ?年 ?\d{1,2} ?月 ?\d{1,2} ?日", "date", "date, Chinese form"),
    (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:<sup>)?(?:st|nd|rd|th)?"
     r"(?:</sup>)?, (?:19|20)\d{2}", "date", "date, English form"),
    (r"(?<![\d.])(?:19|20)\d{2} ?年(?! ?\d)", "year", "calendar year followed by 年"),
    (r"(?:Copyright|©) ?©? ?(?:19|20)\d{2}", "year", "copyright year"),
    (r"CC BY(?:-[A-Z]{2})* \d+(?:\.\d+)?", "licence_version", "Creative Commons licence version"),
    (r"creativecommons\.org/licenses/[a-z-]+/\d+(?:\.\d+)?/?", "licence_version", "licence URL"),
]

N = r"(?<![\d.])\d+(?:\.\d+)?(?!\d|\.\d)"
_RANGE = rf"{N}(?: ?[~\-–] ?{N})?"
_CMP = r"(?:[≤≥<>]|最多|至少|不超过|超过|低于|高于|up to|at least|at most|more than|less than|fewer than|over)"

#: (regex on the normalised text, reason, note): numbers inside a match are not statistics
CONTEXT_RULES: list[tuple[re.Pattern, str, str]] = [(re.compile(p), r, n) for p, r, n in [
    (r"\[\d+\]", "citation_number", "citation bracket"),
    (rf"{N} ?% ?CI", "definition", "confidence level of an interval"),
    (rf"{_RANGE} ?(?:Gy|Gray|cGy)(?: ?/ ?{N} ?(?:f|fx|fractions?|次))?|(?:in )?{_RANGE} ?(?:fractions|次分割)",
     "dose_schedule", "radiation dose and fractions"),
    (rf"{N} ?(?:℃|°C|° C)", "temperature", "temperature"),
    (rf"{_RANGE} ?(?:岁|years? old)|aged {_CMP}? ?{N}", "cut_off", "age"),
    (rf"(?:grade|Grade|G) ?{_CMP}? ?{_RANGE}|{_CMP}? ?{_RANGE} ?级", "grade", "toxicity grade"),
    (rf"(?:phase|Phase) ?{N}(?:/{N})?|{N}(?: ?/ ?{N})? ?期(?=临床|试验|研究| ?随机)", "trial_phase", "trial phase"),
    (rf"(?<![\d.]){N} ?: ?{N}(?![\d])", "randomisation_ratio", "randomisation ratio"),
    (rf"{_RANGE} ?(?:个)?(?:周期|cycles?|courses?)", "treatment_schedule", "treatment cycles"),
    (rf"(?:PD-?L|HER|ROS|CTLA-?|IL-?|CD)\d+|(?:[Ee]xon|Del|del|L)\s?\d+(?![\d.])|T790M|L858R",
     "biomarker_name", "biomarker or gene name"),
    (rf"ECOG(?: ?PS)? ?{_RANGE}|(?<![A-Za-z])[TNM]\d(?: ?[~\-–/] ?\d)?(?![\d.])|[A-Z]{{2,}}-?\d+(?![\d.])"
     r"|\d+[A-Za-z]{2,}", "stage_or_name", "stage, score or name containing digits"),
    (rf"(?:表达|expression|TPS) ?\( ?{N} ?% ?[~\-–] ?{N} ?%\)", "cut_off", "expression band defining a subgroup"),
    (rf"{N} ?(?:组|种|项|类|个关键问题|个问题|个亚型|个器官)", "count_of_items", "number of groups or items"),
    (rf"{N} ?(?:天|日)(?:内|以内)|within {N} days", "definition", "time window of the counted events"),
    (rf"(?<![Pp] )(?<![Pp]){_CMP} ?{_RANGE}", "eligibility_threshold", "threshold (eligibility or cut-off)"),
]]

#: weak rules, applied to numbers no statistical form claimed
WEAK_RULES: list[tuple[re.Pattern, str, str]] = [(re.compile(p), r, n) for p, r, n in [
    (r"(?<![\d.])(?:19|20)\d{2}(?![\d.])", "year", "four-digit year"),
    (rf"{_RANGE} ?(?:个)?(?:月|周|months?|weeks?)", "treatment_schedule", "duration of a treatment or condition"),
    (rf"{N} ?个", "count_of_items", "number of items"),
    (rf"{_RANGE} ?(?:cm|mm)", "cut_off", "size"),
]]

#: what a threshold in a prognostic-factor context is called instead of an eligibility threshold
_FACTOR_CONTEXT = re.compile(r"HR|OR|[Pp] ?[=<>]|相关|无关|无差异|因素|之间|相比|与|vs|versus|factor")


def classify(text: str, start: int = 0, end: int | None = None,
             rules: list[tuple[re.Pattern, str, str]] | None = None) -> list[tuple[str, tuple[int, int, str]]]:
    """Non-statistic numbers of ``text[start:end]`` by context rules: ``(reason, (start, end, token))``.

    The first rule whose match covers a number decides (rules are ordered, specific first).
    Thresholds in a prognostic-factor context (``肿瘤 ≤ 4 cm 与 > 4 cm``) are ``cut_off``.

    Examples
    --------
    >>> [(r, tok) for r, (_, _, tok) in classify("肿瘤 ≤ 4 cm 与 > 4 cm 的 OS 无差异")]
    [('cut_off', '4'), ('cut_off', '4')]
    """
    stop = len(text) if end is None else end
    found: dict[int, tuple[str, tuple[int, int, str]]] = {}
    for rx, reason, _ in (CONTEXT_RULES if rules is None else rules):
        for m in rx.finditer(text, start, stop):
            for t in TOKEN_RE.finditer(text, m.start(), m.end()):
                if t.start() in found:
                    continue
                r = reason
                if reason == "eligibility_threshold":
                    window = text[max(start, m.start() - 30):min(stop, m.end() + 30)]
                    if _FACTOR_CONTEXT.search(window):
                        r = "cut_off"
                found[t.start()] = (r, (t.start(), t.end(), t.group()))
    return [found[k] for k in sorted(found)]


def source_patterns(source: str) -> list[dict[str, str]]:
    """Pattern rows of non_statistics.csv for the :data:`SOURCE_PATTERNS` that match ``source``.

    Examples
    --------
    >>> [r["reason"] for r in source_patterns("see [1] and 表 2")]
    ['citation_number', 'table_number']
    """
    rows = []
    for pattern, reason, note in SOURCE_PATTERNS:
        if re.search(pattern, source):
            rows.append({"pattern": pattern, "offset": "", "token": "", "reason": reason, "note": note})
    return rows


def covered_by_patterns(source: str, rows: list[dict[str, str]]) -> set[int]:
    """Source offsets of the tokens that some pattern row's match covers entirely.

    Examples
    --------
    >>> sorted(covered_by_patterns("see [12] and 3", source_patterns("see [12] and 3")))
    [5]
    """
    covered: set[int] = set()
    for row in rows:
        for m in re.finditer(row["pattern"], source):
            for t in TOKEN_RE.finditer(source, m.start(), m.end()):
                covered.add(t.start())
    return covered
