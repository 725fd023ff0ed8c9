"""Extraction coverage ledger: is every number of the article body accounted for?

Every numeric token (``\\d+(?:\\.\\d+)?``, :mod:`helpers.extract.tokens`, the tokeniser the
extraction proposer uses too) of the body (the source up to the body end
marker, e.g. the reference-list heading) gets one status:

``extracted``        covered by ``[value_offset, value_offset + len(value))`` of a values.csv row
``not_a_statistic``  else covered by a non_statistics.csv pattern match or offset/token row
``unexplained``      neither

A token counts as covered only when an interval contains all of it. The matching is
interval arithmetic on sorted arrays (numpy ``searchsorted``), never a loop over
tokens x values.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, Problem
from .extract.tokens import TOKEN_PATTERN, tokens  # noqa: F401  (the one tokeniser; re-exported)

#: file (inside ``<data_dir>/extracted``) that may hold ``{"body_end_marker": "..."}``
SOURCE_CONFIG = "source_config.json"
LEDGER_COLUMNS = ["offset", "token", "status", "value_ids", "reason"]


def configured_body_end_marker(data_dir: Path | str) -> str | None:
    """The body end marker configured for a data directory (None if not configured)."""
    p = Path(data_dir) / "extracted" / SOURCE_CONFIG
    if not p.is_file():
        return None
    try:
        cfg = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError([Problem(SOURCE_CONFIG, None, None, f"not valid UTF-8 JSON: {e}")]) from None
    marker = cfg.get("body_end_marker")
    if marker is not None and not isinstance(marker, str):
        raise DataError([Problem(SOURCE_CONFIG, None, "body_end_marker", "must be a string")])
    return marker


def body_end(source: str, marker: str | None) -> int:
    """Offset where the body ends: the first occurrence of ``marker`` (whole text if None)."""
    if marker is None:
        return len(source)
    pos = source.find(marker)
    if pos < 0:
        raise DataError([Problem("source", None, None, f"body end marker {marker!r} not found")])
    return pos


def _covered_pairs(tok_start: np.ndarray, tok_end: np.ndarray, iv_start: np.ndarray,
                   iv_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(token index, interval index) pairs with interval fully containing token.

    Tokens do not overlap and are sorted, so both their starts and ends are sorted:
    the tokens inside ``[s, e)`` form the index range ``[first start >= s, last end <= e]``.
    """
    lo = np.searchsorted(tok_start, iv_start, side="left")
    hi = np.searchsorted(tok_end, iv_end, side="right")
    n = np.clip(hi - lo, 0, None)
    iv_idx = np.repeat(np.arange(len(iv_start)), n)
    # position within each interval's run: global arange minus the run's start
    run_start = np.repeat(np.cumsum(n) - n, n)
    tok_idx = np.repeat(lo, n) + (np.arange(n.sum()) - run_start)
    return tok_idx.astype(np.int64), iv_idx.astype(np.int64)


def _joined(tok_idx: np.ndarray, labels: np.ndarray, n_tokens: int) -> pd.Series:
    """For each token index, the ';'-joined sorted unique labels of its covering intervals."""
    if len(tok_idx) == 0:
        return pd.Series("", index=range(n_tokens), dtype=object)
    pairs = pd.DataFrame({"tok": tok_idx, "label": labels}).drop_duplicates()
    joined = pairs.sort_values(["tok", "label"]).groupby("tok")["label"].agg(";".join)
    return joined.reindex(range(n_tokens), fill_value="")


def _int_column(df: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(df[column], errors="coerce").to_numpy()


def coverage_ledger(review, body_end_marker: str | None = None) -> pd.DataFrame:
    """Classify every numeric token of the article body.

    Parameters
    ----------
    review : helpers.review.Review
        needs ``.source`` and the tables ``values`` and ``non_statistics``.
    body_end_marker : str, optional
        Text that starts the part after the body (e.g. the reference-list heading).
        Default: ``body_end_marker`` of ``<data_dir>/extracted/source_config.json``;
        without that config the whole source is the body.

    Returns
    -------
    DataFrame with columns offset, token, status (extracted | not_a_statistic |
    unexplained), value_ids (';'-joined), reason (';'-joined non_statistics reasons).
    """
    marker = body_end_marker
    if marker is None:
        marker = configured_body_end_marker(review.data_dir)
    source: str = review.source
    end = body_end(source, marker)
    tok = tokens(source, end)
    ts, te = tok["start"].to_numpy(), tok["end"].to_numpy()
    n = len(tok)

    values = review.tables.get("values")
    if values is None:
        values = pd.DataFrame(columns=["value_id", "value", "value_offset"], dtype=str)
    vstart = _int_column(values, "value_offset")
    vlen = values["value"].str.len().to_numpy(dtype=float)
    ok = ~np.isnan(vstart)
    t_idx, v_idx = _covered_pairs(ts, te, vstart[ok].astype(np.int64), (vstart[ok] + vlen[ok]).astype(np.int64))
    value_ids = _joined(t_idx, values["value_id"].to_numpy()[ok][v_idx], n)

    ns = review.tables.get("non_statistics")
    if ns is None:
        ns = pd.DataFrame(columns=["pattern", "offset", "token", "reason"], dtype=str)
    # explanation intervals: every match of every pattern, plus offset/token rows
    starts, ends, reasons = [], [], []
    for pattern, reason in ns.loc[ns["pattern"] != "", ["pattern", "reason"]].itertuples(index=False):
        spans = np.array([m.span() for m in re.finditer(pattern, source)], dtype=np.int64).reshape(-1, 2)
        starts.append(spans[:, 0])
        ends.append(spans[:, 1])
        reasons.append(np.full(len(spans), reason, dtype=object))
    single = ns.loc[ns["offset"] != ""]
    s0 = _int_column(single, "offset")
    good = ~np.isnan(s0)
    starts.append(s0[good].astype(np.int64))
    ends.append((s0[good] + single["token"].str.len().to_numpy(dtype=float)[good]).astype(np.int64))
    reasons.append(single["reason"].to_numpy(dtype=object)[good])
    ns_start, ns_end = np.concatenate(starts), np.concatenate(ends)
    ns_reason = np.concatenate(reasons).astype(object)
    t2, i2 = _covered_pairs(ts, te, ns_start, ns_end)
    reason = _joined(t2, ns_reason[i2], n)

    status = np.where(value_ids.to_numpy() != "", "extracted",
                      np.where(reason.to_numpy() != "", "not_a_statistic", "unexplained"))
    ledger = pd.DataFrame({
        "offset": ts, "token": tok["token"].to_numpy(), "status": status,
        "value_ids": value_ids.to_numpy(), "reason": np.where(status == "not_a_statistic", reason.to_numpy(), ""),
    }, columns=LEDGER_COLUMNS)
    return ledger
