"""Write the audit's outputs in one step: flags, recomputed values, findings, errata, source tables."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..outputs import write_csv, write_text
from .build import assign_flag_ids, build_findings
from .erratum import erratum_markdown, review_citation


def write_audit_outputs(result, review, out_dir: Path | str) -> dict[str, pd.DataFrame]:
    """Write everything the audit of one review produced, and return the tables written.

    * ``recomputed.csv`` — one row per recomputed figure (every check, the source comparison included);
    * ``inconsistencies.csv`` — one row per flag, with its stable ``flag_id``;
    * ``findings.csv`` — the flags grouped into distinct defects (:func:`build_findings`);
    * ``erratum.md`` and ``erratum.zh.md`` — the definite and probable errors, English and Chinese;
    * ``tables/primary_source_{comparisons,facts,summary}.csv`` — when the review's data directory
      holds figures read in its cited sources (``result.sources``).

    Each file is written atomically and only when its bytes change.

    Parameters
    ----------
    result : helpers.audit.AuditResult
        The output of :func:`helpers.audit.run_audit`.
    review : helpers.review.Review
        The review audited (its tables name the studies; its data directory gives the citation).
    out_dir : path
        Output directory (``outputs`` for ``make all``).

    Returns
    -------
    dict of str to DataFrame
        ``recomputed``, ``flags``, ``findings`` and the source tables under their file names.
    """
    out = Path(out_dir)
    flags = assign_flag_ids(result.inconsistencies)
    comparisons = result.sources.comparisons if result.sources is not None else None
    facts = result.sources.facts if result.sources is not None else None
    findings = build_findings(flags, review.tables, comparisons, facts)
    written = {"recomputed": result.recomputed, "flags": flags, "findings": findings}
    write_csv(result.recomputed, out / "recomputed.csv")
    write_csv(flags, out / "inconsistencies.csv")
    write_csv(findings, out / "findings.csv")
    for lang, name in (("en", "erratum.md"), ("zh", "erratum.zh.md")):
        write_text(erratum_markdown(findings, review.tables, review_citation(review.data_dir, lang), lang), out / name)
    if result.sources is not None:
        for name, table in result.sources.as_dict().items():
            write_csv(table, out / "tables" / f"{name}.csv")
            written[name] = table
    return written
