"""Validate an extracted review against the schema of ``data/extracted/README.md``.

Validation rejects only what cannot be a faithful extraction: a quote that is not
in the source at its offset, a value that is not printed at its value offset, an
unknown vocabulary word, a dangling reference, a duplicate id, an unreadable file.
What the review printed, however implausible (a count above its denominator, a
percentage above 100, ``p = 0.000``), is faithful data and passes.

Public API
----------
read_csv_checked(path)            careful CSV reader (raises DataError)
validate_review(review)           validate a loaded :class:`helpers.review.Review`
validate_data_dir(data_dir)       read every table (collecting all reading problems), then validate
merge_parts(parts_dir, out_dir)   concatenate ``parts/*/<table>.csv`` into ``<table>.csv``
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .errors import DataError, Problem
from .external_validation import external_problems
from .vocabularies import DEFAULT_WORDS, Vocabularies, load_vocabularies

from .schema import COLUMNS, TABLES  # noqa: E402  (the one definition of the columns)
from .extract.tokens import TOKEN_PATTERN, is_whole_token  # noqa: E402  (the one tokeniser)


#: the unique id column of each table (None: no id)
ID_COLUMN: dict[str, str | None] = {
    "references": "ref", "studies": "study_id", "mentions": "mention_id", "values": "value_id",
    "prognostic": "factor_id", "claims": "claim_id", "non_statistics": None,
}

#: default words of each vocabulary column; a data directory extends them (see :mod:`helpers.vocabularies`)
VOCABULARY = DEFAULT_WORDS

INT = r"\d+"
ID = r"[a-z0-9_]+"
SNAKE = r"[a-z0-9]+(?:_[a-z0-9]+)*"
REFS = r"\d+(?:;\d+)*"
VALUE = r"\d+(?:\.\d+)?|NR"
SECTION = r"\d+(?:\.\d+)*"
LOCATION = r"(?:text|table|figure) \d+(?:\.\d+)*"
TIMEPOINT = r"\d+[dwmy]"
YEAR = r"\d{4}[a-z]?"
DOI = r"10\.\d{4,9}/\S+"
TOKEN = TOKEN_PATTERN
CONFIDENCE = r"0(?:\.\d+)?|1(?:\.0+)?"

# ------------------------------------------------------------------ careful reading
# read_csv_checked lives in helpers.csvread (no pandera): reading a table must not import the
# validation library, which costs a kernel about 0.3-0.8 s; it stays part of this module's API.
from .csvread import read_csv_checked  # noqa: E402,F401


# ------------------------------------------------------------------ checks (pandera)

def _cells(check: Callable[[str], bool], error: str, blank_ok: bool = False) -> pa.Check:
    """Element-wise check on a string cell; blank passes when ``blank_ok``."""
    return pa.Check(lambda v: (blank_ok and v == "") or bool(check(v)), element_wise=True, error=error)


def _matches(regex: str, what: str, blank_ok: bool = False) -> pa.Check:
    rx = re.compile(rf"(?:{regex})\Z")
    suffix = " or blank" if blank_ok else ""
    return _cells(lambda v: rx.match(v) is not None, f"{what}{suffix}", blank_ok)


def _vocab(field: str, blank_ok: bool = False, vocabulary: dict[str, frozenset[str]] | None = None) -> pa.Check:
    words = (VOCABULARY if vocabulary is None else vocabulary)[field] | ({""} if blank_ok else set())
    listed = sorted(w for w in words if w)
    shown = f" ({', '.join(listed)}{' or blank' if '' in words else ''})" if len(listed) <= 10 else ""
    return _cells(lambda v: v in words, f"not in the {field} vocabulary{shown}")


def _in_set(known: set[str] | None, what: str, sep: str | None = None) -> pa.Check:
    """Each (``sep``-separated) item of a non-blank cell must be in ``known``."""

    def ok(v: str) -> bool:
        if v == "" or known is None:
            return True
        items = v.split(sep) if sep else [v]
        return all(item in known for item in items)

    return _cells(ok, f"refers to {what} that does not exist")


def _row_check(df: pd.DataFrame, needs: tuple[str, ...], fn: Callable[..., bool], error: str) -> pa.Check:
    """A check on one column that also reads other columns of the same row."""

    def run(series: pd.Series) -> pd.Series:
        if any(c not in df.columns for c in needs):
            return pd.Series(True, index=series.index)
        sub = df.loc[series.index, list(needs)]
        return pd.Series([bool(fn(*vals)) for vals in sub.itertuples(index=False, name=None)],
                         index=series.index)

    return pa.Check(run, error=error)


def _verbatim(source: str) -> Callable[[str, str], bool]:
    def ok(offset: str, text: str) -> bool:
        if not offset.isdigit() or text == "":
            return True  # reported by the format checks
        o = int(offset)
        return source[o:o + len(text)] == text
    return ok


def _whole_number(source: str) -> Callable[[str, str], bool]:
    """The printed number at ``offset`` is not part of a longer number."""

    def ok(offset: str, text: str) -> bool:
        if not offset.isdigit() or not re.fullmatch(TOKEN, text):
            return True
        o, e = int(offset), int(offset) + len(text)
        if source[o:e] != text:
            return True  # reported by the verbatim check
        return is_whole_token(source, o, e)
    return ok


def _value_in_quote(offset: str, quote: str, value_offset: str, value: str) -> bool:
    if not (offset.isdigit() and value_offset.isdigit()) or value == "":
        return True
    o, vo = int(offset), int(value_offset)
    return o <= vo and vo + len(value) <= o + len(quote)


def _regex_ok(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _pattern_matches(source: str) -> Callable[[str], bool]:
    def ok(pattern: str) -> bool:
        if pattern == "" or not _regex_ok(pattern):
            return True
        return re.search(pattern, source) is not None
    return ok


def _schema(name: str, df: pd.DataFrame, source: str, known: dict[str, set[str] | None],
            vocabulary: dict[str, frozenset[str]] | None = None) -> pa.DataFrameSchema:
    """Build the pandera schema of one table; ``known`` holds the ids other tables define,
    ``vocabulary`` the words of each vocabulary column (default :data:`VOCABULARY`)."""
    refs_ok = _in_set(known["refs"], "a reference number")
    refs_list_ok = _in_set(known["refs"], "a reference number", sep=";")
    value_link = _in_set(known["values"], "a value_id")
    study_link = _in_set(known["studies"], "a study_id")
    verbatim = _row_check(df, ("offset", "quote"), _verbatim(source),
                          "quote is not verbatim in the source at its offset")
    offset = [_matches(INT, "offset must be an integer >= 0")]
    nonblank = _matches(r".+", "must not be blank")

    def col(*checks: pa.Check, unique: bool = False) -> pa.Column:
        return pa.Column(checks=list(checks), unique=unique, nullable=False, required=True)

    free = col()
    refs = col(_matches(REFS, "refs must be ';'-separated reference numbers", blank_ok=True), refs_list_ok)
    section = col(_matches(SECTION, "section must look like 2.1.3", blank_ok=True))
    location = col(_matches(LOCATION, "location must look like 'text 2.1.3' or 'table 1'", blank_ok=True))
    snake = col(_matches(SNAKE, "must be a snake_case label", blank_ok=True))
    link = col(_matches(ID, "must be a value_id", blank_ok=True), value_link)
    quote = col(nonblank, verbatim)

    cols: dict[str, pa.Column]
    if name == "references":
        cols = {
            "ref": col(_matches(r"[1-9]\d*", "ref must be a positive integer"), unique=True),
            "first_author": col(nonblank), "year": col(_matches(YEAR, "year must be four digits")),
            "title": col(nonblank), "journal": free,
            "doi": col(_matches(DOI, "doi must look like 10.xxxx/...", blank_ok=True)),
            "kind": col(_vocab("kind", vocabulary=vocabulary)),
        }
    elif name == "studies":
        cols = {
            "study_id": col(_matches(ID, "study_id must match [a-z0-9_]+"), unique=True),
            "refs": refs, "author_printed": free, "author_romanised": free, "location": location,
            "design": col(_vocab("design", vocabulary=vocabulary)),
            "arm_order": col(_matches(rf"{SNAKE}(?:;{SNAKE})*", "arm_order must be ';'-separated snake_case",
                                      blank_ok=True)),
            "n_id": link, "reading": free,
        }
    elif name == "mentions":
        cols = {
            "mention_id": col(_matches(ID, "mention_id must match [a-z0-9_]+"), unique=True),
            "location": location, "section": section, "author_printed": col(nonblank), "refs": refs,
        }
    elif name == "values":
        value_at = _row_check(df, ("value_offset", "value"), _verbatim(source),
                              "value is not printed in the source at value_offset")
        whole = _row_check(df, ("value_offset", "value"), _whole_number(source),
                           "value at value_offset is part of a longer printed number")
        inside = _row_check(df, ("offset", "quote", "value_offset", "value"), _value_in_quote,
                            "value_offset is outside the quote")
        cols = {
            "value_id": col(_matches(ID, "value_id must match [a-z0-9_]+"), unique=True),
            "section": col(_matches(SECTION, "section must look like 2.1.3")),
            "location": col(_matches(LOCATION, "location must look like 'text 2.1.3' or 'table 1'")),
            "refs": refs, "study_id": col(study_link), "quantity": col(_vocab("quantity", vocabulary=vocabulary)),
            "endpoint": col(_vocab("endpoint", blank_ok=True, vocabulary=vocabulary)), "term": free, "arm": snake, "subgroup": snake,
            "timepoint": col(_matches(TIMEPOINT, "timepoint must look like 1y, 12w, 30d", blank_ok=True)),
            "unit": col(_vocab("unit", vocabulary=vocabulary)), "comparator": col(_vocab("comparator", vocabulary=vocabulary)),
            "value": col(_matches(VALUE, "value must be a number as printed (digits, optional decimals) or NR"),
                         whole),
            "value_offset": col(_matches(INT, "value_offset must be an integer >= 0"), value_at, inside),
            "bound": col(_vocab("bound", vocabulary=vocabulary)), "count_id": link, "denominator_id": link,
            "partition_id": col(_matches(ID, "partition_id must match [a-z0-9_]+", blank_ok=True)),
            "total_id": link, "reading": free,
        }
    elif name == "prognostic":
        cols = {
            "factor_id": col(_matches(ID, "factor_id must match [a-z0-9_]+"), unique=True),
            "study_id": col(study_link), "refs": refs, "location": location, "section": section,
            "endpoint": col(_vocab("endpoint", vocabulary=vocabulary)), "factor": col(nonblank),
            "factor_key": col(_matches(SNAKE, "factor_key must be snake_case")),
            "hr_id": link, "p_id": link, "wording": col(_vocab("wording", vocabulary=vocabulary)), "reading": free,
        }
    elif name == "claims":
        cols = {
            "claim_id": col(_matches(ID, "claim_id must match [a-z0-9_]+"), unique=True),
            "claim_type": col(_vocab("claim_type", vocabulary=vocabulary)), "section": section, "location": location, "refs": refs,
            "quantity": col(_vocab("quantity", blank_ok=True, vocabulary=vocabulary)),
            "endpoint": col(_vocab("endpoint", blank_ok=True, vocabulary=vocabulary)),
            "subgroup": snake, "low_id": link, "high_id": link,
            "member_ids": col(_matches(rf"{ID}(?:;{ID})*", "member_ids must be ';'-separated value_ids",
                                       blank_ok=True), _in_set(known["values"], "a value_id", sep=";")),
            "factor_key": snake,
            "wording": col(_vocab("wording", blank_ok=True, vocabulary=vocabulary)),
            "reading": free,
        }
    elif name == "non_statistics":
        one_of = _row_check(df, ("pattern", "offset"), lambda p, o: (p == "") != (o == ""),
                            "exactly one of pattern and offset must be given")
        token_at = _row_check(df, ("offset", "token"), _verbatim(source),
                              "token is not printed in the source at offset")
        token_whole = _row_check(df, ("offset", "token"), _whole_number(source),
                                 "token at offset is part of a longer printed number")
        token_given = _row_check(df, ("offset", "token"), lambda o, t: o == "" or re.fullmatch(TOKEN, t),
                                 "an offset row needs the numeric token printed there")
        cols = {
            "pattern": col(_cells(_regex_ok, "not a valid Python regular expression", blank_ok=True),
                           _cells(_pattern_matches(source), "pattern matches nothing in the source",
                                  blank_ok=True), one_of),
            "offset": col(_matches(INT, "offset must be an integer >= 0", blank_ok=True)),
            "token": col(_matches(TOKEN, "token must be a number", blank_ok=True), token_given, token_at,
                         token_whole),
            "reason": col(_vocab("reason", vocabulary=vocabulary)), "note": free,
        }
    else:  # pragma: no cover - guarded by validate_review
        raise KeyError(name)
    if name != "non_statistics":
        cols["offset"] = col(*offset)
        cols["quote"] = quote
    ordered = {c: cols[c] for c in COLUMNS[name]}
    # optional provenance columns (written by the proposer): checked when present
    if "origin" in df.columns:
        ordered["origin"] = pa.Column(checks=[_vocab("origin", vocabulary=vocabulary)], nullable=False, required=False)
    if "confidence" in df.columns:
        needs = _row_check(df, ("origin", "confidence"), lambda o, c: o != "proposed" or c != "",
                           "a proposed row needs a confidence")
        ordered["confidence"] = pa.Column(
            checks=[_matches(CONFIDENCE, "confidence must be a number from 0 to 1", blank_ok=True), needs],
            nullable=False, required=False)
    return pa.DataFrameSchema(ordered, strict=True, coerce=False, name=name)


_PANDERA_CHECKS = {
    "column_in_schema": "unknown extra column (not in the schema)",
    "column_in_dataframe": "missing column",
    "field_uniqueness": "duplicate id",
}


def _problems_from(err: SchemaErrors, file: str, df: pd.DataFrame, source: str) -> list[Problem]:
    out: list[Problem] = []
    fc = err.failure_cases
    for rec in fc.itertuples(index=False):
        check, column, case, index = str(rec.check), rec.column, rec.failure_case, rec.index
        if check in ("column_in_schema", "column_in_dataframe"):
            out.append(Problem(file, None, str(case), _PANDERA_CHECKS[check]))
            continue
        row = None if index is None or pd.isna(index) else int(index) + 2
        problem = _PANDERA_CHECKS.get(check, check)
        shown = str(case)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        problem = f"{problem} (cell: {shown!r})"
        if check.startswith("quote is not verbatim") and row is not None:
            o = df.at[index, "offset"]
            if o.isdigit():
                q = df.at[index, "quote"]
                there = source[int(o):int(o) + min(len(q), 40)]
                problem += f"; source at {o} reads {there!r}"
        out.append(Problem(file, row, None if column is None or pd.isna(column) else str(column), problem))
    return out


def _known_ids(tables: dict[str, pd.DataFrame]) -> dict[str, set[str] | None]:
    def ids(table: str, column: str) -> set[str] | None:
        df = tables.get(table)
        if df is None or column not in df.columns:
            return None  # cannot check links into a missing table (reported separately)
        return set(df[column])

    return {"refs": ids("references", "ref"), "values": ids("values", "value_id"),
            "studies": ids("studies", "study_id")}


def validate_review(review) -> None:
    """Validate every extracted table of ``review``; raise DataError listing all problems.

    Parameters
    ----------
    review : helpers.review.Review
        ``.source`` (the decoded source text) and ``.tables`` (name -> DataFrame of str).

    Raises
    ------
    DataError
        naming file, row (spreadsheet numbering: header = row 1), column and problem
        for every failing cell.
    """
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = review.tables
    for name in TABLES:
        if name not in tables:
            problems.append(Problem(f"{name}.csv", None, None, "missing file"))
    for name in tables:
        if name not in COLUMNS:
            problems.append(Problem(f"{name}.csv", None, None, "unknown table (not in the schema)"))
    known = _known_ids(tables)
    vocabulary = getattr(review, "vocabularies", Vocabularies()).words
    for name in TABLES:
        df = tables.get(name)
        if df is None:
            continue
        if len(df.columns) == 0:
            problems.append(Problem(f"{name}.csv", None, None, "empty file (no header row)"))
            continue
        schema = _schema(name, df, review.source, known, vocabulary)
        try:
            schema.validate(df, lazy=True)
        except SchemaErrors as err:
            problems.extend(_problems_from(err, f"{name}.csv", df, review.source))
    problems += external_problems(getattr(review, "external", None) or {}, tables, review.source)
    if problems:
        problems.sort(key=lambda p: (p.file, p.row or 0, p.column or "", p.problem))
        raise DataError(problems)


def validate_data_dir(data_dir: Path | str):
    """Read every table of ``data_dir/extracted`` (all reading problems together), then validate.

    Returns the validated :class:`helpers.review.Review`.
    """
    from . import paths
    from .review import Review, load_external_tables

    data_dir = Path(data_dir)
    source = paths.source_file(data_dir).read_bytes().decode("utf-8")
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        p = data_dir / "extracted" / f"{name}.csv"
        try:
            tables[name] = read_csv_checked(p, label=f"{name}.csv")
        except DataError as e:
            problems.extend(e.problems)
    external = load_external_tables(data_dir, problems)
    if problems:
        raise DataError(problems)
    review = Review(data_dir, source, tables, load_vocabularies(data_dir), external)
    validate_review(review)
    return review


# ------------------------------------------------------------------ merging parts

def write_csv_atomic(df: pd.DataFrame, path: Path | str) -> None:
    """Write ``df`` as UTF-8 CSV (no index, LF) via a temp file in the same folder + os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def merge_parts(parts_dir: Path | str, out_dir: Path | str) -> dict[str, int]:
    """Concatenate ``parts_dir/*/<table>.csv`` into ``out_dir/<table>.csv`` for every table.

    Rows are sorted by offset (numeric; rows without one, e.g. pattern rows, first)
    then by the table's id column; exact duplicate rows (the same row written by two
    parts) are kept once; columns are the union in first-seen order ('' fills gaps, so
    an unexpected column surfaces in validation). Returns ``{table: n_rows}``.
    """
    parts_dir, out_dir = Path(parts_dir), Path(out_dir)
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    merged: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        files = sorted(parts_dir.glob(f"*/{name}.csv"))
        if not files:
            continue
        frames = []
        for f in files:
            try:
                frames.append(read_csv_checked(f, label=str(f.relative_to(parts_dir))))
            except DataError as e:
                problems.extend(e.problems)
        if not frames:
            continue
        columns: list[str] = []
        for fr in frames:
            columns += [c for c in fr.columns if c not in columns]
        df = pd.concat([fr.reindex(columns=columns, fill_value="") for fr in frames], ignore_index=True)
        df = df.drop_duplicates(ignore_index=True)
        keys = []
        if "offset" in df.columns:
            df["__offset"] = pd.to_numeric(df["offset"], errors="coerce").fillna(-1)
            keys.append("__offset")
        id_col = ID_COLUMN.get(name)
        keys += [c for c in ([id_col] if id_col else ["pattern", "token"]) if c in df.columns]
        if keys:
            df = df.sort_values(keys, kind="stable").drop(columns=["__offset"], errors="ignore")
        merged[name] = df.reset_index(drop=True)
    if problems:
        raise DataError(problems)
    for name, df in merged.items():
        write_csv_atomic(df, out_dir / f"{name}.csv")
        counts[name] = len(df)
    return counts
