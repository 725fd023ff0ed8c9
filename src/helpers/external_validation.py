"""Validate what was read in the cited sources (``external/*.csv``; schema in ``data/external/README.md``).

Like the extracted tables, these files are input: a malformed row stops the build with a message
naming file, row, column and problem. Only what cannot be a faithful record is rejected — an
unknown study, value or kind of source, a page not listed among the publications read, a quote
that is not in the review. Whatever the sources or the review print is data for the audit.
"""
from __future__ import annotations

import re

import pandas as pd

from .errors import Problem

#: kinds of source (with ``not_found`` for searches that found nothing); weights live in
#: :data:`helpers.crosscheck.SOURCE_WEIGHTS`
SOURCE_KINDS = ("primary_full_text", "primary_abstract", "registry", "primary", "secondary", "not_found")
REPORTS = ("cited", "other")
COMPARATORS = ("", "=", "<", ">", "≤", "≥", "<=", ">=")

#: columns each external table must have
REQUIRED = {
    "publications": ("ref", "study_id", "url", "source_kind", "report"),
    "primary_sources": ("ref", "study_id", "quantity", "source_comparator", "source_value", "url", "value_id"),
    "facts": ("fact_id", "ref", "study_id", "url", "aspect", "source_says", "review_says", "review_location",
              "review_quote", "value_ids"),
}
_INT = re.compile(r"\d+\Z")
_DOI = re.compile(r"10\.\d{4,9}/\S+\Z")


def external_problems(external: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame],
                      source: str) -> list[Problem]:
    """Every problem of the external tables, as :class:`~helpers.errors.Problem` (row numbers as a
    spreadsheet shows them: header = row 1).

    Parameters
    ----------
    external : dict of str to DataFrame
        ``review.external`` (``publications``, ``primary_sources``, ``facts``; any may be absent).
    tables : dict of str to DataFrame
        The review's extracted tables (for the known study and value ids).
    source : str
        The review's text (facts quote it verbatim).

    Examples
    --------
    >>> pub = pd.DataFrame({"ref": ["3"], "study_id": ["s"], "url": ["https://x.org"],
    ...                     "source_kind": ["abstract"], "report": ["cited"]})
    >>> [str(p) for p in external_problems({"publications": pub}, {"studies": pd.DataFrame({"study_id": ["s"]})}, "")]
    ['external/publications.csv, row 2, column "source_kind": \\'abstract\\' is not a kind of source (not_found, primary, primary_abstract, primary_full_text, registry, secondary)']
    """
    problems: list[Problem] = []
    studies = set(tables["studies"]["study_id"]) if "studies" in tables else None
    values = set(tables["values"]["value_id"]) if "values" in tables else None
    pages = set(external["publications"]["url"]) - {""} if "publications" in external else None
    if "primary_sources" in external and "publications" not in external:
        problems.append(Problem("external/publications.csv", None, None,
                                "missing file (external/primary_sources.csv needs it: the pages read)"))
    for name, df in external.items():
        file = f"external/{name}.csv"
        missing = [c for c in REQUIRED.get(name, ()) if c not in df.columns]
        if missing:
            problems.append(Problem(file, None, None, f"missing column(s): {', '.join(missing)}"))
            continue
        for i, row in enumerate(df.to_dict("records"), start=2):
            def bad(column: str, problem: str) -> None:
                problems.append(Problem(file, i, column, problem))

            if not _INT.match(row["ref"]):
                bad("ref", f"{row['ref']!r} is not a reference number")
            if studies is not None and row["study_id"] not in studies:
                bad("study_id", f"{row['study_id']!r} is not a study_id of extracted/studies.csv")
            if name == "publications":
                _publication_row(row, bad)
                continue
            if pages is not None and row["url"] not in pages:
                bad("url", f"{row['url']!r} is not a page listed in external/publications.csv")
            if name == "primary_sources":
                if row["source_comparator"] not in COMPARATORS:
                    bad("source_comparator", f"{row['source_comparator']!r} is not a comparator")
                if row["value_id"] and values is not None and row["value_id"] not in values:
                    bad("value_id", f"{row['value_id']!r} is not a value_id of extracted/values.csv")
            if name == "facts":
                for vid in filter(None, (v.strip() for v in row["value_ids"].split(";"))):
                    if values is not None and vid not in values:
                        bad("value_ids", f"{vid!r} is not a value_id of extracted/values.csv")
                if row["review_quote"] and row["review_quote"] not in source:
                    bad("review_quote", "not found verbatim in the review's text")
    if "facts" in external and "fact_id" in external["facts"]:
        dup = external["facts"]["fact_id"].duplicated()
        problems.extend(Problem("external/facts.csv", int(i) + 2, "fact_id", "duplicate fact_id")
                        for i in dup[dup].index)
    return problems


def _publication_row(row: dict, bad) -> None:
    kind, url = row["source_kind"], row["url"]
    if kind not in SOURCE_KINDS:
        bad("source_kind", f"{kind!r} is not a kind of source ({', '.join(sorted(SOURCE_KINDS))})")
    if row["report"] not in REPORTS:
        bad("report", f"{row['report']!r} is not one of {', '.join(REPORTS)}")
    if kind != "not_found" and not url:
        bad("url", "blank: every page read needs its address (only not_found rows have none)")
    if row.get("doi") and not _DOI.match(row["doi"]):
        bad("doi", f"{row['doi']!r} is not a DOI (10.NNNN/...)")

