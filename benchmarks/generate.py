"""Generate synthetic extracted reviews (in memory) for benchmarking the audit engine.

``generate(n_values, seed)`` returns one :class:`helpers.review.Review` holding as many reviews
as needed (each ~1,000 values, ids prefixed ``r<k>_``), concatenated. Every table of the
schema is filled (values, studies, mentions, references, prognostic, claims) with a realistic
mix: randomised trials (arm sizes, medians with HR and p, response counts with OR and p,
landmark rates, toxicities, a text re-printing of the main figures) and retrospective series
(medians, landmark rates, failure patterns with denominators, response partitions, prognostic
factors, text summaries). About ``defect_rate`` of the studies carry one planted defect of a
random kind. Quotes and offsets are placeholders (no validation is needed for the benchmark).

Run ``python benchmarks/generate.py 10000`` to print table sizes.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.schema import COLUMNS
from helpers.review import Review

DEFECTS = ("percent", "arm_swap", "p_zero", "hr_dir", "landmark", "n_mismatch", "parts", "range_out",
           "wording", "author")


def _f(x, d):
    return f"{x:.{d}f}"


class _Builder:
    def __init__(self, prefix: str, rng: np.random.Generator, defect_rate: float):
        self.p, self.rng, self.rate = prefix, rng, defect_rate
        self.values, self.studies, self.mentions, self.refs, self.prog, self.claims = [], [], [], [], [], []
        self.off = 0
        self.nref = 0

    # ------------------------------------------------------------------ primitives
    def val(self, vid, value, quantity, loc, sid, ref, **kw):
        self.off += 7
        row = dict(value_id=f"{self.p}{vid}", section="2" if loc.startswith("table") else loc.split()[-1],
                   location=loc, refs=ref, study_id=sid, quantity=quantity, value=str(value),
                   value_offset=str(self.off), offset=str(self.off - 3), quote=f"q{self.off}",
                   unit={"n": "patients", "count": "patients", "percent": "percent", "rate": "percent",
                         "median": "months"}.get(quantity, ""), comparator="=", bound="point")
        for k, v in kw.items():
            row[k] = f"{self.p}{v}" if k in ("count_id", "denominator_id", "partition_id", "total_id") and v else v
        self.values.append(row)
        return row

    def frac(self, vid, k, n, loc, sid, ref, bad=False, **kw):
        self.val(f"{vid}_k", k, "count", loc, sid, ref, denominator_id=f"{vid}_n", **kw)
        self.val(f"{vid}_n", n, "n", loc, sid, ref, **kw)
        pct = 100.0 * k / n + (3.0 if bad else 0.0)
        self.val(f"{vid}_pct", _f(pct, 1), "percent", loc, sid, ref, count_id=f"{vid}_k", denominator_id=f"{vid}_n", **kw)
        return pct

    def study(self, kind: str, j: int):
        rng = self.rng
        self.nref += 1
        ref = str(self.nref)
        sid = f"{self.p}s{j}"
        author = f"Author{j}"
        defect = DEFECTS[rng.integers(len(DEFECTS))] if rng.random() < self.rate else ""
        self.refs.append(dict(ref=ref, first_author=author, year="2020", title="t", journal="j", doi="", kind="primary_study",
                              offset="0", quote="q"))
        printed = "Someone Else" if defect == "author" else f"A. {author}"
        self.mentions.append(dict(mention_id=f"{self.p}m{j}", location="table 1", section="2", author_printed=printed,
                                  refs=ref, offset=str(self.off), quote="q"))
        loc = "table 1" if kind == "retro" else "table 2"
        N = int(rng.integers(30, 300))
        self.val(f"s{j}_n", N, "n", loc, sid, ref)
        self.studies.append(dict(study_id=sid, refs=ref, author_printed=f"A. {author}", author_romanised=author,
                                 location=loc, design="rct" if kind == "rct" else "retrospective",
                                 arm_order="experimental;control" if kind == "rct" else "", n_id=f"{self.p}s{j}_n",
                                 offset=str(self.off), quote="q", reading=""))
        if kind == "rct":
            self._rct(j, sid, ref, loc, N, defect)
        else:
            self._retro(j, sid, ref, loc, N, defect)
        return defect

    def _rct(self, j, sid, ref, loc, N, defect):
        rng = self.rng
        ne = N // 2
        nc = N - ne + (3 if defect == "parts" else 0)
        self.val(f"s{j}_ne", ne, "n", loc, sid, ref, arm="experimental", partition_id=f"s{j}_arms", total_id=f"s{j}_n")
        self.val(f"s{j}_nc", nc, "n", loc, sid, ref, arm="control", partition_id=f"s{j}_arms", total_id=f"s{j}_n")
        meds = {}
        for ep in ("pfs", "os"):
            mc = round(float(rng.uniform(3, 20)), 1)
            me = round(mc * float(rng.uniform(1.1, 1.8)), 1)
            hr = mc / me * float(rng.uniform(0.9, 1.1))
            if defect == "hr_dir" and ep == "pfs":
                hr = 1.0 / hr
            meds[ep] = (me, mc)
            self.val(f"s{j}_{ep}_e", _f(me, 1), "median", loc, sid, ref, endpoint=ep, arm="experimental")
            self.val(f"s{j}_{ep}_c", _f(mc, 1), "median", loc, sid, ref, endpoint=ep, arm="control")
            self.val(f"s{j}_{ep}_hr", _f(hr, 2), "hr", loc, sid, ref, endpoint=ep)
            self.val(f"s{j}_{ep}_p", "0.001" if defect != "p_zero" else "0.000", "p_value", loc, sid, ref, endpoint=ep,
                     comparator="<" if defect != "p_zero" else "=")
        # 1-year PFS rate consistent with an exponential curve through the median
        me = meds["pfs"][0]
        r = 100 * 0.5 ** (12 / me)
        if defect == "landmark":
            r = 30.0 if me > 13 else 70.0
        self.val(f"s{j}_pfs1y_e", _f(r, 1), "rate", loc, sid, ref, endpoint="pfs", arm="experimental", timepoint="1y")
        # response 2x2 with OR and p computed from the counts
        ke, kc = int(rng.integers(1, ne)), int(rng.integers(1, nc))
        self.frac(f"s{j}_orr_e", ke, ne, loc, sid, ref, bad=(defect == "percent"), endpoint="orr", arm="experimental")
        self.frac(f"s{j}_orr_c", kc, nc, loc, sid, ref, endpoint="orr", arm="control")
        if ke < ne and kc > 0:
            orv = ke * (nc - kc) / ((ne - ke) * kc)
            self.val(f"s{j}_orr_or", _f(orv, 2), "or", loc, sid, ref, endpoint="orr")
        a, b, c, d = ke, ne - ke, kc, nc - kc
        n = a + b + c + d
        den = (a + b) * (c + d) * (a + c) * (b + d)
        chi = n * (a * d - b * c) ** 2 / den if den else 0.0
        from math import erfc, sqrt
        p = erfc(sqrt(chi / 2))
        self.val(f"s{j}_orr_p", _f(max(p, 0.001), 3), "p_value", loc, sid, ref, endpoint="orr",
                 comparator="<" if p < 0.001 else "=")
        # toxicities
        for t in ("fatigue", "pneumonitis"):
            self.frac(f"s{j}_{t}", int(rng.integers(0, N // 3)), N, loc, sid, ref, endpoint="adverse_event", subgroup=t)
        # text re-printing of PFS medians (arms swapped for the defect)
        me, mc = meds["pfs"]
        if defect == "arm_swap":
            me, mc = mc, me
        self.mentions.append(dict(mention_id=f"{self.p}mt{j}", location="text 2.2", section="2.2",
                                  author_printed=f"A. Author{j}", refs=ref, offset=str(self.off), quote="q"))
        self.val(f"t{j}_pfs_e", _f(me, 1), "median", "text 2.2", sid, ref, endpoint="pfs", arm="experimental")
        self.val(f"t{j}_pfs_c", _f(mc, 1), "median", "text 2.2", sid, ref, endpoint="pfs", arm="control")
        self.val(f"t{j}_n", N + (4 if defect == "n_mismatch" else 0), "n", "text 2.2", sid, ref)

    def _retro(self, j, sid, ref, loc, N, defect):
        rng = self.rng
        mp = round(float(rng.uniform(5, 20)), 1)
        mo = round(mp * float(rng.uniform(1.3, 2.5)), 1)
        self.val(f"s{j}_pfs", _f(mp, 1), "median", loc, sid, ref, endpoint="pfs")
        self.val(f"s{j}_os", _f(mo, 1), "median", loc, sid, ref, endpoint="os")
        for y in (1, 2, 3):
            r = 100 * 0.5 ** (12 * y / mo)
            self.val(f"s{j}_os{y}y", _f(r, 1), "rate", loc, sid, ref, endpoint="os", timepoint=f"{y}y")
        kl = int(rng.integers(1, N // 4))
        kd = int(rng.integers(1, N // 3))
        self.frac(f"s{j}_lp", kl, N, loc, sid, ref, bad=(defect == "percent"), endpoint="local_progression",
                  partition_id=f"s{j}_fail")
        self.frac(f"s{j}_dp", kd, N, loc, sid, ref, endpoint="distant_progression", partition_id=f"s{j}_fail")
        cr = int(rng.integers(0, N // 3))
        pr = int(rng.integers(0, N // 3))
        sd = int(rng.integers(0, N - cr - pr))
        pd_ = N - cr - pr - sd + (5 if defect == "parts" else 0)
        for e, k in (("cr", cr), ("pr", pr), ("sd", sd), ("pd", pd_)):
            self.val(f"s{j}_{e}", k, "count", loc, sid, ref, endpoint=e, partition_id=f"s{j}_resp", total_id=f"s{j}_n")
        for f, hr in (("adeno", 0.6), ("smoker", 1.6)):
            h = hr if not (defect == "wording" and f == "adeno") else 1.0 / hr
            self.val(f"s{j}_{f}_hr", _f(h, 2), "hr", loc, sid, ref, endpoint="os", subgroup=f)
            self.val(f"s{j}_{f}_p", "0.01", "p_value", loc, sid, ref, endpoint="os", subgroup=f)
            self.prog.append(dict(factor_id=f"{self.p}f{j}{f}", study_id=sid, refs=ref, location=loc, section="2",
                                  endpoint="os", factor=f, factor_key=f, hr_id=f"{self.p}s{j}_{f}_hr",
                                  p_id=f"{self.p}s{j}_{f}_p", wording="favourable" if hr < 1 else "unfavourable",
                                  offset="0", quote="q", reading=""))
        return kl / N

    def claims_for(self, members: list[str], lows: list[float], bad: bool, k: int):
        """A range claim over the local-progression percentages of a group of studies."""
        lo, hi = min(lows), max(lows)
        if bad:
            hi = hi - 1.0
        self.val(f"c{k}_lo", _f(lo, 1), "percent", "text 2.1", "", "", endpoint="local_progression", bound="low")
        self.val(f"c{k}_hi", _f(hi, 1), "percent", "text 2.1", "", "", endpoint="local_progression", bound="high")
        self.claims.append(dict(claim_id=f"{self.p}c{k}", claim_type="range", section="2.1", location="text 2.1",
                                refs="", quantity="percent", endpoint="local_progression", subgroup="",
                                low_id=f"{self.p}c{k}_lo", high_id=f"{self.p}c{k}_hi", member_ids=";".join(members),
                                factor_key="", wording="", offset="0", quote="q", reading=""))


def _one_review(prefix: str, rng: np.random.Generator, n_studies: int, defect_rate: float) -> dict[str, list[dict]]:
    b = _Builder(prefix, rng, defect_rate)
    group, k = [], 0
    for j in range(n_studies):
        kind = "rct" if j % 3 == 2 else "retro"
        defect = b.study(kind, j)
        if kind == "retro":
            vid = f"{prefix}s{j}_lp_pct"
            group.append((vid, float(next(v["value"] for v in reversed(b.values) if v["value_id"] == vid))))
            if len(group) == 4:
                b.claims_for([g[0] for g in group], [g[1] for g in group], defect == "range_out", k)
                group, k = [], k + 1
    return dict(values=b.values, studies=b.studies, mentions=b.mentions, references=b.refs,
                prognostic=b.prog, claims=b.claims)


def generate(n_values: int, seed: int = 0, defect_rate: float = 0.05, values_per_review: int = 1000) -> Review:
    """A Review object with about ``n_values`` values (several reviews concatenated).

    Deterministic for a given seed. Each review has ~``values_per_review`` values.
    """
    rng = np.random.default_rng(seed)
    per_study = 24.0  # average values per study in the templates above
    n_studies = max(3, int(round(values_per_review / per_study)))
    tables: dict[str, list[dict]] = {k: [] for k in ("values", "studies", "mentions", "references", "prognostic", "claims")}
    total, r = 0, 0
    while total < n_values:
        rv = _one_review(f"r{r}_", rng, n_studies, defect_rate)
        for k, rows in rv.items():
            tables[k].extend(rows)
        total += len(rv["values"])
        r += 1
    out = {}
    for name, rows in tables.items():
        cols = COLUMNS[name]
        df = pd.DataFrame.from_records(rows)
        for c in cols:
            if c not in df.columns:
                df[c] = ""
        out[name] = df[cols].fillna("").astype(str)
    out["values"] = out["values"].iloc[:n_values].reset_index(drop=True)
    return Review(data_dir=Path("."), source="", tables=out)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rv = generate(n)
    print({k: len(v) for k, v in rv.tables.items()})
