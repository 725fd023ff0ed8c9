"""Reader-facing text: the bilingual string templates, and plain text from LaTeX and working notes.

The templates (``strings.csv``: ``key, en, zh``) are the translation: every label and sentence of
the pages is written there in both languages and filled with ``str.format`` fields; nothing is
translated at run time.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ..plaintext import LATEX, plain  # noqa: F401  (re-exported: the pages use them from here)

LANGS = ("en", "zh")
STRINGS = Path(__file__).with_name("strings.csv")

#: a snake_case identifier (value_id, study_id, factor keys): internal vocabulary, not prose
_IDENT = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    with STRINGS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    table = {}
    for i, row in enumerate(rows, start=2):
        key = row["key"]
        if key in table:
            raise ValueError(f"{STRINGS.name}: row {i}: duplicate key {key!r}")
        for lang in LANGS:
            if not row.get(lang):
                raise ValueError(f"{STRINGS.name}: row {i}, column {lang}: empty text for {key!r}")
        table[key] = {lang: row[lang] for lang in LANGS}
    return table


def has(key: str) -> bool:
    """Whether ``strings.csv`` has a template ``key``."""
    return key in _table()


def t(key: str, lang: str = "en", **fields) -> str:
    """The template ``key`` in ``lang``, filled with ``fields``.

    Examples
    --------
    >>> t("tier.definite_error", "zh")
    '确定错误'
    """
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: expected one of {LANGS}")
    try:
        text = _table()[key][lang]
    except KeyError:
        raise KeyError(f"{STRINGS.name}: no template {key!r}") from None
    return text.format(**fields) if fields else text


def words(identifier: str) -> str:
    """A snake_case vocabulary key as words (``primary_tumour_surgery`` → ``primary tumour surgery``).

    Examples
    --------
    >>> words("pd_l1_negative")
    'pd l1 negative'
    """
    return str(identifier).replace("_", " ")


def reader_text(text: str, names: dict[str, str] | None = None) -> str:
    """A machine message made fit for readers.

    Internal ids named in ``names`` (e.g. study_id → printed name) are replaced; clauses of a
    ``;``-separated note that still name an internal identifier such as ``value_id`` are working
    notes and are dropped; remaining snake_case keys become words; LaTeX becomes plain text.

    Examples
    --------
    >>> reader_text("n of ni2021 differs. Source note: 15 of 103; value_id set by hand.", {"ni2021": "Yang Ni"})
    'n of Yang Ni differs. Source note: 15 of 103.'
    """
    out = str(text)
    for key in sorted(names or {}, key=len, reverse=True):
        if key:
            out = re.sub(rf"\b{re.escape(key)}\b", (names or {})[key], out)
    kept = []
    for clause in re.split(r"(?<=;) |(?<=\.) ", out):
        core = clause.rstrip(";. ")
        if re.search(r"\b(?:value|study|flag|finding|claim|factor|mention)_id", core):
            if kept and kept[-1].endswith(";"):
                kept[-1] = kept[-1][:-1] + ("." if clause.endswith(".") else "")
            continue
        kept.append(clause)
    out = " ".join(kept)
    out = _IDENT.sub(lambda m: words(m.group()), out)
    return plain(out)
