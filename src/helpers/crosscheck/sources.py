"""Weigh each source figure against the review's printing: status per pair, arm exchanges, flags.

Status of one (review figure, source figure) pair, in this order of precedence:

``not_checkable``
    the source prints no single comparable figure, or the two prints cannot be compared
    (e.g. review ``P = 0.0007`` against source ``P < 0.001``);
``different_report``
    the figure was read in another report of the study than the one the review cites for it
    (the source row's ``ref`` is not among the review value's ``refs``, or its publication
    row says ``report = other``); both figures are shown, the pair never contradicts;
``confirmed`` / ``contradicted``
    a primary source (full text, abstract or registry entry) agrees / disagrees;
``secondary_agrees`` / ``doubt``
    a secondary report (news, summary, another review) agrees / disagrees; it never confirms
    and never contradicts.
"""
from __future__ import annotations

import pandas as pd

from .linking import attach_columns, link_value_ids, source_identifier
from .printed import compare_printed, norm, parse_printed

STATUSES = ("confirmed", "contradicted", "different_report", "doubt", "secondary_agrees", "not_checkable")
#: weight of each kind of source; a weight >= PRIMARY_WEIGHT may confirm or contradict
SOURCE_WEIGHTS = {"primary_full_text": 3, "primary_abstract": 2, "registry": 2, "primary": 2, "secondary": 1}
PRIMARY_WEIGHT = 2
CHECK = "primary_source_mismatch"
DOUBT_CHECK = "secondary_source_doubt"
FLAG_COLUMNS = ["check", "severity", "section", "location", "refs", "study", "quantity",
                "reported", "expected", "message", "value_ids"]
COMPARISON_COLUMNS = ["value_id", "study_id", "ref", "reported", "expected", "status", "source", "evidence",
                      "source_kind", "agreement", "location", "quantity", "endpoint", "arm", "subgroup",
                      "timepoint", "swap_group", "exchange_only", "wrong_value"]
STATUS_TO_RECOMPUTED = {"confirmed": "consistent", "contradicted": "inconsistent"}
_GROUP_KEYS = ["study_id", "location", "quantity", "endpoint", "subgroup", "timepoint"]


def source_weight(kind: object) -> int:
    """Weight of a source kind (blank = ``primary_abstract``); unknown kinds raise ``ValueError``.

    Examples
    --------
    >>> source_weight("primary_full_text"), source_weight("secondary"), source_weight("")
    (3, 1, 2)
    """
    k = norm(kind) or "primary_abstract"
    if k not in SOURCE_WEIGHTS:
        raise ValueError(f"source_kind {k!r} is not one of {sorted(SOURCE_WEIGHTS)}")
    return SOURCE_WEIGHTS[k]


def source_status(agreement: str, weight: int, same_report: bool = True) -> str:
    """Status of a pair from the agreement of the two prints, the source's weight and whether the
    figure was read in the report the review cites.

    Examples
    --------
    >>> source_status("contradicted", 2), source_status("contradicted", 1)
    ('contradicted', 'doubt')
    >>> source_status("confirmed", 1), source_status("contradicted", 3, same_report=False)
    ('secondary_agrees', 'different_report')
    """
    if agreement == "not_checkable":
        return "not_checkable"
    if not same_report:
        return "different_report"
    if weight >= PRIMARY_WEIGHT:
        return agreement
    return "secondary_agrees" if agreement == "confirmed" else "doubt"


def _shown(comparator: object, value: object) -> str:
    return (norm(comparator).replace("=", "") + " " + norm(value)).strip()


def _refs(x: object) -> set[str]:
    return {r.strip() for r in norm(x).split(";") if r.strip()}


