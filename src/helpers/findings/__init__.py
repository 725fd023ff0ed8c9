"""Findings: the audit's flags grouped into distinct defects, tiered, resolved and corrected.

``inconsistencies.csv`` holds one row per flag (what a check saw); ``findings.csv`` one row per
defect (what an editor acts on). See :mod:`helpers.findings.rubric` for the severity rubric.
"""
from .build import FINDING_COLUMNS, assign_flag_ids, build_findings, findings_in_review_order
from .erratum import erratum_markdown, review_citation
from .rubric import TIERS, flag_tier
from .write import write_audit_outputs

__all__ = ["FINDING_COLUMNS", "TIERS", "assign_flag_ids", "build_findings", "erratum_markdown",
           "findings_in_review_order", "flag_tier", "review_citation", "write_audit_outputs"]
