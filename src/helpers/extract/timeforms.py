"""Recognisers of times: landmark labels (``1、3 和 5 年 OS``) and medians (``PFS 分别 a 和 b 月``).

A mixin of :class:`helpers.extract.forms.Reader` (it uses the reader's tokens, claims and terms).
"""
from __future__ import annotations

import re

from . import lexicon as lx
from .items import GI, G, Label, Num
from .text import Unit

LABEL_ZH_RE = re.compile(
    rf"(?P<lab>(?:{GI('a')} ?(?:年|周|个月|月|天)? ?(?:、|,|和|及|与|或)+ ?)*{GI('z')})"
    r" ?(?P<u>年|周|个月|月|天|W|w)(?P<tail> ?(?:的|时)? ?)")
LABEL_EN_RE = re.compile(
    r"(?<![A-Za-z])(?P<lab>(?:(?:one|two|three|four|five|six|ten|twelve|\d+)(?:-|–)?(?: ?,)? ?(?:and |or )?)+)"
    r"(?:-| )(?P<u>years?|months?|weeks?|days?)(?:-| )(?:the |overall |median )?")
LABEL_AFTER_RE = re.compile(
    r"(?<![A-Za-z])(?:at|after) (?:(?P<u1>week|month|year) (?P<w1>one|two|three|four|five|six|twelve|\d+)"
    r"|(?P<w2>one|two|three|four|five|six|twelve|\d+) (?P<u2>weeks?|months?|years?))")
FILLER_RE = re.compile(r"(?: ?(?:分别为|分别是|分别|为|是|达|:|=|\(|时间|中位|median|was|were|is|of|reached))*")
TTE_SEP_RE = re.compile(r" ?(?:、|,|和|与|及|vs\.?|VS|v|versus|and|or|/) ?")
UNIT_AFTER_RE = re.compile(rf" ?\)? ?(?P<u>{lx.TIME_UNIT_RE})")
PAREN_WORDS_RE = re.compile(r" ?\([^()\d]{0,20}\)")
TIME_VALUE_RE = re.compile(rf"(?:{G('v')}|(?P<nr>NR)) ?(?P<u>{lx.TIME_UNIT_RE})")