def compare_sources(review_values: pd.DataFrame, source_values: pd.DataFrame, *,
                    on: str = "value_id", review_value_col: str = "value",
                    review_comparator_col: str = "comparator",
                    source_value_col: str = "source_value",
                    source_comparator_col: str = "source_comparator") -> pd.DataFrame:
    """Compare each review figure with the source figure linked to it, weighing the source.

    Parameters
    ----------
    review_values : DataFrame
        At least ``on`` and ``review_value_col`` (the number as printed by the review);
        optionally ``review_comparator_col`` and ``refs`` (the reference numbers the review
        prints for the figure, ``;``-separated).
    source_values : DataFrame
        At least ``on`` and ``source_value_col``; optionally ``source_comparator_col``,
        ``ref`` (the reference the figure was read in), ``report`` (``other`` = not the cited
        report), ``source_kind`` (see :data:`SOURCE_WEIGHTS`; blank = primary abstract),
        ``doi``, ``pmid``, ``url`` (for the evidence string).

    Returns
    -------
    DataFrame with columns ``value_id, reported, expected, status, source, evidence,
    source_kind, agreement`` (one row per source row with a non-blank key); ``agreement``
    says whether the two prints agree (``agree``/``disagree``/blank) whatever the status.

    Examples
    --------
    >>> rv = pd.DataFrame({"value_id": ["a"], "value": ["17.6"], "refs": ["7"]})
    >>> sv = pd.DataFrame({"value_id": ["a", "a"], "source_value": ["17.4", "17.4"], "ref": ["7", "7"],
    ...                    "source_kind": ["primary_abstract", "secondary"]})
    >>> compare_sources(rv, sv)["status"].tolist()
    ['contradicted', 'doubt']
    """
    rv = review_values.copy()
    sv = source_values[source_values[on].map(norm) != ""].copy()
    rv[on] = rv[on].map(norm)
    sv[on] = sv[on].map(norm)
    rv["_rc"] = rv[review_comparator_col] if review_comparator_col in rv else "="
    rv["_refs"] = rv["refs"] if "refs" in rv else ""
    rv = rv[[on, review_value_col, "_rc", "_refs"]].rename(columns={review_value_col: "_rv"})
    merged = sv.merge(rv.drop_duplicates(on), on=on, how="left")
    rows = []
    for _, row in merged.iterrows():
        s_cmp = row.get(source_comparator_col, "=")
        agreement = compare_printed(parse_printed(row.get("_rv"), row.get("_rc")),
                                    parse_printed(row.get(source_value_col), s_cmp))
        kind = norm(row.get("source_kind", "")) or "primary_abstract"
        ref, refs = norm(row.get("ref", "")), _refs(row.get("_refs"))
        same = norm(row.get("report", "")) != "other" and (not ref or not refs or ref in refs)
        status = source_status(agreement, source_weight(kind), same)
        ident = source_identifier(row)
        exp, rep = _shown(s_cmp, row.get(source_value_col)), _shown(row.get("_rc"), row.get("_rv"))
        evidence = f"{ident}: {exp}" if exp else f"{ident}: no figure printed"
        verdict = {"confirmed": "agrees", "contradicted": "differs"}.get(agreement, "")
        if status == "different_report":
            evidence += (f" (another report of the study, ref {ref or '?'}; the review cites "
                         f"{';'.join(sorted(refs, key=str)) or 'no reference'} for this figure; the figures {'agree' if verdict == 'agrees' else 'differ'})")
        elif source_weight(kind) < PRIMARY_WEIGHT and verdict:
            evidence += f" ({kind} source {verdict}; never used as confirmation)"
        rows.append({"value_id": row[on], "reported": rep, "expected": exp, "status": status,
                     "source": ident, "evidence": evidence, "source_kind": kind,
                     "agreement": {"confirmed": "agree", "contradicted": "disagree"}.get(agreement, "")})
    return pd.DataFrame(rows, columns=["value_id", "reported", "expected", "status", "source", "evidence",
                                       "source_kind", "agreement"])


