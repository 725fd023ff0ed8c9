"""Validation of extracted data: a valid synthetic data dir passes; each corruption fails
with a message naming the file, the row (spreadsheet numbering), the column and the problem."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.synthetic_extraction import COLUMNS, SOURCE, make_data_dir, write_csv  # noqa: E402

from helpers import paths  # noqa: E402
from helpers.errors import DataError, Problem  # noqa: E402
from helpers.review import load_review, read_table  # noqa: E402
from helpers.validation import (  # noqa: E402
    TABLES, merge_parts, read_csv_checked, validate_data_dir, validate_review)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return make_data_dir(tmp_path / "data")


def table_path(data_dir: Path, name: str) -> Path:
    return data_dir / "extracted" / f"{name}.csv"


def edit(data_dir: Path, name: str, fn) -> pd.DataFrame:
    """Apply ``fn`` to a table (read as str) and write it back; return the edited frame."""
    p = table_path(data_dir, name)
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    df = fn(df)
    write_csv(df, p)
    return df


def set_cell(data_dir: Path, name: str, id_col: str, row_id: str, column: str, value: str) -> int:
    """Set one cell; return its spreadsheet row number (header = row 1)."""
    p = table_path(data_dir, name)
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    idx = df.index[df[id_col] == row_id][0]
    df.at[idx, column] = value
    write_csv(df, p)
    return int(idx) + 2


def problems(data_dir: Path) -> DataError:
    with pytest.raises(DataError) as info:
        validate_data_dir(data_dir)
    return info.value


def assert_problem(err: DataError, file: str, row: int | None, column: str | None, text: str) -> None:
    hits = [p for p in err.problems
            if p.file == file and p.row == row and p.column == column and text in p.problem]
    assert hits, f"no problem ({file}, {row}, {column}, ~{text!r}) in:\n{err}"
    # the message shows it too
    assert str(hits[0]) in str(err)


# ----------------------------------------------------------------------------- valid data

def test_valid_synthetic_dir_passes(data_dir):
    review = validate_data_dir(data_dir)
    assert set(review.tables) == set(TABLES)
    assert len(review.tables["values"]) == 19
    # load_review (which uses read_table -> read_csv_checked) validates it too
    assert len(load_review(data_dir).values) == 19


def test_impossible_but_printed_values_are_faithful(data_dir):
    """12/10 (120%) and P = 0.000 are what the fake review printed: they must validate."""
    review = validate_data_dir(data_dir)
    v = review.values.set_index("value_id")
    assert v.loc["s1_sub_pct", "value"] == "120"
    assert v.loc["s1_sub_p", "value"] == "0.000"
    assert int(v.loc["s1_sub_n", "value"]) > int(v.loc["s1_sub_d", "value"])


def test_real_references_table():
    refs = read_table(paths.EXTRACTED / "references.csv")
    source = paths.source_file().read_text(encoding="utf-8")
    assert refs["ref"].tolist() == [str(i) for i in range(1, 39)]
    assert list(refs.columns) == COLUMNS["references"]
    for off, quote, ref in refs[["offset", "quote", "ref"]].itertuples(index=False):
        assert source[int(off):int(off) + len(quote)] == quote
        assert quote.startswith(f"[{ref}] ")
    by_ref = refs.set_index("ref")
    assert by_ref.loc["1", "first_author"] == "Siegel"
    assert by_ref.loc["23", "first_author"] == "刘宝东" and by_ref.loc["23", "doi"] == ""
    assert by_ref.loc["12", "doi"] == "10.1016/S1470-2045(19)30718-1"
    assert by_ref.loc["34", "kind"] == "meta_analysis"
    assert by_ref.loc["32", "kind"] == "pooled_analysis"


def test_real_references_and_global_non_statistics_validate():
    """The two global files written for the real review pass the schema checks."""
    from helpers.review import Review

    source = paths.source_file().read_text(encoding="utf-8")
    tables = {n: pd.DataFrame(columns=c, dtype=str) for n, c in COLUMNS.items()}
    tables["references"] = read_table(paths.EXTRACTED / "references.csv")
    glob = paths.EXTRACTED / "parts" / "global" / "non_statistics.csv"
    merged = paths.EXTRACTED / "non_statistics.csv"
    tables["non_statistics"] = read_table(merged if merged.exists() else glob)
    validate_review(Review(paths.DATA, source, tables))


# ------------------------------------------------------------------------ reading problems

def test_missing_file(data_dir):
    table_path(data_dir, "mentions").unlink()
    err = problems(data_dir)
    assert_problem(err, "mentions.csv", None, None, "missing file")


def test_missing_table_in_review_object(data_dir):
    review = validate_data_dir(data_dir)
    del review.tables["claims"]
    with pytest.raises(DataError, match=r"claims\.csv: missing file"):
        validate_review(review)


def test_empty_file(data_dir):
    table_path(data_dir, "claims").write_bytes(b"")
    assert_problem(problems(data_dir), "claims.csv", None, None, "empty file")


def test_missing_column(data_dir):
    edit(data_dir, "values", lambda df: df.drop(columns=["unit"]))
    assert_problem(problems(data_dir), "values.csv", None, "unit", "missing column")


def test_unknown_extra_column(data_dir):
    edit(data_dir, "studies", lambda df: df.assign(verdict="x"))
    assert_problem(problems(data_dir), "studies.csv", None, "verdict", "unknown extra column")


def test_too_many_fields(data_dir):
    p = table_path(data_dir, "mentions")
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[1] += ",surplus"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = problems(data_dir)
    assert_problem(err, "mentions.csv", 2, None, "too many fields: 8 fields, header has 7 (file line 2)")


def test_too_few_fields(data_dir):
    p = table_path(data_dir, "prognostic")
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 2)[0]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_problem(problems(data_dir), "prognostic.csv", 2, None, "too few fields")


def test_pandas_tokenizer_error_is_caught(tmp_path):
    """Ragged rows are a DataError naming file and line, never a pandas ParserError."""
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_csv_checked(p, label="t.csv")
    assert "t.csv, row 3: too many fields: 3 fields, header has 2 (file line 3)" in str(info.value)


def test_duplicate_id(data_dir):
    df = edit(data_dir, "values", lambda df: pd.concat([df, df.iloc[[3]]], ignore_index=True))
    dup = df.iloc[-1]["value_id"]
    err = problems(data_dir)
    assert_problem(err, "values.csv", len(df) + 1, "value_id", f"duplicate id (cell: {dup!r})")


def test_not_utf8(data_dir):
    p = table_path(data_dir, "references")
    p.write_bytes(p.read_bytes().replace(b"Journal of Fakes", "Journal of Fak\u00e9s".encode("latin-1"), 1))
    err = problems(data_dir)
    assert_problem(err, "references.csv", None, None, "not UTF-8: byte 0xe9")
    assert "(line 2)" in str(err)


def test_byte_order_mark(data_dir):
    p = table_path(data_dir, "studies")
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert_problem(problems(data_dir), "studies.csv", None, None, "byte-order mark")


def test_whitespace_around_header_name(data_dir):
    p = table_path(data_dir, "claims")
    text = p.read_text(encoding="utf-8").replace("claim_type,", " claim_type ,", 1)
    p.write_text(text, encoding="utf-8")
    assert_problem(problems(data_dir), "claims.csv", 1, " claim_type ", "whitespace around the header name")


def test_duplicate_header_name(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,a\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r't\.csv, row 1, column "a": duplicate header name'):
        read_csv_checked(p, label="t.csv")


def test_reading_problems_of_several_files_are_reported_together(data_dir):
    table_path(data_dir, "mentions").unlink()
    table_path(data_dir, "claims").write_bytes(b"")
    err = problems(data_dir)
    assert {p.file for p in err.problems} == {"mentions.csv", "claims.csv"}


# ------------------------------------------------------------------------- cell problems

def test_quote_not_verbatim_at_offset(data_dir):
    row = set_cell(data_dir, "studies", "study_id", "smith2019", "quote", "Smith [3]\t25")
    err = problems(data_dir)
    assert_problem(err, "studies.csv", row, "quote", "quote is not verbatim in the source at its offset")
    assert "source at" in str(err) and "reads 'Smith [2]" in str(err)


def test_quote_offset_shifted(data_dir):
    df = pd.read_csv(table_path(data_dir, "mentions"), dtype=str, keep_default_na=False)
    row = set_cell(data_dir, "mentions", "mention_id", "m_smith_t1", "offset", str(int(df.offset[0]) + 1))
    assert_problem(problems(data_dir), "mentions.csv", row, "quote", "not verbatim")


def test_value_not_at_value_offset(data_dir):
    row = set_cell(data_dir, "values", "value_id", "s1_a_pfs_exp", "value", "9.6")
    assert_problem(problems(data_dir), "values.csv", row, "value_offset",
                   "value is not printed in the source at value_offset")


def test_value_outside_its_quote(data_dir):
    # '40' printed elsewhere (the response quote) is verbatim but outside this row's quote
    other = SOURCE.index("12/40") + 3
    row = set_cell(data_dir, "values", "value_id", "s1_a_n", "value_offset", str(other))
    err = problems(data_dir)
    assert_problem(err, "values.csv", row, "value_offset", "value_offset is outside the quote")
    assert not [p for p in err.problems if "not printed" in p.problem]


def test_value_part_of_longer_number(data_dir):
    # '9' is printed at that offset, but only as the start of 9.5
    row = set_cell(data_dir, "values", "value_id", "s1_a_pfs_exp", "value", "9")
    assert_problem(problems(data_dir), "values.csv", row, "value", "part of a longer printed number")


def test_value_format(data_dir):
    row = set_cell(data_dir, "values", "value_id", "s1_a_pfs_exp", "value", "9,5")
    assert_problem(problems(data_dir), "values.csv", row, "value", "value must be a number as printed")


def test_offset_not_an_integer(data_dir):
    row = set_cell(data_dir, "values", "value_id", "s1_a_pfs_hr", "offset", "-3")
    assert_problem(problems(data_dir), "values.csv", row, "offset", "offset must be an integer >= 0")


@pytest.mark.parametrize("column,bad", [("quantity", "average"), ("unit", "month"), ("comparator", "=<"),
                                        ("bound", "upper"), ("endpoint", "overall_survival")])
def test_vocabulary(data_dir, column, bad):
    row = set_cell(data_dir, "values", "value_id", "s1_a_pfs_ctl", column, bad)
    assert_problem(problems(data_dir), "values.csv", row, column, f"not in the {column} vocabulary")


@pytest.mark.parametrize("name,id_col,row_id,column,bad,text", [
    ("references", "ref", "2", "kind", "case_report", "not in the kind vocabulary"),
    ("studies", "study_id", "alpha2020", "design", "cohort", "not in the design vocabulary"),
    ("prognostic", "factor_id", "t1_smith_age", "wording", "bad", "not in the wording vocabulary"),
    ("claims", "claim_id", "s1_tox_range", "claim_type", "sum", "not in the claim_type vocabulary"),
    ("values", "value_id", "s1_a_n", "section", "1.x", "section must look like 2.1.3"),
    ("values", "value_id", "s1_a_n", "location", "Table 1", "location must look like"),
    ("values", "value_id", "s1_a_n", "timepoint", "1 year", "timepoint must look like"),
    ("values", "value_id", "s1_a_n", "value_id", "S1-A", "value_id must match"),
    ("references", "ref", "2", "doi", "doi.org/10.1/x", "doi must look like"),
])
def test_formats_and_vocabularies(data_dir, name, id_col, row_id, column, bad, text):
    row = set_cell(data_dir, name, id_col, row_id, column, bad)
    assert_problem(problems(data_dir), f"{name}.csv", row, column, text)


def test_refs_format(data_dir):
    row = set_cell(data_dir, "values", "value_id", "s1_tox_low", "refs", "1,2")
    assert_problem(problems(data_dir), "values.csv", row, "refs", "';'-separated reference numbers")


@pytest.mark.parametrize("name,id_col,row_id", [
    ("values", "value_id", "s1_a_n"), ("studies", "study_id", "alpha2020"),
    ("mentions", "mention_id", "m_smith_t1"), ("prognostic", "factor_id", "t1_smith_age"),
    ("claims", "claim_id", "s1_tox_range")])
def test_refs_must_exist_in_references(data_dir, name, id_col, row_id):
    row = set_cell(data_dir, name, id_col, row_id, "refs", "1;9")
    assert_problem(problems(data_dir), f"{name}.csv", row, "refs",
                   "refers to a reference number that does not exist (cell: '1;9')")


@pytest.mark.parametrize("name,id_col,row_id,column", [
    ("values", "value_id", "s1_a_orr_pct", "count_id"),
    ("values", "value_id", "s1_a_orr_pct", "denominator_id"),
    ("values", "value_id", "s1_a_n", "total_id"),
    ("studies", "study_id", "smith2019", "n_id"),
    ("prognostic", "factor_id", "t1_smith_age", "hr_id"),
    ("prognostic", "factor_id", "t1_smith_age", "p_id"),
    ("claims", "claim_id", "s1_tox_range", "low_id"),
    ("claims", "claim_id", "s1_tox_range", "high_id"),
])
def test_value_links_must_exist(data_dir, name, id_col, row_id, column):
    row = set_cell(data_dir, name, id_col, row_id, column, "no_such_value")
    assert_problem(problems(data_dir), f"{name}.csv", row, column, "refers to a value_id that does not exist")


def test_member_ids_must_exist(data_dir):
    row = set_cell(data_dir, "claims", "claim_id", "s1_tox_range", "member_ids", "s1_a_tox;ghost")
    assert_problem(problems(data_dir), "claims.csv", row, "member_ids", "refers to a value_id that does not exist")


@pytest.mark.parametrize("name,id_col,row_id", [("values", "value_id", "s1_a_n"),
                                                ("prognostic", "factor_id", "t1_smith_age")])
def test_study_id_must_exist(data_dir, name, id_col, row_id):
    row = set_cell(data_dir, name, id_col, row_id, "study_id", "nobody1999")
    assert_problem(problems(data_dir), f"{name}.csv", row, "study_id", "refers to a study_id that does not exist")


def test_non_statistics_rows(data_dir):
    def corrupt(df):
        df.loc[0, "offset"] = "5"             # both pattern and offset
        df.loc[1, "pattern"] = r"\d+(("       # invalid regex
        df.loc[2, "pattern"] = r"Figure \d+"  # matches nothing in the source
        df.loc[3, "reason"] = "obvious"       # not a reason
        df.loc[4, "token"] = "4"              # the token printed there is 3
        return df

    edit(data_dir, "non_statistics", corrupt)
    err = problems(data_dir)
    assert_problem(err, "non_statistics.csv", 2, "pattern", "exactly one of pattern and offset")
    assert_problem(err, "non_statistics.csv", 3, "pattern", "not a valid Python regular expression")
    assert_problem(err, "non_statistics.csv", 4, "pattern", "pattern matches nothing in the source")
    assert_problem(err, "non_statistics.csv", 5, "reason", "not in the reason vocabulary")
    assert_problem(err, "non_statistics.csv", 6, "token", "token is not printed in the source at offset")


def test_many_problems_are_capped_in_the_message(data_dir):
    edit(data_dir, "values", lambda df: df.assign(unit="furlongs"))
    err = problems(data_dir)
    assert len(err.problems) == 19
    assert str(err).startswith("19 problems in the extracted data:")
    assert "... and 0 more" not in str(err)
    many = DataError([Problem("x.csv", i + 2, "c", "bad") for i in range(25)])
    assert "... and 5 more" in str(many) and str(many).count("x.csv, row") == 20


# ------------------------------------------------------------------------------------ CLI

def run_cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("HELPERS_DEBUG", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def test_cli_validate_ok(data_dir):
    res = run_cli("validate", str(data_dir))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("OK: ") and "values 19" in res.stdout
    assert len(res.stdout.strip().splitlines()) == 1


def test_cli_validate_error_exit_2_without_traceback(data_dir):
    set_cell(data_dir, "values", "value_id", "s1_a_n", "unit", "furlongs")
    res = run_cli("validate", str(data_dir))
    assert res.returncode == 2
    assert 'values.csv, row 2, column "unit": not in the unit vocabulary' in res.stderr
    assert "Traceback" not in res.stderr


def test_cli_debug_shows_traceback(data_dir):
    set_cell(data_dir, "values", "value_id", "s1_a_n", "unit", "furlongs")
    res = run_cli("validate", str(data_dir), env_extra={"HELPERS_DEBUG": "1"})
    assert res.returncode != 0 and "Traceback" in res.stderr and "DataError" in res.stderr


def test_cli_coverage_writes_ledger_atomically(data_dir, tmp_path):
    out = tmp_path / "out" / "ledger.csv"
    res = run_cli("coverage", str(data_dir), str(out))
    assert res.returncode == 0, res.stderr
    ledger = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(ledger.columns) == ["offset", "token", "status", "value_ids", "reason"]
    assert "unexplained 0" in res.stdout
    assert [p.name for p in out.parent.iterdir()] == ["ledger.csv"]  # no temp file left


# ---------------------------------------------------------------------------- merge_parts

def test_merge_parts(tmp_path, data_dir):
    parts = tmp_path / "parts"
    values = pd.read_csv(table_path(data_dir, "values"), dtype=str, keep_default_na=False)
    ns = pd.read_csv(table_path(data_dir, "non_statistics"), dtype=str, keep_default_na=False)
    (parts / "b").mkdir(parents=True)
    (parts / "a").mkdir()
    write_csv(values.iloc[::2], parts / "b" / "values.csv")
    write_csv(values.iloc[1::2], parts / "a" / "values.csv")
    write_csv(ns.iloc[[4, 0, 1]], parts / "a" / "non_statistics.csv")
    write_csv(ns.iloc[[0, 2, 3]], parts / "b" / "non_statistics.csv")  # row 0 written twice
    out = tmp_path / "merged"
    counts = merge_parts(parts, out)
    assert counts == {"values": 19, "non_statistics": 5}
    merged = pd.read_csv(out / "values.csv", dtype=str, keep_default_na=False)
    offsets = merged["offset"].astype(int).tolist()
    assert offsets == sorted(offsets) and set(merged.value_id) == set(values.value_id)
    same_offset = merged[merged.offset == values.loc[values.value_id == "s1_a_pfs_exp", "offset"].iloc[0]]
    assert same_offset.value_id.tolist() == sorted(same_offset.value_id)
    merged_ns = pd.read_csv(out / "non_statistics.csv", dtype=str, keep_default_na=False)
    assert merged_ns["offset"].tolist()[-1] != "" and (merged_ns["offset"].iloc[:-1] == "").all()
    assert not (out / "studies.csv").exists()


def test_merge_parts_reports_unreadable_part(tmp_path):
    (tmp_path / "p" / "x").mkdir(parents=True)
    (tmp_path / "p" / "x" / "values.csv").write_bytes(b"\xef\xbb\xbfvalue_id\n")
    with pytest.raises(DataError, match=r"x/values\.csv: starts with a UTF-8 byte-order mark"):
        merge_parts(tmp_path / "p", tmp_path / "out")
