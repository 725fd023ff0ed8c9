"""Compare the figures a review prints with the figures its primary sources print.

Generic: nothing here knows which review is audited.  Inputs are the review's extracted
``values`` table (schema of ``data/extracted/README.md``) and an *external* table of figures
read in the cited publications (schema of ``data/external/README.md``).

Main entry points
-----------------
``link_value_ids(external, values)``
    fill ``value_id`` of external rows by matching study/quantity/endpoint/arm/subgroup/
    timepoint/location against the review's values.
``compare_sources(review_values, source_values)``
    rounding-aware comparison, one row per pair: ``confirmed`` / ``contradicted`` /
    ``not_checkable``.
``crosscheck_flags(...)``
    contradictions as flags in the common flag schema (check ``primary_source_mismatch``).

Agreement rule for two printed numbers (both with comparator ``=``): a printed number with
*d* decimals stands for the closed interval ``[x - 0.5·10^-d, x + 0.5·10^-d]``.  The pair
agrees when the source value lies inside the review's interval, or the review value lies
inside the source's interval (the source printed fewer decimals).  Inequalities
(``<``, ``≤``, ``>``, ``≥``) are turned into half-lines: the review is *confirmed* when the
source's set lies inside the review's, *contradicted* when the two sets are disjoint, and
*not_checkable* otherwise (e.g. review ``P = 0.0007`` against source ``P < 0.001``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from . import paths

STATUSES = ("confirmed", "contradicted", "not_checkable")
CHECK = "primary_source_mismatch"
FLAG_COLUMNS = ["check", "severity", "section", "location", "refs", "study", "quantity",
                "reported", "expected", "message", "value_ids"]
#: keys matched by :func:`link_value_ids` (external column -> values column)
LINK_KEYS = {"study_id": "study_id", "quantity": "quantity", "endpoint": "endpoint", "arm": "arm",
             "subgroup": "subgroup", "timepoint": "timepoint", "unit": "unit",
             "review_location": "location"}
NOT_REACHED = {"nr", "not reached", "未达到"}
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_CMP_ALIASES = {"": "=", "=": "=", "<": "<", ">": ">", "≤": "≤", "<=": "≤", "≥": "≥", ">=": "≥"}


# --------------------------------------------------------------------------- parsing
@dataclass(frozen=True)
class Printed:
    """A printed number: comparator, value and number of decimals (None if not numeric)."""

    comparator: str
    value: Decimal | None
    decimals: int
    not_reached: bool = False

    @property
    def half_width(self) -> Decimal:
        return Decimal(5) * Decimal(10) ** (-(self.decimals + 1))

    def interval(self) -> tuple[Decimal | float, Decimal | float, bool, bool]:
        """(low, high, low_closed, high_closed) of the set of true values the print allows."""
        x, h = self.value, self.half_width
        if self.comparator == "=":
            return x - h, x + h, True, True
        if self.comparator == "<":
            return -math.inf, x, False, False
        if self.comparator == "≤":
            return -math.inf, x, False, True
        if self.comparator == ">":
            return x, math.inf, False, False
        return x, math.inf, True, False  # ≥


def parse_printed(value: object, comparator: object = "=") -> Printed | None:
    """Parse a number as printed ('21.3', '.041', '< 0.001', '48.2%', 'NR').

    Returns None for blanks and anything that is not a single number.

    Examples
    --------
    >>> parse_printed("14.60").decimals
    2
    >>> parse_printed("< .001").comparator
    '<'
    >>> parse_printed("NR").not_reached
    True
    >>> parse_printed("") is None
    True
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().replace("％", "%").rstrip("%").strip()
    cmp_ = "" if comparator is None or (isinstance(comparator, float) and math.isnan(comparator)) else str(comparator).strip()
    m = re.match(r"^(<=|>=|≤|≥|<|>|=)\s*(.*)$", text)
    if m:
        cmp_, text = m.group(1), m.group(2).strip()
    if cmp_ not in _CMP_ALIASES:
        return None
    cmp_ = _CMP_ALIASES[cmp_]
    if text.lower() in NOT_REACHED:
        return Printed(cmp_, None, 0, not_reached=True)
    if not _NUM.match(text):
        return None
    try:
        dec = Decimal(text)
    except InvalidOperation:  # pragma: no cover - regex already guards
        return None
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return Printed(cmp_, dec, decimals)


def _contains(outer, inner) -> bool:
    lo, hi, loc, hic = outer
    ilo, ihi, iloc, ihic = inner
    left_ok = ilo > lo or (ilo == lo and (loc or not iloc))
    right_ok = ihi < hi or (ihi == hi and (hic or not ihic))
    return left_ok and right_ok


