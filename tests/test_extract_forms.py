"""The extraction proposer reads each printed form, in Chinese and in English, into the schema.

Every text here is a small invented review; the expected rows are what a reader extracts from
it by hand (value, quantity, links, endpoint, arm, timepoint), never what the code happened to
produce.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.coverage import coverage_ledger
from helpers.extract.propose import propose_tables
from helpers.review import Review
from helpers.validation import validate_review

REFS_ZH = "\n\n## 参考文献\n\n- [1] 赵明远, 李华, 等. 局部治疗的随机试验[J]. 中国肺癌杂志, 2021, 24(3): 100-108.\n" \
          "- [2] Okafor, H., Brandt, L. (2018) Surgery or Radiotherapy. *J Thorac Oncol*, 13, 200-210.\n"
REFS_EN = REFS_ZH.replace("参考文献", "References")


def propose(body: str, refs: str = REFS_EN) -> dict[str, pd.DataFrame]:
    """Propose the tables of ``body`` + a two-entry reference list, and check they validate."""
    source = body + refs
    tables = propose_tables(source).tables
    validate_review(Review(data_dir=".", source=source, tables=tables))
    return tables


def rows(tables, *cols) -> list[tuple]:
    """Value rows as tuples (value first), links replaced by the value they point at."""
    v = tables["values"]
    by_id = dict(zip(v["value_id"], v["value"]))
    out = []
    for r in v.to_dict("records"):
        r = {**r, **{k: by_id.get(r[k], "") for k in ("count_id", "denominator_id", "total_id")}}
        out.append(tuple(r[c] for c in ("value",) + cols))
    return out


def row(tables, value: str, nth: int = 0) -> dict:
    v = tables["values"]
    hit = v[v["value"] == value]
    assert len(hit) > nth, (value, v["value"].tolist())
    r = hit.iloc[nth].to_dict()
    by_id = dict(zip(v["value_id"], v["value"]))
    for k in ("count_id", "denominator_id", "total_id"):
        r[k] = by_id.get(r[k], "")
    return r


# ------------------------------------------------------------------ counts, denominators, percentages

@pytest.mark.parametrize("body", [
    "## 1. 结果\n\n局部进展 17/52 例(32.7%) [1]。\n",
    "## 1. Results\n\nLocal progression 17/52 (32.7%) [1].\n",
    "## 1. Results\n\nLocal progression occurred in 17 of 52 patients (32.7%) [1].\n",
])
def test_fraction_with_percentage(body):
    t = propose(body)
    assert rows(t, "quantity", "endpoint", "count_id", "denominator_id") == [
        ("17", "count", "local_progression", "", "52"),
        ("52", "n", "local_progression", "", ""),
        ("32.7", "percent", "local_progression", "17", "52"),
    ]


def test_percentage_then_fraction_and_count_then_percentage():
    t = propose("## 1. 结果\n\n最佳的 ORR 41.2% (14/34) [1], 原位进展 9 例(17.6%) [1]。\n")
    assert rows(t, "quantity", "endpoint", "count_id", "denominator_id") == [
        ("41.2", "percent", "orr", "14", "34"), ("14", "count", "orr", "", "34"), ("34", "n", "orr", "", ""),
        ("9", "count", "local_progression", "", ""), ("17.6", "percent", "local_progression", "9", ""),
    ]


def test_fraction_and_percentage_inside_brackets_and_term_after_the_count():
    t = propose("## 1. 结果\n\n常见毒性是疲乏(19/61, 31%) [1]; 12/80 例(15.0%)远处转移 [1]。\n")
    assert row(t, "31")["count_id"] == "19" and row(t, "31")["denominator_id"] == "61"
    assert row(t, "31")["subgroup"] == "fatigue"
    assert row(t, "15.0")["endpoint"] == "distant_progression"


def test_denominator_printed_first():
    t = propose("## 1. Results\n\nOf the 48 patients of Okafor [2], 13 (27.1%) had local progression.\n")
    assert row(t, "48")["quantity"] == "n"
    assert (row(t, "13")["quantity"], row(t, "13")["denominator_id"]) == ("count", "48")
    assert (row(t, "27.1")["count_id"], row(t, "27.1")["denominator_id"]) == ("13", "48")
    t = propose("## 1. 结果\n\n27 例进展患者中, 11 例(40.7%)接受了晚期 LCT [1]。\n")
    assert (row(t, "11")["denominator_id"], row(t, "11")["endpoint"]) == ("27", "late_lct")


# ------------------------------------------------------------------ comparisons and p-values

def test_hazard_ratio_with_interval_and_p_value():
    t = propose("## 1. Results\n\nPFS 11.3 vs 7.8 months (HR 0.64, 95% CI 0.45–0.91, P = 0.013) [1].\n")
    got = {r[0]: r[1:] for r in rows(t, "quantity", "bound", "comparator", "endpoint")}
    assert got["0.64"] == ("hr", "point", "=", "pfs")
    assert got["0.45"] == ("hr", "low", "=", "pfs") and got["0.91"] == ("hr", "high", "=", "pfs")
    assert got["0.013"] == ("p_value", "point", "=", "pfs")
    ns = t["non_statistics"]
    assert ns.loc[ns["token"] == "95", "reason"].tolist() == ["definition"]


@pytest.mark.parametrize("text,comparator", [("P < 0.001", "<"), ("p > 0.05", ">"), ("P=0.043", "="),
                                             ("$P < 0.009$", "<"), ("P 值为 0.27", "=")])
def test_p_value_comparator(text, comparator):
    t = propose(f"## 1. 结果\n\nOS 21.4 和 16.1 月({text}) [1]。\n")
    p = t["values"][t["values"]["quantity"] == "p_value"]
    assert p["comparator"].tolist() == [comparator] and p["endpoint"].tolist() == ["os"]


def test_odds_ratio_pair_and_the_factor_list_names_the_endpoint():
    t = propose("## 1. Results\n\nResponse was similar (OR 2.7 vs 1.9, P = 0.64) [1].\n")
    assert [r[1] for r in rows(t, "quantity")] == ["or", "or", "p_value"]
    t = propose("## 1. 结果\n\n女性(HR 0.64, P = 0.018)和腺癌(HR 0.57, P = 0.031)是 OS 较好的因素 [1]。\n")
    assert set(t["values"]["endpoint"]) == {"os"}


# ------------------------------------------------------------------ times

@pytest.mark.parametrize("body,expected", [
    ("## 1. 结果\n\n中位 PFS 13.4 月, OS NR [1]。\n", [("13.4", "median", "pfs", "months"), ("NR", "median", "os", "")]),
    ("## 1. 结果\n\nPFS 16 周 [1]。\n", [("16", "median", "pfs", "weeks")]),
    ("## 1. Results\n\nThe median OS was 24.1 months [1].\n", [("24.1", "median", "os", "months")]),
    ("## 1. Results\n\nPFS (10.2 ± 2.4) months [1].\n", [("10.2", "mean", "pfs", "months"),
                                                        ("2.4", "sd", "pfs", "months")]),
])
def test_times_after_a_time_to_event_term(body, expected):
    t = propose(body)
    got = rows(t, "quantity", "endpoint", "unit")
    assert [g for g in got if g[0] != "NR"] == [e for e in expected if e[0] != "NR"]
    if any(e[0] == "NR" for e in expected):
        assert row(t, "NR")["quantity"] == "median" and row(t, "NR")["endpoint"] == "os"


@pytest.mark.parametrize("body", [
    "## 1. 结果\n\n1、2 和 3 年 OS 分别 88.1%、70.4% 和 55.0% [1]。\n",
    "## 1. Results\n\nThe one-, two- and three-year OS were 88.1%, 70.4% and 55.0% [1].\n",
])
def test_landmark_list(body):
    t = propose(body)
    assert rows(t, "quantity", "endpoint", "timepoint") == [
        ("88.1", "rate", "os", "1y"), ("70.4", "rate", "os", "2y"), ("55.0", "rate", "os", "3y")]
    ns = t["non_statistics"]
    assert set(ns.loc[ns["token"] != "", "reason"]) <= {"definition"}  # the times themselves, when digits


def test_range_is_two_bounds_and_a_range_claim():
    t = propose("## 1. 结果\n\n局部控制率为 78%~92% [1] [2]。\n")
    assert rows(t, "quantity", "bound", "endpoint", "refs") == [
        ("78", "percent", "low", "local_control", "1;2"), ("92", "percent", "high", "local_control", "1;2")]
    claims = t["claims"]
    assert claims["claim_type"].tolist() == ["range"] and claims["endpoint"].tolist() == ["local_control"]


def test_window_of_counted_events():
    t = propose("## 1. 结果\n\n1/47 例(2.1%)在 60 天内死亡 [1]。\n")
    assert {r[1] for r in rows(t, "timepoint")} == {"60d"}
    assert set(t["values"]["endpoint"]) == {"death"}


# ------------------------------------------------------------------ arms

def test_arm_order_announced_before_the_series_zh():
    t = propose("## 1. 结果\n\n赵明远 [1]纳入 120 例, 随机分为试验组和对照组。PFS 分别 11.3 和 7.8 月, "
                "OS 分别为 NR 和 20.5 个月; 客观缓解率 42/60 (70.0%) vs 28/60 (46.7%)。\n", REFS_ZH)
    arms = {r[0]: r[1] for r in rows(t, "arm")}
    assert (arms["11.3"], arms["7.8"], arms["NR"], arms["20.5"]) == ("experimental", "control", "experimental", "control")
    assert (arms["42"], arms["70.0"], arms["28"], arms["46.7"]) == ("experimental", "experimental", "control", "control")
    assert row(t, "120")["quantity"] == "n"
    # the arms' denominators partition the trial's N
    assert row(t, "60")["partition_id"] and row(t, "60")["partition_id"] == row(t, "60", 1)["partition_id"]
    assert row(t, "60")["total_id"] == "120"


def test_arm_order_announced_after_the_series_en():
    t = propose("## 1. Results\n\nIn Okafor [2], PFS was 8.3 and 5.1 months in the surgery and radiotherapy "
                "groups, respectively. The DCR was 63.5% in the control and 81.0% in the experimental group.\n")
    arms = {r[0]: r[1] for r in rows(t, "arm")}
    assert (arms["8.3"], arms["5.1"]) == ("surgery", "radiotherapy")
    assert (arms["63.5"], arms["81.0"]) == ("control", "experimental")


def test_cell_order_words_override_the_table_header():
    body = ("## 1. 结果\n\n**表 1.** 随机研究 (试验组 vs 对照组)\n\n作者\t例数\t疗效\n"
            "Hannah Okafor [2]\t88\tPFS: 9.1 月 vs 4.3 月; 12 周的 ORR 对照组和试验组 19%和 37%\n")
    t = propose(body)
    arms = {r[0]: r[1] for r in rows(t, "arm")}
    assert (arms["9.1"], arms["4.3"]) == ("experimental", "control")
    assert (arms["19"], arms["37"]) == ("control", "experimental")
    assert row(t, "19")["timepoint"] == "12w"


def test_labelled_cells():
    body = ("## 1. 结果\n\n**表 1.** 回顾性研究\n\n作者\t例数\t疗效\n"
            "Hannah Okafor [2]\t37\t手术组: OS 30.2 月 放疗组: OS 18.4 月\n")
    arms = {r[0]: r[1] for r in rows(propose(body), "arm")}
    assert (arms["30.2"], arms["18.4"], arms["37"]) == ("surgery", "radiotherapy", "total")


def test_local_control_is_no_control_arm():
    t = propose("## 1. Results\n\nLocal control was 91.3% at one year [2].\n")
    assert row(t, "91.3")["arm"] in ("", "total") and row(t, "91.3")["endpoint"] == "local_control"


# ------------------------------------------------------------------ table rows, references, mentions

def test_table_row_gives_study_n_mention_and_study():
    body = ("## 1. Results\n\n**Table 1.** Trials (experimental vs control)\n\nAuthor\tN\tOutcomes\n"
            "Hannah Okafor [2]\t90 (46/44)\tPFS 9.1 vs 4.3 months\n")
    t = propose(body)
    assert rows(t, "quantity", "arm", "total_id")[:3] == [
        ("90", "n", "total", ""), ("46", "n", "experimental", "90"), ("44", "n", "control", "90")]
    st_ = t["studies"].iloc[0]
    assert (st_["study_id"], st_["refs"], st_["author_printed"], st_["location"]) == ("okafor2018", "2",
                                                                                       "Hannah Okafor", "table 1")
    assert t["values"].set_index("value_id").loc[st_["n_id"], "value"] == "90"
    m = t["mentions"].iloc[0]
    assert (m["author_printed"], m["refs"], m["location"]) == ("Hannah Okafor", "2", "table 1")


def test_reference_list_both_forms():
    refs = propose("## 1. 结果\n\n赵明远 [1]报道了结果。\n", REFS_ZH)["references"]
    assert refs[["ref", "first_author", "year", "title", "journal"]].values.tolist() == [
        ["1", "赵明远", "2021", "局部治疗的随机试验", "中国肺癌杂志"],
        ["2", "Okafor", "2018", "Surgery or Radiotherapy", "J Thorac Oncol"]]


# ------------------------------------------------------------------ not statistics

@pytest.mark.parametrize("text,token,reason", [
    ("放疗剂量 45 Gy/15 f", "45", "dose_schedule"), ("50 Gy in 5 fractions", "5", "dose_schedule"),
    ("2:1 随机分组", "2", "randomisation_ratio"), ("纳入 ≤ 4 个转移灶的患者", "4", "eligibility_threshold"),
    ("3~4 级毒性", "3", "grade"), ("65 岁以上", "65", "cut_off"), ("PD-L1 表达", "1", "biomarker_name"),
    ("2 期临床试验", "2", "trial_phase"), ("4~6 个周期化疗", "6", "treatment_schedule"), ("2019 年发表", "2019", "year"),
    ("low grade (1%~49%) expression ( ≥ 50% )", "50", "eligibility_threshold"),
])
def test_non_statistics_with_a_reason(text, token, reason):
    body = f"## 1. Results\n\nThe study used {text} [1].\n"
    t = propose(body)
    ledger = coverage_ledger(Review(data_dir=".", source=body + REFS_EN, tables=t), body_end_marker="## References")
    hit = ledger[ledger["token"] == token]
    assert reason in ";".join(hit["reason"]).split(";"), hit.to_dict("records")
    assert token not in t["values"]["value"].tolist()


def test_citations_headings_and_dates_are_pattern_rows():
    t = propose("# A review\n\n收稿日期: 2022年3月4日\n\n## 2. 结果\n\n见表 1 [1] [2]。\n")
    ns = t["non_statistics"]
    reasons = set(ns.loc[ns["pattern"] != "", "reason"])
    assert {"citation_number", "date", "section_number", "table_number"} <= reasons
    assert t["values"].empty


# ------------------------------------------------------------------ every row proposed; every value printed

def test_every_row_is_marked_proposed_with_a_confidence():
    t = propose("## 1. 结果\n\nPFS 分别 11.3 和 7.8 月 (HR 0.64, P = 0.013), 局部进展 9 例(17.6%) [1]。\n")
    for name, df in t.items():
        assert (df["origin"] == "proposed").all(), name
        conf = pd.to_numeric(df["confidence"])
        assert ((conf > 0) & (conf <= 1)).all(), name


WORDS = ["PFS", "OS", "ORR", "局部进展", "疲乏", "HR", "P =", "P <", "例", "月", "months", "vs", "和", "分别", "(", ")",
         "%", "/", "~", "试验组", "对照组", "[1]", ", ", "。", " ", "95% CI", "±", "年", "周", "NR", "Gy", "≤", "1:1"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.from_regex(r"\d{1,3}(\.\d{1,3})?", fullmatch=True)),
                min_size=1, max_size=40))
def test_never_writes_a_number_that_is_not_printed_at_its_offset(parts):
    body = "## 1. 结果\n\n" + " ".join(parts) + "\n"
    source = body + REFS_EN
    tables = propose_tables(source).tables
    v = tables["values"]
    for r in v.itertuples():
        o = int(r.value_offset)
        assert source[o:o + len(r.value)] == r.value
        assert re.fullmatch(r"\d+(?:\.\d+)?|NR", r.value)
    validate_review(Review(data_dir=".", source=source, tables=tables))


def test_windows_line_endings_read_alike():
    unix = propose("## 1. Results\n\nPFS 9.1 vs 4.3 months (HR 0.62, P = 0.023) [1].\n")
    dos = propose("## 1. Results\r\n\r\nPFS 9.1 vs 4.3 months (HR 0.62, P = 0.023) [1].\r\n",
                  REFS_EN.replace("\n", "\r\n"))
    assert rows(dos, "quantity", "endpoint", "refs") == rows(unix, "quantity", "endpoint", "refs")
    assert dos["references"]["ref"].tolist() == ["1", "2"]
