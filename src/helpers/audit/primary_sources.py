"""Checks against the cited sources: the review's figures and facts beside what the sources print.

These checks read what was recorded by hand from the cited publications (``external/*.csv`` of
the data directory, loaded into ``review.external``; schema in ``data/external/README.md``) and
are quiet when nothing was read. The comparison itself (rounding-aware, weighed by the kind of
source, arm exchanges counted once) is :mod:`helpers.crosscheck`; this module turns it into flags
and recomputed rows like any other check, so that every flag leaves the engine through
:meth:`AuditContext.issues`.

Three parts, as for every check: the pairing links each source row to the review's figure and
keeps the pairs that raise a flag (:func:`figure_flag_candidates`, :func:`fact_flag_candidates`;
computed once per audit by :func:`source_tables` and shared by the three checks); the test is
:func:`helpers.crosscheck.compare_sources` (rounding-aware agreement, then
:func:`helpers.crosscheck.source_status` from the source's weight and report); the wording is the
message tables :data:`PRIMARY_SOURCE_MISMATCH`, :data:`SOURCE_FACT_MISMATCH` and
:data:`SECONDARY_SOURCE_DOUBT`.
"""
from __future__ import annotations

from dataclasses import dataclass

import re

import numpy as np
import pandas as pd

from .. import crosscheck
from ..crosscheck.printed import norm, shown_source
from .context import ISSUE_COLUMNS, AuditContext, empty_issues, empty_recomputed
from .messages import Outcome, render
from .registry import register


#: wording and severity of :func:`primary_source_mismatch`, by outcome of the comparison
PRIMARY_SOURCE_MISMATCH = {
    "exchange": Outcome("error", "{reported}", "{expected}",
                        "The review prints {what} in {location} with the two arms' figures exchanged ({arms}); "
                        "the primary source {source} prints {source_arms}."),
    "mismatch": Outcome("error", "{reported}", "{expected}",
                        "The review prints {reported} for {what} in {location}, but the primary source {source} "
                        "prints {expected}.{note}"),
    "mismatch_after_exchange": Outcome("error", "{reported}", "{expected}",
                                       "Even with the arms' exchange undone, {what} in {location} differs from the "
                                       "primary source {source}: {wrong_value}.{note}"),
}
#: wording and severity of :func:`source_fact_mismatch`
SOURCE_FACT_MISMATCH = {
    "contradicted": Outcome("warning", "{reported}", "{expected}",
                            "The review describes the {aspect} of {study} in {location} as '{reported}', but the "
                            "primary source {source} says '{expected_shown}'."),
}
#: wording and severity of :func:`secondary_source_doubt`: a figure or a fact
SECONDARY_SOURCE_DOUBT = {
    "figure": Outcome("info", "{reported}", "{expected}",
                      "A secondary report ({source}) prints {expected} for {what} where the review prints "
                      "{reported} in {location}; not confirmed by a primary source."),
    "fact": Outcome("info", "{reported}", "{expected}",
                    "The review describes the {aspect} of {study} in {location} as '{reported}', but a secondary "
                    "report ({source}) says '{expected_shown}'."),
}
TABLES = {crosscheck.CHECK: PRIMARY_SOURCE_MISMATCH, crosscheck.FACT_CHECK: SOURCE_FACT_MISMATCH,
          crosscheck.DOUBT_CHECK: SECONDARY_SOURCE_DOUBT}
