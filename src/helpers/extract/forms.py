"""Recognisers of the statistical forms clinical reviews print, in Chinese and English.

Each recogniser reads the normalised text of one unit (a paragraph or a table cell, see
:mod:`helpers.extract.text`) and turns the tokens of a match into numbers with a quantity,
a unit and the links the form shows (``x/n (p%)``: count -> denominator, percent -> both).
A token belongs to at most one recognised form; recognisers run from the most specific
form to the least (non-statistics first, bare percentages and counts last).

=============  =================================================================
form           reads
=============  =================================================================
``label``      landmark times ``1、3 和 5 年 OS``, ``12 周的 ORR``, ``one-, two-year OS``
``hr``         ``HR a``, ``OR a``, ``HR a (95% CI l–u)``, ``OR a vs b``
``p``          ``P = b``, ``P < 0.001``, ``p-value 0.043``
``mean_sd``    ``(a ± b)``
``study_n``    a table's N column, ``100 (50/50)`` with the arm sizes
``frac_pct``   ``x/n (p%)``, ``x/n 例(p%)``, ``(x/n, p%)``
``pct_frac``   ``p% (x/n)``
``count_pct``  ``n 例(p%)``, ``x patients (p%)``
``range``      ``a%~b%``
``frac``       ``x/n``
``median``     ``PFS 11.3 月``, ``OS NR``, ``PFS 分别 a 和 b 月``, ``OS a vs b months``
``se``         ``p% (q%)`` (a rate and its standard error)
``pct``        any other ``p%``
``count``      ``n 例``, ``n patients``; ``n`` after 纳入/总计/enrolled
=============  =================================================================
"""
from __future__ import annotations

import re

from . import lexicon as lx
from .items import GI, G, Item, Label, Num  # noqa: F401  (re-exported for the other modules)
from .nonstat import CONTEXT_RULES, WEAK_RULES, classify
from .text import N_HEADER_RE, Layout, NormText, Unit
from .timeforms import UNIT_AFTER_RE, TimeForms
from .tokens import token_spans

CU = lx.COUNT_UNIT_RE
HR_RE = re.compile(
    rf"(?<![A-Za-z])(?P<k>a?HR|a?OR)(?![A-Za-z]) ?(?:[:=]|为|of|was)? ?(?P<c>[<>≤≥])? ?{G('v')}"
    rf"(?: ?(?:[,;(] ?)?95 ?% ?(?:CI|置信区间)[: ,]*{G('l')} ?(?:[-–—~]|to|,) ?{G('u')})?")
HR_NEXT_RE = re.compile(rf" ?(?:vs\.?|VS|和|v|versus) ?{G('v')}")
P_RE = re.compile(rf"(?<![A-Za-z])[Pp](?:[ -]?值|-value| value)? ?(?P<c>[<>≤≥=]|为) ?{G('v')}")
MEAN_SD_RE = re.compile(rf"{G('m')} ?± ?{G('s')}")
STUDY_N_RE = re.compile(rf" ?{GI('n')}(?: ?\( ?{GI('a')} ?/ ?{GI('b')} ?\))?")
FRAC_PCT_RE = re.compile(rf"{GI('x')} ?/ ?{GI('n')} ?(?P<u>{CU})? ?\( ?{G('p')} ?%")
FRAC_COMMA_PCT_RE = re.compile(rf"\( ?{GI('x')} ?/ ?{GI('n')} ?(?P<u>{CU})? ?, ?{G('p')} ?%")
X_OF_N_RE = re.compile(rf"{GI('x')} (?:of|out of) (?:the |all )?{GI('n')}(?: (?P<u>patients|lesions|cases|participants))?"
                       rf"(?: ?\( ?{G('p')} ?%\))?")
