"""Vocabularies live with the data directory: ``extracted/vocabularies.json`` extends the defaults.

A review from another field adds its endpoints (and the endpoint pairs ``endpoint_order``
compares) without code changes; validation accepts exactly the extended words.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.audit import AuditContext, run_audit, toy_review
from helpers.errors import DataError
from helpers.review import load_review
from helpers.validation import validate_data_dir
from helpers.vocabularies import DEFAULT_ENDPOINT_PAIRS, Vocabularies, load_vocabularies

SYNTH = Path(__file__).parent / "synthetic_review"
WANG = "t1_wang_pfs;t1_wang_os"  # planted: median PFS 20.0 months above median OS 15.0 months


@pytest.fixture
def dfs_review(tmp_path: Path) -> Path:
    """The synthetic review with one study's PFS relabelled as an endpoint the defaults lack (dfs)."""
    d = tmp_path / "review"
    shutil.copytree(SYNTH, d, ignore=shutil.ignore_patterns("build.py", "expected_issues.csv", "__pycache__"))
    p = d / "extracted" / "values.csv"
    v = pd.read_csv(p, dtype=str, keep_default_na=False)
    assert (v["value_id"] == "t1_wang_pfs").sum() == 1
    v.loc[v["value_id"] == "t1_wang_pfs", "endpoint"] = "dfs"
    v.to_csv(p, index=False)
    return d


def _write_vocab(d: Path, spec: dict) -> None:
    (d / "extracted" / "vocabularies.json").write_text(json.dumps(spec), encoding="utf-8")


def test_unknown_endpoint_is_rejected_without_the_file(dfs_review):
    with pytest.raises(DataError) as e:
        validate_data_dir(dfs_review)
    probs = [p for p in e.value.problems if p.column == "endpoint"]
    assert [(p.file, p.problem.startswith("not in the endpoint vocabulary")) for p in probs] == [("values.csv", True)]


def test_extra_endpoint_validates_and_is_used_by_endpoint_order(dfs_review):
    _write_vocab(dfs_review, {"words": {"endpoint": ["dfs"]}, "endpoint_pairs": [["dfs", "os"]]})
    review = validate_data_dir(dfs_review)
    assert review.vocabularies.endpoint_pairs == DEFAULT_ENDPOINT_PAIRS + (("dfs", "os"),)
    flags = run_audit(load_review(dfs_review), checks=["endpoint_order"]).inconsistencies
    assert WANG in set(flags["value_ids"])
    assert flags.loc[flags["value_ids"] == WANG, "severity"].tolist() == ["error"]


def test_the_word_alone_adds_no_pair(dfs_review):
    _write_vocab(dfs_review, {"words": {"endpoint": ["dfs"]}})
    flags = run_audit(load_review(dfs_review), checks=["endpoint_order"]).inconsistencies
    assert WANG not in set(flags["value_ids"])
    assert len(flags) > 0  # the other planted endpoint-order defects are still found


def test_explicit_endpoint_pairs_win_over_the_data_directory(dfs_review):
    _write_vocab(dfs_review, {"words": {"endpoint": ["dfs"]}, "endpoint_pairs": [["dfs", "os"]]})
    flags = run_audit(load_review(dfs_review), params={"endpoint_pairs": [["pfs", "ttlp"]]},
                      checks=["endpoint_order"]).inconsistencies
    assert WANG not in set(flags["value_ids"])


def test_category_endpoints_extend_what_a_subgroup_means():
    rv = toy_review(values=[{"value_id": "a", "quantity": "percent", "endpoint": "biomarker", "subgroup": "egfr"}])
    assert AuditContext(rv).values["popsub"].tolist() == [True]
    voc = Vocabularies().extended({"words": {"endpoint": ["biomarker"]}, "category_subgroup_endpoints": ["biomarker"]})
    assert AuditContext(dataclasses.replace(rv, vocabularies=voc)).values["popsub"].tolist() == [False]


@pytest.mark.parametrize("spec, message", [
    ({"endpoints": ["dfs"]}, "unknown key(s): endpoints"),
    ({"words": {"colour": ["red"]}}, "words: 'colour' has no vocabulary"),
    ({"words": {"endpoint": "dfs"}}, "words.endpoint must be a list of non-blank strings"),
    ({"endpoint_pairs": [["dfs", "os"]]}, "'dfs' is not in the endpoint vocabulary"),
    ({"endpoint_pairs": [["pfs"]]}, "endpoint_pairs must be a list of [contained, containing] endpoint pairs"),
])
def test_a_bad_file_is_named_with_its_problem(tmp_path, spec, message):
    (tmp_path / "extracted").mkdir()
    _write_vocab(tmp_path, spec)
    with pytest.raises(DataError) as e:
        load_vocabularies(tmp_path)
    assert [(p.file, p.problem.startswith(message)) for p in e.value.problems] == [("vocabularies.json", True)]


def test_unreadable_json_is_a_data_error(tmp_path):
    (tmp_path / "extracted").mkdir()
    (tmp_path / "extracted" / "vocabularies.json").write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="vocabularies.json"):
        load_vocabularies(tmp_path)


def test_this_review_uses_the_defaults():
    assert not (Path(__file__).parents[1] / "data" / "extracted" / "vocabularies.json").exists()
    assert load_vocabularies(Path(__file__).parents[1] / "data") == Vocabularies()
