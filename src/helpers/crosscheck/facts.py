"""Categorical facts (design, population, arm definitions): what a source says vs what the review says.

A fact row carries controlled labels: ``source_says`` may list several labels the source uses
for the same thing (``metastatic|advanced``), ``review_says`` is one label.  They agree when the
review's label is among the source's.  Weights and report matching are those of the figures
(:func:`helpers.crosscheck.sources.source_status`): only a primary source of the cited report
contradicts; a secondary report raises a doubt.
"""
from __future__ import annotations

import re

import pandas as pd

from .linking import attach_columns, source_identifier
from .printed import norm, shown_source
from .sources import DOUBT_CHECK, FLAG_COLUMNS, source_status, source_weight

FACT_CHECK = "source_fact_mismatch"
FACT_COLUMNS = ["fact_id", "ref", "study_id", "url", "aspect", "source_says", "review_says", "review_location",
                "review_refs", "review_quote", "value_ids", "note"]
FACT_COMPARISON_COLUMNS = ["fact_id", "study_id", "ref", "aspect", "source_says", "review_says", "review_location",
                           "agreement", "status", "source", "evidence", "value_ids"]


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
            "value_ids": norm(r.get("value_ids")),
        })
    return pd.DataFrame(rows, columns=FACT_COMPARISON_COLUMNS)


def _text_section(location: str) -> str:
    """The section a ``text N.N`` location names ("text 2.1.2" -> "2.1.2"); blank for tables.

    Examples
    --------
    >>> _text_section("text 2.1.2"), _text_section("table 3")
    ('2.1.2', '')
    """
    m = re.fullmatch(r"text (\d+(?:\.\d+)*)", norm(location))
    return m.group(1) if m else ""


def fact_flags(fact_comparisons: pd.DataFrame, values: pd.DataFrame | None = None,
               names: dict | None = None) -> pd.DataFrame:
    """Disagreeing facts as flags (:data:`FLAG_COLUMNS`): ``source_fact_mismatch`` (warning) when a
    primary source of the cited report says otherwise, ``secondary_source_doubt`` (info) when only
    a secondary report does.  The section is that of the review's values printed at the same
    location (blank if none).

    Examples
    --------
    >>> fc = pd.DataFrame({"fact_id": ["f1"], "study_id": ["x2000"], "ref": ["3"], "aspect": ["design"],
    ...     "source_says": ["meta_analysis"], "review_says": ["rct"], "review_location": ["table 9"],
    ...     "agreement": ["disagree"], "status": ["contradicted"], "source": ["doi:10.1/x"],
    ...     "evidence": [""], "value_ids": [""]})
    >>> fact_flags(fc)[["check", "severity", "reported", "expected"]].values.tolist()
    [['source_fact_mismatch', 'warning', 'rct', 'meta_analysis']]
    """
    sections = {}
    if values is not None and {"location", "section"} <= set(values.columns):
        sections = values.drop_duplicates("location").set_index("location")["section"].to_dict()
    flags = []
    for _, c in fact_comparisons[fact_comparisons["status"].isin(["contradicted", "doubt"])].iterrows():
        primary = c["status"] == "contradicted"
        who = (f"the primary source {shown_source(c['source'])}" if primary
               else f"a secondary report ({shown_source(c['source'])})")
        study = (names or {}).get(c["study_id"]) or c["study_id"]
        msg = (f"The review describes the {c['aspect']} of {study} in {c['review_location']} as "
               f"'{c['review_says']}', but {who} says '{c['source_says'].replace('|', ' / ')}'.")
        flags.append({"check": FACT_CHECK if primary else DOUBT_CHECK, "severity": "warning" if primary else "info",
                      "section": norm(sections.get(c["review_location"], "")) or _text_section(c["review_location"]),
                      "location": c["review_location"],
                      "refs": c["ref"], "study": c["study_id"], "quantity": c["aspect"],
                      "reported": c["review_says"], "expected": c["source_says"], "message": msg,
                      "value_ids": c["value_ids"]})
    return pd.DataFrame(flags, columns=FLAG_COLUMNS)
