"""The reference list, the author mentions (``Author [n]``) and candidate studies of a review.

Reads the list entries as reviews print them (``[n] Surname, X., ... (2019) Title. *Journal*,
...`` and ``[n] 作者, 作者, 等. 题名[J]. 刊名, 2014, ...``). A field that is not printed is left
blank; an entry without a printed year is skipped (its rows would not validate) and reported.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ENTRY_RE = re.compile(r"(?m)^[ \t]*(?:[-*][ \t]+)?\[(\d+)\][ \t]*(.+?)[ \t\r]*$")
YEAR_RE = re.compile(r"\(((?:19|20)\d{2}[a-z]?)\)|[,，.] ?((?:19|20)\d{2})(?=[,，.;])")
DOI_RE = re.compile(r"(?:doi\.org/|doi: ?|DOI: ?)(10\.\d{4,9}/(?:\\.|[^\s<>\]\[\\])+)")
KIND_WORDS = [
    (r"meta-?analys", "meta_analysis"), (r"pooled analys", "pooled_analysis"),
    (r"guideline|consensus|recommendation|指南|共识", "guideline"), (r"statistics|统计", "statistics_report"),
    (r"randomi[sz]ed|phase (?:[1-3]|i{1,3})\b|\btrial\b|随机|临床试验", "trial_report"),
    (r"\breview\b|综述", "review"),
]
NAME_RE = re.compile(
    r"(?P<name>(?:[A-Z][A-Za-zÀ-ÿ'’\-]*\.?[ \t]){0,4}[A-Z][a-zà-ÿ'’\-]+[A-Za-zà-ÿ'’\-]*(?: et al\.?)?"
    r"|[\u4e00-\u9fff]{2,4})[ \t]*(?P<br>(?:\[\d+\][ \t]*)+)")
_NOT_NAMES = frozenset("""The In This These That Those Table Figure Trial Trials Study Studies Patients Patient
Treatment Therapy Radiotherapy Chemotherapy Surgery Ablation Results Background Methods Conclusion
Conclusions Discussion Review Reviews However Moreover Also And Or For See Recent Several Other Others
Local Systemic Overall Data Survival Response Progression Guidelines Guideline Consensus""".split())


@dataclass
class Reference:
    """One entry of the reference list."""

    ref: int
    first_author: str
    year: str
    title: str
    journal: str
    doi: str
    kind: str
    offset: int
    quote: str


@dataclass
class Mention:
    """An author name printed beside reference brackets."""

    start: int
    end: int
    name: str
    refs: list[int] = field(default_factory=list)


def ascii_name(name: str) -> str:
    """ASCII letters of a name, accents dropped (``Müller`` -> ``Muller``; '' for Chinese).

    Examples
    --------
    >>> ascii_name("Jürgens"), ascii_name("赵明远")
    ('Jurgens', '')
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return folded.strip()


def guess_kind(title: str) -> str:
    """The reference kind a title suggests (primary_study when nothing does).

    Examples
    --------
    >>> guess_kind("A Phase 2 Randomized Clinical Trial"), guess_kind("Cancer Statistics, 2019")
    ('trial_report', 'statistics_report')
    """
    for pattern, kind in KIND_WORDS:
        if re.search(pattern, title, re.I):
            return kind
    return "primary_study"


