"""Load an extracted review (the CSV tables of ``data/extracted``) into one object.

Validation lives in :mod:`helpers.validation`; this module only reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import paths
from .csvread import read_csv_checked
from .errors import DataError
from .schema import TABLES
from .vocabularies import Vocabularies, load_vocabularies


def read_table(path: Path | str) -> pd.DataFrame:
    """Read one extracted CSV with every cell as a string ('' for blank).

    Uses :func:`helpers.csvread.read_csv_checked`, so an unreadable file (missing,
    empty, BOM, not UTF-8, ragged rows, bad header) raises :class:`helpers.errors.DataError`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "studies.csv"
    ...     _ = p.write_text("study_id,refs\\nwang,3;4\\nli,\\n", encoding="utf-8")
    ...     read_table(p).to_dict("list")
    {'study_id': ['wang', 'li'], 'refs': ['3;4', '']}
    """
    return read_csv_checked(path, label=Path(path).name)


@dataclass
class Review:
    """All extracted tables of one review plus its source text and vocabularies."""

    data_dir: Path
    source: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the words, endpoint pairs and category endpoints of this data directory (see :mod:`helpers.vocabularies`)
    vocabularies: Vocabularies = field(default_factory=Vocabularies)
    #: what was read in the cited sources (``external/*.csv`` of the data directory, when present):
    #: ``primary_sources``, ``publications`` and ``facts``; empty when nothing was read
    external: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


#: the tables of ``external/`` a data directory may hold (figures and facts read in the cited sources)
EXTERNAL_TABLES = ("primary_sources", "publications", "facts")


def load_external_tables(data_dir: Path | str, problems: list | None = None) -> dict[str, pd.DataFrame]:
    """The ``external/*.csv`` tables of a data directory that exist, every cell a str.

    The source comparison runs when both ``primary_sources`` and ``publications`` are present
    (``facts`` is optional); a data directory without ``external/`` gives an empty dict. An
    unreadable file raises :class:`helpers.errors.DataError`, or, when a ``problems`` list is
    given, adds its problems there and is left out (to report every reading problem at once).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "external").mkdir()
    ...     _ = (Path(d) / "external" / "facts.csv").write_text("fact_id,ref\\nF1,3\\n", encoding="utf-8")
    ...     sorted(load_external_tables(d))
    ['facts']
    """
    ext = Path(data_dir) / "external"
    out = {}
    for name in EXTERNAL_TABLES:
        path = ext / f"{name}.csv"
        if not path.exists():
            continue
        try:
            out[name] = read_csv_checked(path, label=f"external/{name}.csv")
        except DataError as e:
            if problems is None:
                raise
            problems.extend(e.problems)
    return out


def load_review(data_dir: Path | str = paths.DATA, validate: bool = True) -> Review:
    """Load (and by default validate) the review extracted under ``data_dir``.

    Parameters
    ----------
    data_dir : path
        Directory with ``raw/<source>.txt`` and ``extracted/*.csv``.
    validate : bool
        Run :func:`helpers.validation.validate_review` (raises on bad input).
    """
    data_dir = Path(data_dir)
    source = paths.source_file(data_dir).read_bytes().decode("utf-8")
    tables = {}
    for name in TABLES:
        p = data_dir / "extracted" / f"{name}.csv"
        if p.exists():
            tables[name] = read_table(p)
    review = Review(data_dir=data_dir, source=source, tables=tables, vocabularies=load_vocabularies(data_dir),
                    external=load_external_tables(data_dir))
    if validate:
        from .validation import validate_review  # local import: optional until written

        validate_review(review)
    return review
