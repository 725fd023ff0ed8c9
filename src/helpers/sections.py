"""Select what one section of a review says, and what the audit found there.

Generic: a "section" is whatever label the extraction gives (``values.section``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
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
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(studies=[{"study_id": "okafor2020", "refs": "4;5", "author_romanised": "Okafor"}])
    >>> flag_labels(rv, pd.DataFrame({"refs": ["5;4", "9", ""]})).tolist()
    ['Okafor [4][5]', 'ref 9', '(no reference)']
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
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "a", "section": "1", "study_id": "s"},
    ...                         {"value_id": "b", "section": "2", "study_id": "s"}],
    ...                 studies=[{"study_id": "s", "author_printed": "Okafor", "refs": "4"}])
    >>> values_in(rv, "1")[["value_id", "study"]].values.tolist()
    [['a', 'Okafor']]
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


def findings_in(findings: pd.DataFrame | None, value_ids) -> pd.DataFrame | None:
    """Findings naming any of ``value_ids`` (ranked), or None when there is no findings table."""
    if findings is None:
        return None
    from .report.findings_view import ranked, split_ids

    wanted = set(value_ids)
    hit = findings["value_ids"].map(lambda ids: bool(wanted.intersection(split_ids(ids))))
    return ranked(findings[hit])


def _counts_sentence(values: pd.DataFrame, recomputed: pd.DataFrame, lang: str) -> str:
    from .report.text import t

    last = recomputed.drop_duplicates("value_id", keep="last") if len(recomputed) else recomputed
    n_rec = int(last["value_id"].nunique()) if len(last) else 0
    n_ok = int((recomputed.groupby("value_id")["status"].agg(lambda s: (s == "consistent").all())).sum()) if n_rec else 0
    return t("verdict.section.counts", lang, n=len(values), n_rec=n_rec, n_ok=n_ok)


def verdict(values: pd.DataFrame, recomputed: pd.DataFrame, flags: pd.DataFrame,
            findings: pd.DataFrame | None = None, lang: str = "en") -> str:
    """The verdict of a section in sentences (Markdown), built from its findings (else its flags).

    Examples
    --------
    >>> v = pd.DataFrame({"value_id": ["a", "b"]})
    >>> r = pd.DataFrame({"value_id": ["a"], "check": ["percent_vs_count"], "status": ["consistent"]})
    >>> f = pd.DataFrame(columns=["check", "severity", "message", "value_ids"])
    >>> print(verdict(v, r, f))
    Of the 2 figures printed here, 1 could be recomputed from other printed figures or checked against a primary source, and 1 of these agree. The audit raised no flag here.
    """
    from .report.pages import label
    from .report.text import plain, t

    text = _counts_sentence(values, recomputed, lang)
    if findings is not None:
        if findings.empty:
            return text + " " + t("verdict.section.no_findings", lang)
        text += " " + t("verdict.section.findings", lang, n=len(findings)) + "\n"
        for f in findings.to_dict("records"):
            text += f"\n- **{plain(f[f'title_{lang}'])}** ({label('tier', f['tier'], lang)}). {plain(f[f'meaning_{lang}'])}"
        return text
    if flags.empty:
        return text + " " + t("verdict.section.no_flags", lang)
    text += " " + t("verdict.section.flags", lang, n=len(flags)) + "\n"
    for check, g in flags.groupby("check", sort=False):
        sev = g["severity"].value_counts()
        sevs = ", ".join(f"{int(sev[k])} {label('severity', k, lang)}" for k in ("error", "warning", "info") if k in sev)
        where = ", ".join(sorted(set(g["location"])))
        text += "\n- " + t("verdict.section.flag_line", lang, check=label("check", check, lang), n=len(g),
                            severities=sevs, where=where)
    return text


@dataclass
class Section:
    """What a section notebook works with: the review, its figures, and the audit's tables."""

    review: Review
    out: Path
    values: pd.DataFrame
    recomputed: pd.DataFrame
    flags: pd.DataFrame
    all_recomputed: pd.DataFrame
    all_flags: pd.DataFrame
    all_findings: pd.DataFrame | None
    marked: set = field(default_factory=set)
    confirmed: set = field(default_factory=set)

    @property
    def findings(self) -> pd.DataFrame | None:
        """Findings naming a figure of this section (ranked); None without a findings table."""
        return findings_in(self.all_findings, self.values["value_id"])

    def restrict(self, value_ids, flags: pd.DataFrame | None = None) -> "Section":
        """The same section narrowed to ``value_ids`` (and to ``flags`` if given, else the flags naming them)."""
        ids = set(value_ids)
        every = values_in(self.review, sorted(set(self.review.tables["values"]["section"])))
        vals = every[every["value_id"].isin(ids)].reset_index(drop=True)
        if flags is None:
            flags = self.all_flags[self.all_flags["value_ids"].str.split(";").map(lambda x: bool(ids.intersection(x)))]
        return Section(self.review, self.out, vals, recomputed_for(self.all_recomputed, vals["value_id"]),
                       flags.reset_index(drop=True), self.all_recomputed, self.all_flags, self.all_findings,
                       self.marked, self.confirmed)

    def verdict(self, lang: str = "en") -> str:
        """The section's verdict in sentences (see :func:`verdict`)."""
        return verdict(self.values, self.recomputed, self.flags, self.findings, lang)

    @property
    def basis(self) -> dict[str, str]:
        """How figures decide what to mark red, in each language (for captions)."""
        from .report.text import LANGS, t

        key = "basis.findings" if self.all_findings is not None else "basis.flags"
        return {lang: t(key, lang) for lang in LANGS}


