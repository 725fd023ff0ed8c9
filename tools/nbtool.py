"""Write a source notebook from a compact cell list (developer tool, not part of the build).

Usage from Python: ``write_notebook(path, [("md", text), ("params", code), ("code", code), ...])``.
Source notebooks are committed without outputs; ``tests/test_notebooks_clean.py`` enforces it.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

KERNELSPEC = {"name": "oligomet-audit", "display_name": "Python (oligomet audit)", "language": "python"}


def write_notebook(path: str | Path, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(src)
        else:
            cell = nbformat.v4.new_code_cell(src)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"cell-{i:03d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    Path(path).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
