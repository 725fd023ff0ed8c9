"""Categorical facts (design, population, arm definitions): what a source says vs what the review says.

A fact row carries controlled labels: ``source_says`` may list several labels the source uses
for the same thing (``metastatic|advanced``), ``review_says`` is one label.  They agree when the
review's label is among the source's.  Weights and report matching are those of the figures
(:func:`helpers.crosscheck.sources.source_status`): only a primary source of the cited report
contradicts; a secondary report raises a doubt.
"""
from __future__ import annotations

import pandas as pd

from .linking import attach_columns, source_identifier
from .printed import norm
from .sources import source_status, source_weight

FACT_CHECK = "source_fact_mismatch"
FACT_COLUMNS = ["fact_id", "ref", "study_id", "url", "aspect", "source_says", "review_says", "review_location",
                "review_refs", "review_quote", "value_ids", "note"]
FACT_COMPARISON_COLUMNS = ["fact_id", "study_id", "ref", "aspect", "source_says", "review_says", "review_location",
                           "agreement", "status", "source", "evidence", "value_ids", "review_quote"]


def _labels(x: object) -> set[str]:
    return {t.strip().lower() for t in norm(x).split("|") if t.strip()}


def fact_agreement(source_says: object, review_says: object) -> str:
    """``agree`` when the review's label is one of the source's labels, else ``disagree``;
    blank when either side is blank.

    Examples
    --------
    >>> fact_agreement("metastatic|advanced", "oligometastatic"), fact_agreement("rct", "RCT")
    ('disagree', 'agree')
    """
    src, rev = _labels(source_says), _labels(review_says)
    if not src or not rev:
        return ""
    return "agree" if rev <= src else "disagree"


def compare_facts(facts: pd.DataFrame, publications: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per fact: agreement of the labels and its weighed status.

    Returns :data:`FACT_COMPARISON_COLUMNS`; ``status`` is confirmed / contradicted (primary
    source of the cited report), secondary_agrees / doubt (secondary report),
    different_report, or not_checkable (a side left blank).

    Examples
    --------
    >>> f = pd.DataFrame({"fact_id": ["f1"], "ref": ["3"], "study_id": ["x2000"], "url": ["u"],
    ...     "aspect": ["population"], "source_says": ["metastatic"], "review_says": ["oligometastatic"],
    ...     "review_location": ["text 2"], "review_refs": ["3"]})
    >>> p = pd.DataFrame({"url": ["u"], "doi": ["10.1/x"], "source_kind": ["primary_abstract"], "report": ["cited"]})
    >>> compare_facts(f, p)[["agreement", "status"]].values.tolist()
    [['disagree', 'contradicted']]
    """
    fx = facts.copy()
    if publications is not None:
        fx = attach_columns(fx, publications, ["doi", "pmid", "source_kind", "report"])
    rows = []
    for _, r in fx.iterrows():
        agreement = fact_agreement(r.get("source_says"), r.get("review_says"))
        ref, refs = norm(r.get("ref")), {x.strip() for x in norm(r.get("review_refs")).split(";") if x.strip()}
        same = norm(r.get("report")) != "other" and (not refs or ref in refs)
        kind = norm(r.get("source_kind")) or "primary_abstract"
        status = source_status({"agree": "confirmed", "disagree": "contradicted"}.get(agreement, "not_checkable"),
                               source_weight(kind), same)
        ident = source_identifier(r)
        rows.append({
            "fact_id": norm(r.get("fact_id")), "study_id": norm(r.get("study_id")), "ref": ref,
            "aspect": norm(r.get("aspect")), "source_says": norm(r.get("source_says")),
            "review_says": norm(r.get("review_says")), "review_location": norm(r.get("review_location")),
            "agreement": agreement, "status": status, "source": ident,
            "evidence": f"{ident} ({kind}): {norm(r.get('aspect'))} = {norm(r.get('source_says'))}",
            "value_ids": norm(r.get("value_ids")), "review_quote": norm(r.get("review_quote")),
        })
    return pd.DataFrame(rows, columns=FACT_COMPARISON_COLUMNS)