def values_sentence(s: "Section") -> str:
    """One sentence: how many figures, from how many studies, in which places."""
    v = s.values
    studies = v.loc[v["study_id"] != "", "study_id"].nunique()
    places = ", ".join(sorted(set(v["location"])))
    return f"These sections print **{len(v)} figures** from {studies} studies, in {places}."


def by_quote(values: pd.DataFrame) -> pd.DataFrame:
    """One row per quoted phrase: its location, study and the figures extracted from it."""
    g = values.groupby(["offset", "location", "label", "quote"], sort=True)["value"].agg(", ".join)
    from .report.text import plain

    out = g.rename("figures").reset_index().drop(columns="offset").rename(columns={"label": "study"})
    out["quote"] = out["quote"].map(plain)
    return out


def recomputation_sentence(s: "Section") -> str:
    """How many figures were recomputed and how many agree, by status."""
    return _counts_sentence(s.values, s.recomputed, "en")


def flags_sentence(s: "Section") -> str:
    """How many flags, by severity, and how many findings they amount to (when known)."""
    if s.flags.empty:
        return "The audit raised no flag on these figures."
    sev = s.flags["severity"].value_counts()
    text = f"**{len(s.flags)} flags** (" + ", ".join(f"{int(sev[k])} {k}" for k in ("error", "warning", "info") if k in sev) + ")"
    f = s.findings
    if f is None:
        return text + "; the findings table that groups flags into distinct defects is not part of this build."
    return text + f", grouped into **{len(f)} distinct defects** (see the verdict)."


def load_section(data_dir: Path | str, out_dir: Path | str, section_list, validate: bool = True) -> Section:
    """The shared setup of a section notebook: display options, figure style, the review, the audit.

    Loads (and by default validates) the review, reads the audit's recomputations, flags and,
    when the audit wrote it, ``findings.csv``; selects the figures of ``section_list``.

    Examples
    --------
    >>> from helpers import paths
    >>> s = load_section(paths.DATA, paths.OUTPUTS, ["1"], validate=False)
    >>> set(s.values["section"]), s.findings is not None
    ({'1'}, True)
    """
    from . import figures
    from .report.findings_view import marked_values, read_findings, source_confirmed
    from .review import load_review

    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.max_rows", 60)
    figures.setup()
    out = Path(out_dir)
    review = load_review(data_dir, validate=validate)  # stops here on bad input
    recomputed, flags = read_audit(out)
    findings = read_findings(out / "findings.csv")
    vals = values_in(review, list(section_list))
    return Section(review, out, vals, recomputed_for(recomputed, vals["value_id"]), flags_in(flags, list(section_list)),
                   recomputed, flags, findings, marked_values(findings, flags, review.tables["values"], recomputed),
                   source_confirmed(recomputed))
