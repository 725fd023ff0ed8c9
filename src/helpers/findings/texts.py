"""Bilingual texts of findings: one template per defect kind, written in English and Chinese.

The templates are the translation: nothing is translated at run time. Placeholders:
``{study}`` the study as the review names it, ``{where}`` the locations, ``{what}`` the figure
concerned (as printed). Every kind has ``title`` (one line) and ``meaning`` (what it means for
a reader of the review).
"""
from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "arms_swapped": {
        "title_en": "{study}: experimental and control values exchanged between {where}",
        "title_zh": "{study}：{where}之间试验组与对照组数值互换",
        "meaning_en": "One printing attributes each arm's results to the other arm, so a reader of that passage draws the opposite conclusion about the treatment effect.",
        "meaning_zh": "其中一处把两组的结果互相颠倒，读者据此会对治疗效果得出相反的结论。",
    },
    "percent_vs_count": {
        "title_en": "{study}: percentage does not match its count and denominator ({where})",
        "title_zh": "{study}：百分比与其例数和分母不符（{where}）",
        "meaning_en": "At least one of the three printed numbers is wrong; the rate a reader takes away may be wrong.",
        "meaning_zh": "所印三个数字中至少有一个有误，读者得到的比率可能不正确。",
    },
    "impossible_value": {
        "title_en": "{study}: a number that cannot be printed ({where})",
        "title_zh": "{study}：不可能出现的数值（{where}）",
        "meaning_en": "The figure is impossible as printed; the correct value has to be taken from the study itself.",
        "meaning_zh": "该数值按所印形式不可能成立，正确数值需查阅原始研究。",
    },
    "impossible_p_zero": {
        "title_en": "{study}: P printed as 0.000 ({where})",
        "title_zh": "{study}：P 值印为 0.000（{where}）",
        "meaning_en": "A printing convention of statistics software; it should read P < 0.001. No figure changes.",
        "meaning_zh": "这是统计软件的输出习惯，应写作 P < 0.001；不影响任何数值。",
    },
    "parts_vs_total": {
        "title_en": "{study}: parts do not add up to their whole ({where})",
        "title_zh": "{study}：各部分之和与总数不符（{where}）",
        "meaning_en": "The breakdown cannot be complete and correct at the same time.",
        "meaning_zh": "该分项数据不可能既完整又正确。",
    },
    "parts_short": {
        "title_en": "{study}: percentages of one whole fall short of 100 % ({where})",
        "title_zh": "{study}：同一整体的百分比之和不足 100 %（{where}）",
        "meaning_en": "A category is not printed; the shares shown are not the whole population.",
        "meaning_zh": "有类别未列出；所示比例并非全部人群。",
    },
    "grim_percent": {
        "title_en": "{study}: percentage impossible for the printed number of patients ({where})",
        "title_zh": "{study}：按所印病例数不可能得到该百分比（{where}）",
        "meaning_en": "Either the percentage or the number of patients it is said to come from is wrong.",
        "meaning_zh": "百分比或其所依据的病例数有误。",
    },
    "grim_unprinted": {
        "title_en": "{study}: percentage fits none of the study's printed sizes ({where})",
        "title_zh": "{study}：百分比与该研究所印的任何样本量都不相符（{where}）",
        "meaning_en": "The percentage refers to a group whose size the review does not give; a reader cannot check it.",
        "meaning_zh": "该百分比所指人群的例数未给出，读者无法核对。",
    },
    "count_reading": {
        "title_en": "{study}: the wording reads a count as the denominator ({where})",
        "title_zh": "{study}：措辞易把例数误读为分母（{where}）",
        "meaning_en": "The clause gives a count and its percentage of the whole study; read literally it states an impossible percentage.",
        "meaning_zh": "该句给出的是例数及其占全部病例的百分比；按字面理解则百分比不可能成立。",
    },
    "same_quantity_mismatch": {
        "title_en": "{study}: the same figure printed with different values ({where})",
        "title_zh": "{study}：同一数据在不同位置数值不同（{where}）",
        "meaning_en": "At most one of the printings is right.",
        "meaning_zh": "各处印刷中至多只有一处正确。",
    },
    "primary_source_mismatch": {
        "title_en": "{study}: figure differs from the cited publication ({where})",
        "title_zh": "{study}：数据与所引文献不一致（{where}）",
        "meaning_en": "The review does not report what the cited study reports.",
        "meaning_zh": "综述所报告的数据与所引研究的报告不一致。",
    },
    "secondary_source_doubt": {
        "title_en": "{study}: a secondary report gives a different figure ({where})",
        "title_zh": "{study}：二手报道给出不同数据（{where}）",
        "meaning_en": "Only a secondary source disagrees: worth checking against the primary publication, not a proven error.",
        "meaning_zh": "仅有二手来源不一致：值得对照原始文献核实，但并非已证实的错误。",
    },
    "source_fact_mismatch": {
        "title_en": "{study}: design, population or treatment described differently from the cited publication ({where})",
        "title_zh": "{study}：研究设计、人群或治疗描述与所引文献不符（{where}）",
        "meaning_en": "A reader may apply the evidence to a population, design or treatment it does not come from.",
        "meaning_zh": "读者可能把证据套用到并非其来源的人群、设计或治疗方式上。",
    },
    "citation_value_match": {
        "title_en": "Figures attributed to the wrong reference ({where})",
        "title_zh": "数据引用了错误的参考文献（{where}）",
        "meaning_en": "The figures belong to another cited study; a reader following the citation will not find them.",
        "meaning_zh": "这些数据属于另一篇被引研究，读者按引文查找将找不到。",
    },
    "citation_author": {
        "title_en": "Author named beside the wrong reference number ({where})",
        "title_zh": "作者姓名与参考文献编号不符（{where}）",
        "meaning_en": "The name and the bracket point to different studies; a reader cannot tell which study reported the figure.",
        "meaning_zh": "姓名和编号指向不同研究，读者无法判断数据出自哪项研究。",
    },
    "citation_sample_size": {
        "title_en": "{study}: figure out of a number of patients the cited study does not have ({where})",
        "title_zh": "{study}：数据的分母不是所引研究的样本量（{where}）",
        "meaning_en": "The figure may belong to another study, or to a subgroup the review does not name.",
        "meaning_zh": "该数据可能属于另一项研究，或属于综述未说明的亚组。",
    },
    "range_claim": {
        "title_en": "A summary range leaves out figures it summarises ({where})",
        "title_zh": "概括性范围遗漏了其所概括的数据（{where}）",
        "meaning_en": "The range understates how much the studies differ.",
        "meaning_zh": "该范围低估了各研究之间的差异。",
    },
    "hr_direction_vs_medians": {
        "title_en": "{study}: medians and hazard ratio favour different arms ({where})",
        "title_zh": "{study}：中位数与风险比支持的组别相反（{where}）",
        "meaning_en": "Either the medians or the hazard ratio is misprinted; the direction of the effect is in doubt as printed.",
        "meaning_zh": "中位数或风险比有一处印错；按所印内容，疗效方向存疑。",
    },
    "hr_vs_median_ratio": {
        "title_en": "{study}: hazard ratio far from the ratio of medians ({where})",
        "title_zh": "{study}：风险比与中位数之比相差较大（{where}）",
        "meaning_en": "Possible for non-proportional hazards, but worth checking against the study.",
        "meaning_zh": "在风险不成比例时可能出现，但值得对照原始研究核实。",
    },
    "hr_direction_wording": {
        "title_en": "{study}: factors called favourable with hazard ratios above 1 ({where})",
        "title_zh": "{study}：风险比大于 1 的因素被称为有利因素（{where}）",
        "meaning_en": "Unless the reference categories are reversed, the wording states the opposite of the hazard ratios.",
        "meaning_zh": "除非参照组颠倒，否则文字表述与风险比方向相反。",
    },
    "p_from_2x2": {
        "title_en": "{study}: p-value not reproduced by the usual tests ({where})",
        "title_zh": "{study}：常用检验无法重现该 P 值（{where}）",
        "meaning_en": "The p-value may come from another analysis, or be misprinted.",
        "meaning_zh": "该 P 值可能来自其他分析，或印刷有误。",
    },
    "or_from_counts": {
        "title_en": "{study}: odds ratio differs from the counts ({where})",
        "title_zh": "{study}：比值比与例数不符（{where}）",
        "meaning_en": "The odds ratio may be adjusted, or misprinted.",
        "meaning_zh": "比值比可能经过校正，或印刷有误。",
    },
    "p_attainable": {
        "title_en": "{study}: p-value smaller than the study's size allows ({where})",
        "title_zh": "{study}：P 值小于该研究样本量所能达到的最小值（{where}）",
        "meaning_en": "Hazard ratio, p and sample size cannot all be right for a simple comparison; check the publication.",
        "meaning_zh": "对于简单比较，风险比、P 值和样本量不可能同时正确，需核对原文。",
    },
    "no_difference_claim": {
        "title_en": "{study}: 'no difference' stated beside a significant p ({where})",
        "title_zh": "{study}：P 值有统计学意义却称“无差异”（{where}）",
        "meaning_en": "The claim and the statistic contradict each other.",
        "meaning_zh": "表述与统计结果相互矛盾。",
    },
    "claim_vs_figures": {
        "title_en": "{study}: a summary statement contradicts the figures it summarises ({where})",
        "title_zh": "{study}：概括性表述与其所概括的数据相矛盾（{where}）",
        "meaning_en": "A reader relying on the summary takes away a conclusion the cited figures do not support.",
        "meaning_zh": "只读概括的读者会得到所引数据并不支持的结论。",
    },
    "survival_landmark": {
        "title_en": "{study}: landmark survival rate contradicts the median ({where})",
        "title_zh": "{study}：界标生存率与中位生存时间矛盾（{where}）",
        "meaning_en": "The rate and the median cannot come from the same survival curve.",
        "meaning_zh": "该生存率与中位数不可能来自同一条生存曲线。",
    },
    "landmark_monotonic": {
        "title_en": "{study}: survival rate rises with time ({where})",
        "title_zh": "{study}：生存率随时间上升（{where}）",
        "meaning_en": "A survival curve cannot rise; at least one rate is misprinted.",
        "meaning_zh": "生存曲线不可能上升，至少有一个比率印错。",
    },
    "survival_exponential": {
        "title_en": "{study}: landmark rate far from what the median suggests ({where})",
        "title_zh": "{study}：界标生存率与中位数推算值相差较大（{where}）",
        "meaning_en": "Possible for unusual curves, but worth checking.",
        "meaning_zh": "曲线形状特殊时可能出现，但值得核实。",
    },
    "endpoint_order": {
        "title_en": "{study}: an endpoint longer than the endpoint that contains it ({where})",
        "title_zh": "{study}：某终点长于包含它的终点（{where}）",
        "meaning_en": "The two times cannot both be right as printed (or they summarise different statistics).",
        "meaning_zh": "两个时间按所印不可能都正确（或为不同统计量）。",
    },
    "unit_mix": {
        "title_en": "{study}: a median given in a different unit ({where})",
        "title_zh": "{study}：中位时间使用了不同单位（{where}）",
        "meaning_en": "Readers comparing studies must convert it first.",
        "meaning_zh": "读者比较各研究时需先换算单位。",
    },
    "arm_order": {
        "title_en": "{study}: values printed in the reverse of the announced arm order ({where})",
        "title_zh": "{study}：数值顺序与标题所示组别顺序相反（{where}）",
        "meaning_en": "A reader following the header attributes the values to the wrong arms.",
        "meaning_zh": "按表头阅读的读者会把数值归到错误的组别。",
    },
    "announced_arm_order": {
        "title_en": "{study}: the order a sentence announces contradicts the labelled values ({where})",
        "title_zh": "{study}：句中所示组别顺序与其他位置的标注数值矛盾（{where}）",
        "meaning_en": "A reader of the sentence attributes each arm's result to the other arm.",
        "meaning_zh": "读者按该句会把各组结果归到对方组别。",
    },
}

