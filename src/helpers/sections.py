"""Select what one section of a review says, and what the audit found there.

Generic: a "section" is whatever label the extraction gives (``values.section``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .review import Review, read_table

#: columns shown when a notebook lists extracted figures
VALUE_COLUMNS = ["value_id", "location", "refs", "study", "quantity", "endpoint", "term", "arm",
                 "subgroup", "timepoint", "comparator", "value", "unit", "quote"]


def study_labels(review: Review) -> pd.DataFrame:
    """One row per study: ``study_id``, ``study`` (name as printed) and ``label`` (ASCII).

    The ASCII label is what figures use (no CJK font is assumed on the machine).
    """
    studies = review.tables.get("studies", pd.DataFrame(columns=["study_id", "author_printed", "author_romanised"]))
    out = studies[["study_id", "author_printed", "author_romanised"]].copy()
    out["study"] = out["author_printed"].where(out["author_printed"] != "", out["author_romanised"])
    out["label"] = out["author_romanised"].where(out["author_romanised"] != "", out["study_id"])
    if "refs" in studies:
        out["label"] = out["label"] + " [" + studies["refs"].str.replace(";", "][", regex=False) + "]"
    return out[["study_id", "study", "label"]]


def flag_labels(review: Review, flags: pd.DataFrame) -> pd.Series:
    """ASCII study label of each flag, from its first reference number (names can be shared).

    Examples
    --------
    >>> flag_labels(review, flags)  # doctest: +SKIP
    """
    studies = review.tables.get("studies", pd.DataFrame(columns=["study_id", "refs"]))
    labels = study_labels(review).set_index("study_id")["label"]
    by_ref = {}
    for sid, refs in zip(studies["study_id"], studies["refs"]):
        for r in refs.split(";"):
            by_ref.setdefault(r, labels.get(sid, sid))
    first = flags["refs"].str.split(";").str[0].fillna("")
    return first.map(by_ref).fillna(first.where(first == "", "ref " + first)).replace("", "(no reference)")


def values_in(review: Review, sections: list[str] | tuple[str, ...] | str) -> pd.DataFrame:
    """Extracted values of the given section(s), with the study's printed name and label.

    Examples
    --------
    >>> values_in(review, ["1"])  # doctest: +SKIP
    """
    if isinstance(sections, str):
        sections = [sections]
    values = review.tables["values"]
    sel = values[values["section"].isin(list(sections))]
    merged = sel.merge(study_labels(review), on="study_id", how="left")
    merged[["study", "label"]] = merged[["study", "label"]].fillna("")
    return merged.reset_index(drop=True)


def read_audit(out_dir: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``recomputed.csv`` and ``inconsistencies.csv`` written by the audit notebook."""
    out_dir = Path(out_dir)
    return read_table(out_dir / "recomputed.csv"), read_table(out_dir / "inconsistencies.csv")


def flags_in(inconsistencies: pd.DataFrame, sections: list[str] | tuple[str, ...] | str) -> pd.DataFrame:
    """Flags whose ``section`` is one of ``sections`` (a flag spanning sections lists them ';'-joined)."""
    if isinstance(sections, str):
        sections = [sections]
    wanted = set(sections)
    hit = inconsistencies["section"].str.split(";").map(lambda s: bool(wanted.intersection(s)))
    return inconsistencies[hit].reset_index(drop=True)


def recomputed_for(recomputed: pd.DataFrame, value_ids: pd.Series | list[str]) -> pd.DataFrame:
    """Recomputations of the given reported values."""
    return recomputed[recomputed["value_id"].isin(set(value_ids))].reset_index(drop=True)


def status_counts(recomputed: pd.DataFrame) -> pd.DataFrame:
    """Count recomputations by check and status (a small cross-table)."""
    if recomputed.empty:
        return pd.DataFrame()
    return pd.crosstab(recomputed["check"], recomputed["status"]).reset_index()


def severity_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Count flags by check and severity."""
    if flags.empty:
        return pd.DataFrame({"check": [], "severity": [], "flags": []})
    return flags.groupby(["check", "severity"]).size().rename("flags").reset_index()


def verdict(values: pd.DataFrame, recomputed: pd.DataFrame, flags: pd.DataFrame) -> str:
    """A short, computed, plain-language verdict for a set of figures (Markdown).

    Examples
    --------
    >>> v = pd.DataFrame({"value_id": ["a", "b"]})
    >>> r = pd.DataFrame({"value_id": ["a"], "check": ["percent_vs_count"], "status": ["consistent"]})
    >>> f = pd.DataFrame(columns=["check", "severity", "message"])
    >>> print(verdict(v, r, f))
    **2 figures** extracted; **1** recomputed from other figures (1 consistent). **No flags.**
    """
    n_rec = recomputed["value_id"].nunique() if not recomputed.empty else 0
    status = recomputed.drop_duplicates("value_id", keep="last")["status"].value_counts() if n_rec else pd.Series(dtype=int)
    parts = ", ".join(f"{int(n)} {s.replace('_', ' ')}" for s, n in sorted(status.items()))
    text = f"**{len(values)} figures** extracted; **{n_rec}** recomputed from other figures"
    text += f" ({parts})." if parts else "."
    if flags.empty:
        return text + " **No flags.**"
    sev = flags["severity"].value_counts()
    counts = ", ".join(f"{int(sev.get(s, 0))} {s}" for s in ("error", "warning", "info") if sev.get(s, 0))
    text += f" **{len(flags)} flags** ({counts}):\n"
    for _, f in flags.iterrows():
        text += f"\n- *{f['severity']}* · `{f['check']}` — {f['message']}"
    return text
