"""Link rows of figures read in a review's sources to the review's own values (``value_id``)."""
from __future__ import annotations

import pandas as pd

from .printed import norm

#: keys matched by :func:`link_value_ids` (external column -> values column)
LINK_KEYS = {"study_id": "study_id", "quantity": "quantity", "endpoint": "endpoint", "arm": "arm",
             "subgroup": "subgroup", "timepoint": "timepoint", "unit": "unit",
             "review_location": "location"}


# --------------------------------------------------------------------------- identifiers
def source_identifier(row: pd.Series | dict) -> str:
    """Best identifier of a source row: 'doi:…', else 'pmid:…', else its url, else ''."""
    get = row.get
    doi = str(get("doi", "") or "").strip()
    pmid = str(get("pmid", "") or "").strip()
    url = str(get("url", "") or "").strip()
    if doi and doi.lower() != "nan":
        return f"doi:{doi}"
    if pmid and pmid.lower() != "nan":
        return f"pmid:{pmid}"
    return url if url.lower() != "nan" else ""


# --------------------------------------------------------------------------- linking
def link_value_ids(external: pd.DataFrame, values: pd.DataFrame,
                   keys: dict[str, str] | None = None) -> pd.DataFrame:
    """Fill ``value_id`` of *external* rows from the review's *values* table.

    Matching, for each external row whose ``value_id`` is blank:

    1. candidates = values rows equal on every key of ``keys`` (external column -> values
       column; default :data:`LINK_KEYS`: study, quantity, endpoint, arm, subgroup,
       timepoint, review_location ↔ location);
    2. if none, a key left blank on either side is a wildcard (except study, quantity and
       location, which must always be given on the external side);
       the study key also matches a values row whose ``refs`` contain the external ``ref``
       (a table row citing several reports of one trial carries one study id);
    3. if several candidates remain, the one(s) whose printed ``value`` equals the external
       ``review_value`` are kept (a tie-breaker only, never a filter on a unique match —
       so a misprinted review value still links);
    4. exactly one candidate → its ``value_id``; otherwise the id stays blank and
       ``link_note`` says why ('no match' / 'ambiguous: id1;id2').

    Rows that already carry a ``value_id`` are left untouched.  Returns a copy with the
    extra column ``link_note``.
    """
    keys = dict(LINK_KEYS if keys is None else keys)
    out = external.copy()
    if "value_id" not in out:
        out["value_id"] = ""
    out["value_id"] = out["value_id"].map(norm)
    out["link_note"] = ""
    vals = values.copy()
    for vcol in keys.values():
        if vcol not in vals:
            vals[vcol] = ""
        vals[vcol] = vals[vcol].map(norm)
    vals["value"] = vals.get("value", pd.Series("", index=vals.index)).map(norm)
    ref_sets = vals.get("refs", pd.Series("", index=vals.index)).map(
        lambda x: {r.strip() for r in norm(x).split(";") if r.strip()})
    for i, row in out.iterrows():
        if row["value_id"]:
            continue
        ext = {e: norm(row.get(e, "")) for e in keys}
        ref = norm(row.get("ref", ""))
        cand = pd.DataFrame()
        for wildcard_blank in (False, True):
            mask = pd.Series(True, index=vals.index)
            for e, v in keys.items():
                if wildcard_blank and not ext[e]:
                    continue
                cond = vals[v] == ext[e]
                if wildcard_blank and e not in ("study_id", "quantity", "review_location"):
                    cond = cond | (vals[v] == "")
                if e == "study_id" and ref:
                    # a group row (e.g. a table row citing two reports of one trial) is matched by
                    # reference number when the study ids differ
                    cond = cond | ref_sets.map(lambda refs: ref in refs)
                mask &= cond
            cand = vals[mask]
            if not cand.empty:
                break
        if len(cand) > 1 and norm(row.get("review_value", "")):
            same = cand[cand["value"] == norm(row.get("review_value", ""))]
            if len(same) >= 1:
                cand = same
        if len(cand) == 1:
            out.at[i, "value_id"] = cand["value_id"].iloc[0]
        elif cand.empty:
            out.at[i, "link_note"] = "no match"
        else:
            out.at[i, "link_note"] = "ambiguous: " + ";".join(cand["value_id"].astype(str))
    return out


def attach_columns(external: pd.DataFrame, publications: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Add *columns* of the publication row each external row was read in (matched by ``url``).

    Examples
    --------
    >>> ext = pd.DataFrame({"url": ["u1", "u2"], "x": [1, 2]})
    >>> pub = pd.DataFrame({"url": ["u1"], "doi": ["10.1/a"]})
    >>> attach_columns(ext, pub, ["doi"])["doi"].fillna("").tolist()
    ['10.1/a', '']
    """
    cols = [c for c in columns if c in publications]
    pub = publications[["url"] + cols].copy()
    pub = pub[pub["url"].map(norm) != ""].drop_duplicates("url")
    return external.drop(columns=[c for c in cols if c in external]).merge(pub, on="url", how="left")