#: columns of a flag candidate (see :func:`figure_flag_candidates`)
CANDIDATE_COLUMNS = ["check", "outcome", "section", "location", "refs", "study_id", "quantity", "reported",
                     "expected", "value_ids", "what", "study", "source", "arms", "source_arms", "wrong_value",
                     "note", "aspect", "expected_shown"]


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
    candidates : DataFrame
        The flag candidates of figures and facts (:data:`CANDIDATE_COLUMNS`).
    """

    comparisons: pd.DataFrame
    facts: pd.DataFrame
    summary: pd.DataFrame
    candidates: pd.DataFrame

    def as_dict(self) -> dict[str, pd.DataFrame]:
        """The three tables written to ``outputs/tables`` under their names."""
        return {"primary_source_comparisons": self.comparisons, "primary_source_facts": self.facts,
                "primary_source_summary": self.summary}


def _what(c, names: dict, arm: bool = True) -> str:
    parts = (norm(c.get("endpoint")), norm(c.get("arm")) if arm else "", norm(c.get("subgroup")),
             norm(c.get("timepoint")))
    what = ", ".join(x for x in parts if x)
    sid = norm(c.get("study_id"))
    return f"the {norm(c.get('quantity'))}{' (' + what + ')' if what else ''} of {names.get(sid) or sid}"


def _candidate(check: str, outcome: str, c, names: dict, **fields) -> dict:
    sid = norm(c.get("study_id"))
    row = {k: "" for k in CANDIDATE_COLUMNS}
    row.update(check=check, outcome=outcome, section=norm(c.get("section")), location=norm(c.get("location")),
               refs=norm(c.get("refs")), study_id=sid, quantity=norm(c.get("quantity")),
               reported=norm(c.get("reported")), expected=norm(c.get("expected")), value_ids=norm(c.get("value_id")),
               study=names.get(sid) or sid, source=shown_source(c.get("source")))
    row.update(fields)
    return row


def figure_flag_candidates(compared: pd.DataFrame, names: dict | None = None) -> pd.DataFrame:
    """The compared source figures that raise a flag, one row each (pairing step).

    One ``exchange`` per arm exchange (:func:`helpers.crosscheck.swap_groups`: both arms'
    value_ids, both printings); one ``mismatch`` per figure a primary source of the cited report
    contradicts (``mismatch_after_exchange`` when it is still wrong once the exchange is undone);
    one secondary-report ``figure`` doubt per disagreement. Another report, a secondary report
    that agrees, or a figure that cannot be compared raise nothing.

    Parameters
    ----------
    compared : DataFrame
        Output of :func:`helpers.crosscheck.compare_external` (statuses already decided).
    names : dict, optional
        study_id -> name as printed, for the wording.

    Returns
    -------
    DataFrame
        :data:`CANDIDATE_COLUMNS`.
    """
    names = names or {}
    rows = []
    for _, g in compared[compared["swap_group"] != ""].groupby("swap_group", sort=False):
        g = g.drop_duplicates("value_id")
        c = g.iloc[0]
        rows.append(_candidate(
            crosscheck.CHECK, "exchange", c, names, reported=" | ".join(g["reported"]),
            expected=" | ".join(g["expected"]), value_ids=";".join(v for v in g["value_id"] if v),
            what=_what(c, names, arm=False), arms="; ".join(f"{a} {r}" for a, r in zip(g["arm"], g["reported"])),
            source_arms="; ".join(f"{a} {e}" for a, e in zip(g["arm"], g["expected"]))))
    wrong = compared[(compared["wrong_value"] != "") & (compared["status"] == "contradicted")]
    for _, c in wrong.iterrows():
        note = f" Source note: {norm(c.get('note'))}." if norm(c.get("note")) else ""
        rows.append(_candidate(crosscheck.CHECK, "mismatch_after_exchange" if c["swap_group"] else "mismatch", c,
                               names, what=_what(c, names), wrong_value=norm(c["wrong_value"]), note=note))
    for _, c in compared[compared["status"] == "doubt"].iterrows():
        rows.append(_candidate(crosscheck.DOUBT_CHECK, "figure", c, names, what=_what(c, names)))
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def fact_flag_candidates(facts: pd.DataFrame, values: pd.DataFrame | None = None,
                         names: dict | None = None) -> pd.DataFrame:
    """The compared facts that raise a flag, one row each (pairing step): ``contradicted`` when a
    primary source of the cited report says otherwise, a ``fact`` doubt when only a secondary
    report does. The section is that of the review's values printed at the same location, else
    the one a ``text N.N`` location names.

    Examples
    --------
    >>> fc = pd.DataFrame({"study_id": ["x2000"], "ref": ["3"], "aspect": ["design"],
    ...     "source_says": ["meta_analysis"], "review_says": ["rct"], "review_location": ["text 2.2"],
    ...     "status": ["contradicted"], "source": ["doi:10.1/x"], "value_ids": [""]})
    >>> fact_flag_candidates(fc)[["check", "outcome", "section", "reported", "expected"]].values.tolist()
    [['source_fact_mismatch', 'contradicted', '2.2', 'rct', 'meta_analysis']]
    """
    names = names or {}
    sections = {}
    if values is not None and {"location", "section"} <= set(values.columns):
        sections = values.drop_duplicates("location").set_index("location")["section"].to_dict()
    rows = []
    for _, c in facts[facts["status"].isin(["contradicted", "doubt"])].iterrows():
        primary = c["status"] == "contradicted"
        loc = norm(c["review_location"])
        rows.append(_candidate(
            crosscheck.FACT_CHECK if primary else crosscheck.DOUBT_CHECK, "contradicted" if primary else "fact",
            {"study_id": c["study_id"], "source": c["source"]}, names,
            section=norm(sections.get(loc, "")) or text_section(loc), location=loc, refs=norm(c["ref"]),
            quantity=norm(c["aspect"]), aspect=norm(c["aspect"]), reported=norm(c["review_says"]),
            expected=norm(c["source_says"]), expected_shown=norm(c["source_says"]).replace("|", " / "),
            value_ids=norm(c["value_ids"])))
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def text_section(location: str) -> str:
    """The section a ``text N.N`` location names ("text 2.1.2" -> "2.1.2"); blank for tables.

    Examples
    --------
    >>> text_section("text 2.1.2"), text_section("table 3")
    ('2.1.2', '')
    """
    m = re.fullmatch(r"text (\d+(?:\.\d+)*)", norm(location))
    return m.group(1) if m else ""


def source_flags(candidates: pd.DataFrame) -> pd.DataFrame:
    """The flag candidates worded by their checks' message tables, in the candidates' order
    (standalone use: the common flag schema :data:`~.context.ISSUE_COLUMNS`, ``study`` as printed).

    Examples
    --------
    >>> fc = pd.DataFrame({"study_id": ["x2000"], "ref": ["3"], "aspect": ["design"],
    ...     "source_says": ["meta_analysis|pooled"], "review_says": ["rct"], "review_location": ["table 9"],
    ...     "status": ["contradicted"], "source": ["doi:10.1/x"], "value_ids": [""]})
    >>> source_flags(fact_flag_candidates(fc))["message"].tolist()
    ["The review describes the design of x2000 in table 9 as 'rct', but the primary source doi:10.1/x says 'meta_analysis / pooled'."]
    """
    if candidates.empty:
        return empty_issues()
    rows = candidates.reset_index(drop=True)
    out = rows[["check", "section", "location", "refs", "study", "quantity"]].copy()
    for col in ("severity", "reported", "expected", "message"):
        out[col] = pd.Series("", index=rows.index, dtype=object)
    for check, sub in rows.groupby("check", sort=False):
        worded = render(TABLES[check], sub["outcome"], sub.reset_index(drop=True))
        for col in ("severity", "reported", "expected", "message"):
            out.loc[sub.index, col] = worded[col]
    out["value_ids"] = rows["value_ids"]
    return out[ISSUE_COLUMNS]


def has_sources(review) -> bool:
    """Whether a review carries figures read in its cited sources (``primary_sources`` and
    ``publications`` tables of ``review.external``)."""
    ext = getattr(review, "external", None) or {}
    return "primary_sources" in ext and "publications" in ext


def compare_review_sources(review, names: dict | None = None) -> SourceTables | None:
    """Compare the review's figures and facts with its sources (``None`` when none were read).

    The test of each pair is :func:`helpers.crosscheck.compare_sources` (rounding-aware, weighed
    by the kind of source and the report read); ``names`` (study_id -> printed name) names the
    studies in the wording.

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
    facts = crosscheck.compare_facts(ext.get("facts", pd.DataFrame(columns=crosscheck.FACT_COLUMNS)), publications)
    candidates = pd.concat([figure_flag_candidates(compared, names), fact_flag_candidates(facts, values, names)],
                           ignore_index=True)
    summary = crosscheck.source_summary(comparisons, publications, studies, facts)
    return SourceTables(comparisons, facts, summary, candidates)