def _disjoint(a, b) -> bool:
    alo, ahi, aloc, ahic = a
    blo, bhi, bloc, bhic = b
    if ahi < blo or bhi < alo:
        return True
    if ahi == blo and not (ahic and bloc):
        return True
    if bhi == alo and not (bhic and aloc):
        return True
    return False


def compare_printed(reported: Printed | None, expected: Printed | None) -> str:
    """Status of a review print against a source print (see module docstring).

    Examples
    --------
    >>> compare_printed(parse_printed("21.3"), parse_printed("21.25"))
    'confirmed'
    >>> compare_printed(parse_printed("8.9"), parse_printed("8.7"))
    'contradicted'
    >>> compare_printed(parse_printed("0.0007"), parse_printed("< 0.001"))
    'not_checkable'
    """
    if reported is None or expected is None:
        return "not_checkable"
    if reported.not_reached or expected.not_reached:
        if reported.not_reached and expected.not_reached:
            return "confirmed"
        # a printed median against "not reached": the two cannot both hold
        return "contradicted"
    if reported.comparator == "=" and expected.comparator == "=":
        r_lo, r_hi, *_ = reported.interval()
        e_lo, e_hi, *_ = expected.interval()
        if r_lo <= expected.value <= r_hi or e_lo <= reported.value <= e_hi:
            return "confirmed"
        return "contradicted"
    r_int, e_int = reported.interval(), expected.interval()
    if _contains(r_int, e_int):
        return "confirmed"
    if _disjoint(r_int, e_int):
        return "contradicted"
    return "not_checkable"


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
def _norm(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return str(x).strip()


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
    out["value_id"] = out["value_id"].map(_norm)
    out["link_note"] = ""
    vals = values.copy()
    for vcol in keys.values():
        if vcol not in vals:
            vals[vcol] = ""
        vals[vcol] = vals[vcol].map(_norm)
    vals["value"] = vals.get("value", pd.Series("", index=vals.index)).map(_norm)
    ref_sets = vals.get("refs", pd.Series("", index=vals.index)).map(
        lambda x: {r.strip() for r in _norm(x).split(";") if r.strip()})
    for i, row in out.iterrows():
        if row["value_id"]:
            continue
        ext = {e: _norm(row.get(e, "")) for e in keys}
        ref = _norm(row.get("ref", ""))
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
        if len(cand) > 1 and _norm(row.get("review_value", "")):
            same = cand[cand["value"] == _norm(row.get("review_value", ""))]
            if len(same) >= 1:
                cand = same
        if len(cand) == 1:
            out.at[i, "value_id"] = cand["value_id"].iloc[0]
        elif cand.empty:
            out.at[i, "link_note"] = "no match"
        else:
            out.at[i, "link_note"] = "ambiguous: " + ";".join(cand["value_id"].astype(str))
    return out


# --------------------------------------------------------------------------- comparison
def compare_sources(review_values: pd.DataFrame, source_values: pd.DataFrame, *,
                    on: str = "value_id", review_value_col: str = "value",
                    review_comparator_col: str = "comparator",
                    source_value_col: str = "source_value",
                    source_comparator_col: str = "source_comparator") -> pd.DataFrame:
    """Compare each review figure with the source figure linked to it.

    Parameters
    ----------
    review_values : DataFrame
        At least ``on`` and ``review_value_col`` (the number as printed by the review);
        optionally ``review_comparator_col``.
    source_values : DataFrame
        At least ``on`` and ``source_value_col``; optionally ``source_comparator_col``,
        ``doi``, ``pmid``, ``url`` (for the evidence string) and ``source_kind`` — rows whose
        ``source_kind`` is present and not ``primary`` never confirm or contradict anything.

    Returns
    -------
    DataFrame with columns ``value_id, reported, expected, status, source, evidence``
    (one row per source row with a non-blank key).
    """
    rv = review_values.copy()
    sv = source_values.copy()
    sv = sv[sv[on].map(_norm) != ""]
    rv[on] = rv[on].map(_norm)
    sv[on] = sv[on].map(_norm)
    if review_comparator_col not in rv:
        rv[review_comparator_col] = "="
    if source_comparator_col not in sv:
        sv[source_comparator_col] = "="
    rv = rv[[on, review_value_col, review_comparator_col]].rename(
        columns={review_value_col: "_rv", review_comparator_col: "_rc"})
    merged = sv.merge(rv, on=on, how="left")
    rows = []
    for _, row in merged.iterrows():
        rep = parse_printed(row.get("_rv"), row.get("_rc"))
        exp = parse_printed(row.get(source_value_col), row.get(source_comparator_col))
        kind = _norm(row.get("source_kind", "primary")) or "primary"
        status = compare_printed(rep, exp) if kind == "primary" else "not_checkable"
        ident = source_identifier(row)
        shown_exp = (_norm(row.get(source_comparator_col)).replace("=", "") + " " +
                     _norm(row.get(source_value_col))).strip()
        shown_rep = (_norm(row.get("_rc")).replace("=", "") + " " + _norm(row.get("_rv"))).strip()
        evidence = f"{ident}: {shown_exp}" if shown_exp else f"{ident}: no figure printed"
        if kind != "primary":
            evidence += f" ({kind} source, not used as confirmation)"
        rows.append({"value_id": row[on], "reported": shown_rep, "expected": shown_exp,
                     "status": status, "source": ident, "evidence": evidence})
    return pd.DataFrame(rows, columns=["value_id", "reported", "expected", "status", "source", "evidence"])


def attach_publications(external: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """Add doi/pmid/source_kind of the publication each external row was read in (matched by url)."""
    pub = publications[["url", "doi", "pmid", "source_kind"]].copy()
    pub = pub[pub["url"].map(_norm) != ""].drop_duplicates("url")
    drop = [c for c in ("doi", "pmid", "source_kind") if c in external]
    return external.drop(columns=drop).merge(pub, on="url", how="left")


def crosscheck_flags(external: pd.DataFrame, values: pd.DataFrame | None = None,
                     publications: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flags (severity ``error``) for every review figure contradicted by a primary source.

    *external* is the table of source figures (``primary_sources.csv``).  When *values*
    (the review's extracted values) is given, blank ``value_id`` cells are linked with
    :func:`link_value_ids` and the review's figure is taken from *values*; rows that stay
    unlinked fall back on the external ``review_value`` / ``review_comparator`` columns
    and yield flags without a value_id.  *publications* supplies doi/pmid/source_kind by url.
    """
    ext = external.copy()
    if publications is not None:
        ext = attach_publications(ext, publications)
    ext = ext.reset_index(drop=True)
    for col in ("value_id", "review_value", "review_comparator"):
        if col not in ext:
            ext[col] = ""
    if values is not None and not values.empty:
        ext = link_value_ids(ext, values)
        vmeta = values.drop_duplicates("value_id").set_index("value_id")
    else:
        vmeta = pd.DataFrame(columns=["value", "comparator", "section", "location", "refs"])
    ext["_key"] = [f"row{i}" for i in range(len(ext))]
    reported, comparators = [], []
    for _, row in ext.iterrows():
        vid = _norm(row["value_id"])
        if vid and vid in vmeta.index:
            reported.append(_norm(vmeta.at[vid, "value"]))
            comparators.append(_norm(vmeta.at[vid, "comparator"]) if "comparator" in vmeta else "=")
        else:
            reported.append(_norm(row["review_value"]))
            comparators.append(_norm(row["review_comparator"]))
    review = pd.DataFrame({"_key": ext["_key"], "value": reported, "comparator": comparators})
    comp = compare_sources(review, ext, on="_key").rename(columns={"value_id": "_key"})
    comp = comp.merge(ext, on="_key", how="left", suffixes=("", "_ext"))
    flags = []
    for _, c in comp[comp["status"] == "contradicted"].iterrows():
        vid = _norm(c["value_id"])
        meta = vmeta.loc[vid] if vid and vid in vmeta.index else None
        pick = lambda col, fallback: _norm(meta[col]) if meta is not None and col in meta else fallback  # noqa: E731
        location = pick("location", _norm(c.get("review_location")))
        what = ", ".join(x for x in (_norm(c.get("endpoint")), _norm(c.get("arm")), _norm(c.get("subgroup")),
                                     _norm(c.get("timepoint"))) if x)
        message = (f"The review prints {c['reported']} for the {_norm(c.get('quantity'))}"
                   f"{' (' + what + ')' if what else ''} of {_norm(c.get('study_id'))} in {location}, "
                   f"but the primary source {c['source']} prints {c['expected']}.")
        if _norm(c.get("note")):
            message += f" Source note: {_norm(c.get('note'))}."
        flags.append({"check": CHECK, "severity": "error", "section": pick("section", ""),
                      "location": location, "refs": pick("refs", _norm(c.get("ref"))),
                      "study": _norm(c.get("study_id")), "quantity": _norm(c.get("quantity")),
                      "reported": c["reported"], "expected": c["expected"], "message": message,
                      "value_ids": vid})
    return pd.DataFrame(flags, columns=FLAG_COLUMNS)


# --------------------------------------------------------------------------- loading
def load_external(data_dir: Path | str = paths.DATA) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``external/primary_sources.csv`` and ``external/publications.csv`` as strings."""
    ext_dir = Path(data_dir) / "external"
    read = lambda p: pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")  # noqa: E731
    return read(ext_dir / "primary_sources.csv"), read(ext_dir / "publications.csv")


def load_review_values(data_dir: Path | str = paths.DATA) -> pd.DataFrame:
    """The review's extracted values: ``extracted/values.csv`` if present, else the union of
    ``extracted/parts/*/values.csv``; an empty frame when neither exists."""
    ex = Path(data_dir) / "extracted"
    read = lambda p: pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")  # noqa: E731
    if (ex / "values.csv").exists():
        return read(ex / "values.csv")
    parts = sorted(ex.glob("parts/*/values.csv"))
    if parts:
        return pd.concat([read(p) for p in parts], ignore_index=True)
    return pd.DataFrame(columns=["value_id", "section", "location", "refs", "study_id", "quantity",
                                 "endpoint", "arm", "subgroup", "timepoint", "comparator", "value"])


# --------------------------------------------------------------------------- into the audit
STATUS_TO_RECOMPUTED = {"confirmed": "consistent", "contradicted": "inconsistent", "not_checkable": "not_recomputable"}


def source_comparisons(values: pd.DataFrame, external: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """Every (review figure, source figure) pair with its status and the study it belongs to.

    Returns columns ``value_id, study_id, ref, reported, expected, status, source, evidence``;
    ``status`` is confirmed / contradicted / not_checkable.
    """
    ext = attach_publications(external, publications).reset_index(drop=True)
    ext = link_value_ids(ext, values) if not values.empty else ext
    ext = ext[ext["value_id"].map(_norm) != ""].reset_index(drop=True)
    comp = compare_sources(values, ext, on="value_id")
    comp["study_id"] = ext["study_id"].values
    comp["ref"] = ext["ref"].values
    return comp[["value_id", "study_id", "ref", "reported", "expected", "status", "source", "evidence"]]


def source_recomputed(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Rows for ``recomputed.csv``: the source's figure as the recomputed value, status mapped
    to consistent / inconsistent / not_recomputable, the source identifier in the method."""
    return pd.DataFrame({
        "value_id": comparisons["value_id"],
        "check": CHECK,
        "recomputed": comparisons["expected"],
        "method": comparisons["status"] + " by " + comparisons["evidence"],
        "status": comparisons["status"].map(STATUS_TO_RECOMPUTED),
    })


def source_summary(comparisons: pd.DataFrame, publications: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """Per study: figures confirmed, contradicted and not checkable, the sources read and any notices.

    Studies with a publication row but no comparable figure are listed with zeros; the
    ``found`` column says whether a primary publication was read at all.
    """
    counts = (comparisons.drop_duplicates(["value_id", "status"])
              .pivot_table(index="study_id", columns="status", values="value_id", aggfunc="count", fill_value=0)
              .reindex(columns=["confirmed", "contradicted", "not_checkable"], fill_value=0))
    pub = publications.copy()
    agg = pub.groupby("study_id").agg(
        refs=("ref", lambda s: ";".join(sorted(set(s), key=int))),
        found=("source_kind", lambda s: "primary" if (s == "primary").any() else ("secondary only" if (s == "secondary").any() else "not found")),
        notices=("notices", lambda s: "; ".join(sorted({x for x in s if x}))),
    )
    out = agg.join(counts, how="outer").fillna({"confirmed": 0, "contradicted": 0, "not_checkable": 0}).fillna("")
    for c in ("confirmed", "contradicted", "not_checkable"):
        out[c] = out[c].astype(int)
    names = studies.set_index("study_id")["author_romanised"] if "author_romanised" in studies else pd.Series(dtype=str)
    out.insert(0, "study", out.index.map(names).fillna(""))
    return out.reset_index().rename(columns={"index": "study_id"}).sort_values("study_id").reset_index(drop=True)


def merge_audit(recomputed: pd.DataFrame, inconsistencies: pd.DataFrame,
                more_recomputed: pd.DataFrame, more_flags: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the source cross-check's rows to the engine's tables, keeping their sort order."""
    rc = pd.concat([recomputed, more_recomputed[recomputed.columns]], ignore_index=True)
    rc = rc.drop_duplicates().sort_values(["value_id", "check", "method", "recomputed"], kind="stable")
    inc = pd.concat([inconsistencies, more_flags[inconsistencies.columns]], ignore_index=True)
    inc = inc.drop_duplicates().sort_values(["section", "location", "check", "value_ids"], kind="stable")
    return rc.reset_index(drop=True), inc.reset_index(drop=True)
