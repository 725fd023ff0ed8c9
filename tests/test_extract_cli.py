"""The extraction assistant's commands: propose, diff-extraction, new-review (and their make targets).

Bad input fails with a plain message and exit status 2 and leaves what exists untouched; a
proposal never overwrites curated rows; the scaffold of a text it has never seen validates and
runs through ``make all`` (slow).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import OUTPUTS_BEFORE, make, snapshot

from helpers import paths
from helpers.cli import main
from helpers.extract.diff import diff_values
from helpers.review import read_table
from helpers.validation import validate_data_dir

TEXTS = Path(__file__).parent / "fixtures" / "texts"


def test_propose_writes_a_valid_data_directory(tmp_path, capsys):
    assert main(["propose", str(TEXTS / "mini_en.txt"), str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "OK:" in out and "values" in out
    rv = validate_data_dir(tmp_path / "p")
    assert len(rv.tables["values"]) > 20 and set(rv.tables["values"]["origin"]) == {"proposed"}


def test_propose_never_overwrites_curated_rows(tmp_path, capsys):
    shutil.copytree(paths.SYNTHETIC, tmp_path / "curated")
    before = snapshot(tmp_path / "curated")
    assert main(["propose", str(paths.SYNTHETIC / "raw" / "synthetic.txt"), str(tmp_path / "curated")]) == 2
    assert "curated rows" in capsys.readouterr().err
    assert snapshot(tmp_path / "curated") == before


def test_propose_rejects_a_text_that_is_not_utf8(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("PFS 9 个月".encode("gb18030"))
    main(["propose", str(TEXTS / "mini_en.txt"), str(tmp_path / "p")])
    before = snapshot(tmp_path / "p")
    assert main(["propose", str(bad), str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "bad.txt" in err and "not UTF-8" in err and "Traceback" not in err
    assert snapshot(tmp_path / "p") == before


def test_diff_extraction_lists_every_difference(tmp_path, capsys):
    main(["propose", str(paths.SYNTHETIC / "raw" / "synthetic.txt"), str(tmp_path / "p")])
    capsys.readouterr()
    assert main(["diff-extraction", str(tmp_path / "p"), str(paths.SYNTHETIC), "--out", str(tmp_path / "d")]) == 0
    report = capsys.readouterr().out
    assert "recovery" in report and "quantity" in report and "rows only in the proposal" in report
    fields = read_table(tmp_path / "d" / "fields.csv")
    diffs = read_table(tmp_path / "d" / "differences.csv")
    assert {"quantity", "endpoint", "arm", "timepoint", "count_id (linked rows)"} <= set(fields["field"])
    proposed = read_table(tmp_path / "p" / "extracted" / "values.csv")
    curated = read_table(paths.SYNTHETIC / "extracted" / "values.csv")
    # every recorded difference is real: the two sides print different cells there
    merged = proposed.merge(curated, on=["value_offset", "value"], suffixes=("_p", "_c"))
    for r in diffs[diffs["field"].isin(["quantity", "endpoint", "timepoint"])].itertuples():
        m = merged[merged["value_offset"] == r.value_offset].iloc[0]
        assert m[f"{r.field}_p"] == r.proposed != r.curated == m[f"{r.field}_c"]
    agree = fields.set_index("field")
    for f in ("quantity", "endpoint", "timepoint"):
        n_diff = int((diffs["field"] == f).sum())
        assert int(agree.at[f, "compared"]) - int(agree.at[f, "agree"]) == n_diff
    assert (tmp_path / "d" / "tokens.csv").is_file()


def test_diff_of_an_extraction_with_itself_and_with_a_changed_copy():
    v = read_table(paths.EXTRACTED / "values.csv")
    same = diff_values(v, v)
    assert same.matched == len(v) and same.differences.empty
    assert set(same.fields["rate"].dropna()) == {1.0}
    changed = v.copy()
    changed.loc[3, "quantity"] = "count"
    changed.loc[5, "arm"] = "control" if v.loc[5, "arm"] != "control" else "experimental"
    linked = changed.index[changed["count_id"] != ""][0]
    changed.loc[linked, "count_id"] = ""
    changed = changed.drop(index=7)
    d = diff_values(changed, v)
    got = set(zip(d.differences["field"], d.differences["curated_id"]))
    assert got == {("quantity", v.loc[3, "value_id"]), ("arm", v.loc[5, "value_id"]),
                   ("count_id (linked rows)", v.loc[linked, "value_id"]), ("row", v.loc[7, "value_id"])}
    assert d.matched == len(v) - 1 and d.recovery == pytest.approx((len(v) - 1) / len(v))


def test_diff_refuses_two_different_texts(tmp_path, capsys):
    main(["propose", str(TEXTS / "mini_en.txt"), str(tmp_path / "p")])
    assert main(["diff-extraction", str(tmp_path / "p"), str(paths.SYNTHETIC)]) == 2
    assert "raw text differs" in capsys.readouterr().err


def test_new_review_scaffold(tmp_path, capsys):
    assert main(["new-review", "hcc", str(TEXTS / "unseen_hcc.txt"), "--reviews-dir", str(tmp_path)]) == 0
    target = tmp_path / "hcc"
    rv = validate_data_dir(target)
    assert (target / "raw" / "unseen_hcc.txt").read_bytes() == (TEXTS / "unseen_hcc.txt").read_bytes()
    citation = (target / "raw" / "CITATION.md").read_text(encoding="utf-8")
    assert "FILL IN" in citation and "经动脉化疗栓塞联合系统治疗中晚期肝细胞癌的研究进展" in citation
    import hashlib
    assert hashlib.sha256((TEXTS / "unseen_hcc.txt").read_bytes()).hexdigest() in citation
    assert [p.name for p in (target / "external").iterdir()] == ["README.md"]
    assert len(rv.tables["values"]) > 0
    assert "make all DATA_DIR=" in capsys.readouterr().out
    # an existing directory is not overwritten, a bad name is refused
    assert main(["new-review", "hcc", str(TEXTS / "unseen_hcc.txt"), "--reviews-dir", str(tmp_path)]) == 2
    assert main(["new-review", "../x", str(TEXTS / "unseen_hcc.txt"), "--reviews-dir", str(tmp_path)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err


def test_make_propose_and_new_review_targets(tmp_path):
    proc = make(paths.ROOT, "propose", f"RAW={TEXTS / 'mini_zh.txt'}", f"OUT={tmp_path / 'p'}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    validate_data_dir(tmp_path / "p")
    proc = make(paths.ROOT, "new-review", "NAME=zh", f"RAW={TEXTS / 'mini_zh.txt'}", f"REVIEWS_DIR={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    validate_data_dir(tmp_path / "zh")
    proc = make(paths.ROOT, "new-review", "NAME=zh2")
    assert proc.returncode != 0 and "usage: make new-review" in proc.stderr


@pytest.mark.slow
def test_new_review_runs_through_make_all_at_once(new_review_built):
    """A text the proposer was never tuned on: scaffold, then every notebook, without any edit
    (built in the background while other tests run: ``conftest.new_review_built``)."""
    out = new_review_built / "out"
    executed = {p.name for p in (out / "notebooks").glob("*.ipynb")}
    assert executed == {p.name for p in paths.NOTEBOOKS.glob("*.ipynb")}
    assert (out / "report.html").stat().st_size > 10_000
    flags = pd.read_csv(out / "inconsistencies.csv", dtype=str, keep_default_na=False)
    ledger = pd.read_csv(out / "extraction_coverage.csv", dtype=str, keep_default_na=False)
    assert set(ledger["status"]) <= {"extracted", "not_a_statistic", "unexplained"}
    assert (ledger["status"] == "extracted").sum() > 20
    assert "check" in flags.columns
    assert OUTPUTS_BEFORE and snapshot(paths.OUTPUTS) == OUTPUTS_BEFORE
