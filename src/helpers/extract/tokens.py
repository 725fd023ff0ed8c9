"""The one numeric tokeniser of the compendium.

The coverage ledger (:mod:`helpers.coverage`), validation (a printed value must be a whole
token) and the extraction proposer (:mod:`helpers.extract.propose`) all read numbers
through this module, so a number the proposer considers is exactly a token the ledger
accounts for.

A token is a maximal run of digits with at most one decimal part: ``\\d+(?:\\.\\d+)?``.
``2.1.3`` is two tokens (``2.1`` and ``3``); ``12/40`` is two tokens; ``NR`` is no token.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: the numeric token (a printed number): digits with an optional decimal part
TOKEN_PATTERN = r"\d+(?:\.\d+)?"
TOKEN_RE = re.compile(TOKEN_PATTERN)


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Numeric tokens of ``text[start:end]`` as ``(start, end, token)`` with absolute offsets.

    Parameters
    ----------
    text : str
        The source text.
    start, end : int
        The part of ``text`` to read (default: all of it).

    Examples
    --------
    >>> token_spans("PFS 8.3 vs 6 [3]")
    [(4, 7, '8.3'), (11, 12, '6'), (14, 15, '3')]
    >>> token_spans("x 1.5 y 2", start=6)
    [(8, 9, '2')]
    """
    stop = len(text) if end is None else end
    return [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, start, stop)]


def tokens(text: str, end: int | None = None) -> pd.DataFrame:
    """Numeric tokens of ``text[:end]`` as a frame (start, end, token), sorted by start.

    Examples
    --------
    >>> tokens("PFS 8.3 vs 6 [3]").token.tolist()
    ['8.3', '6', '3']
    """
    found = token_spans(text, 0, end)
    return pd.DataFrame(found, columns=["start", "end", "token"]).astype({"start": "int64", "end": "int64"})


def is_whole_token(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole token, not a part of a longer printed number.

    Examples
    --------
    >>> is_whole_token("HR 0.38, P", 3, 7)
    True
    >>> is_whole_token("HR 0.38, P", 3, 6)
    False
    """
    before = text[max(0, start - 2):start]
    after = text[end:end + 2]
    digit_before = before[-1:].isdigit() or (before[-1:] == "." and before[:1].isdigit())
    digit_after = after[:1].isdigit() or (after[:1] == "." and after[1:2].isdigit())
    return not (digit_before or digit_after)


def token_starts(text: str, end: int | None = None) -> np.ndarray:
    """Start offsets of every token of ``text[:end]`` (int64 array, increasing).

    Examples
    --------
    >>> token_starts("a 1, b 22").tolist()
    [2, 7]
    """
    return np.array([s for s, _, _ in token_spans(text, 0, end)], dtype=np.int64)
