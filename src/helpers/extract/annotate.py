"""What each recognised number measures: endpoint, term, arm, timepoint, refs, and its links.

Works on the :class:`helpers.extract.forms.Reader` after all recognisers ran. Every rule reads
only what the text prints near the number:

* **endpoint and term** -- the endpoint term next to the form (``原位进展 7 例``, ``9/42 例
  (21.4%)原位进展``), else the nearest term before it in its clause, after it in its clause,
  before it in its sentence; hazard ratios and p-values annotate the figures they follow
  (``7.1 月(HR 0.62, P = 0.023)``) or the endpoint their factor list names (``女性(HR 0.64)
  是 PFS 较好的预后因素``);
* **series** -- figures printed as one list (``分别 a 和 b``, ``a vs b``, ``a、b 和 c``);
* **arm** -- the order a phrase announces (``试验组和对照组 … 分别 a 和 b``, ``in the
  experimental and control groups, respectively``, a table header ``(试验组 vs 对照组)``)
  gives a series its arms; a labelled figure (``对照组: 8/21``, ``control 63.5%``) takes its
  label; a figure of one study with no arm is the study's ``total``;
* **timepoint** -- a landmark label (``1、3 和 5 年 OS``) gives the series after it its times; a
  window (``60 天内``) gives the counts of its clause theirs.

The references of a figure are found by :func:`helpers.extract.links.refs_of`.
"""
from __future__ import annotations

import re

from . import lexicon as lx
from .forms import Item, Reader
from .text import Unit, clauses, sentences, span_of

_VALUE_KINDS = ("frac", "pct", "median", "mean_sd", "count", "n", "range")
_ADJ_BEFORE = re.compile(r"[\s:]*(?:\[\d+\]\s*)*(?:分别为|分别|为|是|was|were|of|in|:)?[\s:]*\(?\s*$")
_ADJ_AFTER = re.compile(r"[\s)]*(?:例次|人次|例|个|次|名|人|patients)?[\s)]*(?:仅|的)?")
_GAP_JUNK = re.compile(r"\([^()\d]*\)|[()%]|" + lx.TIME_UNIT_RE + "|" + lx.COUNT_UNIT_RE
                       + r"|分别|的|\s+")
_SEP_OK = re.compile(r"(?:、|,|和|与|及|vs\.?|VS|v|versus|and|or|/|比|,and|、和|,和)?")
_SLOT_SEP = re.compile(r"vs\.?|VS|v|versus")
_WINDOW = re.compile(r"(?<![\d.])(\d+) ?(?:天|日)(?:内|以内)|within (\d+) days")
_HR_FOLLOWS = re.compile(r"^ ?(?:月|个月|months?|周|weeks?|%|例|\))? ?\)? ?[(,] ?$")
_PAREN_WORDS = re.compile(r"\([^()\d]*\)")
_AFTER_LABEL = re.compile(rf"^ ?%? ?\)? ?(?:in|for) (?:the )?(?P<a>{lx._ARM_ALT})")


