"""The comparison with the cited sources as registered checks: fires on defects, quiet on look-alikes,
quiet without sources, one writer for every output, clear failure on malformed external tables."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import helpers.audit as audit
from helpers import paths
from helpers.audit.toy import toy_review
from helpers.external_validation import external_problems
from helpers.findings import write_audit_outputs
from helpers.review import load_review

ROOT = Path(__file__).resolve().parents[1]
SOURCE_CHECKS = ["primary_source_mismatch", "source_fact_mismatch", "secondary_source_doubt"]


def _review(kind="primary_abstract", report="cited", source_value="18.0", review_value="14.0", facts=None):
    rv = toy_review(
        values=[{"value_id": "m", "study_id": "s", "refs": "3", "quantity": "median", "endpoint": "os",
                 "arm": "total", "location": "table 1", "section": "2", "unit": "months", "value": review_value},
                {"value_id": "n", "study_id": "s", "refs": "3", "quantity": "n", "location": "table 1",
                 "section": "2", "value": "40"}],
        studies=[{"study_id": "s", "refs": "3", "author_printed": "Ann Smith"}])
    rv.external = {
        "publications": pd.DataFrame({"ref": ["3"], "study_id": ["s"], "url": ["https://example.org/s"],
                                      "source_kind": [kind], "report": [report]}),
        "primary_sources": pd.DataFrame({"ref": ["3"], "study_id": ["s"], "quantity": ["median"], "endpoint": ["os"],
                                         "arm": ["total"], "unit": ["months"], "source_comparator": ["="],
                                         "source_value": [source_value], "url": ["https://example.org/s"],
                                         "value_id": ["m"]})}
    if facts is not None:
        rv.external["facts"] = pd.DataFrame(facts)
    return rv


def _flags(rv):
    return audit.run_audit(rv, checks=SOURCE_CHECKS).inconsistencies


def test_source_checks_are_registered_with_a_rubric_and_a_description():
    for name in SOURCE_CHECKS:
        assert name in audit.CHECKS and len(audit.CHECKS[name].description) > 40


def test_primary_contradiction_is_an_error_naming_the_study_as_printed():
    f = _flags(_review())
    assert f[["check", "severity", "study", "reported", "expected", "value_ids"]].values.tolist() == [
        ["primary_source_mismatch", "error", "Ann Smith", "14.0", "18.0", "m"]]
    assert "of Ann Smith" in f["message"].iat[0] and "of s " not in f["message"].iat[0]


def test_agreement_within_rounding_is_quiet_and_recorded_consistent():
    res = audit.run_audit(_review(review_value="18", source_value="18.0"), checks=SOURCE_CHECKS)
    assert res.inconsistencies.empty
    assert res.recomputed[["value_id", "check", "status"]].values.tolist() == [
        ["m", "primary_source_mismatch", "consistent"]]
    assert res.sources.summary.loc[0, "confirmed"] == 1


def test_secondary_report_only_doubts_and_never_confirms():
    doubt = _flags(_review(kind="secondary"))
    assert doubt[["check", "severity"]].values.tolist() == [["secondary_source_doubt", "info"]]
    agrees = audit.run_audit(_review(kind="secondary", source_value="14.0"), checks=SOURCE_CHECKS)
    assert agrees.inconsistencies.empty
    assert agrees.recomputed["status"].tolist() == ["not_recomputable"]  # never "consistent"


def test_another_report_of_the_study_never_contradicts():
    assert _flags(_review(report="other")).empty


def test_fact_mismatch_fires_and_its_look_alike_is_quiet():
    fact = {"fact_id": ["F1"], "ref": ["3"], "study_id": ["s"], "url": ["https://example.org/s"],
            "aspect": ["design"], "source_says": ["single_arm"], "review_says": ["rct"],
            "review_location": ["table 1"], "review_refs": ["3"], "review_quote": [""], "value_ids": ["n"]}
    f = _flags(_review(review_value="18.0", facts=fact))
    assert f[["check", "severity", "value_ids", "section"]].values.tolist() == [
        ["source_fact_mismatch", "warning", "n", "2"]]
    assert _flags(_review(review_value="18.0", facts=dict(fact, source_says=["rct"]))).empty


def test_quiet_and_no_source_tables_without_external():
    rv = _review()
    rv.external = {}
    res = audit.run_audit(rv)
    assert res.sources is None
    assert not res.inconsistencies["check"].isin(SOURCE_CHECKS).any()
    assert not res.recomputed["check"].isin(SOURCE_CHECKS).any()


def test_parallel_run_gives_the_same_source_flags():
    rv = load_review(paths.SYNTHETIC, validate=False)
    one, two = audit.run_audit(rv, n_jobs=1), audit.run_audit(rv, n_jobs=2)
    pd.testing.assert_frame_equal(one.inconsistencies, two.inconsistencies)
    pd.testing.assert_frame_equal(one.recomputed, two.recomputed)


def test_one_writer_writes_every_audit_output(tmp_path):
    rv = load_review(paths.SYNTHETIC, validate=False)
    written = write_audit_outputs(audit.run_audit(rv), rv, tmp_path)
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["erratum.md", "erratum.zh.md", "findings.csv", "inconsistencies.csv", "recomputed.csv",
                     "tables/primary_source_comparisons.csv", "tables/primary_source_facts.csv",
                     "tables/primary_source_summary.csv"]
    flags = pd.read_csv(tmp_path / "inconsistencies.csv", dtype=str, keep_default_na=False)
    assert flags.columns[0] == "flag_id" and flags["flag_id"].is_unique
    assert set(SOURCE_CHECKS) <= set(flags["check"])
    from helpers.findings import flag_tier
    in_findings = set(written["findings"]["flag_ids"].str.split(";").explode())
    tiers = [flag_tier(c, s) for c, s in zip(flags["check"], flags["severity"])]
    assert in_findings == {i for i, t in zip(flags["flag_id"], tiers) if t != "none"}
    assert in_findings >= set(flags.loc[flags["check"].isin(SOURCE_CHECKS), "flag_id"])
    # without sources: no source tables
    rv.external = {}
    out = tmp_path / "bare"
    write_audit_outputs(audit.run_audit(rv), rv, out)
    assert not (out / "tables").exists()


# ------------------------------------------------------------------ malformed external tables
def test_real_and_synthetic_external_tables_are_valid():
    for d in (paths.DATA, paths.SYNTHETIC):
        rv = load_review(d, validate=False)
        assert rv.external and external_problems(rv.external, rv.tables, rv.source) == []


@pytest.mark.parametrize("table, column, old, new, message", [
    ("publications", "source_kind", "primary_abstract", "abstract", "is not a kind of source"),
    ("primary_sources", "value_id", "t1_evans_pfs", "t1_evans_pfx", "is not a value_id of extracted/values.csv"),
    ("primary_sources", "url", "https://example.org/synthetic/news-evans", "https://example.org/other",
     "is not a page listed in external/publications.csv"),
    ("facts", "review_quote", "Retrospective studies of local therapy", "Retrospective studies of therapy",
     "not found verbatim in the review's text"),
])
def test_cli_names_file_row_column_and_problem(tmp_path, table, column, old, new, message):
    d = tmp_path / "syn"
    shutil.copytree(paths.SYNTHETIC, d)
    path = d / "external" / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = int(df.index[df[column] == old][0])
    df.loc[row, column] = new
    df.to_csv(path, index=False)
    res = subprocess.run([sys.executable, "-m", "helpers", "validate", str(d)], capture_output=True, text=True,
                         cwd=ROOT)
    assert res.returncode == 2
    assert f'external/{table}.csv, row {row + 2}, column "{column}": ' in res.stderr and message in res.stderr
    assert "Traceback" not in res.stderr
