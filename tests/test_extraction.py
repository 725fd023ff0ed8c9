"""Real content of the extraction: every study row of tables 1-3 with its N, the trials' arm
sizes, and a sample of figures from every section, each at the right place with the right reading.

These are facts read off the review by a person, checked against the extracted tables.
"""
from __future__ import annotations

import pandas as pd
import pytest

from helpers import paths
from helpers.review import load_review


@pytest.fixture(scope="module")
def review():
    return load_review(paths.DATA)


@pytest.fixture(scope="module")
def values(review):
    return review.tables["values"]


TABLE_ROWS = [  # (location, refs, author as printed, N as printed or None)
    ("table 1", "16", "Margriet Kwint", "91"),
    ("table 1", "18", "Kyle G. Mitchell", "88"),
    ("table 1", "19", "Yang Ni", "103"),
    ("table 1", "23", "刘宝东", "20"),
    ("table 1", "27", "刘宝东", "28"),
    ("table 1", "22", "Yang Ni", "54"),
    ("table 1", "24", "Yang Ni", "71"),
    ("table 1", "20", "Hiroshi Kodama", "44"),
    ("table 1", "26", "Helmut Schoellnast", "33"),
    ("table 1", "21", "Zhigang Wei", "79"),
    ("table 2", "25", "Xishan Li", "49"),
    ("table 2", "17", "Qinghua Xu", "145"),
    ("table 3", "28", "Puneeth Iyengar", "29"),
    ("table 3", "29;30", "Daniel R Gomez", "49"),
    ("table 3", "31", "Xiao-Shan Wang", "133"),
    ("table 3", "34", "Fausto Petrelli", None),
    ("table 3", "32", "Willemijn S M E Theelen", "148"),
    ("table 3", "35", "Joshua M. Bauml", "45"),
    ("table 3", "33", "Willemijn S. M. E. Theelen", "76"),
]


@pytest.mark.parametrize("location,refs,author,n", TABLE_ROWS, ids=[f"{r[0]}[{r[1]}]" for r in TABLE_ROWS])
def test_every_table_row_present_with_its_n(review, values, location, refs, author, n):
    studies = review.tables["studies"]
    row = studies[(studies["location"] == location) & (studies["refs"] == refs)]
    assert len(row) == 1, f"{location} [{refs}] missing"
    row = row.iloc[0]
    assert row["author_printed"] == author
    assert row["author_romanised"].isascii() and row["author_romanised"]
    if n is None:
        assert row["n_id"] == ""
    else:
        nv = values.set_index("value_id").loc[row["n_id"]]
        assert (nv["quantity"], nv["value"], nv["location"]) == ("n", n, location)


def test_table_study_counts(review):
    loc = review.tables["studies"]["location"].value_counts()
    assert (loc["table 1"], loc["table 2"], loc["table 3"]) == (10, 2, 7)


@pytest.mark.parametrize("study,arm,n", [
    ("iyengar2018", "experimental", "14"), ("iyengar2018", "control", "15"),
    ("wang2023", "experimental", "68"), ("wang2023", "control", "65"),
    ("theelen2021", "experimental", "72"), ("theelen2021", "control", "76"),
    ("theelen2019", "experimental", "36"), ("theelen2019", "control", "40"),
    ("mitchell2021", "surgery", "25"), ("mitchell2021", "radiotherapy", "63"),
])
def test_arm_sizes(values, study, arm, n):
    got = set(values[(values["study_id"] == study) & (values["quantity"] == "n") & (values["arm"] == arm)]["value"])
    assert n in got, (study, arm, got)


def _one(values, **kw):
    sel = values
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) >= 1, kw
    return sel