def attach_publications(external: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """Add doi/pmid/source_kind/report of the publication each external row was read in (by url)."""
    return attach_columns(external, publications, ["doi", "pmid", "source_kind", "report"])


def swap_groups(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Mark contradicted pairs that restate an exchange of two arms' figures.

    Contradicted rows are grouped by one endpoint at one location (study, location, quantity,
    endpoint, subgroup, timepoint).  A group of exactly two arms is an *exchange* when at least
    one arm's printed figure agrees with the other arm's source figure and neither agrees with
    its own (each printing is better explained by the arms being exchanged).  Both rows get the
    same ``swap_group``; ``exchange_only`` is True for a row whose figure agrees with the other
    arm's source figure (it only restates the exchange); for the other row ``wrong_value`` says
    what is still wrong once the exchange is undone.  Rows outside exchanges that are
    contradicted get ``wrong_value`` against their own arm.

    Examples
    --------
    >>> c = pd.DataFrame({"value_id": ["e", "c"], "study_id": "s", "location": "text 1", "quantity": "median",
    ...     "endpoint": "pfs", "subgroup": "", "timepoint": "", "arm": ["experimental", "control"],
    ...     "reported": ["3.5", "9.7"], "expected": ["9.7", "3.5"], "status": "contradicted"})
    >>> swap_groups(c)[["swap_group", "exchange_only"]].values.tolist()
    [['s|text 1|median|pfs||', True], ['s|text 1|median|pfs||', True]]
    """
    out = comparisons.copy()
    out["swap_group"], out["exchange_only"], out["wrong_value"] = "", False, ""
    bad = out[out["status"] == "contradicted"]
    agree = lambda a, b: compare_printed(parse_printed(a), parse_printed(b)) == "confirmed"  # noqa: E731
    for key, g in bad.groupby(_GROUP_KEYS, sort=False):
        g = g.drop_duplicates("value_id")
        if len(g) != 2 or g["arm"].nunique() != 2 or "" in set(g["arm"]):
            continue
        (i, a), (j, b) = list(g.iterrows())
        cross = (agree(a["reported"], b["expected"]), agree(b["reported"], a["expected"]))
        if not any(cross):
            continue
        gid = "|".join(norm(k) for k in key)
        for idx, own, other, ok in ((i, a, b, cross[0]), (j, b, a, cross[1])):
            out.at[idx, "swap_group"] = gid
            out.at[idx, "exchange_only"] = ok
            if not ok:
                out.at[idx, "wrong_value"] = f"{other['arm']}: {own['reported']} (source {other['expected']})"
    lone = (out["status"] == "contradicted") & (out["swap_group"] == "")
    for idx in out.index[lone]:
        arm = norm(out.at[idx, "arm"])
        out.at[idx, "wrong_value"] = (f"{arm}: " if arm else "") + \
            f"{out.at[idx, 'reported']} (source {out.at[idx, 'expected']})"
    return out


def compare_external(external: pd.DataFrame, values: pd.DataFrame | None = None,
                     publications: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every row of *external* compared (unlinked rows fall back on ``review_value``), with the
    external row's own columns kept alongside :data:`COMPARISON_COLUMNS`."""
    ext = external.copy()
    if publications is not None:
        ext = attach_publications(ext, publications)
    ext = ext.reset_index(drop=True)
    for col in ("value_id", "review_value", "review_comparator", "ref", "review_location", "arm"):
        if col not in ext:
            ext[col] = ""
    if values is not None and not values.empty:
        ext = link_value_ids(ext, values)
        vmeta = values.drop_duplicates("value_id").set_index("value_id")
    else:
        vmeta = pd.DataFrame(columns=["value", "comparator", "section", "location", "refs"])
    ext["_key"] = pd.Series([f"row{i}" for i in range(len(ext))], index=ext.index, dtype=object)
    vids = ext["value_id"].map(norm)
    linked = vids.isin(vmeta.index)

    def get(col: str, fallback: pd.Series, ids: pd.Series = vids) -> list[str]:
        have = col in vmeta
        return [norm(vmeta.at[v, col]) if have and v in vmeta.index else norm(f) for v, f in zip(ids, fallback)]

    review = pd.DataFrame({
        "_key": ext["_key"],
        "value": get("value", ext["review_value"]),
        "comparator": [c if (lk or c) else "=" for c, lk in zip(get("comparator", ext["review_comparator"]), linked)],
        "refs": get("refs", pd.Series("", index=ext.index)),
    })
    comp = compare_sources(review, ext, on="_key").rename(columns={"value_id": "_key"})
    comp = comp.merge(ext.drop(columns=[c for c in ("source_kind",) if c in ext]), on="_key", how="left")
    cids = comp["value_id"].map(norm)
    comp["location"] = get("location", comp["review_location"], cids)
    comp["section"] = get("section", pd.Series("", index=comp.index), cids)
    comp["refs"] = get("refs", comp["ref"], cids)
    for col in ("study_id", "quantity", "endpoint", "subgroup", "timepoint"):
        comp[col] = comp[col].map(norm) if col in comp else ""
    comp["value_id"] = comp["value_id"].map(norm)
    comp["value_id"] = comp["value_id"].where(comp["value_id"] != "", comp["_key"])
    comp = swap_groups(comp)
    comp["value_id"] = comp["value_id"].where(~comp["value_id"].str.startswith("row"), "")
    return comp.drop(columns=["_key"])


def source_comparisons(values: pd.DataFrame, external: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """Every (review figure, source figure) pair linked to a review value, with its status.

    Returns :data:`COMPARISON_COLUMNS` (at least ``value_id, study_id, ref, reported, expected,
    status, source, evidence``); ``status`` is one of :data:`STATUSES`.
    """
    comp = compare_external(external, values, publications)
    comp = comp[comp["value_id"] != ""].reset_index(drop=True)
    return comp[COMPARISON_COLUMNS]


def source_recomputed(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Rows for ``recomputed.csv``: the source's figure as the recomputed value; confirmed ->
    consistent, contradicted -> inconsistent, every other status -> not_recomputable; the
    status and evidence in the method."""
    return pd.DataFrame({
        "value_id": comparisons["value_id"],
        "check": CHECK,
        "recomputed": comparisons["expected"],
        "method": comparisons["status"] + " by " + comparisons["evidence"],
        "status": comparisons["status"].map(STATUS_TO_RECOMPUTED).fillna("not_recomputable"),
    })
