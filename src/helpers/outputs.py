"""Deterministic, atomic writing of output tables and text.

Files are only replaced when their bytes change, so that ``make`` sees an unchanged
output as unchanged and does not re-execute the notebooks that read it.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing this module must stay cheap (it runs in every kernel)
    import pandas as pd


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_if_changed(path: Path | str, data: bytes) -> bool:
    """Atomically write ``data`` unless ``path`` already holds exactly these bytes.

    Returns True when the file was (re)written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_bytes_if_changed(p, b"a"), write_bytes_if_changed(p, b"a")
    (True, False)
    """
    path = Path(path)
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def csv_bytes(df: pd.DataFrame) -> bytes:
    """Serialise a table the one way the compendium does: UTF-8, LF, no index."""
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_csv(df: pd.DataFrame, path: Path | str) -> Path:
    """Write ``df`` as CSV atomically (only when its bytes change) and return the path."""
    write_bytes_if_changed(path, csv_bytes(df))
    return Path(path)


def write_text(text: str, path: Path | str) -> Path:
    """Write UTF-8 text atomically (only when its bytes change) and return the path."""
    write_bytes_if_changed(path, text.encode("utf-8"))
    return Path(path)
