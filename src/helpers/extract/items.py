"""The records the recognisers produce: numbers, items (numbers read together) and time labels."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import lexicon as lx
from .text import Unit


def G(name: str) -> str:
    """A named number group with whole-token boundaries.

    Examples
    --------
    >>> import re
    >>> re.search(G("v"), "HR 0.64,").group("v")
    '0.64'
    """
    return rf"(?<![\d.])(?P<{name}>\d+(?:\.\d+)?)(?!\d|\.\d)"


def GI(name: str) -> str:
    """A named integer group with whole-token boundaries.

    Examples
    --------
    >>> import re
    >>> re.search(GI("n"), "9.5 and 42").group("n")
    '42'
    """
    return rf"(?<![\d.])(?P<{name}>\d+)(?!\d|\.\d)"


@dataclass
class Num:
    """One number proposed as a value (normalised position ``pos``).

    Examples
    --------
    >>> n = Num(10, "21.4", "percent", "pct", 0.8, unit="percent")
    >>> n.end, n.bound, n.arm
    (14, 'point', '')
    """

    pos: int
    value: str
    quantity: str
    form: str
    conf: float
    unit: str = ""
    comparator: str = "="
    bound: str = "point"
    item: int = -1
    count: "Num | None" = None
    den: "Num | None" = None
    total: "Num | None" = None
    partition: str = ""
    endpoint: str = ""
    term: str = ""
    subgroup: str = ""
    arm: str = ""
    timepoint: str = ""
    notes: list[str] = field(default_factory=list)
    role: str = ""

    @property
    def end(self) -> int:
        """Normalised position just after the number."""
        return self.pos + len(self.value)


@dataclass
class Item:
    """Numbers one form recognised together (e.g. the three of ``x/n (p%)``)."""

    id: int
    unit: Unit
    start: int
    end: int
    kind: str
    nums: list[Num]
    term: lx.Term | None = None


@dataclass
class Label:
    """A landmark-time label (``1、3 和 5 年``): the timepoints, in order."""

    unit: Unit
    start: int
    end: int
    points: list[str]
