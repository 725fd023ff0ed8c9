"""Careful reading of the schema's CSV files: every cell a string, or a clear DataError.

Kept apart from :mod:`helpers.validation` so that reading a table does not import pandera
(notebooks read the audit's tables and the extracted data without validating them again).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from .errors import DataError, Problem

_BOM = b"\xef\xbb\xbf"


def read_csv_checked(path: Path | str, label: str | None = None) -> pd.DataFrame:
    """Read a schema CSV with every cell as a string ('' for blank), or raise DataError.

    Catches, each with a clear message naming the file (and the line/row): missing
    file, empty file, UTF-8 byte-order mark, bytes that are not UTF-8, header names
    that are blank, duplicated or have surrounding whitespace, rows with too many or
    too few fields, and any other tokenizer error of pandas.

    Parameters
    ----------
    path : path of the CSV file
    label : name used for the file in messages (default: the path as given)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\\n1,\\n", encoding="utf-8")
    >>> read_csv_checked(p).to_dict("records")
    [{'a': '1', 'b': ''}]
    """
    path = Path(path)
    name = label or str(path)

    def fail(problem: str, row: int | None = None, column: str | None = None):
        raise DataError([Problem(name, row, column, problem)])

    if not path.is_file():
        fail("missing file")
    raw = path.read_bytes()
    if raw.startswith(_BOM):
        fail("starts with a UTF-8 byte-order mark (BOM); save as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        fail(f"not UTF-8: byte 0x{raw[e.start]:02x} at byte {e.start} (line {line}) cannot be decoded")
    if not text.strip():
        fail("empty file (no header row)")

    # structural pass with the csv module: header names and field counts
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        for i, col in enumerate(header, start=1):
            if col.strip() == "":
                problems.append(Problem(name, 1, None, f"header field {i} is blank"))
            elif col != col.strip():
                problems.append(Problem(name, 1, col, "whitespace around the header name"))
        seen: set[str] = set()
        for col in header:
            if col in seen:
                problems.append(Problem(name, 1, col, "duplicate header name"))
            seen.add(col)
        row = 1
        for record in reader:
            if not record:  # blank line: pandas skips it too
                continue
            row += 1
            if len(record) != len(header):
                what = "too many" if len(record) > len(header) else "too few"
                problems.append(Problem(
                    name, row, None,
                    f"{what} fields: {len(record)} fields, header has {len(header)} (file line {reader.line_num})"))
    except csv.Error as e:
        problems.append(Problem(name, None, None, f"CSV syntax error near file line {reader.line_num}: {e}"))
    if problems:
        raise DataError(problems)

    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.ParserError as e:
        m = re.search(r"line (\d+)", str(e))
        where = f" at file line {m.group(1)}" if m else ""
        fail(f"CSV tokenizer error{where}: {str(e).strip()}")
    except pd.errors.EmptyDataError:
        fail("empty file (no header row)")
    return df
