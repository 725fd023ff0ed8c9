"""The reading pages: templates in both languages, findings per the contract, clean visible text,
links both ways between the report and the annotated review, same bytes for the same inputs."""
from __future__ import annotations

import csv
import html
import re
import string
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.findings_fixture import synthetic_findings  # noqa: E402

from helpers import paths, report  # noqa: E402
from helpers.errors import DataError  # noqa: E402
from helpers.report import findings_view as fv  # noqa: E402
from helpers.report import text  # noqa: E402
from helpers.review import load_review, read_table  # noqa: E402

SYN_OUT = paths.OUTPUTS / "synthetic"
PAGES = ["report.html", "report.zh.html", "review_annotated.html"]


def visible_text(page: str) -> str:
    """What a reader sees: the page without tags, attributes, style and embedded images."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


# ---- templates ------------------------------------------------------------------------
def test_every_template_has_both_languages_with_the_same_fields():
    with text.STRINGS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["key"] for r in rows}) == len(rows)
    fields = lambda s: sorted(f for _, f, _, _ in string.Formatter().parse(s) if f)  # noqa: E731
    for r in rows:
        assert r["en"] and r["zh"], r["key"]
        assert fields(r["en"]) == fields(r["zh"]), r["key"]
        if r["key"] == "nav.other_language":  # the link to the other language is written in that language
            assert re.search(r"[\u4e00-\u9fff]", r["en"]) and not re.search(r"[\u4e00-\u9fff]", r["zh"])
            continue
        assert re.search(r"[\u4e00-\u9fff]", r["zh"]) or r["zh"] == r["en"], f"{r['key']}: zh text has no Chinese"


def test_every_label_the_templates_use_exists():
    used = set()
    for tpl in text.STRINGS.parent.glob("templates/*.j2"):
        used |= set(re.findall(r"\bt\('([a-z_.]+[a-z_])'", tpl.read_text(encoding="utf-8")))
    assert used
    assert not {k for k in used if not text.has(k)}


@pytest.mark.parametrize("raw, clean", [
    ("$P = 0.030$", "P = 0.030"),
    (r"肿瘤  $\leq 3.0$  cm", "肿瘤 ≤ 3.0 cm"),
    (r"既往 $\geq$ 二线化疗", "既往 ≥ 二线化疗"),
    (r"$\leq 3\sim 5$ 个", "≤ 3~5 个"),
    ("( $P < 0.001$ )", "(P < 0.001)"),
])
def test_latex_becomes_plain_text(raw, clean):
    assert text.plain(raw) == clean


def test_working_notes_and_ids_leave_messages():
    msg = ("The review prints 80 for the n (total) of ni2021 in table 1. Source note: the abstract gives 15 of 103; "
           "value_id set by hand (several review rows share every key).")
    out = text.reader_text(msg, {"ni2021": "Yang Ni"})
    assert "value_id" not in out and "by hand" not in out and "ni2021" not in out
    assert "Yang Ni" in out and "15 of 103" in out


def test_unknown_template_and_language_are_errors():
    with pytest.raises(KeyError, match="no template"):
        text.t("no.such.key")
    with pytest.raises(ValueError, match="language"):
        text.t("tier.definite_error", "fr")


# ---- findings per the contract ------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic():
    review = load_review(paths.SYNTHETIC, validate=False)
    inputs = report.Inputs(
        review=review, flags=read_table(SYN_OUT / "inconsistencies.csv"), recomputed=read_table(SYN_OUT / "recomputed.csv"),
        ledger=read_table(SYN_OUT / "extraction_coverage.csv"),
        sections=pd.DataFrame({"section": sorted(set(review.tables["values"]["section"])), "title_en": "", "title_zh": "",
                               "notebook": "00_data_and_audit"}),
        figure_dir=SYN_OUT / "figures", citation="A synthetic review")
    inputs.flags = fv.with_flag_ids(inputs.flags)
    return inputs


@pytest.fixture(scope="module")
def with_findings(synthetic, tmp_path_factory):
    findings = synthetic_findings(synthetic.flags, synthetic.review.tables["values"])
    path = tmp_path_factory.mktemp("f") / "findings.csv"
    findings.to_csv(path, index=False)
    inputs = report.Inputs(**{**synthetic.__dict__, "findings": report.read_findings(path)})
    return inputs, report.build_pages(inputs)


def test_read_findings_absent_is_none(tmp_path):
    assert report.read_findings(tmp_path / "findings.csv") is None


@pytest.mark.parametrize("column, value, message", [
    ("tier", "fatal", "is not one of definite_error"),
    ("impact", "huge", "is not one of conclusion"),
    ("resolution", "guess", "is not one of primary_source"),
])
def test_read_findings_names_file_row_column(synthetic, tmp_path, column, value, message):
    f = synthetic_findings(synthetic.flags, synthetic.review.tables["values"])
    f.loc[1, column] = value
    f.to_csv(tmp_path / "findings.csv", index=False)
    with pytest.raises(DataError, match=rf'findings.csv, row 3, column "{column}": .*{message}'):
        report.read_findings(tmp_path / "findings.csv")


def test_read_findings_missing_column(synthetic, tmp_path):
    synthetic_findings(synthetic.flags, synthetic.review.tables["values"]).drop(columns="meaning_zh").to_csv(
        tmp_path / "findings.csv", index=False)
    with pytest.raises(DataError, match='column "meaning_zh": column missing'):
        report.read_findings(tmp_path / "findings.csv")


def test_summary_lists_findings_ranked_by_tier_then_impact(with_findings):
    inputs, pages = with_findings
    order = re.findall(r'<li id="finding-([^"]+)" class="tier-([a-z_]+)"', pages["report.html"])
    assert len(order) == len(inputs.findings)
    ranked = fv.ranked(inputs.findings)
    assert [fid for fid, _ in order] == ranked["finding_id"].tolist()
    tiers = [fv.TIERS.index(t) for _, t in order]
    assert tiers == sorted(tiers)
    summary = pages["report.html"].split('id="findings"')[0]
    assert "no findings table" not in summary.lower()


def test_findings_and_text_link_both_ways(with_findings):
    inputs, pages = with_findings
    annotated = pages["review_annotated.html"]
    ann_ids = set(re.findall(r'\bid="([^"]+)"', annotated))
    for lang in ("report.html", "report.zh.html"):
        page = pages[lang]
        ids = set(re.findall(r'\bid="([^"]+)"', page))
        for fid in inputs.findings["finding_id"]:
            block = page.split(f'id="finding-{fid}"')[1].split("</li>")[0]
            places = re.findall(r'href="review_annotated.html#([^"]+)"', block)
            assert places and set(places) <= ann_ids, (fid, places)
        for target in re.findall(r'href="#([^"]+)"', page):
            assert target in ids, target
    back = set(re.findall(r'href="report.html#finding-([^"]+)"', annotated))
    assert back and back <= set(inputs.findings["finding_id"])
    en_ids = set(re.findall(r'\bid="([^"]+)"', pages["report.html"]))
    assert set(re.findall(r'href="report.html#([^"]+)"', annotated)) <= en_ids


def test_chinese_page_uses_the_chinese_templates(with_findings):
    inputs, pages = with_findings
    zh = visible_text(pages["report.zh.html"])
    assert "确定错误" in zh and "摘要" in zh
    for title in inputs.findings["title_zh"]:
        assert text.plain(title) in zh
    assert 'lang="zh-Hans"' in pages["report.zh.html"]


def test_visible_text_is_clean(with_findings):
    inputs, pages = with_findings
    value_ids = set(inputs.review.tables["values"]["value_id"])
    for name, page in pages.items():
        seen = visible_text(page)
        assert "$" not in seen and "\\geq" not in seen and "\\leq" not in seen, name
        words = set(re.findall(r"[a-z0-9_]+", seen))
        assert not (words & value_ids), (name, sorted(words & value_ids)[:5])
        assert "value_id" not in seen and "flag_id" not in seen, name


def test_flags_only_build_says_so_and_shows_no_findings(synthetic):
    pages = report.build_pages(synthetic)
    page = pages["report.html"]
    assert "finding-" not in page
    assert "No findings table in this build" in page
    assert "本次构建没有“发现”表" in pages["report.zh.html"]
    for check in set(synthetic.flags["check"]):
        assert f'data-check="{check}"' in page


def test_every_value_is_in_the_annotated_text(synthetic):
    page = report.build_pages(synthetic)["review_annotated.html"]
    ids = set(re.findall(r'\bid="v-([^"]+)"', page))
    assert set(synthetic.review.tables["values"]["value_id"]) <= ids


def test_same_inputs_same_bytes(with_findings):
    inputs, pages = with_findings
    assert report.build_pages(inputs) == pages


# ---- what a figure marks ------------------------------------------------------------------
def _values():
    key = dict(study_id="s", quantity="median", endpoint="os", subgroup="", timepoint="")
    return pd.DataFrame([
        dict(key, value_id="t_exp", arm="experimental", value="20", location="table 1"),
        dict(key, value_id="t_ctl", arm="control", value="10", location="table 1"),
        dict(key, value_id="x_exp", arm="experimental", value="10", location="text 1"),
        dict(key, value_id="x_ctl", arm="control", value="20", location="text 1"),
        dict(key, value_id="x_hr", arm="", quantity="hr", value="0.5", location="text 1"),
        dict(key, value_id="t_hr", arm="", quantity="hr", value="0.5", location="table 1"),
    ])


def test_marked_values_are_the_wrong_printing_only():
    finding = pd.DataFrame([{"value_ids": "t_exp;t_ctl;x_exp;x_ctl;x_hr;t_hr", "right_printing": "table 1"}])
    rec = pd.DataFrame({"value_id": ["x_hr"], "check": ["hr_vs_median_ratio"], "status": ["inconsistent"]})
    assert fv.wrong_printings(finding, _values(), rec) == {"x_exp", "x_ctl"}


def test_undecided_finding_marks_its_inconsistent_values():
    finding = pd.DataFrame([{"value_ids": "x_exp;x_ctl;x_hr", "right_printing": ""}])
    rec = pd.DataFrame({"value_id": ["x_exp", "x_hr"], "check": ["c", fv.SOURCE_CHECK], "status": ["inconsistent", "consistent"]})
    assert fv.wrong_printings(finding, _values(), rec) == {"x_exp"}


def test_flags_only_marks_what_the_source_contradicts_and_never_warnings():
    flags = pd.DataFrame({"severity": ["error", "warning"], "value_ids": ["x_exp;x_ctl;x_hr", "t_hr;t_exp"]})
    rec = pd.DataFrame({"value_id": ["x_exp", "x_hr", "t_hr"],
                        "check": [fv.SOURCE_CHECK, "hr_vs_median_ratio", "hr_vs_median_ratio"],
                        "status": ["inconsistent", "inconsistent", "inconsistent"]})
    assert fv.marked_values(None, flags, _values(), rec) == {"x_exp"}


# ---- the committed pages ------------------------------------------------------------------
@pytest.mark.parametrize("name", PAGES)
def test_committed_pages_are_self_contained_and_clean(name):
    page = (paths.OUTPUTS / name).read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//[^"]+\.(?:css|js)', page)
    assert not re.search(r'src="(?!data:)', page), "every image is embedded"
    seen = visible_text(page)
    assert "$" not in seen and "\\geq" not in seen
    values = read_table(paths.EXTRACTED / "values.csv")
    assert not (set(re.findall(r"[a-z0-9_]+", seen)) & set(values["value_id"]))
    assert "set by hand" not in seen


def test_summary_counts_only_errors_as_changing_a_conclusion():
    from helpers.report.pages import verdict
    f = pd.DataFrame({"finding_id": ["F-1", "F-2", "F-3", "F-4"],
                      "tier": ["definite_error", "probable_error", "plausibility", "definite_error"],
                      "impact": ["conclusion", "conclusion", "conclusion", "figure"],
                      "resolution": ["primary_source", "internal_evidence", "undecidable", "undecidable"],
                      "title_en": ["a", "b", "c", "d"], "meaning_en": ["m"] * 4,
                      "title_zh": ["a"] * 4, "meaning_zh": ["m"] * 4, "section": ["1"] * 4,
                      "locations": ["text 1"] * 4})
    flags = pd.DataFrame({"severity": ["error"]})
    en = verdict(f, flags, 10, "en")
    assert "2 of the definite or probable errors change a conclusion" in en and "1 plausibility notes" in en
    zh = verdict(f, flags, 10, "zh")
    assert "其中 2 个确定或可能的错误" in zh and "另有 1 个合理性提示" in zh
