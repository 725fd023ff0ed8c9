"""Which printing is right, and the corrected figure where it can be determined."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..audit.numeric import grim_count_range, percent_conventions
from ..audit.formatting import split_ids
from ..crosscheck.printed import shown_source
from .numbers import number as _num, same_number


#: the columns a fact is matched on (see :meth:`Context.facts_of`)
FACT_KEYS = ["review_location", "aspect", "review_says", "source_says", "ref"]


@dataclass
class Resolution:
    """How a finding's right printing was decided."""

    resolution: str = "not_applicable"   # primary_source / internal_evidence / undecidable / not_applicable
    detail_en: str = ""
    detail_zh: str = ""
    right_printing: str = ""
    corrected: str = ""


def _mant_dec(s: str) -> tuple[int, int]:
    s = str(s).strip()
    dec = len(s.split(".")[1]) if "." in s else 0
    return int(s.replace(".", "")), dec


def fraction_fits(k: int, n: int, pct: str) -> bool:
    """Whether k/n rounds to the printed percentage.

    Examples
    --------
    >>> fraction_fits(15, 103, "14.6"), fraction_fits(15, 80, "14.6")
    (True, False)
    """
    if n <= 0 or k < 0:
        return False
    m, d = _mant_dec(pct)
    return bool(percent_conventions([k], [n], [m], [d])["interval"].iloc[0])


def common_denominators(percents: list[str], max_n: int = 500, listed: int = 5) -> list[int]:
    """Denominators up to ``max_n`` for which every printed percentage is attainable.

    Examples
    --------
    >>> common_denominators(["7.7", "16.9"], listed=2)
    [65, 130]
    """
    ns = np.arange(1, max_n + 1)
    ok = np.ones(max_n, dtype=bool)
    for p in percents:
        m, d = _mant_dec(p)
        lo, hi = grim_count_range(ns, np.full(max_n, m), np.full(max_n, d))
        ok &= lo <= hi
    return ns[ok][:listed].tolist()


class Context:
    """What the resolvers read: the evidence index, source comparisons and study sizes."""

    def __init__(self, ev: pd.DataFrame, comparisons: pd.DataFrame | None, studies: pd.DataFrame,
                 facts: pd.DataFrame | None = None):
        self.ev = ev
        #: compared facts by what a flag about them carries (see :meth:`facts_of`)
        self.facts: dict[tuple, list[dict]] = {}
        for r in (facts.to_dict("records") if facts is not None else []):
            self.facts.setdefault(tuple(r[k] for k in FACT_KEYS), []).append(r)
        c = comparisons if comparisons is not None else pd.DataFrame(columns=["value_id", "status", "expected", "source"])
        c = c[c["status"].isin(["confirmed", "contradicted"])]
        self.comp = {vid: (st, exp, src) for vid, st, exp, src in zip(c["value_id"], c["status"], c["expected"], c["source"])}
        n_of = {}
        for sid, nid in zip(studies.get("study_id", []), studies.get("n_id", [])):
            if nid and nid in ev.index:
                n_of[sid] = ev.at[nid, "value"]
        self.study_n = n_of

    def facts_of(self, flags: pd.DataFrame) -> list[dict]:
        """The compared facts the flags report (same location, aspect, review label and source
        label, the fact's reference among the flag's)."""
        out = []
        if not self.facts:
            return out
        for loc, aspect, rev, src, refs in zip(flags["location"], flags["quantity"], flags["reported"],
                                               flags["expected"], flags["refs"]):
            for ref in str(refs).split(";"):
                out += [r for r in self.facts.get((loc, aspect, rev, src, ref), []) if r not in out]
        return out

    def arm_sizes(self, vid: str) -> list[str]:
        """Sizes printed for the arm of a value (``n`` rows of its study and arm, whole arm)."""
        ev = self.ev
        if vid not in ev.index or ev.at[vid, "arm"] in ("", "total"):
            return []
        m = ((ev["kind"] == "value") & (ev["quantity"] == "n") & (ev["study_id"] == ev.at[vid, "study_id"])
             & (ev["arm"] == ev.at[vid, "arm"]) & (ev["subgroup"] == ""))
        return list(dict.fromkeys(ev.loc[m, "value"]))

    def val(self, vid: str, col: str = "value") -> str:
        return str(self.ev.at[vid, col]) if vid in self.ev.index else ""


def _term(ctx: Context, vid: str) -> str:
    t = ctx.val(vid, "term") or ctx.val(vid, "endpoint")
    return t.upper() if t == ctx.val(vid, "endpoint") else t


