"""Findings (``outputs/findings.csv``, one row per distinct defect) as the report reads them.

The table is written by the audit (notebook 00) when the findings step is part of the build; its
columns are fixed by the findings contract (:data:`FINDINGS_COLUMNS`). Without it the report
falls back to the flags of ``inconsistencies.csv`` and says so.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem

FINDINGS_COLUMNS = ["finding_id", "tier", "impact", "kind", "section", "locations", "refs", "study",
                    "title_en", "title_zh", "meaning_en", "meaning_zh", "printed", "resolution",
                    "resolution_note_en", "resolution_note_zh", "right_printing", "corrected",
                    "flag_ids", "value_ids"]
#: rank order, most serious first
TIERS = ["definite_error", "probable_error", "plausibility", "source_doubt", "reporting_style"]
#: the tiers whose findings are errors (those of the erratum); the rest are notes, doubts and style
ERROR_TIERS = TIERS[:2]
IMPACTS = ["conclusion", "figure", "cosmetic"]
RESOLUTIONS = ["primary_source", "internal_evidence", "undecidable", "not_applicable"]
#: the check whose recomputation compares a figure with the cited study's own publication
SOURCE_CHECK = "primary_source_mismatch"
VALUE_KEY = ["study_id", "quantity", "endpoint", "arm", "subgroup", "timepoint"]


def split_ids(cell: str) -> list[str]:
    """``'a;b;'`` → ``['a', 'b']``."""
    return [x for x in str(cell).split(";") if x]


def read_findings(path: Path | str) -> pd.DataFrame | None:
    """Read and check ``findings.csv``; ``None`` when the file does not exist.

    Raises :class:`helpers.errors.DataError` naming file, row and column for a missing column,
    a tier, impact or resolution outside the vocabularies, or a duplicate finding_id.
    """
    path = Path(path)
    if not path.exists():
        return None
    from ..review import read_table

    df = read_table(path)
    name = path.name
    missing = [c for c in FINDINGS_COLUMNS if c not in df.columns]
    if missing:
        raise DataError([Problem(name, None, c, "column missing (see the findings contract)") for c in missing])
    problems = []
    for col, vocab in (("tier", TIERS), ("impact", IMPACTS), ("resolution", RESOLUTIONS)):
        for i, v in df[col].items():
            if v not in vocab:
                problems.append(Problem(name, i + 2, col, f"{v!r} is not one of {', '.join(vocab)}"))
    for i in df.index[df["finding_id"].duplicated()]:
        problems.append(Problem(name, i + 2, "finding_id", f"duplicate {df.at[i, 'finding_id']!r}"))
    if problems:
        raise DataError(problems)
    return df


def ranked(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings ordered by tier, then impact, then section and id (the report's order), numbered ``rank``.

    Examples
    --------
    >>> f = pd.DataFrame({"finding_id": ["b", "a"], "tier": ["plausibility", "definite_error"],
    ...                   "impact": ["figure", "cosmetic"], "section": ["1", "2"]})
    >>> ranked(f)["finding_id"].tolist()
    ['a', 'b']
    """
    out = findings.assign(_t=findings["tier"].map(TIERS.index), _i=findings["impact"].map(IMPACTS.index))
    out = out.sort_values(["_t", "_i", "section", "finding_id"], kind="stable").drop(columns=["_t", "_i"])
    return out.assign(rank=range(1, len(out) + 1)).reset_index(drop=True)