def parse_references(source: str, start: int) -> tuple[list[Reference], list[int]]:
    """Entries of the reference list after ``start``; also the numbers of skipped entries.

    Examples
    --------
    >>> refs, skipped = parse_references("## References\\n- [1] Smith, J., Lee, K. (2019) A Trial. *J Onc*, 1-2.", 0)
    >>> (refs[0].first_author, refs[0].year, refs[0].title, refs[0].journal, refs[0].kind)
    ('Smith', '2019', 'A Trial', 'J Onc', 'trial_report')
    """
    out, skipped, seen = [], [], set()
    for m in ENTRY_RE.finditer(source, start):
        n, body = int(m.group(1)), m.group(2)
        y = YEAR_RE.search(body)
        if n in seen or not y:
            skipped.append(n)
            continue
        seen.add(n)
        year = y.group(1) or y.group(2)
        first = re.split(r"[,，]|\s(?=\()", body, maxsplit=1)[0].strip().rstrip(".")
        if y.group(1):  # Latin form: authors (year) Title. *Journal*
            rest = body[y.end():].strip()
            jm = re.search(r"\*([^*]+)\*", rest)
            title = (rest[:jm.start()] if jm else rest.split(". ")[0]).strip().rstrip(".").strip()
            journal = jm.group(1).strip() if jm else ""
        else:  # Chinese form: authors, 等. Title[J]. Journal, year
            tm = re.search(r"(?:等|et al)\.?\s*(.+?)\[[A-Z]\]", body) or re.search(r"\.\s*(.+?)\[[A-Z]\]", body)
            title = tm.group(1).strip() if tm else ""
            jm = re.search(r"\[[A-Z]\]\.?\s*\*?([^,，*]+)", body)
            journal = jm.group(1).strip() if jm else ""
        title = title or body[:80].strip()
        d = DOI_RE.search(body)
        doi = d.group(1).replace("\\", "").rstrip(".") if d else ""
        if doi.count(")") > doi.count("("):
            doi = doi[:len(doi) - (doi.count(")") - doi.count("("))] if doi.endswith(")") else doi
        qs = m.start(1) - 1
        qe = m.start(2) + (y.end() if y.group(1) else min(len(body), y.end(2)))
        out.append(Reference(n, first or "?", year, title, journal, doi, guess_kind(title), qs,
                             source[qs:qe].rstrip()))
    return out, skipped


def mentions(text: str, start: int, end: int, refs: dict[int, Reference]) -> list[Mention]:
    """Author names printed beside citation brackets in ``text[start:end]``.

    A Chinese name counts only when it is the first author of a cited entry; a single Latin
    word counts unless it is a common word that opens sentences (``Radiotherapy [3]``).

    Examples
    --------
    >>> [(m.name, m.refs) for m in mentions("as Okafor [1] and Mei Tanaka [2] [3] found", 0, 42, {})]
    [('Okafor', [1]), ('Mei Tanaka', [2, 3])]
    """
    out = []
    for m in NAME_RE.finditer(text, start, end):
        name = m.group("name")
        nums = [int(x) for x in re.findall(r"\d+", m.group("br"))]
        if not name[0].isascii():
            authors = {r.first_author for r in refs.values()}
            if name not in authors and not any(name.endswith(a) for a in authors if a):
                continue
            name = next((a for a in authors if a and name.endswith(a)), name)
            s = m.start("name") + m.group("name").index(name)
        else:
            words = name.split()
            if len(words) == 1 and (name in _NOT_NAMES or name.isupper()):
                continue
            if words[0] in _NOT_NAMES:
                name = " ".join(words[1:])
                if not name or name in _NOT_NAMES:
                    continue
            s = m.start("name") + m.group("name").index(name)
        out.append(Mention(s, m.end("br"), name, nums))
    return out


def study_key(ref: Reference, taken: set[str]) -> str:
    """A study id ``<surname><year>`` (``ref<n>_<year>`` for a name without ASCII letters).

    Examples
    --------
    >>> study_key(Reference(3, "O'Brien", "2019", "", "", "", "primary_study", 0, ""), set())
    'obrien2019'
    """
    base = re.sub(r"[^a-z]", "", ascii_name(ref.first_author).lower())
    key = f"{base}{ref.year}" if base else f"ref{ref.ref}_{ref.year}"
    key = re.sub(r"[^a-z0-9_]", "", key.lower())
    out, k = key, 1
    while out in taken:
        k += 1
        out = f"{key}_{k}"
    return out


def guess_design(kinds: list[str], titles: list[str], context: str) -> str:
    """A study design from its references' kinds and titles and the table it sits in.

    Examples
    --------
    >>> guess_design(["trial_report"], ["A Randomised Phase 3 Trial"], "")
    'rct'
    >>> guess_design(["primary_study"], ["Outcomes after Ablation"], "retrospective series")
    'retrospective'
    """
    text = " ".join(titles) + " " + context
    if "meta_analysis" in kinds:
        return "meta_analysis"
    if "pooled_analysis" in kinds:
        return "pooled_analysis"
    if "statistics_report" in kinds:
        return "epidemiology"
    if re.search(r"randomi[sz]|随机", text, re.I):
        return "rct"
    if re.search(r"phase (?:[1-3]|i{1,3})\b|single[- ]arm", text, re.I):
        return "single_arm_trial"
    return "retrospective"
