"""Compare the figures and facts a review prints with what its cited sources print.

Generic: nothing here knows which review is audited.  Inputs are the review's extracted
``values`` table (schema of ``data/extracted/README.md``) and *external* tables read by hand in
stored pages of the cited publications (schema of ``data/external/README.md``):
``primary_sources.csv`` (figures, from any kind of source), ``publications.csv`` (the pages read,
their kind and report, notices) and ``facts.csv`` (categorical facts).

Sources carry weight (:data:`SOURCE_WEIGHTS`): primary full text > primary abstract or registry
> secondary report.  Only primary sources confirm or contradict; a secondary report that
disagrees raises a doubt; a figure read in another report than the one the review cites is a
``different_report`` (both figures shown, never a contradiction).

Main entry points
-----------------
``link_value_ids(external, values)``
    fill ``value_id`` of external rows from the review's values.
``compare_sources(review_values, source_values)``
    rounding-aware comparison with weights: one status of :data:`STATUSES` per pair.
``source_comparisons(values, external, publications)``
    every linked pair with status, evidence, and arm exchanges (``swap_group``).
``compare_external(external, values, publications)``
    every source row compared, with the columns the flags are worded from; the flags
    themselves (``primary_source_mismatch``, ``source_fact_mismatch``, ``secondary_source_doubt``)
    are registered checks of the audit engine (:mod:`helpers.audit.primary_sources`).
``source_summary(...)``
    per study: kinds of source read, figures covered, statuses, distinct wrong values, notices.
"""
from .facts import FACT_CHECK, FACT_COLUMNS, compare_facts, fact_agreement
from .io import load_external, load_facts, load_review_values
from .linking import LINK_KEYS, attach_columns, link_value_ids, source_identifier
from .printed import NOT_REACHED, Printed, compare_printed, norm, parse_printed
from .sources import (CHECK, COMPARISON_COLUMNS, DOUBT_CHECK, FLAG_COLUMNS, PRIMARY_WEIGHT, SOURCE_WEIGHTS,
                      STATUS_TO_RECOMPUTED, STATUSES, attach_publications, compare_external,
                      compare_sources, source_comparisons, source_recomputed, source_status,
                      source_weight, swap_groups)
from .summary import SUMMARY_COLUMNS, source_summary, value_statuses, wrong_value_count

__all__ = [
    "CHECK", "COMPARISON_COLUMNS", "DOUBT_CHECK", "FACT_CHECK", "FACT_COLUMNS", "FLAG_COLUMNS", "LINK_KEYS",
    "NOT_REACHED", "PRIMARY_WEIGHT", "SOURCE_WEIGHTS", "STATUSES", "STATUS_TO_RECOMPUTED", "SUMMARY_COLUMNS",
    "Printed", "attach_columns", "attach_publications", "compare_external", "compare_facts", "compare_printed",
    "compare_sources", "fact_agreement", "link_value_ids", "load_external",
    "load_facts", "load_review_values", "norm", "parse_printed", "source_comparisons",
    "source_identifier", "source_recomputed", "source_status", "source_summary", "source_weight",
    "swap_groups", "value_statuses", "wrong_value_count",
]
