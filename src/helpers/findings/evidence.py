"""Where each id of a flag sits in the review: values, mentions, claims and prognostic factors."""
from __future__ import annotations

import re

import pandas as pd

_LATEX = [(r"\\geq", "≥"), (r"\\leq", "≤"), (r"\\ge\b", "≥"), (r"\\le\b", "≤"), (r"\\times", "×"), (r"\\pm", "±"),
          (r"\\%", "%"), (r"\\sim", "~")]


def plain_text(s: str) -> str:
    """A quote of the review as a reader sees it: LaTeX math reduced to plain text.

    Examples
    --------
    >>> plain_text("ECOG 0 (HR 2.545, $P = 0.030$ )和 $\\\\geq 3$  级")
    'ECOG 0 (HR 2.545, P = 0.030)和 ≥ 3 级'
    """
    s = str(s)
    for pat, rep in _LATEX:
        s = re.sub(pat, rep, s)
    s = re.sub(r"\$\s*([^$]*?)\s*\$", r"\1", s)
    s = re.sub(r"[ \t]{2,}", " ", s)
    s = re.sub(r"\s+\)", ")", s)
    return s.strip()


def evidence_index(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per id a flag can cite: ``id, kind, section, location, offset (int), quote,
    study_id, refs`` plus the value columns (blank for non-values)."""
    parts = []
    v = tables.get("values")
    if v is not None and len(v):
        parts.append(v.rename(columns={"value_id": "id"}).assign(kind="value"))
    for name, key in (("mentions", "mention_id"), ("claims", "claim_id"), ("prognostic", "factor_id")):
        t = tables.get(name)
        if t is not None and len(t) and key in t:
            parts.append(t.rename(columns={key: "id"}).assign(kind=name[:-1]))
    if not parts:
        return pd.DataFrame(columns=["id", "kind", "section", "location", "offset", "quote", "study_id", "refs"])
    ev = pd.concat(parts, ignore_index=True).fillna("")
    for c in ("section", "location", "quote", "study_id", "refs", "value", "arm", "quantity", "endpoint", "term",
              "subgroup", "timepoint", "unit", "denominator_id", "count_id"):
        if c not in ev:
            ev[c] = ""
    ev["offset"] = pd.to_numeric(ev["offset"], errors="coerce").fillna(-1).astype("int64")
    return ev.drop_duplicates("id").set_index("id", drop=False)
