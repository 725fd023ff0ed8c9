"""Deterministic figure output: the same figure gives the same PNG and SVG bytes.

Matplotlib embeds a creation date and random ids in SVG/PDF unless told otherwise;
:func:`setup` fixes ``svg.hashsalt`` and :func:`save` passes fixed metadata.
Figure labels must be ASCII-renderable (no CJK font is assumed): romanise names. SVGs keep text as
text (``svg.fonttype: none``, DejaVu Sans named): searchable, a fifth of the size of text drawn as
paths, and cheaper to write; any viewer has the Latin glyphs the labels need.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:  # inside a notebook keep the inline backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .outputs import write_bytes_if_changed  # noqa: E402

RC = {
    "svg.hashsalt": "oligomet-review-audit",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

#: fixed metadata: no dates, no software version drift between identical runs
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}


def setup() -> None:
    """Apply the compendium's deterministic matplotlib settings."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update(RC)


def _write(fig: plt.Figure, stem: Path | str, formats: tuple[str, ...]) -> dict[str, tuple[Path, bytes]]:
    """Write ``fig`` in each format, cropped to its tight box, each file only when its bytes change.

    The box (every artist of the figure plus ``savefig.pad_inches``, as ``bbox_inches="tight"``
    finds it) is found once from the figure as laid out, and every format renders that box: saving
    with ``bbox_inches="tight"`` would lay the whole figure out again for each format to find it.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    stem = Path(stem)
    engine = fig.get_layout_engine()
    written = {}
    try:
        if isinstance(engine, PlaceHolderLayoutEngine):  # laid out once (tight_layout): no layout pass per save
            fig.set_layout_engine(None)
        box = "tight"
        if matplotlib.rcParams["savefig.dpi"] in ("figure", fig.dpi):  # the box as the figure's own renderer sees it
            canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
            box = fig.get_tightbbox(canvas.get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
        for fmt in formats:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, metadata=PNG_METADATA if fmt == "png" else SVG_METADATA, bbox_inches=box)
            target = stem.with_suffix(f".{fmt}")
            write_bytes_if_changed(target, buf.getvalue())
            written[fmt] = (target, buf.getvalue())
    finally:
        if isinstance(engine, PlaceHolderLayoutEngine):
            fig.set_layout_engine(engine)
    return written


def save(fig: plt.Figure, stem: Path | str, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` atomically and deterministically.

    Parameters
    ----------
    fig : matplotlib Figure
    stem : path without suffix, e.g. ``outputs/figures/table3_arms_text_vs_table``

    Returns
    -------
    list of written paths

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in save(fig, Path(d) / "demo")]
    ['demo.png', 'demo.svg']
    >>> plt.close(fig)
    """
    return [path for path, _ in _write(fig, stem, formats).values()]


def caption(key: str, **fields) -> dict[str, str]:
    """A figure's one-message caption in every language, from the templates ``caption.<key>``.

    A field given as a dict (language → text) is filled per language.

    Examples
    --------
    >>> caption("report_checks", n_flags=3, n_checks=2, n_studies=2)["en"][:20]
    "The audit's 3 flags "
    """
    from .report.text import LANGS, t

    return {lang: t(f"caption.{key}", lang, **{k: (v[lang] if isinstance(v, dict) else v) for k, v in fields.items()})
            for lang in LANGS}


def write_caption(stem: Path | str, text: dict[str, str]) -> Path:
    """Write ``<stem>.caption.json`` (the caption in each language; read by the report)."""
    path = Path(stem).with_suffix(".caption.json")
    data = json.dumps(text, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    write_bytes_if_changed(path, data.encode("utf-8"))
    return path


def publish(fig: plt.Figure, stem: Path | str, caption: dict[str, str] | None = None) -> list[Path]:
    """Save ``fig`` as PNG and SVG (see :func:`save`), show the saved PNG inline, close ``fig``.

    With ``caption`` (from :func:`caption`), the caption is written beside the figure
    (``<stem>.caption.json``) and shown under it in English.

    What a notebook calls for each figure: the figure is drawn once per file format and the
    notebook shows the very PNG bytes written to ``stem.png``. Left open, the notebook's inline
    backend would draw it a third time at the end of the cell (and a script would keep it in
    memory). Returns the written paths.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as d:  # outside a notebook, display() prints the Image's repr
    ...     [p.name for p in publish(fig, Path(d) / "demo")]
    <IPython.core.display.Image object>
    ['demo.png', 'demo.svg']
    >>> plt.fignum_exists(fig.number)
    False
    """
    from IPython.display import Image, Markdown, display

    written = _write(fig, stem, ("png", "svg"))
    plt.close(fig)
    display(Image(data=written["png"][1], format="png"))
    paths = [path for path, _ in written.values()]
    if caption:
        paths.append(write_caption(stem, caption))
        display(Markdown(f"*{caption['en']}*"))
    return paths
