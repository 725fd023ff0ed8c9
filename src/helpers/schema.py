"""The extraction schema's table columns, in data/extracted/README.md order (one place)."""
from __future__ import annotations

#: columns of every table, in README order
COLUMNS: dict[str, list[str]] = {
    "references": ["ref", "first_author", "year", "title", "journal", "doi", "kind", "offset", "quote"],
    "studies": ["study_id", "refs", "author_printed", "author_romanised", "location", "design",
                "arm_order", "n_id", "offset", "quote", "reading"],
    "mentions": ["mention_id", "location", "section", "author_printed", "refs", "offset", "quote"],
    "values": ["value_id", "section", "location", "refs", "study_id", "quantity", "endpoint", "term",
               "arm", "subgroup", "timepoint", "unit", "comparator", "value", "value_offset", "bound",
               "count_id", "denominator_id", "partition_id", "total_id", "offset", "quote", "reading"],
    "prognostic": ["factor_id", "study_id", "refs", "location", "section", "endpoint", "factor",
                   "factor_key", "hr_id", "p_id", "wording", "offset", "quote", "reading"],
    "claims": ["claim_id", "claim_type", "section", "location", "refs", "quantity", "endpoint",
               "subgroup", "low_id", "high_id", "member_ids", "factor_key", "wording", "offset",
               "quote", "reading"],
    "non_statistics": ["pattern", "offset", "token", "reason", "note"],
}
TABLES = tuple(COLUMNS)

#: optional provenance columns any table may carry after its schema columns (in this order):
#: ``origin`` (``proposed`` by ``python -m helpers propose``, ``curated`` once a person checked
#: the row, blank = curated) and ``confidence`` (the proposer's confidence, 0..1)
OPTIONAL_COLUMNS: list[str] = ["origin", "confidence"]
