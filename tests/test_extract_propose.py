"""Whole texts through the proposer: two small reviews of our own (Chinese, English), the synthetic
review, and this review. The proposals validate, read the forms the texts print, reproduce to the
byte, and share the coverage ledger's tokeniser.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import helpers.extract
from helpers import coverage, paths
from helpers.coverage import coverage_ledger
from helpers.extract import tokens as shared_tokens
from helpers.extract.propose import propose_tables, write_proposal
from helpers.review import load_review
from helpers.validation import validate_data_dir

TEXTS = Path(__file__).parent / "fixtures" / "texts"


@pytest.fixture(scope="module")
def mini_zh(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    write_proposal(TEXTS / "mini_zh.txt", out)
    return load_review(out)


@pytest.fixture(scope="module")
def mini_en(tmp_path_factory):
    out = tmp_path_factory.mktemp("en")
    write_proposal(TEXTS / "mini_en.txt", out)
    return load_review(out)


def value(review, v: str, nth: int = 0) -> dict:
    df = review.tables["values"]
    r = df[df["value"] == v].iloc[nth].to_dict()
    ids = dict(zip(df["value_id"], df["value"]))
    return {**r, **{k: ids.get(r[k], "") for k in ("count_id", "denominator_id", "total_id")}}


def test_chinese_review_read_as_a_reader_would(mini_zh):
    shares = [value(mini_zh, x) for x in ("61.5", "28.9", "9.6")]
    assert {(s["quantity"], s["endpoint"]) for s in shares} == {("percent", "share")}
    assert len({s["partition_id"] for s in shares}) == 1 and shares[0]["partition_id"]
    assert (value(mini_zh, "120")["quantity"], value(mini_zh, "120")["refs"]) == ("n", "2")
    pfs = [value(mini_zh, x) for x in ("11.3", "7.8")]
    assert [(p["quantity"], p["endpoint"], p["arm"], p["unit"]) for p in pfs] == [
        ("median", "pfs", "experimental", "months"), ("median", "pfs", "control", "months")]
    hr = value(mini_zh, "0.64")
    assert (hr["quantity"], hr["endpoint"], hr["arm"]) == ("hr", "pfs", "")
    assert [value(mini_zh, x)["bound"] for x in ("0.45", "0.91")] == ["low", "high"]
    assert (value(mini_zh, "NR")["arm"], value(mini_zh, "20.5")["arm"]) == ("experimental", "control")
    orr = value(mini_zh, "70.0")
    assert (orr["count_id"], orr["denominator_id"], orr["arm"], orr["endpoint"]) == ("42", "60", "experimental", "orr")
    assert [value(mini_zh, x)["timepoint"] for x in ("88.1", "70.4", "55.0")] == ["1y", "2y", "3y"]
    assert {value(mini_zh, x)["quantity"] for x in ("88.1", "70.4", "55.0")} == {"rate"}
    # the table: study N, figures of the row's study, labelled arms
    assert (value(mini_zh, "64")["quantity"], value(mini_zh, "64")["location"]) == ("n", "table 1")
    assert (value(mini_zh, "12.5", 1)["count_id"], value(mini_zh, "12.5", 1)["endpoint"]) == ("8", "local_progression")
    assert (value(mini_zh, "30.2")["arm"], value(mini_zh, "18.4")["arm"]) == ("surgery", "radiotherapy")
    studies = mini_zh.tables["studies"].set_index("refs")
    assert studies.loc["3", "author_printed"] == "孙立群" and studies.loc["4", "author_printed"] == "Hannah Okafor"
    assert [value(mini_zh, x)["bound"] for x in ("78", "92")] == ["low", "high"]


def test_chinese_review_non_statistics(mini_zh):
    ledger = coverage_ledger(mini_zh)
    reason = dict(zip(ledger["token"] + "@" + ledger["offset"].astype(str), ledger["reason"]))
    src = mini_zh.source
    at = lambda needle, tok: reason[f"{tok}@{src.index(needle) + needle.index(tok)}"]  # noqa: E731
    assert at("2:1 随机", "2") == "randomisation_ratio"
    assert at("60 Gy/30 f", "30") == "dose_schedule"
    assert at("≤ 5 个", "5") == "eligibility_threshold"
    assert at("65 岁", "65") == "cut_off"
    assert at("95% CI", "95") == "definition"
    assert (ledger["status"] == "unexplained").sum() == 0


def test_english_review_read_as_a_reader_would(mini_en):
    assert [value(mini_en, x)["arm"] for x in ("14.6", "5.9")] == ["experimental", "control"]
    assert value(mini_en, "0.001")["comparator"] == "<"
    rates = [value(mini_en, x) for x in ("61", "45")]
    assert [(r["quantity"], r["timepoint"], r["arm"]) for r in rates] == [("rate", "2y", "experimental"),
                                                                         ("rate", "2y", "control")]
    tox = value(mini_en, "15.6")
    assert (tox["count_id"], tox["denominator_id"], tox["arm"]) == ("7", "45", "experimental")
    assert [value(mini_en, x)["timepoint"] for x in ("81.0", "40.4")] == ["1y", "3y"]
    assert (value(mini_en, "10.2")["quantity"], value(mini_en, "2.4")["bound"]) == ("mean", "plus_minus")
    lp = value(mini_en, "21.2")
    assert (lp["count_id"], lp["denominator_id"], lp["endpoint"]) == ("11", "52", "local_progression")
    refs = mini_en.tables["references"]
    assert refs["kind"].tolist() == ["review", "trial_report", "trial_report", "primary_study"]
    designs = dict(zip(mini_en.tables["studies"]["refs"], mini_en.tables["studies"]["design"]))
    assert designs["2"] == "rct" and designs["3"] == "single_arm_trial"


def test_synthetic_review_forms(tmp_path):
    write_proposal(paths.SYNTHETIC / "raw" / "synthetic.txt", tmp_path)
    rv = validate_data_dir(tmp_path)
    # arm sizes printed in the N column partition the trial's N (order from the table caption)
    v = rv.tables["values"]
    ids = dict(zip(v["value_id"], v["value"]))
    s = rv.source.index("100 (50/50)")
    arms = v[v["value_offset"].astype(int).isin([s + 5, s + 8])]
    assert arms["arm"].tolist() == ["experimental", "control"]
    assert set(arms["total_id"].map(ids)) == {"100"} and arms["partition_id"].nunique() == 1
    # the order announced after the figures ("…, respectively")
    s = rv.source.index("PFS was 6.0 and 10.0")
    later = v[v["value_offset"].astype(int) > s]
    assert later[later["value"].isin(["6.0", "10.0"])]["arm"].tolist()[:2] == ["experimental", "control"]
    # CR/PR/SD/PD counts: one partition whose whole is the study's N
    resp = v[v["endpoint"].isin(["cr", "pr", "sd", "pd"])]
    assert len(resp) == 4 and resp["partition_id"].nunique() == 1
    assert set(resp["total_id"].map(dict(zip(v["value_id"], v["value"])))) == {"45"}
    # a reference without a printed year is left out, and nothing cites it
    assert "7" not in rv.tables["references"]["ref"].tolist()


def test_the_review_proposal_validates_and_every_value_is_a_ledger_token(tmp_path):
    proposal = write_proposal(paths.RAW / "000_08bd8631b7578870.txt", tmp_path)
    rv = validate_data_dir(tmp_path)
    ledger = coverage_ledger(rv)
    starts = set(ledger["offset"])
    v = rv.tables["values"]
    numeric = v[v["value"] != "NR"]
    assert set(numeric["value_offset"].astype(int)) <= starts  # the proposer reads the ledger's tokens
    assert int((ledger["status"] == "unexplained").sum()) == proposal.unexplained
    assert (tmp_path / "raw" / "000_08bd8631b7578870.txt").read_bytes() == (paths.RAW / "000_08bd8631b7578870.txt").read_bytes()
    assert (tmp_path / "extracted" / "source_config.json").read_text(encoding="utf-8").strip() == \
        '{"body_end_marker": "## 参考文献"}'


def test_proposal_reproduces_to_the_byte(tmp_path):
    for run in ("a", "b"):
        write_proposal(TEXTS / "mini_zh.txt", tmp_path / run)
    for f in sorted((tmp_path / "a" / "extracted").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / "extracted" / f.name).read_bytes(), f.name


def test_one_tokeniser():
    assert coverage.tokens is shared_tokens.tokens
    assert coverage.TOKEN_PATTERN == shared_tokens.TOKEN_PATTERN
    text = "PFS 9.5 vs 6 months (HR 0.7, P = 0.03), 2.1.3"
    tokens = [t for _, _, t in shared_tokens.token_spans(text)]
    assert tokens == coverage.tokens(text)["token"].tolist() == ["9.5", "6", "0.7", "0.03", "2.1", "3"]
    t = propose_tables(text).tables["values"]
    assert set(t["value"]) <= set(tokens)


def test_extract_modules_have_working_examples_and_stay_small():
    for info in pkgutil.iter_modules(helpers.extract.__path__):
        mod = importlib.import_module(f"helpers.extract.{info.name}")
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, info.name
        lines = Path(mod.__file__).read_text(encoding="utf-8").count("\n")
        assert lines <= 450, (info.name, lines)
