"""Where each id of a flag sits in the review: values, mentions, claims and prognostic factors."""
from __future__ import annotations

import pandas as pd

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