class Annotator:
    """Annotate every item of a reader (in place).

    Examples
    --------
    >>> from helpers.extract.text import layout, normalise
    >>> text = "## 1. Results\\n\\nPFS was 8.3 vs 5.1 months in the experimental and control groups, respectively.\\n"
    >>> nt = normalise(text)
    >>> reader = Reader(nt, layout(nt, len(text)), len(text))
    >>> reader.read()
    >>> Annotator(reader).run()
    >>> [(n.value, n.quantity, n.endpoint, n.arm) for it in reader.items for n in it.nums]
    [('8.3', 'median', 'pfs', 'experimental'), ('5.1', 'median', 'pfs', 'control')]
    """

    def __init__(self, reader: Reader):
        self.r, self.t = reader, reader.t
        self.by_unit: dict[int, list[Item]] = {}
        for it in reader.items:
            self.by_unit.setdefault(it.unit.start, []).append(it)
        for items in self.by_unit.values():
            items.sort(key=lambda i: i.start)
        self.series_of: dict[int, list[list[Item]]] = {}
        self._sent: dict[int, list[tuple[int, int]]] = {}

    # ------------------------------------------------------------------ spans
    def sentence(self, u: Unit, pos: int) -> tuple[int, int]:
        """The sentence (split at 。 ; ! ? and a full stop) around ``pos`` in unit ``u``."""
        if u.start not in self._sent:
            self._sent[u.start] = sentences(self.t, u.start, u.end) or [(u.start, u.end)]
        return span_of(self._sent[u.start], pos)

    def full_sentence(self, u: Unit, pos: int) -> tuple[int, int]:
        """The sentence around ``pos`` up to 。 ! ? or a full stop (semicolons do not end it)."""
        key = -u.start - 1
        if key not in self._sent:
            spans = sentences(self.t, u.start, u.end)
            merged: list[tuple[int, int]] = []
            for a, b in spans:
                if merged and self.t[merged[-1][1] - 1] in ";；":
                    merged[-1] = (merged[-1][0], b)
                else:
                    merged.append((a, b))
            self._sent[key] = merged or [(u.start, u.end)]
        return span_of(self._sent[key], pos)

    def clause(self, u: Unit, pos: int) -> tuple[int, int]:
        """The comma-separated clause (outside brackets) around ``pos`` in unit ``u``."""
        s, e = self.sentence(u, pos)
        return span_of(clauses(self.t, s, e), pos)

    def run(self) -> None:
        """Annotate endpoints, series, arms, timepoints and quantities of every item."""
        for items in self.by_unit.values():
            for it in items:
                if it.kind not in ("hr", "or", "p", "se"):
                    self.endpoint(it)
            self.find_series(items)
            for it in items:
                if it.kind in ("hr", "or", "p", "se"):
                    self.endpoint(it)
            self.timepoints(items)
            self.arms(items)
        for it in self.r.items:
            for n in it.nums:
                if n.quantity == "percent" and n.timepoint and n.endpoint in lx.TIME_TO_EVENT:
                    n.quantity = "rate"

    # ------------------------------------------------------------------ endpoint
    def set_term(self, it: Item, term: lx.Term | None, how: str) -> None:
        """Give every number of an item the endpoint, subgroup and verbatim term of ``term``."""
        it.term = term
        for n in it.nums:
            if n.role in ("study_n", "arm_n", "enrolled") or (n.role == "among" and n.quantity == "n"):
                continue
            if term is not None:
                n.endpoint, n.subgroup = term.endpoint, term.subgroup
                n.term = self.r.norm.source[slice(*self.r.norm.span(term.start, term.end))]
            else:
                n.conf = round(n.conf * 0.8, 2)
                n.notes.append("no endpoint term found")
            if how:
                n.notes.append(how)

    def endpoint(self, it: Item) -> None:
        """Find the endpoint term of an item (rules in the module docstring)."""
        if it.term is not None:
            self.set_term(it, it.term, "")
            return
        if it.kind == "study_n":
            return
        terms = self.r.unit_terms(it.unit)
        cs, ce = self.clause(it.unit, it.start)
        ss, se = self.sentence(it.unit, it.start)
        if it.kind in ("hr", "or", "p", "se"):
            return self.comparison_endpoint(it, terms, ss, se)
        prev_end = max([i.end for i in self.by_unit[it.unit.start] if i.end <= it.start] + [it.unit.start])
        for t in reversed(terms):
            if max(prev_end, cs) <= t.start and t.end <= it.start and _ADJ_BEFORE.fullmatch(self.t[t.end:it.start]):
                return self.set_term(it, t, "")
        m = _ADJ_AFTER.match(self.t, it.end)
        for t in terms:
            if t.start == m.end() and t.start < ce + 12 and not self.governs_next(t):
                return self.set_term(it, t, "")
        close = self.closing_paren(it.end, ss, se)
        for lo, hi in ((cs, ce), (ss, se)):  # never beyond the sentence: a wrong term is worse than none
            before = [t for t in terms if lo <= t.start and t.end <= it.start]
            if before:
                return self.set_term(it, before[-1], "")
            nxt = min([i.start for i in self.by_unit[it.unit.start] if i.start >= max(it.end, close)] + [se])
            after = [t for t in terms if it.end <= t.start < min(max(hi, close), nxt)
                     and not self.governs_next(t)]
            if after:
                return self.set_term(it, after[0], "")
        self.set_term(it, None, "")

    def governs_next(self, t: lx.Term) -> bool:
        """Whether a value follows the term (``OS 31.7 月``): the term then names that value."""
        return re.match(r"(?: ?(?:分别为|分别|为|是|:|was|were|of))* ?(?:\d|NR)", self.t[t.end:t.end + 12]) is not None

    def closing_paren(self, pos: int, lo: int, hi: int) -> int:
        """End of the bracket that is open at ``pos`` (``pos`` when none is open)."""
        depth = 0
        for i in range(pos - 1, lo - 1, -1):
            ch = self.t[i]
            if ch == ")":
                depth += 1
            elif ch == "(":
                if depth == 0:
                    break
                depth -= 1
        else:
            return pos
        depth = 0
        for i in range(pos, hi):
            ch = self.t[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    return i + 1
                depth -= 1
        return pos

    def comparison_endpoint(self, it: Item, terms: list[lx.Term], ss: int, se: int) -> None:
        """Endpoint of a hazard ratio, odds ratio or p-value (and of a standard error)."""
        prev = self.previous(it)
        gap = _PAREN_WORDS.sub("", self.t[prev.end:it.start]) if prev is not None else ""
        if prev is not None and (prev.kind in ("hr", "or", "p") and re.fullmatch(r"[ ,;]*", gap)
                                 or prev.kind not in ("hr", "or", "p", "study_n") and _HR_FOLLOWS.match(gap)):
            return self.inherit(it, prev)
        adjacent = [t for t in terms if t.time_to_event and t.end <= it.start
                    and re.fullmatch(r"[ (:]*", self.t[t.end:it.start])]
        if adjacent:
            return self.set_term(it, adjacent[-1], "")
        _, ce = self.clause(it.unit, it.start)
        for t in terms:
            if it.end <= t.start < ce and re.search(r"(?:是|为|与|对|for|of|on)[^,;。()]{0,5}$",
                                                    self.t[max(it.end, t.start - 8):t.start]):
                if t.endpoint:
                    it.factor = True  # type: ignore[attr-defined]  (a factor list: 腺癌(HR …)是 PFS …因素)
                    return self.set_term(it, t, "endpoint named after the figure")
        lo = prev.end if prev is not None and prev.end > ss else ss
        before = [t for t in terms if lo <= t.start and t.end <= it.start and (
            t.time_to_event or not re.match(r" ?\(", self.t[t.end:t.end + 2]))]
        if before:
            return self.set_term(it, before[-1], "")
        earlier = [t for t in terms if t.end <= it.start and t.endpoint]
        if earlier:
            return self.set_term(it, earlier[-1], "")
        after = [t for t in terms if it.end <= t.start < se and t.endpoint]
        self.set_term(it, after[0] if after else None, "endpoint named after the figure" if after else "")

    def previous(self, it: Item) -> Item | None:
        """The item printed just before ``it`` in its unit (None for the first)."""
        items = self.by_unit[it.unit.start]
        k = items.index(it)
        return items[k - 1] if k > 0 else None

    def inherit(self, it: Item, prev: Item) -> None:
        """An HR, OR, p or SE printed right after figures annotates them: same endpoint and term."""
        src = next((n for n in prev.nums if n.quantity != "n" or len(prev.nums) == 1), prev.nums[0])
        for n in it.nums:
            n.endpoint, n.subgroup, n.term = src.endpoint, src.subgroup, src.term
            if n.quantity != "hr" and prev.kind in ("hr", "or", "p"):
                n.timepoint = src.timepoint  # the p of an OR at 12 weeks is at 12 weeks too
        it.term = prev.term
        it.inherits = prev  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ series
    def find_series(self, items: list[Item]) -> None:
        """Consecutive figures of one kind printed as a list: ``a 和 b``, ``a vs b``, ``a、b 和 c``."""
        runs: list[list[Item]] = []
        for it in items:
            if it.kind not in ("frac", "pct", "median", "mean_sd", "count", "range") or it.kind == "range":
                continue
            prev = runs[-1][-1] if runs else None
            if prev is not None and self.joins(prev, it):
                runs[-1].append(it)
            else:
                runs.append([it])
        for run in runs:
            for it in run:
                it.series = run  # type: ignore[attr-defined]

    def joins(self, a: Item, b: Item) -> bool:
        """Whether item ``b`` continues the list that item ``a`` is part of."""
        family = {"frac": "p", "pct": "p", "median": "m", "mean_sd": "m", "count": "c"}
        if family.get(a.kind) != family.get(b.kind) or self.sentence(a.unit, a.start) != self.sentence(b.unit, b.start):
            return False
        gap = self.t[a.end:b.start]
        if a.term is not None and b.term is not None and a.term.endpoint != b.term.endpoint:
            return False
        if a.term is not None:
            gap = gap.replace(a.term.text, "")
        if any(lx_term for lx_term in self.r.unit_terms(a.unit) if a.end <= lx_term.start < b.start
               and (a.term is None or lx_term.text != a.term.text)):
            return False
        return _SEP_OK.fullmatch(_GAP_JUNK.sub("", gap)) is not None

    @staticmethod
    def slots(run: list[Item], t: str) -> list[list[Item]]:
        """The arm slots of a list: ``vs`` separates arms when printed, ``/`` never does."""
        gaps = [_GAP_JUNK.sub("", t[a.end:b.start]) for a, b in zip(run, run[1:])]
        by_vs = any(_SLOT_SEP.fullmatch(g) for g in gaps)
        out = [[run[0]]]
        for g, it in zip(gaps, run[1:]):
            new = _SLOT_SEP.fullmatch(g) if by_vs else g != "/"
            if new:
                out.append([it])
            else:
                out[-1].append(it)
        return out

    # ------------------------------------------------------------------ timepoints
    def timepoints(self, items: list[Item]) -> None:
        """Landmark labels and event windows give the figures after them their timepoints."""
        for lab in (lb for lb in self.r.labels if lb.unit.start == items[0].unit.start):
            ss, se = self.sentence(lab.unit, lab.start)
            nxt_lab = min([lb.start for lb in self.r.labels if lb.unit is lab.unit and lb.start > lab.start] + [se])
            first = next((it for it in items if lab.end <= it.start < nxt_lab and it.kind in ("frac", "pct", "range")), None)
            if first is None:
                continue
            run = getattr(first, "series", [first])
            slots = self.slots(run, self.t)
            if len(lab.points) == 1:
                for it in run:
                    self.set_timepoint(it, lab.points[0])
            elif len(lab.points) == len(slots):
                for pt, slot in zip(lab.points, slots):
                    for it in slot:
                        self.set_timepoint(it, pt)
        u = items[0].unit
        for w in _WINDOW.finditer(self.t, u.start, u.end):
            # a window (``60 天内``) dates the counts of its clause, else of the clause before it
            ss, se = self.sentence(u, w.start())
            spans = clauses(self.t, ss, se)
            k = spans.index(span_of(spans, w.start()))
            for cs, ce in (spans[k], spans[k - 1] if k else spans[k]):
                inside = [it for it in items if cs <= it.start < ce and it.kind in ("frac", "count", "pct")]
                for it in inside:
                    for n in it.nums:
                        n.timepoint = n.timepoint or f"{w.group(1) or w.group(2)}d"
                if inside:
                    break
        for it in items:
            if it.kind in ("or", "p", "se") and getattr(it, "inherits", None) is not None:
                src = it.inherits.nums[-1]  # type: ignore[attr-defined]
                for n in it.nums:
                    n.timepoint = n.timepoint or src.timepoint

    @staticmethod
    def set_timepoint(it: Item, point: str) -> None:
        """Set a timepoint on an item's numbers that have none."""
        for n in it.nums:
            n.timepoint = n.timepoint or point

    # ------------------------------------------------------------------ arms
    def orders(self, u: Unit) -> list[tuple[int, int, list[str]]]:
        """Arm-order phrases of a unit: (start, end, arms in order)."""
        out = [(m.start(), m.end(), lx.arm_order(m.group())) for m in lx.ORDER_RE.finditer(self.t, u.start, u.end)]
        return [o for o in out if len(o[2]) >= 2]

    def labels(self, u: Unit, orders) -> list[tuple[int, int, str]]:
        """Single arm words of a unit that are not part of an order phrase: (start, end, arm)."""
        out = []
        for m in lx.ARM_RE.finditer(self.t, u.start, u.end):
            if any(a <= m.start() < b for a, b, _ in orders):
                continue
            arm = lx.arm_label(m.group())
            if arm:
                out.append((m.start(), m.end(), arm))
        return out

    def header_order(self, u: Unit) -> list[str]:
        """The arm order a table's column header or caption announces (``试验组 vs 对照组``)."""
        if u.row is None:
            return []
        text = u.header
        for s, e in self.r.lay.captions.get(u.row.table, []):
            text += " " + self.t[s:e]
        m = lx.ORDER_RE.search(text)
        return lx.arm_order(m.group()) if m else []

    def arms(self, items: list[Item]) -> None:
        """Assign arms to the items of one unit: series by announced order, single figures by label."""
        u = items[0].unit
        orders = self.orders(u)
        labels = self.labels(u, orders)
        prev_orders = self.previous_orders(u)
        done: set[int] = set()
        for it in items:
            run = getattr(it, "series", None)
            if not run or run[0] is not it or it.id in done:
                continue
            slots = self.slots(run, self.t)
            done.update(i.id for i in run)
            if len(slots) < 2:
                continue
            ss, se = self.sentence(u, run[0].start)
            after = [o for o in orders if run[-1].end <= o[0] < se]
            before = [o for o in orders if o[1] <= run[0].start] or prev_orders
            order = (after[0][2] if after else before[-1][2] if before else self.header_order(u))
            if len(order) != len(slots):
                for slot in slots:
                    for x in slot:
                        self.label_arm(x, labels, inside_only=True)
                continue
            start = run[0].start
            for arm, slot in zip(order, slots):
                for x in slot:
                    if not self.label_arm(x, labels, inside_only=True, lo=start):
                        self.set_arm(x, arm, "arm from the announced order")
                start = slot[-1].end
        for it in items:
            sizes = [n for n in it.nums if n.role == "arm_n"]
            order = self.header_order(u) if sizes else []
            if sizes and len(order) == len(sizes):
                for n, arm in zip(sizes, order):
                    n.arm = arm
                    n.notes.append("arm sizes in the order of the table header")
            if it.id in done and any(n.arm for n in it.nums):
                continue
            if it.kind in ("hr", "or", "p"):
                self.label_arm(it, labels, hr=True)
            elif it.kind != "se":
                self.label_arm(it, labels)
        for it in items:  # a standard error belongs to the arm of the figure it follows
            src = getattr(it, "inherits", None)
            if it.kind == "se" and src is not None and src.nums[0].arm:
                self.set_arm(it, src.nums[0].arm, "arm of the figure it follows")

    def previous_orders(self, u: Unit) -> list[tuple[int, int, list[str]]]:
        """Order phrases of the previous paragraph when this one continues it after a page break."""
        if u.kind != "text":
            return []
        units = self.r.lay.units
        k = units.index(u)
        if k == 0 or units[k - 1].kind != "text" or units[k - 1].section != u.section:
            return []
        prev = units[k - 1]
        if re.search(r"[。.;]\s*$", self.t[prev.start:prev.end]):
            return []
        return self.orders(prev)

    def label_arm(self, it: Item, labels, inside_only: bool = False, lo: int | None = None, hr: bool = False) -> bool:
        """Give an item the arm of a label next to it (after it, or before it in its sentence)."""
        m = _AFTER_LABEL.match(self.t[it.end:it.end + 40])
        if m and lx.ORDER_RE.match(self.t, it.end + m.start("a")):
            m = None  # an order phrase (``in the experimental and control groups``), not a label
        if m and not hr:
            return self.set_arm(it, lx.arm_label(m.group("a")), "arm labelled after the figure")
        ss, _ = self.full_sentence(it.unit, it.start)  # a label holds through semicolons
        lo = ss if lo is None else max(lo, ss)
        cand = [lab for lab in labels if lo <= lab[0] and lab[1] <= it.start]
        if inside_only:  # a label inside a series, or right before its first figure
            prev = [i for i in self.by_unit[it.unit.start] if i.end <= it.start]
            floor = max([i.end for i in prev] + [lo])
            cand = [lab for lab in cand if lab[0] >= floor and (lab[0] > lo or re.fullmatch(
                r"[\s:]*(?:[A-Za-z\u4e00-\u9fff]{1,8})?[\s:]*", self.t[lab[1]:it.start]))]
        if hr and cand:
            between = [i for i in self.by_unit[it.unit.start] if cand[-1][1] <= i.start < it.start
                       and i.kind not in ("hr", "or", "p")]
            if between:
                return False
        if cand:
            return self.set_arm(it, cand[-1][2], "arm labelled before the figure")
        return False

    @staticmethod
    def set_arm(it: Item, arm: str, note: str) -> bool:
        """Set an arm on an item's numbers that have none (the study N keeps its own)."""
        for n in it.nums:
            if n.role != "study_n" and not n.arm:
                n.arm = arm
                n.notes.append(note)
        return True
