"""Message tables: a check's wording and severity rules as data.

A check's pure test labels each row with an *outcome* (``"slip"``, ``"mismatch"`` …); the
check's table maps each outcome to an :class:`Outcome`: the severity and the templates of the
issue's ``reported``, ``expected`` and ``message`` columns. :func:`render` fills the templates
of every row from the candidate frame's columns (vectorised), keeping the rows' order, so
the check function only glues the pairing step, the test and the table together::

    iss = ctx.issues(rows["value_id"], value_ids=rows["value_id"], **render(TABLE, outcome, rows))

Templates are :meth:`str.format` strings whose fields name columns (``"{value}% of {n}"``).
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .grouping import as_objects


@dataclass(frozen=True)
class Outcome:
    """Severity and wording of one outcome of a check (templates: see :func:`fill`)."""

    severity: str
    reported: str
    expected: str
    message: str


def fill(template: str, rows) -> pd.Series:
    """Fill a :meth:`str.format` template row by row from columns (vectorised).

    Each ``{field}`` names a column of ``rows`` (a DataFrame or a dict of equal-length
    sequences; a plain str is repeated); the columns must hold str. The result has a fresh
    RangeIndex. A field that is missing (NaN) in a row makes that row missing, as pandas'
    string concatenation does.

    Examples
    --------
    >>> fill("{k}/{n} patients", {"k": ["3", "10"], "n": ["40", "12"]}).tolist()
    ['3/40 patients', '10/12 patients']
    >>> fill("no fields", {"k": ["3"]}).tolist()
    ['no fields']
    """
    n = _length(rows)
    out = pd.Series(np.full(n, "", dtype=object), dtype=object)
    for literal, field, spec, conv in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if field is not None:
            if spec or conv:
                raise ValueError(f"template field {{{field}}}: format specs are not supported, pass text")
            col = rows[field]
            out = out + (col if isinstance(col, str) else pd.Series(as_objects(col), dtype=object))
    return out


def render(table: Mapping[str, Outcome], outcome, rows) -> dict[str, np.ndarray]:
    """Severity, reported, expected and message of each row, from its outcome's templates.

    Parameters
    ----------
    table : mapping of str to :class:`Outcome`
        The check's message table.
    outcome : str or sequence of str
        Each row's outcome (a key of ``table``), or one for all rows.
    rows : DataFrame or dict of sequences
        The columns the templates name, one row per issue.

    Returns
    -------
    dict
        ``severity, reported, expected, message``: object arrays in the rows' order, ready for
        :meth:`~.context.AuditContext.issues`.

    Examples
    --------
    >>> table = {"over": Outcome("error", "sum {s}", "{t}", "The parts add up to {s}, more than {t}."),
    ...          "short": Outcome("info", "sum {s}", "{t}", "The parts add up to {s}, fewer than {t}.")}
    >>> r = render(table, ["short", "over"], {"s": ["9", "12"], "t": ["10", "10"]})
    >>> r["severity"].tolist(), r["message"].tolist()[1]
    (['info', 'error'], 'The parts add up to 12, more than 10.')
    """
    n = _length(rows)
    kinds = np.full(n, outcome, dtype=object) if isinstance(outcome, str) else as_objects(outcome)
    out = {c: np.empty(n, dtype=object) for c in ("severity", "reported", "expected", "message")}
    for key in pd.unique(kinds):
        at = np.flatnonzero(kinds == key)
        spec = table[key]
        sub = rows.iloc[at] if isinstance(rows, pd.DataFrame) else {
            c: (x if isinstance(x, str) else as_objects(x)[at]) for c, x in rows.items()}
        out["severity"][at] = spec.severity
        for col in ("reported", "expected", "message"):
            out[col][at] = fill(getattr(spec, col), sub).to_numpy(dtype=object)
    return out


def _length(rows) -> int:
    if isinstance(rows, pd.DataFrame):
        return len(rows)
    lengths = {len(x) for x in rows.values() if not isinstance(x, str)}
    if len(lengths) > 1:
        raise ValueError(f"template columns of different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 1
