"""Checks against the cited sources: the review's figures and facts beside what the sources print.

These checks read what was recorded by hand from the cited publications (``external/*.csv`` of
the data directory, loaded into ``review.external``; schema in ``data/external/README.md``) and
are quiet when nothing was read. The comparison itself (rounding-aware, weighed by the kind of
source, arm exchanges counted once) is :mod:`helpers.crosscheck`; this module turns it into flags
and recomputed rows like any other check, so that every flag leaves the engine through
:meth:`AuditContext.issues`.

Three parts, as for every check: the pairing is :func:`source_tables` (each source row linked to
the review's figure, compared once per audit and shared by the three checks); the test is
:func:`helpers.crosscheck.compare_sources` (statuses from :func:`helpers.crosscheck.source_status`);
the messages are :func:`helpers.crosscheck.comparison_flags` and :func:`helpers.crosscheck.fact_flags`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import crosscheck
from .context import AuditContext, empty_issues, empty_recomputed
from .registry import register


@dataclass(frozen=True)
class SourceTables:
    """What the source comparison produced for one review.

    Attributes
    ----------
    comparisons : DataFrame
        Every source figure linked to a review figure (:data:`helpers.crosscheck.COMPARISON_COLUMNS`).
    facts : DataFrame
        Every categorical fact compared (source says / review says / agreement / status).
    summary : DataFrame
        Per study: kinds of source read, figures covered, statuses, wrong values, notices.
    flags : DataFrame
        Flags of figures and facts in the common flag schema, ``study`` holding study_ids.
    """

    comparisons: pd.DataFrame
    facts: pd.DataFrame
    summary: pd.DataFrame
    flags: pd.DataFrame

    def as_dict(self) -> dict[str, pd.DataFrame]:
        """The three tables written to ``outputs/tables`` under their names."""
        return {"primary_source_comparisons": self.comparisons, "primary_source_facts": self.facts,
                "primary_source_summary": self.summary}


def has_sources(review) -> bool:
    """Whether a review carries figures read in its cited sources (``primary_sources`` and
    ``publications`` tables of ``review.external``)."""
    ext = getattr(review, "external", None) or {}
    return "primary_sources" in ext and "publications" in ext


def compare_review_sources(review, names: dict | None = None) -> SourceTables | None:
    """Compare the review's figures and facts with its sources (``None`` when none were read).

    ``names`` (study_id -> printed name) names the studies in the flags' messages.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> compare_review_sources(toy_review(values=[{"value_id": "a"}])) is None
    True
    """
    if not has_sources(review):
        return None
    ext = review.external
    values = review.tables.get("values", pd.DataFrame(columns=["value_id"]))
    studies = review.tables.get("studies", pd.DataFrame(columns=["study_id"]))
    publications = ext["publications"]
    compared = crosscheck.compare_external(ext["primary_sources"], values, publications)
    comparisons = compared[compared["value_id"] != ""].reset_index(drop=True)[crosscheck.COMPARISON_COLUMNS]
    facts_in = ext.get("facts", pd.DataFrame(columns=crosscheck.FACT_COLUMNS))
    facts = crosscheck.compare_facts(facts_in, publications)
    flags = pd.concat([crosscheck.comparison_flags(compared, names), crosscheck.fact_flags(facts, values, names)],
                      ignore_index=True)
    summary = crosscheck.source_summary(comparisons, publications, studies, facts)
    return SourceTables(comparisons, facts, summary, flags)


def source_tables(ctx: AuditContext) -> SourceTables | None:
    """The source comparison of the context's review, computed once per context and cached
    (workers forked by the engine inherit it)."""
    if "_source_tables" not in ctx.__dict__:
        ctx.__dict__["_source_tables"] = compare_review_sources(ctx.review, ctx.study_label)
    return ctx.__dict__["_source_tables"]


def _flags_as_issues(ctx: AuditContext, check: str) -> pd.DataFrame:
    """The comparison's flags of one check, placed where the comparison placed them."""
    tables = source_tables(ctx)
    if tables is None:
        return empty_issues()
    f = tables.flags[tables.flags["check"] == check]
    if f.empty:
        return empty_issues()
    f = f.fillna("").astype(str)
    first_ids = np.array([ids.split(";")[0] for ids in f["value_ids"]], dtype=object)
    return ctx.issues(first_ids, f["severity"].to_numpy(dtype=object), f["reported"], f["expected"],
                      f["message"], f["value_ids"].to_numpy(dtype=object), study_ids=f["study"].to_numpy(dtype=object),
                      override={c: f[c].to_numpy(dtype=object) for c in ("section", "location", "refs", "quantity")})