def resolve_swap(flags: pd.DataFrame, ctx: Context) -> Resolution:
    """Decide which of two printings exchanging the arms is right.

    The cited publication first (a printing whose values it confirms, the other restating its
    figures with the arms exchanged); else the review's own hazard ratio (the printing whose
    medians favour the arm the HR favours, when the other printing's medians contradict it);
    else undecidable. The correction lists the right printing's values per arm.
    """
    swaps = flags[flags["check"] == "arms_swapped"]
    agree: dict[str, int] = {}
    cross: dict[str, int] = {}
    pairs: dict[str, list[tuple[str, str]]] = {}
    for ids in swaps["value_ids"]:
        i = split_ids(ids)
        if len(i) < 4:
            continue
        for x, y in ((i[0], i[1]), (i[2], i[3])):
            loc = ctx.val(x, "location")
            pairs.setdefault(loc, []).append((x, y))
            for a, b in ((x, y), (y, x)):
                st = ctx.comp.get(a)
                if st and st[0] == "confirmed":
                    agree[loc] = agree.get(loc, 0) + 1
                elif b in ctx.comp and same_number(ctx.val(a), ctx.comp[b][1]):
                    cross[loc] = cross.get(loc, 0) + 1
    locs = list(pairs)
    if len(locs) != 2:
        return Resolution("undecidable")
    la, lb = locs
    right = wrong = None
    how = ""
    ga, gb = agree.get(la, 0) - cross.get(la, 0), agree.get(lb, 0) - cross.get(lb, 0)
    if ga > 0 > gb or gb > 0 > ga:  # one printing confirmed, the other restating the source with arms exchanged
        right, wrong = (la, lb) if ga > gb else (lb, la)
        src = sorted({ctx.comp[v][2] for v in ctx.comp if ctx.val(v, "location") in (la, lb)
                      and any(v in p for p in pairs[la] + pairs[lb])})
        how = "primary_source"
        det_en = (f"the publication ({', '.join(src)}) confirms {agree.get(right, 0)} value(s) as printed in {right}; "
                  f"{wrong} gives {cross.get(wrong, 0)} of its figures to the other arm")
        det_zh = (f"原始文献（{', '.join(src)}）证实{right}所印的 {agree.get(right, 0)} 个数值；"
                  f"{wrong}把其中 {cross.get(wrong, 0)} 个数值归到了另一组")
    else:
        wrong_locs = {ctx.val(split_ids(x)[0], "location") for x in flags.loc[flags["check"] == "hr_direction_vs_medians", "value_ids"]}
        if len(wrong_locs & {la, lb}) == 1:
            wrong = (wrong_locs & {la, lb}).pop()
            right = lb if wrong == la else la
            how = "internal_evidence"
            det_en = f"the hazard ratio printed with the medians favours the arm that {right}'s medians favour; {wrong}'s medians favour the other arm"
            det_zh = f"与中位数一同印出的风险比所支持的组别与{right}的中位数一致，而{wrong}的中位数支持另一组"
    if right is None:
        return Resolution("undecidable")
    lines = []
    for (x, y), (wx, wy) in zip(pairs[right], pairs[wrong]):
        at_right = {ctx.val(v, "arm"): v for v in (x, y)}
        parts = []
        for w in (wx, wy):  # in the wrong printing's own order
            v = at_right.get(ctx.val(w, "arm"), "")
            shown = ctx.val(v)
            st = ctx.comp.get(v)
            if st and st[0] == "contradicted":
                other = y if v == x else x
                if not (other in ctx.comp and same_number(shown, ctx.comp[other][1])):
                    shown = f"{st[1]} (per the publication; {right} prints {shown})"
            parts.append(f"{ctx.val(w, 'arm')} {shown}")
        lines.append(f"{_term(ctx, wx)}: " + ", ".join(parts))
    return Resolution(how, det_en, det_zh, right, f"{wrong} should read " + "; ".join(lines))


