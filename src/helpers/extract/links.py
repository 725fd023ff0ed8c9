"""Links between proposed numbers that the printed forms show beyond a single fraction.

* **denominators printed first**: ``27 例进展患者中, 11 例(41%)``, ``Of the 52 patients, 38%
  responded`` -- the N is the denominator of the counts and percentages after it;
* **references**: the table row's, else the citation nearest the figure in its sentence, else
  the last one cited before it in the section's paragraphs;
* **partitions** (``partition_id``, ``total_id``): the arm sizes of a comparison (the
  denominators of ``x/n1 vs y/n2``, or of figures labelled by arm in one cell) add up to the
  study's N; response categories (CR/PR/SD/PD) and failure patterns of one arm are parts of a
  whole (their common printed denominator, the study's N, or the count of progressions printed
  before them); the breakdown of new lesions (``9 例新病灶, 4 例单独新病灶, 5 例新病灶和原位
  进展``); the shares of one sentence (``占 21.3%, … 占 30.2%, … 占 48.5%``).

Nothing here judges whether the parts add up: that is the audit's work.
"""
from __future__ import annotations

import re

from . import lexicon as lx
from .forms import Item, Num, Reader
from .text import cited_refs

_ABLATION = frozenset({"complete_ablation", "partial_ablation"})
_NEW_PARTS = frozenset({"new_lesion_only", "new_lesion_and_local_progression"})
_PROGRESSION = lx.FAILURE - {"new_lesion"} - _NEW_PARTS
_CITE_GROUP = re.compile(r"(?:\[\d+\](?:\s*[-–]\s*\[\d+\])?\s*)+")
_SUBGROUP = re.compile(r"人群|亚组|阴性|阳性|subgroup|negative|positive|patients with")


def link_among(reader: Reader, ann) -> None:
    """A denominator printed before its counts: ``N 例…中``, ``of the N patients``.

    Examples
    --------
    >>> from helpers.extract.annotate import Annotator
    >>> from helpers.extract.text import layout, normalise
    >>> text = "## 1. Results\\n\\nOf the 52 patients, 11 (21.2%) had local progression.\\n"
    >>> nt = normalise(text)
    >>> reader = Reader(nt, layout(nt, len(text)), len(text))
    >>> reader.read()
    >>> ann = Annotator(reader)
    >>> ann.run()
    >>> link_among(reader, ann)
    >>> sorted((n.pos, n.value, n.den.value if n.den else "") for it in reader.items for n in it.nums)
    [(22, '52', ''), (35, '11', '52'), (39, '21.2', '52')]
    """
    for pos, among in reader.among.items():
        it0 = next(i for i in reader.items if i.id == among.item)
        _, se = ann.sentence(it0.unit, pos)
        for it in ann.by_unit[it0.unit.start]:
            if pos < it.start < se and it.kind in ("frac", "pct", "count"):
                for n in it.nums:
                    if n.quantity in ("count", "percent") and n.den is None and n is not among:
                        n.den = among
                        n.notes.append("denominator printed before it (N 例…中 / of the N …)")


def _study_total(items: list[Item], it: Item) -> Num | None:
    """The study's N printed in the item's table row, or earlier in its paragraph (纳入 N 例)."""
    for i in items:
        if it.unit.row is not None and i.unit.row is it.unit.row:
            for n in i.nums:
                if n.role == "study_n":
                    return n
    before = [n for i in items if i.unit.start == it.unit.start and i.start < it.start for n in i.nums
              if n.role in ("enrolled", "study_n") and n.quantity == "n"]
    return before[-1] if before else None


