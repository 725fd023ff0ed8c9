"""Group flags into distinct defects (one finding per defect).

Rules, all generic (they read only check names, value_ids and the extracted values):

1. **One swap.** ``arms_swapped`` flags of one study between the same two locations are one
   defect; the ``hr_direction_vs_medians`` and ``hr_vs_median_ratio`` flags on the swapped
   medians are its consequences, and source mismatches on swapped values are its evidence.
2. **One printed figure.** Arithmetic flags (``percent_vs_count``, ``impossible_value``,
   ``parts_vs_total``, ``grim_percent``, ``same_quantity_mismatch``, source mismatches) that
   share a value are one defect (a count above its denominator is also a sum above its total).
3. **One wrong value.** Source mismatches of one study printing the same value against the
   same source figure are one defect, wherever printed.
4. **One statement.** Flags of one check that describe the same statement: the same figures
   printed in two places (same study and reported text), a citation attributing figures of one
   other study, a denominator shared by several figures, a table cell's direction words.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..audit.formatting import split_ids
from .numbers import same_number

SWAP = "arms_swapped"
SWAP_CONSEQUENCES = ("hr_direction_vs_medians", "hr_vs_median_ratio")
SOURCE_CHECKS = ("primary_source_mismatch",)
ARITHMETIC = ("percent_vs_count", "impossible_value", "parts_vs_total", "grim_percent", "same_quantity_mismatch",
              "primary_source_mismatch")
#: checks whose flags on the same study with the same ``reported`` text are one statement printed twice
SAME_STATEMENT = ("p_attainable", "p_from_2x2", "or_from_counts", "hr_vs_median_ratio", "hr_direction_vs_medians",
                  "survival_landmark", "survival_exponential", "endpoint_order", "unit_mix", "no_difference_claim",
                  "claim_vs_figures", "landmark_monotonic", "secondary_source_doubt", "source_fact_mismatch")


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _union_by_key(uf: _UnionFind, rows: list[int], keys: list) -> None:
    first: dict = {}
    for i, k in zip(rows, keys):
        if k is None:
            continue
        if k in first:
            uf.union(first[k], i)
        else:
            first[k] = i


def group_flags(flags: pd.DataFrame, values: pd.DataFrame,
                source_expected: dict[str, str] | None = None) -> tuple[np.ndarray, dict[int, str]]:
    """Group number of each flag (one group per distinct defect) and each flag's role.

    Parameters
    ----------
    flags : DataFrame
        inconsistencies with ``flag_id, check, study, location, reported, expected, value_ids``.
    values : DataFrame
        the review's values (``value_id, study_id, location, value`` …).
    source_expected : dict, optional
        value_id -> the cited publication's figure for it (from the source comparisons): a
        source mismatch on a swapped value whose printed figure is the publication's figure of
        the other arm only restates the swap (evidence); otherwise it is a wrong value of its own.

    Returns
    -------
    groups : ndarray of int
        the group of each flag (the smallest row position in it).
    roles : dict
        row position -> ``"consequence"`` or ``"evidence"`` for flags that do not define their
        group's defect, ``"restated:<figure>"`` for a source mismatch in an exchanged printing
        whose value is wrong even with the arms put back (its publication figure is ``<figure>``);
        the rest are defects.

    Examples
    --------
    >>> f = pd.DataFrame({"flag_id": ["a", "b", "c"], "check": ["percent_vs_count", "impossible_value", "unit_mix"],
    ...                   "study": "s", "location": "t", "reported": ["x", "y", "z"], "expected": "",
    ...                   "value_ids": ["p;k;n", "k;n", "m"]})
    >>> group_flags(f, pd.DataFrame(columns=["value_id", "location", "study_id"]))[0].tolist()
    [0, 0, 2]
    """
    n = len(flags)
    uf = _UnionFind(n)
    roles: dict[int, str] = {}
    check = flags["check"].tolist()
    ids = [split_ids(x) for x in flags["value_ids"]]
    loc_of = dict(zip(values["value_id"], values["location"])) if len(values) else {}
    # 1. swaps
    swap_rows = [i for i in range(n) if check[i] == SWAP]
    _union_by_key(uf, swap_rows, [(flags["study"].iat[i], frozenset(loc_of.get(v, "") for v in ids[i])) for i in swap_rows])
    swap_ids: dict[str, int] = {}
    partner: dict[str, str] = {}
    for i in swap_rows:
        for v in ids[i]:
            swap_ids.setdefault(v, i)
        if len(ids[i]) >= 4:
            for x, y in ((ids[i][0], ids[i][1]), (ids[i][2], ids[i][3])):
                partner[x], partner[y] = y, x
    src_exp = source_expected or {}
    value_of = dict(zip(values["value_id"], values["value"])) if "value" in values else {}
    # the printing the publication shows exchanged: more of its values equal the other arm's figure
    score: dict[str, int] = {}
    for v, w in partner.items():
        if v in src_exp and w in src_exp:
            loc = loc_of.get(v, "")
            score[loc] = score.get(loc, 0) + (same_number(value_of.get(v, ""), src_exp[w]) - same_number(value_of.get(v, ""), src_exp[v]))
    exchanged = {loc for loc, sc in score.items() if sc > 0}
    restated: dict[int, str] = {}  # source mismatch on a swapped value: the other arm's figure
    for i in range(n):
        if check[i] in SWAP_CONSEQUENCES or check[i] in SOURCE_CHECKS:
            hit = [swap_ids[v] for v in ids[i] if v in swap_ids]
            if not hit:
                continue
            if check[i] in SOURCE_CHECKS:
                v = ids[i][0]
                if loc_of.get(v, "") not in exchanged:
                    continue  # the right printing's own wrong value: a defect of its own (rule 3)
                other = src_exp.get(partner.get(v, ""), "")
                if other and not same_number(value_of.get(v, ""), other):
                    restated[i] = other  # a wrong value even once the arms are put back
                    continue
            uf.union(hit[0], i)
            roles[i] = "evidence" if check[i] in SOURCE_CHECKS else "consequence"
    # 2. shared values among arithmetic flags (not the swap evidence)
    owner: dict[str, int] = {}
    for i in range(n):
        if check[i] in ARITHMETIC and i not in roles:
            for v in ids[i]:
                if v in owner:
                    uf.union(owner[v], i)
                else:
                    owner[v] = i
    # 3. the same wrong value against the same source figure
    src = [i for i in range(n) if check[i] in SOURCE_CHECKS and (i not in roles or i in restated)]
    _union_by_key(uf, src, [(flags["study"].iat[i], flags["quantity"].iat[i] if "quantity" in flags else "",
                             flags["reported"].iat[i], restated.get(i, flags["expected"].iat[i])) for i in src])
    # 4. one statement
    keys = []
    for i in range(n):
        c = check[i]
        if i in roles:
            keys.append(None)
        elif c in SAME_STATEMENT:
            keys.append((c, flags["study"].iat[i], flags["reported"].iat[i]))
        elif c == "citation_value_match":
            keys.append((c, flags["location"].iat[i], flags["refs"].iat[i] if "refs" in flags else "", flags["expected"].iat[i]))
        elif c == "citation_sample_size":
            den = ids[i][-1] if ids[i] else ""
            keys.append((c, flags["study"].iat[i], flags["location"].iat[i], value_of.get(den, den)))
        elif c == "hr_direction_wording":
            keys.append((c, flags["study"].iat[i], flags["location"].iat[i]))
        else:
            keys.append(None)
    _union_by_key(uf, list(range(n)), keys)
    # a name printed beside the wrong bracket and the figure it introduces are one statement
    cite = {(flags["location"].iat[i], flags["refs"].iat[i] if "refs" in flags else ""): i
            for i in range(n) if check[i] == "citation_author"}
    for i in range(n):
        k = (flags["location"].iat[i], flags["refs"].iat[i] if "refs" in flags else "")
        if check[i] == "citation_sample_size" and k in cite:
            uf.union(cite[k], i)
    groups = np.array([uf.find(i) for i in range(n)], dtype=int)
    for i, other in restated.items():
        roles[i] = "restated:" + other
    return groups, roles