@pytest.mark.parametrize("section,where", [
    ("1", dict(location="text 1", quantity="percent", subgroup="stage_iv", value="57")),
    ("1", dict(location="text 1", quantity="percent", subgroup="synchronous_oligometastasis", value="16.1")),
    ("1", dict(location="text 1", quantity="median", endpoint="os", arm="control", value="17.2")),
    ("2.1.3", dict(location="table 1", study_id="kwint2017", quantity="median", endpoint="pfs", value="14")),
    ("2.1.3", dict(location="table 1", study_id="mitchell2021", quantity="percent", arm="radiotherapy", value="19.1")),
    ("2.1.3", dict(location="table 1", study_id="ni2019", quantity="percent", value="11.19")),
    ("2.1.3", dict(location="text 2.1.3", study_id="ni2016", quantity="hr", endpoint="os", value="0.238")),
    ("2.1.3", dict(location="table 2", study_id="li2013", quantity="median", endpoint="pfs", unit="weeks", value="16")),
    ("2.1.3", dict(location="table 1", study_id="wei2019", quantity="p_value", value="0.000")),
    ("2.1.4", dict(location="text 2.1.4", study_id="kodama2012", quantity="n", value="33")),
    ("2.1.4", dict(location="text 2.1.4", study_id="wei2019", quantity="count", value="7")),
    ("2.2.1", dict(location="text 2.2.1", study_id="wang2023", quantity="median", endpoint="pfs", arm="experimental", value="12.5")),
    ("2.2.1", dict(location="text 2.2.1", study_id="gomez2016", quantity="n", value="45")),
    ("2.2.2", dict(location="text 2.2.2", study_id="theelen2021", quantity="p_value", endpoint="os", value="0.0004")),
    ("2.2.2", dict(location="table 3", study_id="gomez2016", quantity="rate", endpoint="pfs", arm="experimental", timepoint="1y", value="48")),
    ("2.2.2", dict(location="table 3", study_id="wang2023", quantity="median", endpoint="pfs", arm="experimental", value="20.2")),
    ("2.2.2", dict(location="table 3", study_id="theelen2019", quantity="count", arm="control", endpoint="sd", value="40")),
])
def test_sample_values_per_section(values, section, where):
    sel = _one(values, **where)
    assert set(sel["section"]) == {section}


def test_text_literal_arm_reading_kept(values):
    """The review's own order words decide the arm, even where the figures look exchanged."""
    lc = _one(values, study_id="wang2023", location="text 2.2.1", quantity="percent", endpoint="local_control")
    assert dict(zip(lc["arm"], lc["value"])) == {"experimental": "55.4", "control": "91.2"}


def test_ranges_claimed_have_both_ends(review, values):
    claims = review.tables["claims"]
    ranges = claims[claims["claim_type"] == "range"]
    v = values.set_index("value_id")
    ends = {(v.at[r.low_id, "value"], v.at[r.high_id, "value"]) for r in ranges.itertuples()}
    assert {("4.5", "24"), ("43", "63.1"), ("9.1", "40"), ("0.7", "29.0"), ("85", "90")} <= ends


def test_prognostic_factors_linked(review, values):
    prog = review.tables["prognostic"]
    v = values.set_index("value_id")
    wei = prog[(prog["study_id"] == "wei2019") & (prog["hr_id"] != "")]
    hrs = {(r.endpoint, v.at[r.hr_id, "value"], r.wording) for r in wei.itertuples()}
    assert ("pfs", "9.480", "favourable") in hrs and ("os", "3.679", "favourable") in hrs
    linked = set(prog["hr_id"]) - {""}
    assert (v.loc[list(linked), "quantity"] == "hr").all()
    assert (v.loc[list(linked), "endpoint"] != "prognostic").all()


def test_mentions_keep_printed_names(review):
    m = review.tables["mentions"]
    hit = m[(m["author_printed"] == "Helmut Schoellnast") & (m["location"] == "text 2.1.4")]
    assert list(hit["refs"]) == ["20"]


def test_every_value_quote_is_verbatim(review, values):
    src = review.source
    off = values["offset"].astype(int)
    assert all(src[o:o + len(q)] == q for o, q in zip(off, values["quote"]))
    voff = values["value_offset"].astype(int)
    assert all(src[o:o + len(x)] == x for o, x in zip(voff, values["value"]))