def link_partitions(items: list[Item], ann, prefix_of) -> None:
    """Set ``partition`` and ``total`` on the numbers whose printed form shows a whole and its parts.

    Examples
    --------
    >>> from helpers.extract.annotate import Annotator
    >>> from helpers.extract.text import layout, normalise
    >>> text = "## 1. 结果\\n\\n鳞癌占 21.3%, 腺癌占 30.2%, 其他占 48.5%。\\n"
    >>> nt = normalise(text)
    >>> reader = Reader(nt, layout(nt, len(text)), len(text))
    >>> reader.read()
    >>> ann = Annotator(reader)
    >>> ann.run()
    >>> link_partitions(reader.items, ann, lambda n: "s1")
    >>> [(n.value, n.endpoint, n.partition) for it in reader.items for n in it.nums]
    [('21.3', 'share', 's1_part_1'), ('30.2', 'share', 's1_part_1'), ('48.5', 'share', 's1_part_1')]
    """
    groups: list[tuple[str, list[Num], Num | None]] = []
    in_group: set[int] = set()

    def add(kind: str, nums: list[Num], total: Num | None) -> None:
        """Record a group of at least two numbers not yet in a group."""
        nums = [n for n in nums if id(n) not in in_group]
        if len(nums) >= 2:
            groups.append((kind, nums, total))
            in_group.update(id(n) for n in nums)

    # arm sizes: the denominators of the arms of one comparison
    seen: set[int] = set()
    for it in items:
        run = getattr(it, "series", None)
        if not run or run[0] is not it or it.id in seen:
            continue
        seen.update(i.id for i in run)
        dens = []
        for x in run:
            d = next((n.den for n in x.nums if n.den is not None and n.den.role not in ("study_n", "enrolled")), None)
            if d is not None and d.arm and d.arm != "total" and d.arm not in {e.arm for e in dens}:
                dens.append(d)
        if len(dens) >= 2:
            cs = ann.clause(it.unit, it.start)[0]
            subgroup = _SUBGROUP.search(ann.t, cs, it.start)  # a subgroup's arms are not the trial's
            add("arms", dens, None if subgroup else _study_total(items, it))
    by_unit: dict[int, dict[str, Num]] = {}
    for it in items:
        for n in it.nums:
            if n.quantity == "n" and n.arm not in ("", "total") and n.role == "" and id(n) not in in_group:
                by_unit.setdefault(it.unit.start, {}).setdefault(n.arm, n)
    for arms in by_unit.values():
        if len(arms) >= 2:  # denominators labelled by arm: maybe arm sizes, maybe subsets; no total
            for n in arms.values():
                n.notes.append("partition: denominators labelled by arm (arm sizes?)")
            add("arms", list(arms.values()), None)
    # parts of a whole
    fam: dict[tuple, list[Num]] = {}
    for it in items:
        full = ann.full_sentence(it.unit, it.start)
        for n in it.nums:
            if n.role == "arm_n" and n.total is not None:
                fam.setdefault(("study_arms", n.total.pos), []).append(n)
            elif n.quantity == "count" and n.endpoint in lx.RESPONSE:
                fam.setdefault(("resp", it.unit.start, n.arm), []).append(n)
            elif n.quantity == "count" and n.endpoint in _PROGRESSION:
                fam.setdefault(("fail", it.unit.start, n.arm), []).append(n)
            elif n.quantity == "count" and n.endpoint in _NEW_PARTS | {"new_lesion"}:
                fam.setdefault(("new", it.unit.start, n.arm), []).append(n)
            elif n.quantity == "count" and n.endpoint in _ABLATION:
                fam.setdefault(("ablation", it.unit.start, n.arm), []).append(n)
            elif n.quantity == "percent" and n.endpoint == "share" and n.bound == "point":
                fam.setdefault(("share", full), []).append(n)
    for key, nums in fam.items():
        kind = key[0]
        total = None
        if kind == "new":
            whole = [n for n in nums if n.endpoint == "new_lesion"]
            nums = [n for n in nums if n.endpoint in _NEW_PARTS]
            total = whole[-1] if whole and len(nums) >= 2 else None
        elif kind != "study_arms" and len({n.endpoint for n in nums} | {n.subgroup for n in nums}) < 2:
            continue
        if kind == "study_arms":
            total = nums[0].total
        elif all(n.den is not None for n in nums) and len({n.den.value for n in nums}) == 1:  # type: ignore[union-attr]
            total = nums[0].den  # parts of one printed denominator (9/40, 23/40): it is their whole
        elif kind == "resp":
            total = _study_total(items, next(i for i in items if i.id == nums[0].item))
        elif kind == "fail":
            first = min(n.pos for n in nums)
            prog = [m for i in items if i.unit.start == key[1] for m in i.nums
                    if m.endpoint == "progression" and m.quantity == "count" and m.pos < first and m.arm == key[2]]
            total = prog[-1] if prog else None
        add(kind, nums, total)
    for k, (kind, nums, total) in enumerate(sorted(groups, key=lambda g: min(n.pos for n in g[1])), start=1):
        pid = f"{prefix_of(nums[0])}_part_{k}"
        for n in nums:
            n.partition = pid
            if total is not None and total is not n and n.total is None:
                n.total = total


def refs_of(reader: Reader, ann, it: Item) -> list[int]:
    """The reference numbers the review prints for an item (see module docstring).

    Examples
    --------
    >>> from helpers.extract.text import layout, normalise
    >>> text = "## 2. Trials\\n\\nOkafor [4] enrolled 52 patients. PFS 7.4 months [5].\\n"
    >>> nt = normalise(text)
    >>> reader = Reader(nt, layout(nt, len(text)), len(text))
    >>> reader.read()
    >>> from helpers.extract.annotate import Annotator
    >>> ann = Annotator(reader)
    >>> [refs_of(reader, ann, it) for it in sorted(reader.items, key=lambda i: i.start)]
    [[4], [5]]
    """
    u = it.unit
    if u.row is not None:
        return list(u.row.refs)
    t = reader.t
    ss, se = ann.sentence(u, it.start)
    first = min(u.start, ss)
    for prev in reversed(ann.r.lay.units[:ann.r.lay.units.index(u)]):
        if prev.kind != "text" or prev.section != u.section:
            break
        first = min(first, prev.start)
    groups = [(m.start(), m.end()) for m in _CITE_GROUP.finditer(t, first, se)]
    after = [g for g in groups if it.end <= g[0] < se]
    if after:
        return cited_refs(t[after[0][0]:after[0][1]])
    before = [g for g in groups if ss <= g[0] and g[1] <= it.start]
    if before:
        return cited_refs(t[before[-1][0]:before[-1][1]])
    earlier = [g for g in groups if g[1] <= it.start]  # the last cited in this section's paragraphs
    if earlier:
        return cited_refs(t[earlier[-1][0]:earlier[-1][1]])
    return []

