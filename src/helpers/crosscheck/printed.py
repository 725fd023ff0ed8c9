"""Printed numbers: parse ``'< .001'``, ``'14.60'``, ``'NR'`` and compare two prints, rounding-aware.

Agreement rule for two printed numbers (both with comparator ``=``): a printed number with
*d* decimals stands for the closed interval ``[x - 0.5·10^-d, x + 0.5·10^-d]``.  The pair
agrees when the source value lies inside the review's interval, or the review value lies
inside the source's interval (the source printed fewer decimals).  Inequalities
(``<``, ``≤``, ``>``, ``≥``) are turned into half-lines: the review is *confirmed* when the
source's set lies inside the review's, *contradicted* when the two sets are disjoint, and
*not_checkable* otherwise (e.g. review ``P = 0.0007`` against source ``P < 0.001``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

NOT_REACHED = {"nr", "not reached", "未达到"}
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_CMP_ALIASES = {"": "=", "=": "=", "<": "<", ">": ">", "≤": "≤", "<=": "≤", "≥": "≥", ">=": "≥"}


def norm(x: object) -> str:
    """A cell as a stripped string; None and NaN become ''.

    Examples
    --------
    >>> norm(float("nan")), norm(" 3 ")
    ('', '3')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return str(x).strip()


def shown_source(identifier: str) -> str:
    """A source identifier as shown in a sentence: web addresses without their scheme.

    Examples
    --------
    >>> shown_source("http://www.example.org/news/1"), shown_source("doi:10.1/x")
    ('www.example.org/news/1', 'doi:10.1/x')
    """
    return re.sub(r"^https?://", "", norm(identifier))


# --------------------------------------------------------------------------- parsing
@dataclass(frozen=True)
class Printed:
    """A printed number: comparator, value and number of decimals (None if not numeric)."""

    comparator: str
    value: Decimal | None
    decimals: int
    not_reached: bool = False

    @property
    def half_width(self) -> Decimal:
        return Decimal(5) * Decimal(10) ** (-(self.decimals + 1))

    def interval(self) -> tuple[Decimal | float, Decimal | float, bool, bool]:
        """(low, high, low_closed, high_closed) of the set of true values the print allows."""
        x, h = self.value, self.half_width
        if self.comparator == "=":
            return x - h, x + h, True, True
        if self.comparator == "<":
            return -math.inf, x, False, False
        if self.comparator == "≤":
            return -math.inf, x, False, True
        if self.comparator == ">":
            return x, math.inf, False, False
        return x, math.inf, True, False  # ≥


def parse_printed(value: object, comparator: object = "=") -> Printed | None:
    """Parse a number as printed ('21.3', '.041', '< 0.001', '48.2%', 'NR').

    Returns None for blanks and anything that is not a single number.

    Examples
    --------
    >>> parse_printed("14.60").decimals
    2
    >>> parse_printed("< .001").comparator
    '<'
    >>> parse_printed("NR").not_reached
    True
    >>> parse_printed("") is None
    True
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().replace("％", "%").rstrip("%").strip()
    cmp_ = "" if comparator is None or (isinstance(comparator, float) and math.isnan(comparator)) else str(comparator).strip()
    m = re.match(r"^(<=|>=|≤|≥|<|>|=)\s*(.*)$", text)
    if m:
        cmp_, text = m.group(1), m.group(2).strip()
    if cmp_ not in _CMP_ALIASES:
        return None
    cmp_ = _CMP_ALIASES[cmp_]
    if text.lower() in NOT_REACHED:
        return Printed(cmp_, None, 0, not_reached=True)
    if not _NUM.match(text):
        return None
    try:
        dec = Decimal(text)
    except InvalidOperation:  # pragma: no cover - regex already guards
        return None
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return Printed(cmp_, dec, decimals)


def _contains(outer, inner) -> bool:
    lo, hi, loc, hic = outer
    ilo, ihi, iloc, ihic = inner
    left_ok = ilo > lo or (ilo == lo and (loc or not iloc))
    right_ok = ihi < hi or (ihi == hi and (hic or not ihic))
    return left_ok and right_ok


def _disjoint(a, b) -> bool:
    alo, ahi, aloc, ahic = a
    blo, bhi, bloc, bhic = b
    if ahi < blo or bhi < alo:
        return True
    if ahi == blo and not (ahic and bloc):
        return True
    if bhi == alo and not (bhic and aloc):
        return True
    return False


def compare_printed(reported: Printed | None, expected: Printed | None) -> str:
    """Status of a review print against a source print (see module docstring).

    Examples
    --------
    >>> compare_printed(parse_printed("21.3"), parse_printed("21.25"))
    'confirmed'
    >>> compare_printed(parse_printed("8.9"), parse_printed("8.7"))
    'contradicted'
    >>> compare_printed(parse_printed("0.0007"), parse_printed("< 0.001"))
    'not_checkable'
    """
    if reported is None or expected is None:
        return "not_checkable"
    if reported.not_reached or expected.not_reached:
        if reported.not_reached and expected.not_reached:
            return "confirmed"
        # a printed median against "not reached": the two cannot both hold
        return "contradicted"
    if reported.comparator == "=" and expected.comparator == "=":
        r_lo, r_hi, *_ = reported.interval()
        e_lo, e_hi, *_ = expected.interval()
        if r_lo <= expected.value <= r_hi or e_lo <= reported.value <= e_hi:
            return "confirmed"
        return "contradicted"
    r_int, e_int = reported.interval(), expected.interval()
    if _contains(r_int, e_int):
        return "confirmed"
    if _disjoint(r_int, e_int):
        return "contradicted"
    return "not_checkable"