def source_tables(ctx: AuditContext) -> SourceTables | None:
    """The source comparison of the context's review, computed once per context and cached
    (workers forked by the engine inherit it)."""
    if "_source_tables" not in ctx.__dict__:
        ctx.__dict__["_source_tables"] = compare_review_sources(ctx.review, ctx.study_label)
    return ctx.__dict__["_source_tables"]


def _issues_of(ctx: AuditContext, check: str) -> pd.DataFrame:
    """The running check's flags: its candidates worded by its table (:func:`source_flags`),
    placed where the comparison placed them."""
    tables = source_tables(ctx)
    rows = tables.candidates[tables.candidates["check"] == check].reset_index(drop=True) if tables else None
    if rows is None or rows.empty:
        return empty_issues()
    f = source_flags(rows)
    first_ids = np.array([ids.split(";")[0] for ids in rows["value_ids"]], dtype=object)
    return ctx.issues(first_ids, f["severity"], f["reported"], f["expected"], f["message"],
                      rows["value_ids"].to_numpy(dtype=object), study_ids=rows["study_id"].to_numpy(dtype=object),
                      override={c: rows[c].to_numpy(dtype=object) for c in ("section", "location", "refs", "quantity")})


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
    return _issues_of(ctx, crosscheck.CHECK), rec


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
    return _issues_of(ctx, crosscheck.FACT_CHECK), empty_recomputed()


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
    return _issues_of(ctx, crosscheck.DOUBT_CHECK), empty_recomputed()
