"""The severity rubric: which tier and impact a flag's defect has (README "Severity rubric").

Tiers, most serious first:

``definite_error``
    The printed figures cannot all be right whatever the data: arithmetic that does not add
    up beyond rounding, a count above its denominator, the same figure printed two ways, arms
    exchanged between two printings, a citation whose reference does not hold the figures or
    the author named, a contradiction by the cited study's own publication.
``probable_error``
    Almost certainly wrong, but a reading exists under which it is not: a p-value that no
    usual test reproduces on the other side of alpha, medians and hazard ratio favouring
    different arms, a landmark rate that contradicts its median, a summary range that leaves
    out the figures it summarises, a claim contradicted by the figures it summarises.
``plausibility``
    Figures that are possible but unlikely, judged with an approximation or a band (hazard
    ratio against the ratio of medians, attainable p, exponential landmarks, a percentage
    fitting none of the study's sizes, a distribution more than a few points short).
``source_doubt``
    Only a secondary report of the study disagrees with the review: a reason to look, never a
    confirmation or a contradiction.
``reporting_style``
    Printing conventions and ambiguities that mislead nobody who reads carefully: P = 0.000,
    a percentage one unit of its last digit off, weeks among months, a distribution a few
    points short of 100 %, a count whose denominator the wording leaves implicit.

Flags that a check raises only as a note (an adjusted odds ratio, a p between the usual
tests) have tier ``none`` and make no finding.
"""
from __future__ import annotations

import pandas as pd

TIERS = ("definite_error", "probable_error", "plausibility", "source_doubt", "reporting_style")
TIER_RANK = {t: i for i, t in enumerate(TIERS)}
IMPACTS = ("conclusion", "figure", "cosmetic")

#: (check, severity) -> tier; severities a check does not list fall back to DEFAULT_TIER
RUBRIC: dict[tuple[str, str], str] = {
    ("arms_swapped", "error"): "definite_error",
    ("citation_author", "error"): "definite_error",
    ("citation_value_match", "error"): "definite_error",
    ("percent_vs_count", "error"): "definite_error",
    ("percent_vs_count", "warning"): "reporting_style",  # off by at most the slip allowance
    ("impossible_value", "error"): "definite_error",
    ("impossible_value", "info"): "reporting_style",     # P = 0.000
    ("parts_vs_total", "error"): "definite_error",
    ("parts_vs_total", "warning"): "plausibility",
    ("parts_vs_total", "info"): "reporting_style",
    ("same_quantity_mismatch", "error"): "definite_error",
    ("grim_percent", "error"): "definite_error",         # no k out of the printed denominator
    ("grim_percent", "warning"): "plausibility",
    ("grim_percent", "info"): "reporting_style",
    ("primary_source_mismatch", "error"): "definite_error",
    ("primary_source_mismatch", "warning"): "probable_error",
    ("secondary_source_doubt", "info"): "source_doubt",
    ("secondary_source_doubt", "warning"): "source_doubt",
    ("source_fact_mismatch", "error"): "probable_error",
    ("source_fact_mismatch", "warning"): "plausibility",
    ("range_claim", "error"): "probable_error",
    ("range_claim", "warning"): "plausibility",
    ("hr_direction_vs_medians", "error"): "probable_error",
    ("hr_direction_vs_medians", "warning"): "plausibility",
    ("p_from_2x2", "error"): "probable_error",
    ("p_from_2x2", "warning"): "plausibility",
    ("p_from_2x2", "info"): "none",
    ("or_from_counts", "warning"): "plausibility",
    ("or_from_counts", "info"): "none",
    ("p_attainable", "error"): "probable_error",
    ("p_attainable", "warning"): "plausibility",
    ("no_difference_claim", "error"): "probable_error",
    ("claim_vs_figures", "error"): "probable_error",
    ("claim_vs_figures", "warning"): "plausibility",
    ("survival_landmark", "error"): "probable_error",
    ("landmark_monotonic", "error"): "definite_error",
    ("survival_exponential", "warning"): "plausibility",
    ("endpoint_order", "error"): "probable_error",
    ("endpoint_order", "warning"): "plausibility",
    ("unit_mix", "warning"): "reporting_style",
    ("arm_order", "warning"): "plausibility",
    ("announced_arm_order", "error"): "probable_error",
    ("announced_arm_order", "warning"): "plausibility",
    ("citation_sample_size", "warning"): "plausibility",
    ("hr_vs_median_ratio", "warning"): "plausibility",
    ("hr_direction_wording", "warning"): "plausibility",
}
DEFAULT_TIER = {"error": "probable_error", "warning": "plausibility", "info": "reporting_style"}

#: checks whose defect changes what a reader concludes about a treatment or a factor
CONCLUSION_CHECKS = frozenset({"arms_swapped", "hr_direction_vs_medians", "no_difference_claim", "claim_vs_figures",
                               "source_fact_mismatch", "announced_arm_order"})


def flag_tier(check: str, severity: str) -> str:
    """Tier of one flag (see the module docstring).

    Examples
    --------
    >>> flag_tier("impossible_value", "info"), flag_tier("some_new_check", "error")
    ('reporting_style', 'probable_error')
    """
    return RUBRIC.get((check, severity), DEFAULT_TIER.get(severity, "reporting_style"))


def flag_impact(check: str, severity: str, tier: str) -> str:
    """Impact of one flag's defect: ``conclusion``, ``figure`` or ``cosmetic``.

    Examples
    --------
    >>> flag_impact("arms_swapped", "error", "definite_error"), flag_impact("unit_mix", "warning", "reporting_style")
    ('conclusion', 'cosmetic')
    """
    if tier == "reporting_style":
        return "cosmetic"
    if check in CONCLUSION_CHECKS or (check in ("p_from_2x2", "p_attainable") and severity == "error"):
        return "conclusion"
    return "figure"


def tiers(flags: pd.DataFrame) -> pd.DataFrame:
    """``flags`` with columns ``tier`` and ``impact`` added (one row per flag)."""
    t = [flag_tier(c, s) for c, s in zip(flags["check"], flags["severity"])]
    imp = [flag_impact(c, s, x) for c, s, x in zip(flags["check"], flags["severity"], t)]
    return flags.assign(tier=t, impact=imp)
