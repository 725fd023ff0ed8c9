"""Clinical vocabulary the proposer reads: endpoint terms, arm words, units, time words.

Generic words of clinical reviews in Chinese and English, mapped to the controlled
vocabularies of ``data/extracted/README.md``. Nothing here names a study or a figure of any
review. Abbreviations a review defines itself (``abscopal response rate, ARR``) are learnt
from the text by :func:`defined_abbreviations`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: endpoints measured as times (medians, landmark rates)
TIME_TO_EVENT = frozenset({"os", "pfs", "pfs_local", "rfs", "ttlp", "ttnl", "post_progression_survival"})
#: response categories whose counts partition a study's patients
RESPONSE = frozenset({"cr", "pr", "sd", "pd"})
#: failure patterns whose counts partition a study's progressions
FAILURE = frozenset({"local_progression", "distant_progression", "local_and_distant_progression",
                     "new_lesion", "new_lesion_only", "new_lesion_and_local_progression"})

# (term, endpoint, subgroup); ASCII terms match as whole words
_TERMS: list[tuple[str, str, str]] = [
    # time to event
    ("总生存期", "os", ""), ("总生存时间", "os", ""), ("总生存率", "os", ""), ("总生存", "os", ""),
    ("OS 率", "os", ""), ("OS", "os", ""), ("overall survival", "os", ""), ("survival", "os", ""),
    ("无进展生存期", "pfs", ""), ("无进展生存时间", "pfs", ""), ("无疾病进展生存时间", "pfs", ""),
    ("无进展生存", "pfs", ""), ("PFS-P", "pfs", ""), ("PFS", "pfs", ""),
    ("progression-free survival", "pfs", ""), ("progression free survival", "pfs", ""),
    ("PFS-L", "pfs_local", ""), ("局部无进展生存", "pfs_local", ""),
    ("RFS", "rfs", ""), ("无复发生存", "rfs", ""), ("recurrence-free survival", "rfs", ""),
    ("TTLP", "ttlp", ""), ("至局部进展时间", "ttlp", ""), ("局部进展时间", "ttlp", ""),
    ("time to local progression", "ttlp", ""),
    ("出现新病灶时间", "ttnl", ""), ("新病灶出现时间", "ttnl", ""), ("time to new lesions", "ttnl", ""),
    ("time to new lesion", "ttnl", ""),
    ("进展后存活时间", "post_progression_survival", ""), ("进展后生存", "post_progression_survival", ""),
    ("post-progression survival", "post_progression_survival", ""),
    # failure patterns
    ("非原位局部进展", "local_progression", ""), ("原位进展", "local_progression", ""),
    ("仅局部进展", "local_progression", ""), ("局部进展率", "local_progression", ""),
    ("局部进展", "local_progression", ""), ("原病灶处进展", "local_progression", ""),
    ("消融区域进展", "local_progression", ""), ("局部复发", "local_progression", ""),
    ("local progression", "local_progression", ""), ("local recurrence", "local_progression", ""),
    ("in-field progression", "local_progression", ""),
    ("远处进展", "distant_progression", ""), ("仅远处转移", "distant_progression", ""),
    ("远处转移", "distant_progression", ""), ("全身进展", "distant_progression", ""),
    ("非原位进展", "distant_progression", ""), ("非原位复发", "distant_progression", ""),
    ("新发转移", "distant_progression", ""), ("新病灶进展", "distant_progression", ""),
    ("distant progression", "distant_progression", ""),
    ("systemic progression", "distant_progression", ""), ("distant metastasis", "distant_progression", ""),
    ("局部和远处进展", "local_and_distant_progression", ""), ("原位和全身进展", "local_and_distant_progression", ""),
    ("局部和全身进展", "local_and_distant_progression", ""), ("区域进展伴新发转移", "local_and_distant_progression", ""),
    ("local and distant progression", "local_and_distant_progression", ""),
    ("单独新病灶", "new_lesion_only", ""), ("仅新病灶", "new_lesion_only", ""),
    ("新病灶和原位进展", "new_lesion_and_local_progression", ""), ("新病灶", "new_lesion", ""),
    ("new lesions only", "new_lesion_only", ""), ("new lesions", "new_lesion", ""),
    ("未进展", "", ""), ("无进展", "", ""), ("not progressed", "", ""), ("without progression", "", ""),
    ("疾病进展", "progression", ""), ("进展", "progression", ""), ("progressed", "progression", ""),
    ("progression", "progression", ""),
    # response and control
    ("局部控制率", "local_control", ""), ("局部控制", "local_control", ""), ("local control", "local_control", ""),
    ("客观缓解率", "orr", ""), ("缓解率", "orr", ""), ("有效率", "orr", ""), ("ORR", "orr", ""),
    ("RR", "orr", ""), ("objective response rate", "orr", ""), ("objective response", "orr", ""),
    ("response rate", "orr", ""), ("responded", "orr", ""), ("response", "orr", ""),
    ("疾病控制率", "dcr", ""), ("DCR", "dcr", ""), ("disease control rate", "dcr", ""),
    ("disease control", "dcr", ""),
    ("abscopal response rate", "abscopal_rr", ""), ("abscopal response", "abscopal_rr", ""),
    ("abscopal disease control rate", "abscopal_dcr", ""), ("abscopal disease control", "abscopal_dcr", ""),
    ("完全缓解", "cr", ""), ("部分缓解", "pr", ""), ("疾病稳定", "sd", ""), ("CR", "cr", ""), ("PR", "pr", ""),
    ("SD", "sd", ""), ("PD", "pd", ""), ("complete response", "cr", ""), ("partial response", "pr", ""),
    ("stable disease", "sd", ""), ("progressive disease", "pd", ""),
    ("交叉", "crossover", ""), ("crossover", "crossover", ""), ("crossed over", "crossover", ""),
    ("晚期 LCT", "late_lct", ""), ("late LCT", "late_lct", ""),
    ("完全消融", "complete_ablation", ""), ("complete ablation", "complete_ablation", ""),
    ("部分消融", "partial_ablation", ""), ("不完全消融", "partial_ablation", ""),
    ("partial ablation", "partial_ablation", ""), ("incomplete ablation", "partial_ablation", ""),
    ("治疗相关性死亡", "death", ""), ("死亡", "death", ""), ("deaths", "death", ""), ("death", "death", ""),
    ("died", "death", ""),
    ("占", "share", ""), ("made up", "share", ""), ("accounted for", "share", ""),
    ("accounts for", "share", ""), ("account for", "share", ""),
    # toxicities (endpoint adverse_event, the toxicity as subgroup)
    ("不良事件", "adverse_event", ""), ("不良反应", "adverse_event", ""), ("毒性反应", "adverse_event", ""),
    ("毒性", "adverse_event", ""), ("adverse events", "adverse_event", ""), ("toxicity", "adverse_event", ""),
    ("疲乏", "adverse_event", "fatigue"), ("疲劳", "adverse_event", "fatigue"), ("乏力", "adverse_event", "fatigue"),
    ("fatigue", "adverse_event", "fatigue"),
    ("放射性肺炎", "adverse_event", "pneumonitis"), ("pneumonitis", "adverse_event", "pneumonitis"),
    ("肺炎", "adverse_event", "pneumonia"), ("pneumonia", "adverse_event", "pneumonia"),
    ("放射性食管炎", "adverse_event", "radiation_oesophagitis"),
    ("oesophagitis", "adverse_event", "radiation_oesophagitis"), ("esophagitis", "adverse_event", "radiation_oesophagitis"),
    ("气胸", "adverse_event", "pneumothorax"), ("pneumothorax", "adverse_event", "pneumothorax"),
    ("胸水", "adverse_event", "pleural_effusion"), ("胸腔积液", "adverse_event", "pleural_effusion"),
    ("pleural effusion", "adverse_event", "pleural_effusion"),
    ("咯血", "adverse_event", "haemorrhage"), ("出血", "adverse_event", "haemorrhage"),
    ("haemorrhage", "adverse_event", "haemorrhage"), ("hemorrhage", "adverse_event", "haemorrhage"),
    ("疼痛", "adverse_event", "pain"), ("pain", "adverse_event", "pain"),
    ("消融后综合征", "adverse_event", "post_ablation_syndrome"),
    ("post-ablation syndrome", "adverse_event", "post_ablation_syndrome"),
    ("曲霉病", "adverse_event", "aspergillosis"), ("aspergillosis", "adverse_event", "aspergillosis"),
    ("心血管疾病", "adverse_event", "cardiovascular"), ("cardiovascular", "adverse_event", "cardiovascular"),
    ("心衰", "adverse_event", "heart_failure"), ("心力衰竭", "adverse_event", "heart_failure"),
    ("heart failure", "adverse_event", "heart_failure"),
    ("咳嗽", "adverse_event", "cough"), ("cough", "adverse_event", "cough"),
    ("瘙痒", "adverse_event", "pruritus"), ("pruritus", "adverse_event", "pruritus"),
    ("流感样症状", "adverse_event", "flu_like"), ("流感症状", "adverse_event", "flu_like"),
    ("flu-like", "adverse_event", "flu_like"),
    ("胸膜硬化", "adverse_event", "pleurodesis"), ("pleurodesis", "adverse_event", "pleurodesis"),
    ("胸膜缝合", "adverse_event", "pleural_suture"),
    ("并发症", "adverse_event", "complication"), ("合并症", "adverse_event", "complication"),
    ("complications", "adverse_event", "complication"),
    ("级不良事件", "adverse_event", "grade_ge3"), ("grade ≥3", "adverse_event", "grade_ge3"),
    ("severe toxicity", "adverse_event", "grade_ge3"),
]


@dataclass(frozen=True)
class Term:
    """An endpoint term found in the text (normalised span) and what it measures."""

    start: int
    end: int
    text: str
    endpoint: str
    subgroup: str

    @property
    def time_to_event(self) -> bool:
        """Whether the term names a time-to-event endpoint."""
        return self.endpoint in TIME_TO_EVENT


def _pattern(term: str) -> str:
    p = re.escape(term).replace("\\ ", " ?")
    if term[0].isascii() and term[0].isalpha():
        p = r"(?<![A-Za-z0-9-])" + p
    if term[-1].isascii() and term[-1].isalnum():
        p = p + r"(?![A-Za-z0-9]|-[A-Za-z0-9])"
    return p


def term_regex(extra: dict[str, tuple[str, str]] | None = None) -> tuple[re.Pattern, dict[str, tuple[str, str]]]:
    """The alternation of every endpoint term (longest first) and its lookup table.

    ``extra`` adds terms (e.g. abbreviations the review defines). Case-insensitive for
    lower-case English words, exact for abbreviations and Chinese.

    Examples
    --------
    >>> rx, table = term_regex()
    >>> m = rx.search("8 周的 DCR 58%")
    >>> m.group(), table[m.group().lower()]
    ('DCR', ('dcr', ''))
    >>> rx.search("PD-L1 阴性") is None
    True
    """
    table = {t.lower(): (ep, sg) for t, ep, sg in _TERMS}
    terms = [t for t, _, _ in _TERMS]
    for t, v in (extra or {}).items():
        table[t.lower()] = v
        terms.append(t)
    parts = []
    for t in sorted(set(terms), key=len, reverse=True):
        p = _pattern(t)
        if t.islower():
            p = f"(?i:{p})"
        parts.append(p)
    return re.compile("|".join(parts)), table


def find_terms(text: str, start: int, end: int, rx: re.Pattern, table: dict) -> list[Term]:
    """Every endpoint term in ``text[start:end]`` (non-overlapping, leftmost-longest).

    Examples
    --------
    >>> rx, table = term_regex()
    >>> [(t.text, t.endpoint, t.subgroup) for t in find_terms("PFS-L 和疲乏", 0, 9, rx, table)]
    [('PFS-L', 'pfs_local', ''), ('疲乏', 'adverse_event', 'fatigue')]
    """
    out = []
    for m in rx.finditer(text, start, end):
        key = re.sub(" ", "", m.group().lower())
        ep, sg = table.get(m.group().lower(), table.get(key, ("", "")))
        if not ep:
            for k, v in table.items():
                if k.replace(" ", "") == key:
                    ep, sg = v
                    break
        out.append(Term(m.start(), m.end(), m.group(), ep, sg))
    return out


_ABBREV_RE = re.compile(r"\(([A-Za-z][A-Za-z -]{5,60}?),\s*([A-Z][A-Z0-9-]{1,7})\)")


def defined_abbreviations(text: str) -> dict[str, tuple[str, str]]:
    """Abbreviations the text defines as ``(long form, ABBR)`` whose long form is an endpoint term.

    Examples
    --------
    >>> defined_abbreviations("best RR (abscopal response rate, ARR) 35%")
    {'ARR': ('abscopal_rr', '')}
    """
    rx, table = term_regex()
    out: dict[str, tuple[str, str]] = {}
    for m in _ABBREV_RE.finditer(text):
        long, abbr = m.group(1).strip(), m.group(2)
        hit = rx.fullmatch(long) or rx.search(long)
        if hit and abbr.lower() not in table:
            full = table.get(hit.group().lower())
            if full and full[0]:
                out[abbr] = full
    return out


# ------------------------------------------------------------------ arms

#: arm words (Chinese words carry 组; English ones are bare words or take group/arm)
ARM_WORDS: dict[str, str] = {
    "试验组": "experimental", "实验组": "experimental", "治疗组": "experimental", "研究组": "experimental",
    "干预组": "experimental", "对照组": "control", "安慰剂组": "control", "手术组": "surgery",
    "放疗组": "radiotherapy", "化疗组": "chemotherapy", "观察组": "observation", "维持治疗组": "maintenance",
    "消融组": "ablation", "靶向治疗组": "targeted_therapy", "免疫治疗组": "immunotherapy",
    "联合组": "combination", "单药组": "monotherapy", "历史对照": "historical_control",
    "experimental": "experimental", "intervention": "experimental", "control": "control",
    "placebo": "control", "surgery": "surgery", "radiotherapy": "radiotherapy",
    "chemotherapy": "chemotherapy", "observation": "observation", "maintenance": "maintenance",
}
_BARE_ENGLISH = ("experimental", "control")  # arm words without group/arm
_ARM_ALT = "|".join(
    [re.escape(w) for w in sorted(ARM_WORDS, key=len, reverse=True) if not w.isascii()]
    + [r"[A-Z][A-Za-z0-9-]{1,12} ?组"]
    + [rf"(?<![Ll]ocal )(?<![Dd]isease )(?<![Tt]umour )(?<![Tt]umor )(?i:{w})(?! rate)(?: (?:group|arm)s?)?"
       for w in _BARE_ENGLISH]
    + [rf"(?i:{w}) (?:group|arm)s?" for w in ARM_WORDS if w.isascii() and w not in _BARE_ENGLISH]
)
ARM_RE = re.compile(rf"(?<![A-Za-z])(?:{_ARM_ALT})(?![A-Za-z])")
_SEP = r" ?(?:和|与|及|或|、|,|vs\.?|VS|v|versus|and|or|比) ?(?:the )?"
_EN_WORD = "|".join(w for w in ARM_WORDS if w.isascii())
ORDER_RE = re.compile(
    rf"(?<![A-Za-z])(?:(?i:(?:{_EN_WORD})(?:{_SEP}(?:{_EN_WORD}))+ (?:groups|arms))"
    rf"|(?:{_ARM_ALT})(?:{_SEP}(?:{_ARM_ALT}))+(?: (?:groups|arms))?)")


def arm_label(word: str) -> str:
    """The snake_case arm of an arm word (``MWA 组`` -> ``mwa``; '' when unknown).

    Examples
    --------
    >>> arm_label("对照组"), arm_label("MWA 组"), arm_label("surgery group")
    ('control', 'mwa', 'surgery')
    """
    w = word.strip()
    if w in ARM_WORDS:
        return ARM_WORDS[w]
    low = re.sub(r" ?(?:groups?|arms?)$", "", w.lower())
    if low in ARM_WORDS:
        return ARM_WORDS[low]
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9-]*) ?组", w)
    if m:
        return re.sub(r"[^a-z0-9]+", "_", m.group(1).lower()).strip("_")
    return ""


def arm_order(phrase: str) -> list[str]:
    """The arms, in order, of an order phrase (``试验组和对照组`` -> experimental, control).

    Examples
    --------
    >>> arm_order("the experimental and control groups")
    ['experimental', 'control']
    >>> arm_order("surgery and radiotherapy groups")
    ['surgery', 'radiotherapy']
    """
    words = ARM_RE.finditer(phrase)
    if re.search(r"(?:groups|arms)$", phrase):
        words = re.finditer(rf"(?i:{_EN_WORD})|{_ARM_ALT}", phrase)
    return [arm_label(m.group()) for m in words if arm_label(m.group())]


# ------------------------------------------------------------------ units and time words

TIME_UNITS = {"月": "months", "个月": "months", "months": "months", "month": "months", "mo": "months",
              "周": "weeks", "weeks": "weeks", "week": "weeks", "wk": "weeks",
              "天": "days", "日": "days", "days": "days", "day": "days"}
TIME_UNIT_RE = r"(?:个月|月|周|天|months?|mo\b|weeks?|wk\b|days?)"
COUNT_UNITS = {"例次": "sessions", "人次": "sessions", "次": "sessions", "例": "patients", "名": "patients",
               "人": "patients", "patients": "patients", "patient": "patients", "cases": "patients",
               "个病灶": "lesions", "个": "lesions", "lesions": "lesions", "sessions": "sessions"}
COUNT_UNIT_RE = r"(?:例次|人次|例|名|人|个病灶|个|次|patients?|cases|lesions|sessions)"
TIMEPOINT_UNIT = {"年": "y", "year": "y", "years": "y", "周": "w", "week": "w", "weeks": "w", "W": "w", "w": "w",
                  "月": "m", "个月": "m", "month": "m", "months": "m", "天": "d", "日": "d", "day": "d", "days": "d"}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18, "twenty-four": 24}
