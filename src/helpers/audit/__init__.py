"""Generic audit engine: recompute what can be recomputed and flag internal inconsistencies.

Nothing here knows the review it audits; all review-specific facts live in the extracted CSVs
(see ``data/extracted/README.md``). Entry point: :func:`run_audit`; registry: :data:`CHECKS`.
"""
from .params import AuditParams
from .registry import CHECKS, CheckSpec, checks_table
from .context import AuditContext, ISSUE_COLUMNS, RECOMPUTED_COLUMNS
# registration order is execution order: the import order below fixes it
from . import arithmetic, partitions, ranges, consistency, survival, stats, effects, citations, claims  # noqa: F401  (register checks)
from .arithmetic import grim_percent, percent_vs_count
from .partitions import impossible_value, parts_vs_total
from .ranges import range_claim, unit_mix
from .consistency import arm_order, arms_swapped, hr_direction_vs_medians, hr_vs_median_ratio, same_quantity_mismatch
from .survival import endpoint_order, survival_exponential, survival_landmark
from .stats import or_from_counts, p_from_2x2
from .effects import hr_direction_wording, no_difference_claim, p_attainable
from .citations import citation_author, citation_sample_size, citation_value_match
from .claims import announced_arm_order, claim_vs_figures
from .survival import landmark_monotonic
from . import primary_sources  # noqa: E402  (registers the checks against the cited sources)
from .primary_sources import (SourceTables, compare_review_sources, primary_source_mismatch, secondary_source_doubt,
                              source_fact_mismatch)
from .engine import AuditResult, run_audit
from .toy import toy_review

__all__ = [
    "AuditParams", "AuditResult", "AuditContext", "CHECKS", "CheckSpec", "checks_table", "run_audit",
    "toy_review", "ISSUE_COLUMNS", "RECOMPUTED_COLUMNS",
    "percent_vs_count", "grim_percent", "parts_vs_total", "impossible_value", "range_claim", "unit_mix",
    "arms_swapped", "same_quantity_mismatch", "hr_direction_vs_medians", "hr_vs_median_ratio", "arm_order",
    "survival_landmark", "survival_exponential", "endpoint_order",
    "p_from_2x2", "or_from_counts", "p_attainable", "no_difference_claim", "hr_direction_wording",
    "citation_author", "citation_sample_size", "citation_value_match", "claim_vs_figures", "announced_arm_order",
    "landmark_monotonic", "primary_source_mismatch", "source_fact_mismatch", "secondary_source_doubt",
    "SourceTables", "compare_review_sources",
]
