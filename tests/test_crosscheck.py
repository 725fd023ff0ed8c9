"""Tests of helpers.crosscheck on synthetic sources, and validation of data/external."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import crosscheck as cc
from helpers import paths
from helpers.audit import ISSUE_COLUMNS
from helpers.audit.primary_sources import fact_flag_candidates, figure_flag_candidates, source_flags


def crosscheck_flags(external, values=None, publications=None):
    """The flags the registered source checks raise for these source figures (standalone)."""
    return source_flags(figure_flag_candidates(cc.compare_external(external, values, publications)))


def fact_flags(fact_comparisons, values=None):
    """The flags the registered source checks raise for these compared facts (standalone)."""
    return source_flags(fact_flag_candidates(fact_comparisons, values))

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
        "source_kind": ["primary_abstract"] * 6 + ["secondary"],
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
    assert out.loc["c_orr", "status"] == "secondary_agrees"    # secondary source never confirms
    assert out.loc["a_n", "evidence"] == "doi:10.1000/alpha: 103"
    assert out.loc["b_rate", "evidence"].startswith("pmid:123456")
    assert "secondary" in out.loc["c_orr", "evidence"]
    assert list(out.columns) == ["reported", "expected", "status", "source", "evidence", "source_kind", "agreement"]
    assert out.loc["c_orr", "agreement"] == "agree" and out.loc["a_n", "agreement"] == "disagree"


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
    flags = crosscheck_flags(ext, review)
    assert list(flags.columns) == ISSUE_COLUMNS
    # the planted arm swap is one flag carrying both value_ids
    assert set(flags["value_ids"]) == {"a_n", "a_pfs_exp;a_pfs_ctl", "a_p"}
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
    flags = crosscheck_flags(ext)
    assert len(flags) == 3 and (flags["value_ids"] == "").all()   # n, the exchange, p
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
    assert list(pub.columns) == ["ref", "study_id", "doi", "pmid", "url", "date_read", "source_kind", "report",
                                 "notices", "notice_url", "query", "searched", "note"]
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
    assert pub["source_kind"].isin(set(cc.SOURCE_WEIGHTS) - {"primary"} | {"not_found"}).all()
    assert pub["report"].isin({"cited", "other"}).all()
    found = pub[pub["source_kind"] != "not_found"]
    assert (found["url"].str.startswith("http")).all() and (found["date_read"] != "").all()
    assert (found["query"] != "").all(), "every page read names the query that found it"
    assert found["url"].is_unique
    missing = pub[pub["source_kind"] == "not_found"]
    assert (missing["searched"] != "").all() and (missing["url"] == "").all()
    noticed = pub[pub["notices"] != ""]
    assert noticed["notice_url"].str.startswith("http").all()


def test_source_rows_are_grounded_in_pages_read(external):
    src, pub = external
    read = pub[pub["source_kind"] != "not_found"]
    assert set(src["url"]) <= set(read["url"])
    assert set(src["study_id"]) <= set(pub["study_id"])
    # a figure row names the study of the page it was read in
    page_study = dict(zip(read["url"], read["study_id"]))
    assert (src["study_id"] == src["url"].map(page_study)).all()
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


def test_every_study_with_figures_has_a_publication_row(external):
    _, pub = external
    studies = pd.read_csv(paths.DATA / "extracted" / "studies.csv", dtype=str, keep_default_na=False)
    refs = {r for refs in studies["refs"] for r in refs.split(";")}
    assert refs <= set(pub["ref"]), sorted(refs - set(pub["ref"]), key=int)


def test_facts_file_well_formed(external):
    _, pub = external
    facts = cc.load_facts(paths.DATA)
    assert list(facts.columns) == cc.FACT_COLUMNS
    assert facts["fact_id"].is_unique and len(facts) >= 5
    assert set(facts["url"]) <= set(pub.loc[pub["source_kind"] != "not_found", "url"])
    text = paths.source_file(paths.DATA).read_text(encoding="utf-8")
    for q in facts["review_quote"]:
        assert q and q in text, q
    label = re.compile(r"^[a-z0-9_]+(\|[a-z0-9_]+)*$")
    assert facts["source_says"].str.match(label).all() and facts["review_says"].str.match(label).all()
    known = set(cc.load_review_values(paths.DATA)["value_id"])
    for ids in facts["value_ids"]:
        assert {i for i in ids.split(";") if i} <= known, ids


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


# --------------------------------------------------------------------------- weights and reports
@pytest.mark.parametrize(
    "kind, source_value, status",
    [
        ("primary_full_text", "12.0", "confirmed"),
        ("primary_full_text", "13.0", "contradicted"),
        ("primary_abstract", "13.0", "contradicted"),
        ("registry", "13.0", "contradicted"),
        ("secondary", "12.0", "secondary_agrees"),   # agreeing secondary never confirms
        ("secondary", "13.0", "doubt"),              # disagreeing secondary never contradicts
        ("secondary", "", "not_checkable"),
        ("", "13.0", "contradicted"),                # blank kind = primary abstract
    ],
)
def test_status_follows_source_weight(kind, source_value, status):
    review = pd.DataFrame({"value_id": ["v"], "value": ["12.0"], "refs": ["4"]})
    source = pd.DataFrame({"value_id": ["v"], "source_value": [source_value], "ref": ["4"], "source_kind": [kind]})
    assert cc.compare_sources(review, source).loc[0, "status"] == status


def test_unknown_source_kind_is_refused():
    review = pd.DataFrame({"value_id": ["v"], "value": ["1"]})
    with pytest.raises(ValueError, match="blog"):
        cc.compare_sources(review, pd.DataFrame({"value_id": ["v"], "source_value": ["1"], "source_kind": ["blog"]}))


def test_different_report_shows_both_figures_and_never_contradicts():
    # the review cites ref 10 for the figure; the figure was read in ref 11 (a later report of the same trial)
    review = pd.DataFrame({"value_id": ["late", "late2", "both"], "value": ["17", "30", "17"],
                           "refs": ["10", "10", "10;11"]})
    source = pd.DataFrame({"value_id": ["late", "late2", "both"], "source_value": ["20", "30", "20"],
                           "ref": ["11", "11", "11"], "source_kind": ["primary_abstract"] * 3,
                           "doi": ["10.1000/later"] * 3})
    out = cc.compare_sources(review, source).set_index("value_id")
    assert out.loc["late", "status"] == "different_report"
    assert out.loc["late", ["reported", "expected"]].tolist() == ["17", "20"]
    assert "ref 11" in out.loc["late", "evidence"] and "differ" in out.loc["late", "evidence"]
    assert out.loc["late2", "status"] == "different_report" and "agree" in out.loc["late2", "evidence"]
    assert out.loc["both", "status"] == "contradicted"       # the review cites the report read as well
    # a publication row marked report=other is another report whatever its ref
    other = source.assign(ref="10", report="other")
    assert (cc.compare_sources(review, other)["status"] == "different_report").all()


def _two_arm(review_exp, review_ctl, source_exp, source_ctl, location="text 5"):
    values = pd.DataFrame({
        "value_id": ["x_exp", "x_ctl"], "section": ["5", "5"], "location": [location] * 2, "refs": ["3", "3"],
        "study_id": ["delta1999"] * 2, "quantity": ["median"] * 2, "endpoint": ["os"] * 2,
        "arm": ["experimental", "control"], "subgroup": ["", ""], "timepoint": ["", ""],
        "unit": ["months"] * 2, "comparator": ["=", "="], "value": [review_exp, review_ctl]})
    external = pd.DataFrame({
        "ref": ["3", "3"], "study_id": ["delta1999"] * 2, "quantity": ["median"] * 2, "endpoint": ["os"] * 2,
        "arm": ["experimental", "control"], "subgroup": ["", ""], "timepoint": ["", ""], "unit": ["months"] * 2,
        "source_comparator": ["=", "="], "source_value": [source_exp, source_ctl], "url": ["https://d.example/1"] * 2,
        "review_location": [location] * 2, "review_comparator": ["=", "="], "review_value": [review_exp, review_ctl],
        "value_id": ["x_exp", "x_ctl"], "note": ["", ""]})
    pubs = pd.DataFrame({"ref": ["3"], "study_id": ["delta1999"], "url": ["https://d.example/1"],
                         "doi": ["10.1000/delta"], "pmid": [""], "source_kind": ["primary_abstract"],
                         "report": ["cited"], "notices": [""], "notice_url": [""], "searched": [""]})
    return values, external, pubs


def test_pure_swap_is_one_exchange_one_flag():
    values, external, pubs = _two_arm("8.0", "15.0", "15.0", "8.0")
    comp = cc.source_comparisons(values, external, pubs)
    assert (comp["status"] == "contradicted").all()
    assert comp["swap_group"].nunique() == 1 and comp["swap_group"].iloc[0] != ""
    assert comp["exchange_only"].all() and (comp["wrong_value"] == "").all()
    flags = crosscheck_flags(external, values, pubs)
    assert len(flags) == 1
    assert set(flags.loc[0, "value_ids"].split(";")) == {"x_exp", "x_ctl"}
    assert "exchanged" in flags.loc[0, "message"]
    summary = cc.source_summary(comp, pubs, pd.DataFrame({"study_id": ["delta1999"], "author_romanised": ["D"]}))
    row = summary.set_index("study_id").loc["delta1999"]
    assert row["exchanges"] == 1 and row["wrong_values"] == 0 and row["contradicted"] == 2


def test_swap_with_a_misprint_keeps_the_misprint_as_one_wrong_value():
    # text prints the arms exchanged and one of them misprinted (17.6 for 17.4); the table prints the same misprint
    values, external, pubs = _two_arm("17.6", "25.5", "25.5", "17.4")
    table_v = values.assign(value_id=["t_exp", "t_ctl"], location="table 5", value=["25.5", "17.6"])
    table_e = external.assign(value_id=["t_exp", "t_ctl"], review_location="table 5", review_value=["25.5", "17.6"])
    values, external = pd.concat([values, table_v], ignore_index=True), pd.concat([external, table_e], ignore_index=True)
    comp = cc.source_comparisons(values, external, pubs).set_index("value_id")
    assert comp.loc["t_exp", "status"] == "confirmed" and comp.loc["t_ctl", "status"] == "contradicted"
    assert comp.loc["x_ctl", "exchange_only"] and not comp.loc["x_exp", "exchange_only"]
    assert comp.loc["x_exp", "wrong_value"] == comp.loc["t_ctl", "wrong_value"] == "control: 17.6 (source 17.4)"
    summary = cc.source_summary(comp.reset_index(), pubs, pd.DataFrame({"study_id": ["delta1999"]}))
    row = summary.iloc[0]
    assert row["wrong_values"] == 1 and row["exchanges"] == 1 and row["contradicted"] == 3
    flags = crosscheck_flags(external, values, pubs)
    assert len(flags) == 3          # the exchange, and the misprint at each of its two places
    assert sorted(flags["value_ids"]) == sorted(["x_exp;x_ctl", "x_exp", "t_ctl"])


def test_no_swap_when_figures_match_neither_arm():
    values, external, pubs = _two_arm("9.0", "16.0", "15.0", "8.0")
    comp = cc.source_comparisons(values, external, pubs)
    assert (comp["swap_group"] == "").all() and (comp["wrong_value"] != "").all()
    assert len(crosscheck_flags(external, values, pubs)) == 2


def test_secondary_doubt_is_an_info_flag_and_different_report_raises_nothing():
    values, external, pubs = _two_arm("12.0", "6.0", "12.0", "7.0")
    flags = crosscheck_flags(external, values, pubs.assign(source_kind="secondary"))
    assert flags[["check", "severity", "value_ids"]].values.tolist() == [["secondary_source_doubt", "info", "x_ctl"]]
    assert crosscheck_flags(external, values, pubs.assign(report="other")).empty
    primary = crosscheck_flags(external, values, pubs)
    assert primary[["check", "severity"]].values.tolist() == [["primary_source_mismatch", "error"]]


def test_summary_counts_kinds_read_and_never_calls_found_checked():
    values, external, pubs = _two_arm("12.0", "6.0", "12.0", "6.0")
    pubs = pd.concat([pubs, pd.DataFrame({
        "ref": ["8", "9"], "study_id": ["eps2001", "zeta2002"], "url": ["https://e.example/1", ""],
        "doi": ["", ""], "pmid": ["", ""], "source_kind": ["primary_abstract", "not_found"], "report": ["cited", "cited"],
        "notices": ["retraction (publisher notice)", ""], "notice_url": ["https://e.example/notice", ""],
        "searched": ["no comparable figure", "title words"]})], ignore_index=True)
    comp = cc.source_comparisons(values, external, pubs)
    s = cc.source_summary(comp, pubs, pd.DataFrame({"study_id": ["delta1999", "eps2001", "zeta2002"]})).set_index("study_id")
    assert s.loc["delta1999", "sources_read"] == "primary_abstract: 2 figures"
    assert s.loc["delta1999", ["figures_compared", "confirmed"]].tolist() == [2, 2]
    assert s.loc["eps2001", "sources_read"] == "primary_abstract: 0 figures"
    assert s.loc["eps2001", "figures_compared"] == 0 and s.loc["eps2001", "notices"].startswith("retraction")
    assert s.loc["eps2001", "notice_source"] == "https://e.example/notice"
    assert s.loc["zeta2002", "sources_read"] == "" and s.loc["zeta2002", "searched"] == "title words"
    assert "found" not in s.columns


# --------------------------------------------------------------------------- categorical facts
def test_fact_comparison_agree_disagree_and_weights():
    facts = pd.DataFrame({
        "fact_id": ["f1", "f2", "f3", "f4", "f5"], "ref": ["5", "5", "6", "7", "5"],
        "study_id": ["eta2003", "eta2003", "theta2004", "iota2005", "eta2003"],
        "url": ["https://p/1", "https://p/1", "https://s/2", "https://p/3", "https://p/1"],
        "aspect": ["population", "design", "design", "design", "population"],
        "source_says": ["advanced|metastatic", "rct", "single_arm_trial", "meta_analysis", "metastatic"],
        "review_says": ["oligometastatic", "rct", "rct", "rct", "metastatic"],
        "review_location": ["text 2", "table 9", "table 9", "table 9", "text 2"],
        "review_refs": ["5", "5", "6", "7", "4"], "review_quote": ["q"] * 5,
        "value_ids": ["n_eta", "", "", "", ""], "note": [""] * 5})
    pubs = pd.DataFrame({"url": ["https://p/1", "https://s/2", "https://p/3"], "doi": ["10.1/p1", "", "10.1/p3"],
                         "pmid": ["", "", ""], "source_kind": ["primary_abstract", "secondary", "primary_full_text"],
                         "report": ["cited", "cited", "cited"]})
    out = cc.compare_facts(facts, pubs).set_index("fact_id")
    assert out.loc["f1", ["agreement", "status"]].tolist() == ["disagree", "contradicted"]
    assert out.loc["f2", ["agreement", "status"]].tolist() == ["agree", "confirmed"]
    assert out.loc["f3", ["agreement", "status"]].tolist() == ["disagree", "doubt"]
    assert out.loc["f4", "status"] == "contradicted"
    assert out.loc["f5", ["agreement", "status"]].tolist() == ["agree", "different_report"]
    values = pd.DataFrame({"value_id": ["n_eta"], "location": ["text 2"], "section": ["2"]})
    flags = fact_flags(out.reset_index(), values)
    assert list(flags.columns) == ISSUE_COLUMNS
    got = flags.set_index("value_ids", drop=False)
    assert flags[["check", "severity"]].values.tolist() == [
        ["source_fact_mismatch", "warning"], ["secondary_source_doubt", "info"], ["source_fact_mismatch", "warning"]]
    assert got.loc["n_eta", "section"] == "2" and got.loc["n_eta", "reported"] == "oligometastatic"
    assert "advanced / metastatic" in got.loc["n_eta", "message"]


def test_fact_labels_blank_side_is_not_checkable():
    assert cc.fact_agreement("", "rct") == "" and cc.fact_agreement("rct", "") == ""
    f = pd.DataFrame({"fact_id": ["f"], "ref": ["1"], "study_id": ["s"], "url": ["u"], "aspect": ["design"],
                      "source_says": [""], "review_says": ["rct"], "review_location": ["table 1"], "review_refs": ["1"]})
    assert cc.compare_facts(f).loc[0, "status"] == "not_checkable"
    assert fact_flags(cc.compare_facts(f)).empty
