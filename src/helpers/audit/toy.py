"""Build small in-memory reviews (for examples, unit tests and notebooks' demos)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..review import Review
from ..schema import COLUMNS


def toy_review(source: str = "", **tables: list[dict]) -> Review:
    """A :class:`helpers.review.Review` from lists of row dicts; missing columns are blank.

    Parameters
    ----------
    source : str
        The review text (offsets are not checked here).
    **tables : list of dict
        ``values=[...]``, ``studies=[...]``, ``references``, ``mentions``, ``prognostic``, ``claims``.

    Examples
    --------
    >>> rv = toy_review(values=[{"value_id": "a", "quantity": "n", "value": "80"}])
    >>> rv.tables["values"].loc[0, "unit"]
    ''
    """
    out = {}
    for name, rows in tables.items():
        cols = COLUMNS.get(name) or sorted({k for r in rows for k in r})
        df = pd.DataFrame([{c: str(r.get(c, "")) for c in cols} | {k: str(v) for k, v in r.items()} for r in rows],
                          columns=list(dict.fromkeys(cols + [k for r in rows for k in r])))
        out[name] = df.fillna("").astype(str)
    return Review(data_dir=Path("."), source=source, tables=out)
