"""The optional provenance columns (origin, confidence): documented, validated, ignored by the audit."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.synthetic_extraction import make_data_dir  # noqa: E402

import helpers.audit as audit  # noqa: E402
from helpers import paths  # noqa: E402
from helpers.errors import DataError  # noqa: E402
from helpers.review import load_review  # noqa: E402
from helpers.schema import OPTIONAL_COLUMNS  # noqa: E402
from helpers.validation import validate_review  # noqa: E402


def test_optional_columns_documented():
    readme = (paths.EXTRACTED / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Optional provenance columns")[1]
    documented = set(re.findall(r"^\| ([a-z_]+) \|", section, flags=re.M))
    assert set(OPTIONAL_COLUMNS) <= documented


@pytest.fixture
def review(tmp_path):
    return load_review(make_data_dir(tmp_path / "data"))


def with_provenance(review, origin: str, confidence: str):
    v = review.tables["values"].copy()
    v["origin"], v["confidence"] = "proposed", "0.85"
    v.loc[2, "origin"], v.loc[2, "confidence"] = origin, confidence
    review.tables["values"] = v
    return review


@pytest.mark.parametrize("origin,confidence", [("proposed", "0.9"), ("curated", ""), ("", ""), ("proposed", "1"),
                                               ("proposed", "0")])
def test_valid_provenance_passes(review, origin, confidence):
    validate_review(with_provenance(review, origin, confidence))


@pytest.mark.parametrize("origin,confidence,problem", [
    ("maybe", "0.5", "origin vocabulary"), ("proposed", "1.5", "confidence must be a number from 0 to 1"),
    ("proposed", "", "a proposed row needs a confidence"), ("proposed", "high", "confidence must be a number"),
])
def test_bad_provenance_names_row_and_column(review, origin, confidence, problem):
    with pytest.raises(DataError) as e:
        validate_review(with_provenance(review, origin, confidence))
    msg = str(e.value)
    assert "values.csv, row 4" in msg and problem in msg


def test_audit_ignores_provenance(review):
    plain = audit.run_audit(review).inconsistencies
    marked = audit.run_audit(with_provenance(review, "proposed", "0.5")).inconsistencies
    assert marked.equals(plain)
