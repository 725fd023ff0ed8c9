"""Printed numbers compared as figures (``"17.6"`` and ``"17.60"`` are the same figure)."""
from __future__ import annotations

import numpy as np


def number(x) -> float:
    """A printed number as float (NaN when it is not one).

    Examples
    --------
    >>> number("1,234.5"), bool(np.isnan(number("NR")))
    (1234.5, True)
    """
    try:
        return float(str(x).replace(",", ""))
    except ValueError:
        return float("nan")


def same_number(a, b) -> bool:
    """Two printed numbers are the same figure.

    Examples
    --------
    >>> same_number("17.6", "17.60"), same_number("17.6", "17.4"), same_number("", "")
    (True, False, False)
    """
    x, y = number(a), number(b)
    return bool(np.isfinite(x) and np.isfinite(y) and abs(x - y) < 1e-9)
