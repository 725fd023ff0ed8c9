"""Per-study summary of the source cross-check: what was read, how much it covered, what is wrong."""
from __future__ import annotations

import pandas as pd

from .linking import source_identifier
from .printed import norm
from .sources import SOURCE_WEIGHTS, STATUSES

#: precedence of a status when one review figure has several source rows (first wins)
_PRECEDENCE = ["contradicted", "confirmed", "doubt", "secondary_agrees", "different_report", "not_checkable"]
SUMMARY_COLUMNS = ["study_id", "study", "refs", "sources_read", "figures_compared", *STATUSES,
                   "wrong_values", "exchanges", "facts_compared", "facts_disagree", "notices", "notice_source",
                   "searched"]


def value_statuses(comparisons: pd.DataFrame) -> pd.DataFrame:
    """One row per review figure and study: the status of its most telling source row (a primary
    contradiction before a confirmation, before a secondary report, before another report).

    A figure the review cites to several studies at once (``[3] [4] [5]``) is compared with each
    study's sources: it counts once for every study whose sources hold a comparable figure.

    Examples
    --------
    >>> c = pd.DataFrame({"value_id": ["a", "a", "b", "b"], "study_id": ["s", "s", "s", "t"],
    ...                   "status": ["secondary_agrees", "contradicted", "not_checkable", "different_report"]})
    >>> value_statuses(c)[["study_id", "value_id", "status"]].values.tolist()
    [['s', 'a', 'contradicted'], ['s', 'b', 'not_checkable'], ['t', 'b', 'different_report']]
    """
    rank = comparisons["status"].map({s: i for i, s in enumerate(_PRECEDENCE)})
    out = comparisons.assign(_rank=rank).sort_values(["study_id", "value_id", "_rank"], kind="stable")
    return out.drop_duplicates(["study_id", "value_id"]).drop(columns="_rank").reset_index(drop=True)


def wrong_value_count(comparisons: pd.DataFrame) -> pd.Series:
    """Distinct wrong values per study: contradicted figures, one per (quantity, endpoint,
    subgroup, timepoint, arm and the value printed vs the source's), however many places print
    it; rows that only restate an exchange of arms are not counted (the exchange is)."""
    bad = comparisons[(comparisons["status"] == "contradicted") & (comparisons["wrong_value"] != "")]
    keys = ["study_id", "quantity", "endpoint", "subgroup", "timepoint", "wrong_value"]
    return bad.drop_duplicates(keys).groupby("study_id").size()


def _kinds_read(pub: pd.DataFrame, comparisons: pd.DataFrame) -> pd.Series:
    """'primary_abstract: 12 figures; secondary: 3 figures' per study (kinds by weight, strongest first)."""
    checked = comparisons[comparisons["status"] != "not_checkable"]
    per_kind = checked.drop_duplicates(["study_id", "source_kind", "value_id"]).groupby(
        ["study_id", "source_kind"]).size()
    out = {}
    for sid, g in pub[pub["source_kind"] != "not_found"].groupby("study_id"):
        kinds = sorted(set(g["source_kind"]), key=lambda k: (-SOURCE_WEIGHTS.get(k, 0), k))
        out[sid] = "; ".join(f"{k}: {int(per_kind.get((sid, k), 0))} figures" for k in kinds)
    return pd.Series(out, dtype=object)


def source_summary(comparisons: pd.DataFrame, publications: pd.DataFrame, studies: pd.DataFrame,
                   facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per study: which kinds of source were read and how many review figures each covered,
    the status of every compared figure, distinct wrong values, arm exchanges, categorical
    facts compared, publication notices (``notice_source``: the identifier of the page showing
    the notice — the page's doi/pmid when it is the page read, else the notice's address), and what
    was searched in vain.

    ``figures_compared`` counts review figures with a comparable source figure (any status but
    ``not_checkable``); a study whose pages held no comparable figure shows 0 however many pages
    were read.  The status columns count figures by their most telling source row
    (:func:`value_statuses`).  ``wrong_values`` counts distinct wrong values
    (:func:`wrong_value_count`), ``exchanges`` the arm exchanges (one per endpoint and location).
    """
    pub = publications.copy()
    for col in ("notices", "notice_url", "searched", "source_kind", "url"):
        pub[col] = pub[col].map(norm) if col in pub else ""
    # where the notice was seen: the page's own identifier when it is the page read, else the notice's address
    pub["notice_source"] = [("" if not n else source_identifier(r) if (u or "") in ("", r["url"]) else u)
                            for (_, r), n, u in zip(pub.iterrows(), pub["notices"], pub["notice_url"])]
    comp = comparisons.copy()
    for col in ("swap_group", "wrong_value", "source_kind"):
        comp[col] = comp[col].map(norm) if col in comp else ""
    per_value = value_statuses(comp)
    counts = (per_value.groupby(["study_id", "status"]).size().unstack(fill_value=0)
              .reindex(columns=list(STATUSES), fill_value=0))
    agg = pub.groupby("study_id").agg(
        refs=("ref", lambda s: ";".join(sorted(set(s), key=int))),
        notices=("notices", lambda s: "; ".join(sorted({x for x in s if x}))),
        notice_source=("notice_source", lambda s: " ".join(sorted({x for x in s if x}))),
        searched=("searched", lambda s: "; ".join(x for x in s if x)),
    )
    out = agg.join(counts, how="outer")
    out["sources_read"] = _kinds_read(pub, comp)
    out["figures_compared"] = per_value[per_value["status"] != "not_checkable"].groupby("study_id").size()
    out["wrong_values"] = wrong_value_count(comp)
    out["exchanges"] = comp[comp["swap_group"] != ""].groupby("study_id")["swap_group"].nunique()
    if facts is not None and len(facts):
        out["facts_compared"] = facts.groupby("study_id").size()
        out["facts_disagree"] = facts[facts["agreement"] == "disagree"].groupby("study_id").size()
    ints = ["figures_compared", *STATUSES, "wrong_values", "exchanges", "facts_compared", "facts_disagree"]
    for c in ints:
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    for c in ("refs", "notices", "notice_source", "searched", "sources_read"):
        out[c] = out[c].fillna("") if c in out else ""
    names = studies.set_index("study_id")["author_romanised"] if "author_romanised" in studies else pd.Series(dtype=str)
    out["study"] = pd.Series(out.index.map(names), index=out.index, dtype=object).fillna("")
    out = out.reset_index().rename(columns={"index": "study_id"})
    return out[SUMMARY_COLUMNS].sort_values("study_id").reset_index(drop=True)