def fraction_corrections(flags: pd.DataFrame, ctx: Context, n_override: str | None = None) -> list[str]:
    """Corrected count/denominator printings for ``percent_vs_count`` flags: the exchanged
    fraction when it gives the percentage, else the count over the study's N (or ``n_override``,
    e.g. the publication's N) when that gives it."""
    out = []
    for ids in flags.loc[flags["check"] == "percent_vs_count", "value_ids"]:
        i = split_ids(ids)
        if len(i) < 3:
            continue
        pct, k, n = ctx.val(i[0]), _num(ctx.val(i[1])), _num(ctx.val(i[2]))
        if not (np.isfinite(k) and np.isfinite(n)):
            continue
        k, n = int(k), int(n)
        if k > n and fraction_fits(n, k, pct):
            out.append(f"{n}/{k} ({pct}%)")
            continue
        sizes = [n_override] if n_override else [ctx.study_n.get(ctx.val(i[0], "study_id"), "")] + ctx.arm_sizes(i[0])
        for N in sizes:
            if N and np.isfinite(_num(N)) and int(_num(N)) != n and fraction_fits(k, int(_num(N)), pct):
                out.append(f"{k}/{int(_num(N))} ({pct}%)")
                break
    return out


_REF = re.compile(r"\[(\d+)\]")

#: kinds whose doubt is about the printed values themselves: when the cited publication prints
#: every value of the finding as the review does, the review reproduced it faithfully
AS_PUBLISHED_KINDS = ("p_attainable", "hr_vs_median_ratio", "survival_landmark", "survival_exponential",
                      "endpoint_order", "p_from_2x2", "or_from_counts", "hr_direction_vs_medians", "grim_percent",
                      "grim_unprinted", "percent_vs_count", "parts_vs_total", "parts_short", "landmark_monotonic")


