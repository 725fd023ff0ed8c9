"""Tests of helpers.crosscheck on synthetic sources, and validation of data/external."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import crosscheck as cc
from helpers import paths

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


# --------------------------------------------------------------------------- rounding rule
@pytest.mark.parametrize(
    "reported, expected, status",
    [
        ("14.6", "14.6", "confirmed"),
        ("14.6", "14.55", "confirmed"),      # lower edge of the closed interval [14.55, 14.65]
        ("14.6", "14.65", "confirmed"),      # upper edge
        ("14.6", "14.549", "contradicted"),  # just outside
        ("14.6", "14.651", "contradicted"),
        ("15", "14.5", "confirmed"),         # review less precise: 14.5 within [14.5, 15.5]
        ("14.6", "15", "confirmed"),         # source less precise: 14.6 within [14.5, 15.5]
        ("14.4", "15", "contradicted"),
        ("17.6", "17.4", "contradicted"),
        ("0.022", ".022", "confirmed"),      # leading-dot source print
        ("48.0", "48", "confirmed"),
        ("55.7%", "55.7", "confirmed"),
        ("NR", "NR", "confirmed"),
        ("NR", "12.0", "contradicted"),
        ("< 0.001", "<.001", "confirmed"),
        ("0.04", "< 0.001", "contradicted"),
        ("< 0.05", "0.007", "confirmed"),
        ("0.0004", "< 0.001", "not_checkable"),
        ("< 0.01", "< 0.001", "confirmed"),    # source set inside the review's
        ("< 0.001", "< 0.01", "not_checkable"),
        ("> 2", "< 1", "contradicted"),
        ("14.6", "", "not_checkable"),
        ("", "14.6", "not_checkable"),
        ("about 5", "5", "not_checkable"),
    ],
)
def test_compare_printed(reported, expected, status):
    assert cc.compare_printed(cc.parse_printed(reported), cc.parse_printed(expected)) == status


def test_parse_printed_decimals_and_comparator():
    p = cc.parse_printed("0.0390", "=")
    assert p.decimals == 4 and p.comparator == "=" and str(p.value) == "0.0390"
    assert cc.parse_printed("7", "≤").comparator == "≤"
    assert cc.parse_printed(">= 3").comparator == "≥"
    assert cc.parse_printed("1,2") is None


# --------------------------------------------------------------------------- synthetic pair
@pytest.fixture()
def synthetic():
    review = pd.DataFrame({
        "value_id": ["a_n", "a_pfs_exp", "a_pfs_ctl", "a_p", "b_rate", "b_os", "c_orr"],
        "section": ["2", "2", "2", "2", "3", "3", "3"],
        "location": ["table 9", "table 9", "table 9", "table 9", "text 3", "text 3", "text 3"],
        "refs": ["7", "7", "7", "7", "8", "8", "9"],
        "study_id": ["alpha2000", "alpha2000", "alpha2000", "alpha2000", "beta2001", "beta2001", "gamma2002"],
        "quantity": ["n", "median", "median", "p_value", "rate", "median", "percent"],
        "endpoint": ["", "pfs", "pfs", "pfs", "os", "os", "orr"],
        "arm": ["total", "experimental", "control", "", "total", "total", "total"],
        "subgroup": ["", "", "", "", "", "", ""],
        "timepoint": ["", "", "", "", "2y", "", ""],
        "unit": ["patients", "months", "months", "", "percent", "months", "percent"],
        "comparator": ["=", "=", "=", "<", "=", "=", "="],
        "value": ["80", "9.7", "3.5", "0.01", "58", "23.4", "41.7"],
    })
    source = pd.DataFrame({
        "value_id": ["a_n", "a_pfs_exp", "a_pfs_ctl", "a_p", "b_rate", "b_os", "c_orr"],
        "ref": ["7", "7", "7", "7", "8", "8", "9"],
        "study_id": ["alpha2000", "alpha2000", "alpha2000", "alpha2000", "beta2001", "beta2001", "gamma2002"],
        "quantity": ["n", "median", "median", "p_value", "rate", "median", "percent"],
        "endpoint": ["", "pfs", "pfs", "pfs", "os", "os", "orr"],
        "arm": ["total", "experimental", "control", "", "total", "total", "total"],
        "source_comparator": ["=", "=", "=", "=", "=", "=", "="],
        "source_value": ["103", "3.5", "9.7", ".013", "57.5", "", "41.7"],
        "doi": ["10.1000/alpha", "10.1000/alpha", "10.1000/alpha", "10.1000/alpha", "", "", "10.1000/gamma"],
        "pmid": ["", "", "", "", "123456", "123456", ""],
        "url": ["https://a.example/1"] * 4 + ["https://b.example/2"] * 2 + ["https://c.example/3"],
        "source_kind": ["primary"] * 6 + ["secondary"],
        "review_location": ["table 9"] * 4 + ["text 3"] * 3,
        "note": [""] * 7,
    })
    return review, source


def test_compare_sources_statuses_and_evidence(synthetic):
    review, source = synthetic
    out = cc.compare_sources(review, source).set_index("value_id")
    assert out.loc["a_n", "status"] == "contradicted"          # planted: 80 vs 103
    assert out.loc["a_pfs_exp", "status"] == "contradicted"    # planted: arms swapped
    assert out.loc["a_pfs_ctl", "status"] == "contradicted"
    assert out.loc["a_p", "status"] == "contradicted"          # planted: review '< 0.01' vs source .013
    assert out.loc["b_rate", "status"] == "confirmed"          # 58 vs 57.5: rounding edge
    assert out.loc["b_os", "status"] == "not_checkable"        # source prints nothing
    assert out.loc["c_orr", "status"] == "not_checkable"       # secondary source never confirms
    assert out.loc["a_n", "evidence"] == "doi:10.1000/alpha: 103"
    assert out.loc["b_rate", "evidence"].startswith("pmid:123456")
    assert "secondary" in out.loc["c_orr", "evidence"]
    assert list(out.columns) == ["reported", "expected", "status", "source", "evidence"]


def test_inequality_against_point_outside_is_contradiction():
    # review says P < 0.01, source prints P = .013 (interval [0.0125, 0.0135]): disjoint
    rep, exp = cc.parse_printed("0.01", "<"), cc.parse_printed(".013")
    assert cc.compare_printed(rep, exp) == "contradicted"


def test_crosscheck_flags_with_values(synthetic):
    review, source = synthetic
    ext = source.drop(columns=["value_id"]).assign(value_id="", review_value="", review_comparator="",
                                                   subgroup="", timepoint=["", "", "", "", "2y", "", ""],
                                                   unit=["patients", "months", "months", "", "percent",
                                                         "months", "percent"])
    flags = cc.crosscheck_flags(ext, review)
    assert list(flags.columns) == cc.FLAG_COLUMNS
    assert set(flags["value_ids"]) == {"a_n", "a_pfs_exp", "a_pfs_ctl", "a_p"}
    assert (flags["check"] == "primary_source_mismatch").all()
    assert (flags["severity"] == "error").all()
    row = flags.set_index("value_ids").loc["a_n"]
    assert row["reported"] == "80" and row["expected"] == "103"
    assert row["section"] == "2" and row["location"] == "table 9" and row["refs"] == "7"
    assert "doi:10.1000/alpha" in row["message"] and row["message"].endswith(".")


def test_crosscheck_flags_without_values_uses_review_value(synthetic):
    _, source = synthetic
    ext = source.assign(value_id="", review_value=["80", "9.7", "3.5", "0.01", "58", "23.4", "41.7"],
                        review_comparator=["=", "=", "=", "<", "=", "=", "="])
    flags = cc.crosscheck_flags(ext)
    assert len(flags) == 4 and (flags["value_ids"] == "").all()
    assert set(flags["study"]) == {"alpha2000"}


# --------------------------------------------------------------------------- linking
def test_link_value_ids_unique_ambiguous_wildcard_and_tiebreak():
    values = pd.DataFrame({
        "value_id": ["x_n", "x_n_den", "x_os", "x_hr", "x_pfs"],
        "refs": ["5", "5", "5", "5;6", "5"],
        "study_id": ["x2010", "x2010", "x2010", "x2010", "x2010"],
        "quantity": ["n", "n", "median", "hr", "median"],
        "endpoint": ["", "", "os", "os", "pfs"],
        "arm": ["total", "total", "total", "", ""],
        "subgroup": [""] * 5, "timepoint": [""] * 5,
        "unit": ["patients", "patients", "months", "", "months"],
        "location": ["table 1"] * 5,
        "value": ["50", "48", "20.1", "0.5", "7.0"],
    })
    ext = pd.DataFrame({
        "ref": ["5", "5", "5", "6", "5", "5"],
        "study_id": ["x2010", "x2010", "x2010", "x2011", "x2010", "x2010"],
        "quantity": ["median", "n", "n", "hr", "rate", "median"],
        "endpoint": ["os", "", "", "os", "os", "pfs"],
        "arm": ["total", "total", "total", "", "total", "total"],
        "subgroup": [""] * 6, "timepoint": [""] * 6,
        "unit": ["months", "patients", "patients", "", "percent", "months"],
        "review_location": ["table 1"] * 6,
        "review_value": ["20.1", "48", "49", "0.5", "", "7.0"],
        "value_id": [""] * 6,
    })
    out = cc.link_value_ids(ext, values)
    assert out.loc[0, "value_id"] == "x_os"                    # exact unique
    assert out.loc[1, "value_id"] == "x_n_den"                 # tie-break by printed value
    assert out.loc[2, "value_id"] == "" and out.loc[2, "link_note"].startswith("ambiguous")
    assert out.loc[3, "value_id"] == "x_hr"                    # other study id, matched by ref
    assert out.loc[4, "value_id"] == "" and out.loc[4, "link_note"] == "no match"
    assert out.loc[5, "value_id"] == "x_pfs"                   # values arm blank = wildcard
    kept = cc.link_value_ids(ext.assign(value_id=["keep"] * 6), values)
    assert (kept["value_id"] == "keep").all()


# --------------------------------------------------------------------------- data/external validation
@pytest.fixture(scope="module")
def external():
    return cc.load_external(paths.DATA)


def test_external_columns(external):
    src, pub = external
    assert list(pub.columns) == ["ref", "study_id", "doi", "pmid", "url", "date_read", "source_kind",
                                 "notices", "searched", "note"]
    assert list(src.columns) == ["ref", "study_id", "quantity", "endpoint", "arm", "subgroup", "timepoint",
                                 "unit", "source_comparator", "source_value", "source_location", "url",
                                 "review_location", "review_comparator", "review_value", "value_id", "note"]
    assert len(src) > 50 and len(pub) > 20


def test_identifiers_well_formed(external):
    src, pub = external
    for doi in pub["doi"]:
        assert doi == "" or DOI_RE.match(doi), doi
    for pmid in pub["pmid"]:
        assert pmid == "" or pmid.isdigit(), pmid
    assert pub["ref"].str.isdigit().all() and src["ref"].str.isdigit().all()
    assert pub["source_kind"].isin({"primary", "secondary", "not_found"}).all()
    found = pub[pub["source_kind"] != "not_found"]
    assert (found["url"].str.startswith("http")).all() and (found["date_read"] != "").all()
    missing = pub[pub["source_kind"] == "not_found"]
    assert (missing["searched"] != "").all() and (missing["url"] == "").all()


def test_source_rows_are_grounded_in_primary_pages(external):
    src, pub = external
    primary_urls = set(pub.loc[pub["source_kind"] == "primary", "url"])
    assert set(src["url"]) <= primary_urls
    assert set(src["study_id"]) <= set(pub["study_id"])
    vocab_q = {"n", "count", "percent", "rate", "median", "mean", "sd", "se", "hr", "or", "p_value"}
    assert src["quantity"].isin(vocab_q).all()
    assert src["source_location"].isin({"abstract", "results", "discussion"} |
                                       {f"table {i}" for i in range(1, 10)}).all()
    for col in ("source_comparator", "review_comparator"):
        assert src[col].isin({"", "=", "<", ">", "≤", "≥"}).all()
    assert (src["timepoint"].eq("") | src["quantity"].isin({"rate", "percent", "p_value", "n"})).all()
    # a row without a source figure must say why
    assert (src.loc[src["source_value"] == "", "note"] != "").all()
    for v in src["source_value"]:
        assert v == "" or cc.parse_printed(v) is not None, v


def test_review_values_are_printed_in_the_review(external):
    src, _ = external
    text = paths.source_file(paths.DATA).read_text(encoding="utf-8")
    for v in src["review_value"]:
        assert v == "" or v in text, v


def test_value_id_links_exist(external):
    src, _ = external
    values = cc.load_review_values(paths.DATA)
    linked = src[src["value_id"] != ""]
    if values.empty:
        # nothing extracted yet: no link may point anywhere
        assert linked.empty
    else:
        known = set(values["value_id"])
        assert set(linked["value_id"]) <= known
        merged = linked.merge(values[["value_id", "study_id", "quantity", "location", "value"]],
                              on="value_id", suffixes=("", "_v"))
        assert (merged["review_value"] == merged["value"]).all()
        assert (merged["review_location"] == merged["location"]).all()
        assert (merged["quantity"] == merged["quantity_v"]).all()
