"""Read the external tables (figures and facts read in sources) and the review's values."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import paths
from ..review import load_external_tables
from .facts import FACT_COLUMNS


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_external(data_dir: Path | str = paths.DATA) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``external/primary_sources.csv`` (figures read in sources, whatever their kind) and
    ``external/publications.csv`` as strings (:func:`helpers.review.load_external_tables`)."""
    tables = load_external_tables(data_dir)
    return tables["primary_sources"], tables["publications"]


def load_facts(data_dir: Path | str = paths.DATA) -> pd.DataFrame:
    """Read ``external/facts.csv`` as strings (an empty frame with its columns when absent)."""
    return load_external_tables(data_dir).get("facts", pd.DataFrame(columns=FACT_COLUMNS))


def load_review_values(data_dir: Path | str = paths.DATA) -> pd.DataFrame:
    """The review's extracted values: ``extracted/values.csv`` if present, else the union of
    ``extracted/parts/*/values.csv``; an empty frame when neither exists."""
    ex = Path(data_dir) / "extracted"
    if (ex / "values.csv").exists():
        return _read(ex / "values.csv")
    parts = sorted(ex.glob("parts/*/values.csv"))
    if parts:
        return pd.concat([_read(p) for p in parts], ignore_index=True)
    return pd.DataFrame(columns=["value_id", "section", "location", "refs", "study_id", "quantity",
                                 "endpoint", "arm", "subgroup", "timepoint", "comparator", "value"])