def resolve(kind: str, flags: pd.DataFrame, ctx: Context) -> Resolution:
    """The resolution of one finding of ``kind`` whose flags are ``flags``."""
    checks = set(flags["check"])
    vids = [v for x in flags["value_ids"] for v in split_ids(x) if v in ctx.ev.index and ctx.ev.at[v, "kind"] == "value"]
    if vids and kind in AS_PUBLISHED_KINDS and "primary_source_mismatch" not in checks \
            and all(v in ctx.comp and ctx.comp[v][0] == "confirmed" for v in vids):
        srcs = ", ".join(sorted({ctx.comp[v][2] for v in vids}))
        return Resolution("primary_source", f"the publication ({srcs}) prints the same figures: the review reproduces "
                          "them faithfully, and the doubt concerns the original report",
                          f"原始文献（{srcs}）所印数据相同：综述如实转述，疑点在于原始报告本身", "as published")
    if kind == "arms_swapped":
        return resolve_swap(flags, ctx)
    facts = ctx.facts_of(flags[flags["check"] == "source_fact_mismatch"])
    if facts:
        words = lambda label: label.replace("|", " / ").replace("_", " ")  # noqa: E731  (controlled labels)
        said = "; ".join(f"{shown_source(r['source'])} describes the {r['aspect']} as {words(r['source_says'])}, "
                         f"the review as {words(r['review_says'])}" for r in facts)
        said_zh = "；".join(f"{shown_source(r['source'])} 所述 {r['aspect']} 为 {words(r['source_says'])}，"
                            f"综述为 {words(r['review_says'])}" for r in facts)
        return Resolution("primary_source", said, said_zh, "the cited publication")
    if kind == "same_quantity_mismatch":
        ok = {ctx.val(v, "location"): ctx.val(v) for v in vids if v in ctx.comp and ctx.comp[v][0] == "confirmed"}
        bad = {ctx.val(v, "location") for v in vids if v in ctx.comp and ctx.comp[v][0] == "contradicted"}
        others = sorted({ctx.val(v, "location") for v in vids} - set(ok))
        if len(set(ok.values())) == 1 and others:
            right, value = sorted(ok)[0], next(iter(ok.values()))
            srcs = ", ".join(sorted({ctx.comp[v][2] for v in vids if v in ctx.comp}))
            return Resolution("primary_source", f"the publication ({srcs}) prints {value}, as {right} does",
                              f"原始文献（{srcs}）所印为 {value}，与{right}一致", right,
                              "; ".join(f"{o}: {value}" for o in others))
        del bad
    src = flags[flags["check"] == "primary_source_mismatch"]
    if len(src):
        # the publication's figure for the arm as the right printing assigns it
        eff = src["expected_effective"] if "expected_effective" in src else src["expected"]
        exp = sorted(set(eff))
        den_source = None
        for ids, e in zip(src["value_ids"], src["expected"]):
            i = split_ids(ids)
            if i and ctx.val(i[0], "quantity") == "n":
                den_source = e
        fixes = fraction_corrections(flags, ctx, den_source)
        corrected = "; ".join(fixes) if fixes else " / ".join(exp)
        srcs = sorted({ctx.comp[v][2] for ids in src["value_ids"] for v in split_ids(ids) if v in ctx.comp})
        det_en = f"the publication ({', '.join(srcs)}) prints {' / '.join(exp)}"
        det_zh = f"原始文献（{', '.join(srcs)}）所印为 {' / '.join(exp)}"
        return Resolution("primary_source", det_en, det_zh, "the cited publication", corrected)
    if kind == "percent_vs_count":
        fixes = fraction_corrections(flags, ctx)
        if fixes:
            return Resolution("internal_evidence", "the printed percentage is exactly the corrected fraction",
                              "所印百分比恰好等于更正后的分数", "the percentage", "; ".join(fixes))
        return Resolution("undecidable")
    if kind == "impossible_p_zero":
        return Resolution("not_applicable", corrected="P < 0.001")
    if kind == "count_reading":
        return Resolution("internal_evidence", "the count over the study's N gives the printed percentage",
                          "以该研究总例数为分母恰好得到所印百分比", "the percentage", flags["expected"].iat[0])
    if kind == "grim_percent":
        pcts = [ctx.val(split_ids(x)[0]) for x in flags.loc[flags["check"] == "grim_percent", "value_ids"]]
        dens = common_denominators([p for p in pcts if p])
        if dens:
            d = ", ".join(map(str, dens))
            return Resolution("undecidable", f" (the percentages fit a denominator of {d}, not the one printed)",
                              f"（这些百分比与分母 {d} 相符，而非所印分母）")
        return Resolution("undecidable")
    if kind == "citation_value_match":
        refs = _REF.findall(flags["expected"].iat[0])
        return Resolution("internal_evidence", "the same figures are printed for that reference elsewhere in the review",
                          "综述其他位置以该文献名义印出了相同数据", "", f"cite [{refs[0]}]" if refs else "")
    if kind == "citation_author":
        name = flags.loc[flags["check"] == "citation_author", "study"].iat[0]
        exp = flags.loc[flags["check"] == "citation_author", "expected"].iat[0]
        m = re.search(r"name matches \[(\d+)\]", exp)
        sizes = flags.loc[flags["check"] == "citation_sample_size", "expected"]
        if m and any(name and name in str(e).split("is a sample size of")[-1] for e in sizes):
            return Resolution("internal_evidence", f"the figure's denominator is the sample size of {name}'s study",
                              f"该数据的分母正是 {name} 研究的样本量", "the name", f"cite [{m.group(1)}]")
        return Resolution("undecidable", " (either the name or the reference number is wrong)", "（姓名或文献编号有一处错误）")
    if kind == "announced_arm_order":
        f0 = flags[flags["check"] == "announced_arm_order"].iloc[0]
        ids = split_ids(f0["value_ids"])
        lines, other = [], ""
        for j in range(0, len(ids) - 3, 4):
            a, b, la, lb = ids[j:j + 4]
            other = ctx.val(la, "location")
            lines.append(f"{_term(ctx, a)}{(' ' + ctx.val(a, 'timepoint')) if ctx.val(a, 'timepoint') else ''}: "
                         f"{ctx.val(a, 'arm')} {ctx.val(la)}, {ctx.val(b, 'arm')} {ctx.val(lb)}")
        if lines:
            return Resolution("internal_evidence", f"{other} names each group beside its figure; the sentence assigns them "
                              "only by the order of its words",
                              f"{other}在每个数值旁注明了组别；该句仅按词序分配组别", other,
                              f"{f0['location']} should read " + "; ".join(lines))
        return Resolution("undecidable")
    if kind == "range_claim":
        e = flags["expected"].iat[0]
        unit = "%" if ctx.val(split_ids(flags["value_ids"].iat[0])[0], "unit") == "percent" else ""
        lo_hi = e.split("~")
        span = f"{lo_hi[0]}{unit}~{lo_hi[1]}{unit}" if len(lo_hi) == 2 else e
        # which figures the range meant to summarise is a reading: the span is evidence, not a correction
        return Resolution("internal_evidence", f"the figures it summarises, as printed in the review, span {span}",
                          f"其所概括的各项数据（见综述所印）范围为 {span}", "the individual figures", "")
    if checks & {"same_quantity_mismatch", "hr_direction_vs_medians", "survival_landmark", "landmark_monotonic",
                 "endpoint_order", "parts_vs_total", "impossible_value", "no_difference_claim", "claim_vs_figures",
                 "announced_arm_order", "p_from_2x2", "p_attainable"} and kind not in ("parts_short",):
        return Resolution("undecidable")
    return Resolution("not_applicable")