@register(crosscheck.CHECK, "error",
          "A review figure differs from the figure its cited primary source prints (two arms' figures "
          "printed exchanged count once); read from the data directory's external/ tables.", cost=0.5)
def primary_source_mismatch(ctx: AuditContext):
    """Flag each review figure a primary source of the cited report contradicts, and record every
    compared figure with the source's figure as its recomputed value.

    Confirmed -> consistent, contradicted -> inconsistent, every other status (another report,
    a secondary report, not comparable) -> not_recomputable, the status and evidence in the method.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "m", "study_id": "s", "refs": "3", "quantity": "median",
    ...                          "endpoint": "os", "arm": "total", "location": "table 1", "value": "14.0"}])
    >>> rv.external = {
    ...     "publications": pd.DataFrame({"ref": ["3"], "study_id": ["s"], "url": ["https://example.org/s"],
    ...                                   "source_kind": ["primary_abstract"], "report": ["cited"]}),
    ...     "primary_sources": pd.DataFrame({"ref": ["3"], "study_id": ["s"], "quantity": ["median"],
    ...         "endpoint": ["os"], "arm": ["total"], "source_comparator": ["="], "source_value": ["18.0"],
    ...         "url": ["https://example.org/s"], "value_id": ["m"]})}
    >>> issues, rec = primary_source_mismatch(rv)
    >>> issues[["severity", "reported", "expected", "value_ids"]].values.tolist()
    [['error', '14.0', '18.0', 'm']]
    >>> rec["status"].tolist()
    ['inconsistent']
    """
    tables = source_tables(ctx)
    if tables is None:
        return empty_issues(), empty_recomputed()
    c = tables.comparisons
    rec = ctx.recomputed(c["value_id"], c["expected"], c["status"] + " by " + c["evidence"],
                         c["status"].map(crosscheck.STATUS_TO_RECOMPUTED).fillna("not_recomputable"))
    return _flags_as_issues(ctx, crosscheck.CHECK), rec


@register(crosscheck.FACT_CHECK, "warning",
          "What the review says of a study's design, population or arms differs from what its cited "
          "primary source says (external/facts.csv).", cost=0.2)
def source_fact_mismatch(ctx: AuditContext):
    """Flag each categorical fact (design, population, arm) a primary source of the cited report
    describes otherwise than the review (labels compared by :func:`helpers.crosscheck.fact_agreement`).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "n", "study_id": "s", "quantity": "n", "location": "table 3",
    ...                          "value": "40"}])
    >>> page = {"ref": ["3"], "study_id": ["s"], "url": ["https://example.org/s"]}
    >>> rv.external = {
    ...     "publications": pd.DataFrame(page | {"source_kind": ["primary_abstract"], "report": ["cited"]}),
    ...     "primary_sources": pd.DataFrame(columns=["ref", "study_id", "quantity", "source_value", "url"]),
    ...     "facts": pd.DataFrame(page | {"fact_id": ["F1"], "aspect": ["design"], "source_says": ["single_arm"],
    ...                                  "review_says": ["rct"], "review_location": ["table 3"],
    ...                                  "review_refs": ["3"], "value_ids": ["n"]})}
    >>> source_fact_mismatch(rv)[0][["severity", "reported", "expected"]].values.tolist()
    [['warning', 'rct', 'single_arm']]
    """
    return _flags_as_issues(ctx, crosscheck.FACT_CHECK), empty_recomputed()


@register(crosscheck.DOUBT_CHECK, "info",
          "A secondary report (news, summary, another review) prints a figure or fact otherwise than "
          "the review: a doubt for readers, never a contradiction.", cost=0.2)
def secondary_source_doubt(ctx: AuditContext):
    """Flag each figure or fact a secondary report gives otherwise than the review (info: only a
    primary source confirms or contradicts).

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "m", "study_id": "s", "refs": "3", "quantity": "median",
    ...                          "endpoint": "os", "location": "text 1", "value": "17.2"}])
    >>> page = {"ref": ["3"], "study_id": ["s"], "url": ["https://example.org/news"]}
    >>> rv.external = {
    ...     "publications": pd.DataFrame(page | {"source_kind": ["secondary"], "report": ["cited"]}),
    ...     "primary_sources": pd.DataFrame(page | {"quantity": ["median"], "endpoint": ["os"],
    ...                                     "source_comparator": ["="], "source_value": ["17.7"], "value_id": ["m"]})}
    >>> secondary_source_doubt(rv)[0][["severity", "reported", "expected"]].values.tolist()
    [['info', '17.2', '17.7']]
    """
    return _flags_as_issues(ctx, crosscheck.DOUBT_CHECK), empty_recomputed()