#: resolution notes
RESOLUTION_TEXT = {
    "primary_source": ("The cited study's own publication decides: {detail}", "以所引研究的原始文献为准：{detail}"),
    "internal_evidence": ("The review's own figures decide: {detail}", "以综述自身的其他数据为准：{detail}"),
    "undecidable": ("Which printing is right cannot be decided from the review or the stored sources{detail}.",
                    "根据综述本身及已存来源无法判断哪一处正确{detail}。"),
    "not_applicable": ("", ""),
}


def template(kind: str) -> dict[str, str]:
    """Texts of a kind (a generic fallback for kinds without their own template).

    Examples
    --------
    >>> template("arms_swapped")["title_zh"].startswith("{study}")
    True
    """
    return TEMPLATES.get(kind, {
        "title_en": "{study}: inconsistency found by {kind} ({where})",
        "title_zh": "{study}：{kind} 发现的不一致（{where}）",
        "meaning_en": "See the flags for details.",
        "meaning_zh": "详见各条标记。",
    })


_ZH_WORDS = [(r"\btext (\d+(?:\.\d+)*)", r"正文 \1"), (r"\btable (\d+)", r"表 \1"), (r"\bfigure (\d+)", r"图 \1"),
             (r"\bshould read\b", "应为"), (r"\bcite (\[\d+\])", r"应引用 \1"), (r"\bexperimental\b", "试验组"),
             (r"\bcontrol\b", "对照组"), (r"\bsurgery\b", "手术组"), (r"\bradiotherapy\b", "放疗组"),
             (r"\(per the publication; ([^)]*?) prints ([^)]*)\)", r"（依原始文献；\1 印为 \2）"),
             (r"\bthe cited publication\b", "所引原始文献"), (r"\bas published\b", "与原始文献一致"),
             (r"\bthe percentage\b", "百分比"), (r"\bthe name\b", "姓名"), (r"\bthe individual figures\b", "各项具体数据")]


def zh_places(text: str) -> str:
    """Locations and the few words of a correction in Chinese (``text 2.2.1`` → ``正文 2.2.1``).

    Examples
    --------
    >>> zh_places("text 2.2.1 should read PFS: experimental 20.2, control 12.5; table 3")
    '正文 2.2.1 应为 PFS: 试验组 20.2, 对照组 12.5; 表 3'
    """
    import re

    for pat, rep in _ZH_WORDS:
        text = re.sub(pat, rep, str(text))
    return text