PCT_FRAC_RE = re.compile(rf"{G('p')} ?% ?\( ?{GI('x')} ?/ ?{GI('n')} ?(?P<u>{CU})? ?\)")
COUNT_PCT_RE = re.compile(rf"{GI('x')} ?(?P<u>{CU})? ?\( ?{G('p')} ?%(?= ?[);,])")
RANGE_RE = re.compile(rf"{G('a')} ?%? ?(?:~|-|–|—|至|to) ?{G('b')} ?%")
FRAC_RE = re.compile(rf"{GI('x')} ?/ ?{GI('n')}(?! ?[\d期])(?: ?(?P<u>{CU})(?![A-Za-z]))?")
SE_RE = re.compile(rf"{G('v')} ?% ?\( ?{G('s')} ?%\)")
PCT_RE = re.compile(rf"{G('v')} ?%")
COUNT_RE = re.compile(rf"{GI('x')} ?(?P<u>例次|人次|例|名|人|个病灶|次|patients?|cases|lesions|sessions)(?![A-Za-z])")
VERB_COUNT_RE = re.compile(rf"{GI('x')} (?:patients? )?(?:had|were|received|underwent|developed|died|responded|"
                           r"progressed|crossed)")
ENROL_RE = re.compile(rf"(?:纳入|入组|总计|共计|共有|(?<![A-Za-z])(?:enrolled|included|treated|analy[sz]ed|"
                      rf"randomi[sz]ed|recruited))[^,;。\d]{{0,15}}?{GI('x')}(?! ?[~\-–/:])(?! ?{lx.TIME_UNIT_RE})")
AMONG_RE = re.compile(rf"{GI('x')} ?(?:例|名|patients?)[^,;。\d]{{0,12}}?(?:中|之中)(?=[ ,])"
                      rf"|(?<![A-Za-z])(?:[Oo]f|[Aa]mong) (?:the |these )?{GI('y')}(?! ?%)")