def with_flag_ids(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags with a ``flag_id`` column: the audit's own when present, else ``flag-<row number>``."""
    if "flag_id" in flags.columns and (flags["flag_id"] != "").all():
        return flags
    return flags.assign(flag_id=[f"flag-{i + 1}" for i in range(len(flags))])


def findings_of_values(findings: pd.DataFrame | None) -> dict[str, list[str]]:
    """value_id → finding_ids that name it (in rank order when ``findings`` is ranked)."""
    out: dict[str, list[str]] = {}
    if findings is None:
        return out
    for fid, ids in zip(findings["finding_id"], findings["value_ids"]):
        for v in split_ids(ids):
            out.setdefault(v, []).append(fid)
    return out


def finding_of_flags(findings: pd.DataFrame | None) -> dict[str, str]:
    """flag_id → the finding that groups it."""
    out: dict[str, str] = {}
    if findings is None:
        return out
    for fid, ids in zip(findings["finding_id"], findings["flag_ids"]):
        for f in split_ids(ids):
            out.setdefault(f, fid)
    return out


def source_confirmed(recomputed: pd.DataFrame) -> set[str]:
    """value_ids that the cited study's own publication confirms."""
    r = recomputed[(recomputed["check"] == SOURCE_CHECK) & (recomputed["status"] == "consistent")]
    return set(r["value_id"])


def _inconsistent(recomputed: pd.DataFrame) -> set[str]:
    return set(recomputed.loc[recomputed["status"] == "inconsistent", "value_id"])


def wrong_printings(findings: pd.DataFrame, values: pd.DataFrame, recomputed: pd.DataFrame) -> set[str]:
    """value_ids a finding shows to be wrong, as opposed to the context it cites.

    For a finding with a ``right_printing``, its values printed elsewhere are wrong unless the
    same figure (same study, quantity, endpoint, arm, subgroup, timepoint, value) is printed at
    the right location too; without one, its values that a check recomputed and found inconsistent
    (all its values when none was recomputed). A value its primary source confirms is never wrong.
    """
    v = values.set_index("value_id")
    bad_recomputed = _inconsistent(recomputed)
    out: set[str] = set()
    for ids, right in zip(findings["value_ids"], findings["right_printing"]):
        ids = [i for i in split_ids(ids) if i in v.index]
        right_locs = set(split_ids(right))
        if right_locs:
            rows = v.loc[ids]
            at_right = {tuple(r) for r in rows[rows["location"].isin(right_locs)][VALUE_KEY + ["value"]].itertuples(index=False)}
            out |= {i for i, r in zip(ids, rows[VALUE_KEY + ["value"] + ["location"]].itertuples(index=False))
                    if r[-1] not in right_locs and tuple(r[:-1]) not in at_right}
        else:
            hit = [i for i in ids if i in bad_recomputed]
            out |= set(hit or ids)
    return out - source_confirmed(recomputed)


def marked_values(findings: pd.DataFrame | None, flags: pd.DataFrame, values: pd.DataFrame,
                  recomputed: pd.DataFrame) -> set[str]:
    """The values a figure marks in red.

    With findings: :func:`wrong_printings`. Without (precision first): for each flag of severity
    ``error``, its values that the cited study's own publication contradicts, or, when there are
    none, its values that a check recomputed and found inconsistent; never a value its primary
    source confirms. A flag's other values are its context (e.g. the hazard ratio beside two
    swapped medians), and warnings mark nothing.
    """
    if findings is not None:
        return wrong_printings(findings, values, recomputed)
    bad = _inconsistent(recomputed)
    contradicted = set(recomputed.loc[(recomputed["check"] == SOURCE_CHECK) & (recomputed["status"] == "inconsistent"),
                                      "value_id"])
    out: set[str] = set()
    for ids in flags.loc[flags["severity"] == "error", "value_ids"]:
        ids = set(split_ids(ids))
        out |= (ids & contradicted) or (ids & bad)
    return out - source_confirmed(recomputed)


#: status of a printed number, in the order a reader's eye should meet them
STATUSES = ["finding", "flag", "consistent", "unchecked", "not_a_statistic"]


def value_status(values: pd.DataFrame, findings: pd.DataFrame | None, flags: pd.DataFrame,
                 recomputed: pd.DataFrame) -> pd.Series:
    """Status of each extracted value (index value_id).

    ``finding`` (named by a finding; without findings: by a flag, status ``flag``), ``flag``
    (named by a flag that no finding upholds), ``consistent`` (recomputed from other figures or
    confirmed by its source and agreeing), ``unchecked`` (nothing could recompute it).
    """
    ids = values["value_id"]
    flagged = {i for x in flags["value_ids"] for i in split_ids(x)}
    in_finding = set(findings_of_values(findings))
    ok = set(recomputed.loc[recomputed["status"] == "consistent", "value_id"])
    status = pd.Series("unchecked", index=ids.to_numpy(), dtype=object)
    status[status.index.isin(ok)] = "consistent"
    status[status.index.isin(flagged)] = "flag"
    status[status.index.isin(in_finding)] = "finding"
    return status
