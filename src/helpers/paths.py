"""The one place that knows where things live."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
RAW = DATA / "raw"
EXTRACTED = DATA / "extracted"
EXTERNAL = DATA / "external"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"
FIGURES = OUTPUTS / "figures"
TABLES = OUTPUTS / "tables"
TESTS = ROOT / "tests"
SYNTHETIC = TESTS / "synthetic_review"

#: name of the raw source file inside a data directory's ``raw/`` folder
SOURCE_GLOB = "*.txt"


def source_file(data_dir: Path | str = DATA) -> Path:
    """Return the single raw source text of a data directory.

    Parameters
    ----------
    data_dir : path
        A data directory laid out like ``data/`` (``raw/`` and ``extracted/``).

    Examples
    --------
    >>> source_file().suffix
    '.txt'
    """
    raw = Path(data_dir) / "raw"
    files = sorted(raw.glob(SOURCE_GLOB))
    if len(files) != 1:
        raise FileNotFoundError(f"{raw}: expected exactly one source .txt file, found {len(files)}")
    return files[0]