class Reader(TimeForms):
    """Runs every recogniser over the units of a layout; holds what each token became.

    Examples
    --------
    >>> from helpers.extract.text import layout, normalise
    >>> text = "## 1. 结果\\n\\n局部进展 9/42 例(21.4%), 放疗剂量 45 Gy [1]。\\n"
    >>> nt = normalise(text)
    >>> reader = Reader(nt, layout(nt, len(text)), len(text))
    >>> reader.read()
    >>> [(n.value, n.quantity, n.den.value if n.den else "") for it in reader.items for n in it.nums]
    [('9', 'count', '42'), ('42', 'n', ''), ('21.4', 'percent', '42')]
    >>> sorted(reason for reason, _ in reader.nonstat.values())
    ['citation_number', 'dose_schedule']
    """

    def __init__(self, norm: NormText, lay: Layout, body_end_source: int):
        self.norm, self.lay, self.t = norm, lay, norm.text
        self.tok: dict[int, tuple[int, str, int]] = {}
        for s, e, tok in token_spans(norm.source, 0, body_end_source):
            p = norm.at(s)
            if p >= 0 and self.t[p:p + len(tok)] == tok:
                self.tok[p] = (p + len(tok), tok, s)
        self.claimed: dict[int, str] = {}
        self.nonstat: dict[int, tuple[str, str]] = {}
        self.items: list[Item] = []
        self.labels: list[Label] = []
        self.among: dict[int, Num] = {}
        rx, table = lx.term_regex(lx.defined_abbreviations(norm.text))
        self.term_rx, self.term_table = rx, table
        self.terms: dict[int, list[lx.Term]] = {}

    # ------------------------------------------------------------------ helpers
    def free(self, *positions: int) -> bool:
        """Whether every position is an unclaimed token."""
        return all(p in self.tok and p not in self.claimed for p in positions)

    def claim_nonstat(self, pos: int, reason: str, note: str = "") -> None:
        """Mark a token as not a statistic, with a reason."""
        if pos in self.tok and pos not in self.claimed:
            self.claimed[pos] = "nonstat"
            self.nonstat[pos] = (reason, note)

    def new_item(self, unit: Unit, start: int, end: int, kind: str, nums: list[Num],
                 term: lx.Term | None = None) -> Item:
        """Record numbers recognised together and claim their tokens."""
        it = Item(len(self.items), unit, start, end, kind, nums, term)
        for n in nums:
            n.item = it.id
            if n.value != "NR":
                self.claimed[n.pos] = "value"
        self.items.append(it)
        return it

    def unit_terms(self, u: Unit) -> list[lx.Term]:
        """Endpoint terms of a unit (cached)."""
        key = u.start
        if key not in self.terms:
            self.terms[key] = lx.find_terms(self.t, u.start, u.end, self.term_rx, self.term_table)
        return self.terms[key]

    def _matches(self, rx: re.Pattern, u: Unit):
        return rx.finditer(self.t, u.start, u.end)

    # ------------------------------------------------------------------ the pass
    def read(self) -> None:
        """Run every recogniser over every unit, most specific first."""
        units = self.lay.units
        steps = [self.nonstat_context, self.landmark_labels, self.hazard_ratios, self.p_values,
                 self.means, self.study_n, self.fractions, self.ranges, self.bare_fractions,
                 self.medians, self.standard_errors, self.percents, self.counts, self.weak_nonstat]
        for step in steps:
            for u in units:
                step(u)

    def nonstat_context(self, u: Unit) -> None:
        """Claim numbers whose context says they are not statistics (doses, ratios, thresholds ...)."""
        for reason, (s, _, _) in classify(self.t, u.start, u.end, CONTEXT_RULES):
            if reason == "eligibility_threshold" and self._p_before(s):
                continue
            note = next(n for _, r, n in CONTEXT_RULES if r == reason) if reason != "cut_off" else "cut-off"
            self.claim_nonstat(s, reason, note)

    def weak_nonstat(self, u: Unit) -> None:
        """Last: years, durations and item counts no form claimed."""
        for reason, (s, _, _) in classify(self.t, u.start, u.end, WEAK_RULES):
            self.claim_nonstat(s, reason, next(n for _, r, n in WEAK_RULES if r == reason))

    def _p_before(self, pos: int) -> bool:
        return re.search(r"(?<![A-Za-z])(?:[Pp]|HR|OR)(?:[ -]?值|-value)? ?[<>≤≥]? ?$", self.t[max(0, pos - 12):pos]) is not None

    def hazard_ratios(self, u: Unit) -> None:
        """``HR a``, ``OR a``, with a 95% interval and a second ratio (``OR a vs b``)."""
        for m in self._matches(HR_RE, u):
            if not self.free(m.start("v")):
                continue
            q = "or" if m.group("k").endswith("OR") else "hr"
            cmp_ = m.group("c") or "="
            nums = [Num(m.start("v"), m.group("v"), q, "hr", 0.95, comparator=cmp_)]
            if m.group("l") and self.free(m.start("l"), m.start("u")):
                nums.append(Num(m.start("l"), m.group("l"), q, "hr", 0.85, bound="low", notes=["95% CI"]))
                nums.append(Num(m.start("u"), m.group("u"), q, "hr", 0.85, bound="high", notes=["95% CI"]))
            end = m.end()
            nxt = HR_NEXT_RE.match(self.t, end, u.end)
            if nxt and self.free(nxt.start("v")):
                nums.append(Num(nxt.start("v"), nxt.group("v"), q, "hr", 0.8))
                end = nxt.end()
            self.new_item(u, m.start(), end, q, nums)

    def p_values(self, u: Unit) -> None:
        """``P = b``, ``P < b``, ``p-value b``, ``P 值为 b``."""
        for m in self._matches(P_RE, u):
            if self.free(m.start("v")):
                c = m.group("c")
                self.new_item(u, m.start(), m.end(), "p",
                              [Num(m.start("v"), m.group("v"), "p_value", "p", 0.95,
                                   comparator="=" if c in ("=", "为") else c)])

    def means(self, u: Unit) -> None:
        """``(a ± b)`` with the time unit printed after it."""
        for m in self._matches(MEAN_SD_RE, u):
            if not self.free(m.start("m"), m.start("s")):
                continue
            unit = UNIT_AFTER_RE.match(self.t, m.end(), u.end)
            un = lx.TIME_UNITS.get(unit.group("u"), "") if unit else ""
            mean = Num(m.start("m"), m.group("m"), "mean", "mean_sd", 0.9, unit=un)
            sd = Num(m.start("s"), m.group("s"), "sd", "mean_sd", 0.85, unit=un, bound="plus_minus")
            self.new_item(u, m.start(), m.end(), "mean_sd", [mean, sd])

    def study_n(self, u: Unit) -> None:
        """The N column of a table row, with arm sizes ``N (a/b)``."""
        if u.kind != "cell" or u.row is None or u.row.continuation:
            return
        if not (N_HEADER_RE.match(u.header) or (u.col == 1 and re.fullmatch(r" ?\d+.*", self.t[u.start:u.end]))):
            return
        m = STUDY_N_RE.match(self.t, u.start, u.end)
        if not m or not self.free(m.start("n")):
            return
        n = Num(m.start("n"), m.group("n"), "n", "study_n", 0.9, unit="patients", role="study_n")
        nums = [n]
        if m.group("a") and self.free(m.start("a"), m.start("b")):
            for g in ("a", "b"):
                nums.append(Num(m.start(g), m.group(g), "n", "study_n", 0.75, unit="patients",
                                total=n, role="arm_n"))
        self.new_item(u, m.start(), m.end(), "study_n", nums)

    def _count_unit(self, word: str | None) -> str:
        return lx.COUNT_UNITS.get((word or "").strip(), "patients") if word else "patients"

    def fractions(self, u: Unit) -> None:
        """``x/n (p%)``, ``(x/n, p%)``, ``p% (x/n)``, ``x of n (p%)``, ``n 例(p%)``."""
        for rx, form in ((FRAC_PCT_RE, "frac_pct"), (FRAC_COMMA_PCT_RE, "frac_pct"), (PCT_FRAC_RE, "pct_frac")):
            for m in self._matches(rx, u):
                if not self.free(m.start("x"), m.start("n"), m.start("p")):
                    continue
                un = self._count_unit(m.group("u"))
                den = Num(m.start("n"), m.group("n"), "n", form, 0.95, unit=un)
                cnt = Num(m.start("x"), m.group("x"), "count", form, 0.95, unit=un, den=den)
                pct = Num(m.start("p"), m.group("p"), "percent", form, 0.95, unit="percent", count=cnt, den=den)
                self.new_item(u, m.start(), m.end(), "frac", sorted([cnt, den, pct], key=lambda x: x.pos))
        for m in self._matches(X_OF_N_RE, u):  # ``7 of 45 patients (15.6%)``
            if not self.free(m.start("x"), m.start("n")) or (m.group("p") and not self.free(m.start("p"))):
                continue
            un = self._count_unit(m.group("u"))
            den = Num(m.start("n"), m.group("n"), "n", "x_of_n", 0.85, unit=un)
            cnt = Num(m.start("x"), m.group("x"), "count", "x_of_n", 0.85, unit=un, den=den)
            nums = [cnt, den]
            if m.group("p"):
                nums.append(Num(m.start("p"), m.group("p"), "percent", "x_of_n", 0.9, unit="percent", count=cnt, den=den))
            self.new_item(u, m.start(), m.end(), "frac", nums)
        for m in self._matches(COUNT_PCT_RE, u):
            if not self.free(m.start("x"), m.start("p")) or self.t[max(0, m.start() - 1):m.start()] == "/":
                continue
            cnt = Num(m.start("x"), m.group("x"), "count", "count_pct", 0.9, unit=self._count_unit(m.group("u")))
            pct = Num(m.start("p"), m.group("p"), "percent", "count_pct", 0.9, unit="percent", count=cnt)
            self.new_item(u, m.start(), m.end(), "frac", [cnt, pct])

    def ranges(self, u: Unit) -> None:
        """``a%~b%``: the two ends of a printed range."""
        for m in self._matches(RANGE_RE, u):
            if not self.free(m.start("a"), m.start("b")):
                continue
            lo = Num(m.start("a"), m.group("a"), "percent", "range", 0.9, unit="percent", bound="low")
            hi = Num(m.start("b"), m.group("b"), "percent", "range", 0.9, unit="percent", bound="high")
            self.new_item(u, m.start(), m.end(), "range", [lo, hi])

    def bare_fractions(self, u: Unit) -> None:
        """``x/n`` without a percentage."""
        for m in self._matches(FRAC_RE, u):
            if not self.free(m.start("x"), m.start("n")):
                continue
            un = self._count_unit(m.group("u"))
            den = Num(m.start("n"), m.group("n"), "n", "frac", 0.85, unit=un)
            cnt = Num(m.start("x"), m.group("x"), "count", "frac", 0.85, unit=un, den=den)
            self.new_item(u, m.start(), m.end(), "frac", [cnt, den])

    def standard_errors(self, u: Unit) -> None:
        """``p% (q%)``: a percentage and its standard error."""
        for m in self._matches(SE_RE, u):
            if self.free(m.start("v"), m.start("s")):
                v = Num(m.start("v"), m.group("v"), "percent", "pct", 0.8, unit="percent")
                s = Num(m.start("s"), m.group("s"), "se", "se", 0.5, unit="percent")
                self.new_item(u, m.start(), self.t.index("%", m.end("v")) + 1, "pct", [v])
                self.new_item(u, m.start("s"), m.end(), "se", [s])

    def percents(self, u: Unit) -> None:
        """Any other ``p%``."""
        for m in self._matches(PCT_RE, u):
            if self.free(m.start("v")):
                self.new_item(u, m.start(), m.end(), "pct",
                              [Num(m.start("v"), m.group("v"), "percent", "pct", 0.8, unit="percent")])

    def counts(self, u: Unit) -> None:
        """Counts with a unit word, N after 纳入/enrolled, N of ``of the N``, counts after a term."""
        for m in self._matches(ENROL_RE, u):
            if self.free(m.start("x")):
                self.new_item(u, m.start("x"), m.end(), "n",
                              [Num(m.start("x"), m.group("x"), "n", "n", 0.8, unit="patients", role="enrolled")])
        for m in self._matches(AMONG_RE, u):
            g = "x" if m.group("x") else "y"
            pos = m.start(g)
            term = self.term_rx.match(self.t, m.end(g) + (2 if g == "x" else 0))
            if self.free(pos):
                q = "count" if term and g == "x" else "n"
                num = Num(pos, m.group(g), q, "n", 0.75, unit="patients", role="among")
                self.new_item(u, pos, m.end(), "count" if q == "count" else "n", [num])
                self.among[pos] = num
            elif self._is_value(pos):
                self.among[pos] = next(n for it in self.items for n in it.nums if n.pos == pos)
        chain: list[Num] = []
        for m in self._matches(COUNT_RE, u):
            if not self.free(m.start("x")):
                continue
            num = Num(m.start("x"), m.group("x"), "count", "count", 0.7, unit=self._count_unit(m.group("u")))
            gap = self.t[chain[-1].end:m.start()] if chain else ""
            if chain and re.fullmatch(r" ?(?:例|个病灶|个|次|patients|lesions)? ?[,的]? ?", gap) \
                    and chain[-1].unit != num.unit:
                for c in (chain[-1], num):
                    c.quantity, c.conf = "n", 0.6
            chain = [num]
            self.new_item(u, m.start(), m.end(), num.quantity, [num])
        for m in self._matches(VERB_COUNT_RE, u):
            if self.free(m.start("x")):
                self.new_item(u, m.start(), m.end(), "count",
                              [Num(m.start("x"), m.group("x"), "count", "count", 0.6, unit="patients")])
        for term in self.unit_terms(u):
            if term.time_to_event or term.endpoint in ("share", "adverse_event"):
                continue
            m = re.compile(rf" ?:? ?{GI('x')}(?! ?[%/.\d±])(?! ?{lx.TIME_UNIT_RE})").match(self.t, term.end, u.end)
            if m and self.free(m.start("x")):
                self.new_item(u, m.start("x"), m.end(), "count",
                              [Num(m.start("x"), m.group("x"), "count", "count", 0.6, unit="patients")], term)
