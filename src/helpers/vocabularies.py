"""Vocabularies of the extracted data: the words a column may hold, with defaults, extensible per data directory.

The defaults below cover the review this compendium was built on. A review from another field
extends them without code changes: an optional ``<data_dir>/extracted/vocabularies.json``
adds words, endpoint pairs and category endpoints (it never removes a default)::

    {"words": {"endpoint": ["dfs", "bcss"], "unit": ["mg"]},
     "endpoint_pairs": [["dfs", "os"]],
     "category_subgroup_endpoints": ["biomarker"]}

``words`` extends the vocabulary of each named column (validation rejects any other word);
``endpoint_pairs`` adds (contained, containing) pairs whose medians ``endpoint_order`` compares
(the default of ``AuditParams.endpoint_pairs``); ``category_subgroup_endpoints`` adds endpoints
whose ``subgroup`` names a category (a toxicity, a share's class, a factor) rather than a subset
of patients. See ``data/extracted/README.md``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError, Problem

#: the file, under ``<data_dir>/extracted/``, that extends the defaults
VOCABULARIES_FILE = "vocabularies.json"

DEFAULT_WORDS: dict[str, frozenset[str]] = {
    "kind": frozenset({"primary_study", "trial_report", "meta_analysis", "pooled_analysis", "review",
                       "guideline", "statistics_report"}),
    "design": frozenset({"retrospective", "rct", "single_arm_trial", "pooled_analysis", "meta_analysis",
                         "epidemiology"}),
    "quantity": frozenset({"n", "count", "percent", "rate", "median", "mean", "sd", "se", "hr", "or",
                           "p_value"}),
    "endpoint": frozenset({
        "os", "pfs", "pfs_local", "rfs", "ttlp", "ttnl", "post_progression_survival", "local_progression",
        "distant_progression", "local_and_distant_progression", "progression", "local_control", "orr",
        "dcr", "abscopal_rr", "abscopal_dcr", "cr", "pr", "sd", "pd", "crossover", "late_lct",
        "complete_ablation", "partial_ablation", "death", "adverse_event", "prognostic", "share",
        "new_lesion", "new_lesion_only", "new_lesion_and_local_progression"}),
    "unit": frozenset({"", "months", "weeks", "days", "percent", "patients", "lesions", "sessions",
                       "events", "cm", "gy"}),
    "comparator": frozenset({"", "=", "<", ">", "≤", "≥"}),
    "bound": frozenset({"", "point", "low", "high", "plus_minus"}),
    "wording": frozenset({"", "favourable", "unfavourable", "associated", "no_association"}),
    "claim_type": frozenset({"range", "no_difference", "direction"}),
    "origin": frozenset({"", "proposed", "curated"}),
    "reason": frozenset({
        "citation_number", "year", "date", "section_number", "table_number", "affiliation_marker",
        "licence_version", "dose_schedule", "treatment_schedule", "eligibility_threshold", "definition",
        "grade", "stage_or_name", "biomarker_name", "cut_off", "temperature", "trial_phase",
        "randomisation_ratio", "count_of_items", "case_detail"}),
}

#: (contained, containing): the contained endpoint's median cannot exceed the other's
DEFAULT_ENDPOINT_PAIRS: tuple[tuple[str, str], ...] = (
    ("pfs", "os"), ("pfs", "ttlp"), ("pfs", "ttnl"), ("rfs", "os"), ("pfs", "pfs_local"))

#: endpoints whose ``subgroup`` names a category of the event (a toxicity, a share's category)
#: or a prognostic factor rather than a subset of patients
DEFAULT_CATEGORY_SUBGROUP_ENDPOINTS: tuple[str, ...] = ("adverse_event", "share", "prognostic")


@dataclass(frozen=True)
class Vocabularies:
    """The vocabularies one data directory uses (defaults plus its ``vocabularies.json``).

    Examples
    --------
    >>> voc = Vocabularies().extended({"words": {"endpoint": ["dfs"]}, "endpoint_pairs": [["dfs", "os"]]})
    >>> "dfs" in voc.words["endpoint"], "os" in voc.words["endpoint"], voc.endpoint_pairs[-1]
    (True, True, ('dfs', 'os'))
    """

    words: dict = field(default_factory=lambda: dict(DEFAULT_WORDS))
    endpoint_pairs: tuple = DEFAULT_ENDPOINT_PAIRS
    category_subgroup_endpoints: tuple = DEFAULT_CATEGORY_SUBGROUP_ENDPOINTS

    def extended(self, spec: dict, file: str = VOCABULARIES_FILE) -> "Vocabularies":
        """These vocabularies extended by ``spec`` (the content of a ``vocabularies.json``).

        Raises :class:`~helpers.errors.DataError` naming the file and the problem for an unknown
        key, an unknown column or a malformed entry.
        """
        def bad(problem: str):
            raise DataError([Problem(file, None, None, problem)])

        if not isinstance(spec, dict):
            bad("must be a JSON object with keys words, endpoint_pairs, category_subgroup_endpoints")
        unknown = sorted(set(spec) - {"words", "endpoint_pairs", "category_subgroup_endpoints"})
        if unknown:
            bad(f"unknown key(s): {', '.join(unknown)}; known: category_subgroup_endpoints, endpoint_pairs, words")
        words = dict(self.words)
        extra = spec.get("words", {})
        if not isinstance(extra, dict):
            bad("words must map a column to a list of words")
        for col, new in extra.items():
            if col not in words:
                bad(f"words: {col!r} has no vocabulary; known: {', '.join(sorted(words))}")
            if not isinstance(new, list) or not all(isinstance(w, str) and w for w in new):
                bad(f"words.{col} must be a list of non-blank strings")
            words[col] = words[col] | frozenset(new)
        pairs = spec.get("endpoint_pairs", [])
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2
                                                  and all(isinstance(e, str) and e for e in p) for p in pairs):
            bad("endpoint_pairs must be a list of [contained, containing] endpoint pairs")
        cats = spec.get("category_subgroup_endpoints", [])
        if not isinstance(cats, list) or not all(isinstance(e, str) and e for e in cats):
            bad("category_subgroup_endpoints must be a list of endpoints")
        for e in [e for p in pairs for e in p] + cats:
            if e not in words["endpoint"]:
                bad(f"{e!r} is not in the endpoint vocabulary (add it under words.endpoint)")
        new_pairs = tuple(tuple(p) for p in pairs if tuple(p) not in self.endpoint_pairs)
        new_cats = tuple(e for e in cats if e not in self.category_subgroup_endpoints)
        return Vocabularies(words, self.endpoint_pairs + new_pairs, self.category_subgroup_endpoints + new_cats)


def load_vocabularies(data_dir: Path | str | None) -> Vocabularies:
    """The vocabularies of ``data_dir``: the defaults, extended by ``extracted/vocabularies.json`` if present.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "extracted").mkdir()
    ...     _ = (Path(d) / "extracted" / "vocabularies.json").write_text('{"words": {"endpoint": ["dfs"]}}')
    ...     "dfs" in load_vocabularies(d).words["endpoint"]
    True
    >>> load_vocabularies(None) == Vocabularies()
    True
    """
    if data_dir is None:
        return Vocabularies()
    p = Path(data_dir) / "extracted" / VOCABULARIES_FILE
    if not p.exists():
        return Vocabularies()
    try:
        spec = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError([Problem(VOCABULARIES_FILE, None, None, f"not valid UTF-8 JSON: {e}")]) from None
    return Vocabularies().extended(spec)