class TimeForms:
    """Landmark-time labels and medians; mixed into the reader.

    Examples
    --------
    >>> from helpers.extract.forms import Reader
    >>> from helpers.extract.text import layout, normalise
    >>> text = "## 1. 结果\\n\\nPFS 分别 11.3 和 7.8 月, 1、2 和 3 年 OS 分别 88.1%、70.4% 和 55.0%。\\n"
    >>> nt = normalise(text)
    >>> reader = Reader(nt, layout(nt, len(text)), len(text))
    >>> reader.read()
    >>> [lab.points for lab in reader.labels]
    [['1y', '2y', '3y']]
    >>> [(n.value, n.unit) for it in reader.items if it.kind == "median" for n in it.nums]
    [('11.3', 'months'), ('7.8', 'months')]
    """

    def _search(self, rx: re.Pattern, u: Unit):
        """Matches of ``rx`` in a unit; a rejected match is retried one character later."""
        pos = u.start
        while pos < u.end:
            m = rx.search(self.t, pos, u.end)
            if not m:
                return
            accepted = yield m
            pos = m.end() if accepted else m.start() + 1

    def landmark_labels(self, u: Unit) -> None:
        """Chinese labels (``1、3 和 5 年``), then English ones."""
        search = self._search(LABEL_ZH_RE, u)
        m = next(search, None)
        while m is not None:
            ok = self._zh_label(u, m)
            try:
                m = search.send(ok)
            except StopIteration:
                m = None
        self._other_labels(u)

    def _zh_label(self, u: Unit, m: re.Match) -> bool:
        nums = [(g.start(), g.group()) for g in re.finditer(r"\d+", m.group("lab"))]
        positions = [m.start("lab") + a for a, _ in nums]
        if not self.free(*positions) or "." in m.group("lab"):
            return False
        after = m.end()
        follows = self.term_rx.match(self.t, after) or re.match(r"[A-Z]{2,}", self.t[after:after + 6])
        before = self.t[max(u.start, m.start() - 8):m.start()]
        if not follows or re.search(r"(?:OS|PFS|RFS|生存期?|时间)[: ]*$", before):
            return False
        unit = lx.TIMEPOINT_UNIT[m.group("u")]
        self.labels.append(Label(u, m.start(), m.end(), [f"{int(v)}{unit}" for _, v in nums]))
        for p in positions:
            self.claim_nonstat(p, "definition", "timepoint label of landmark rates")
        return True

    def _other_labels(self, u: Unit) -> None:
        for m in self._matches(LABEL_EN_RE, u):
            if not self.term_rx.match(self.t, m.end()):
                continue
            words = re.findall(r"one|two|three|four|five|six|ten|twelve|\d+", m.group("lab"))
            unit = lx.TIMEPOINT_UNIT[m.group("u")]
            digits = [m.start("lab") + g.start() for g in re.finditer(r"\d+", m.group("lab"))]
            if not all(p in self.tok and p not in self.claimed for p in digits):
                continue
            pts = [f"{lx.WORD_NUMBERS.get(w, w) if not w.isdigit() else int(w)}{unit}" for w in words]
            self.labels.append(Label(u, m.start(), m.end(), pts))
            for p in digits:
                self.claim_nonstat(p, "definition", "timepoint label of landmark rates")
        for m in self._matches(LABEL_AFTER_RE, u):
            w = m.group("w1") or m.group("w2")
            unit = lx.TIMEPOINT_UNIT[(m.group("u1") or m.group("u2")).rstrip("s") + "s"]
            n = int(w) if w.isdigit() else lx.WORD_NUMBERS[w]
            if w.isdigit() and not self.free(m.start("w1") if m.group("w1") else m.start("w2")):
                continue
            self.labels.append(Label(u, m.start(), m.end(), [f"{n}{unit}"]))
            if w.isdigit():
                self.claim_nonstat(m.start("w1") if m.group("w1") else m.start("w2"), "definition",
                                   "timepoint label of landmark rates")

    def medians(self, u: Unit) -> None:
        """Times after a time-to-event term, and decimal times later in its sentence."""
        for term in self.unit_terms(u):
            if term.time_to_event:
                self._median_list(u, term)
        # a time after a time-to-event term earlier in the sentence (``..., 未接受的是 13.8 月``)
        for m in TIME_VALUE_RE.finditer(self.t, u.start, u.end):
            pos = m.start("v") if m.group("v") else m.start("nr")
            if m.group("v") and ("." not in m.group("v") or not self.free(pos)):
                continue
            if m.group("nr") and self._is_value(pos):
                continue
            sent_start = max([u.start] + [i + 1 for i in range(u.start, pos) if self.t[i] in "。;\n"])
            tte = [t for t in self.unit_terms(u) if t.time_to_event and sent_start <= t.start < pos]
            if tte:
                num = Num(pos, m.group("v") or "NR", "median", "median", 0.6, unit=lx.TIME_UNITS[m.group("u")])
                self.new_item(u, pos, m.end(), "median", [num], tte[-1])

    def _is_value(self, pos: int) -> bool:
        return any(n.pos == pos for it in self.items for n in it.nums)

    def _median_list(self, u: Unit, term: lx.Term) -> None:
        pos, found = term.end, []
        fill = FILLER_RE.match(self.t, pos, u.end)
        pos = fill.end()
        while pos < u.end:
            m = re.compile(rf" ?(?:{G('v')}|(?P<nr>NR)(?![A-Za-z]))").match(self.t, pos, u.end)
            if not m:
                break
            vpos = m.start("v") if m.group("v") else m.start("nr")
            if m.group("v") and not self.free(vpos):
                break
            if m.group("nr") and self._is_value(vpos):
                break
            after = m.end()
            if re.match(r" ?(?:%|/|±)", self.t[after:after + 3]):
                break
            un = UNIT_AFTER_RE.match(self.t, after, u.end)
            unit = lx.TIME_UNITS[un.group("u")] if un and "(" not in self.t[after:un.start("u")] else ""
            if unit:
                after = un.end()
            found.append([vpos, m.group("v") or "NR", unit, after])
            par = PAREN_WORDS_RE.match(self.t, after, u.end)
            if par:
                after = par.end()
            sep = TTE_SEP_RE.match(self.t, after, u.end)
            if not sep:
                break
            nxt = sep.end()
            if self.t.startswith(term.text, nxt):
                nxt += len(term.text)
            nxt = FILLER_RE.match(self.t, nxt, u.end).end()
            if not re.match(rf" ?(?:{G('v')}|NR(?![A-Za-z]))", self.t[nxt:nxt + 12]):
                break
            pos = nxt
        # a value without its own unit takes the next unit printed in the list; ``NR`` the next
        # time unit printed after it
        for i in range(len(found) - 1, -1, -1):
            if not found[i][2] and i + 1 < len(found):
                found[i][2] = found[i + 1][2]
            if not found[i][2] and found[i][1] == "NR":
                later = re.search(lx.TIME_UNIT_RE, self.t[found[i][3]:min(u.end, found[i][3] + 40)])
                earlier = re.findall(lx.TIME_UNIT_RE, self.t[max(u.start, found[i][0] - 40):found[i][0]])
                found[i][2] = lx.TIME_UNITS[later.group()] if later else lx.TIME_UNITS[earlier[-1]] if earlier else "-"
        for vpos, value, unit, end in found:
            if unit:  # ``NR`` (not reached) is a median even when no unit is printed near it
                unit = "" if unit == "-" else unit
                num = Num(vpos, value, "median", "median", 0.85, unit=unit)
                self.new_item(u, vpos, end, "median", [num], term)
