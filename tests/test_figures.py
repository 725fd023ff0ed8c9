"""helpers.figures: deterministic files, and notebooks show the saved PNG instead of drawing a third time."""
from __future__ import annotations

import base64
import subprocess
import sys

import matplotlib.pyplot as plt
from IPython.core.formatters import format_display_data

from helpers import figures, paths


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 0, 2], label="a line")
    ax.set_title("ASCII title")
    ax.legend()
    return fig


def test_save_is_deterministic(tmp_path):
    figures.setup()
    fig = _figure()
    first = figures.save(fig, tmp_path / "a")
    a = {p.suffix: p.read_bytes() for p in first}
    figures.save(fig, tmp_path / "b")
    plt.close(fig)
    assert [p.name for p in first] == ["a.png", "a.svg"]
    assert a == {p.suffix: p.read_bytes() for p in (tmp_path / "b.png", tmp_path / "b.svg")}


def test_publish_shows_the_saved_png_and_closes_the_figure(tmp_path, monkeypatch):
    figures.setup()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig = _figure()
    written = figures.publish(fig, tmp_path / "fig")
    assert [p.name for p in written] == ["fig.png", "fig.svg"]
    assert not plt.fignum_exists(fig.number), "left open, the inline backend would draw it again"
    assert len(shown) == 1
    bundle, _ = format_display_data(shown[0])
    assert base64.b64decode(bundle["image/png"]) == (tmp_path / "fig.png").read_bytes()
    # the same bytes as save() gives for the same figure
    figures.save(fig, tmp_path / "again")
    assert (tmp_path / "again.png").read_bytes() == (tmp_path / "fig.png").read_bytes()
    assert (tmp_path / "again.svg").read_bytes() == (tmp_path / "fig.svg").read_bytes()


def test_notebook_helpers_do_not_import_nbformat():
    """nbformat (through jsonschema) takes seconds to import; kernels only need the writers."""
    code = "import sys, helpers.figures, helpers.outputs; print('nbformat' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(paths.ROOT / "src"), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert out.stdout.strip() == "False"


def test_section_notebooks_import_neither_pandera_nor_the_engine():
    """What notebooks 01-06 import to read, select and plot loads neither the validation library
    (pandera, ~0.3 s) nor the audit engine, until a function that needs them is called."""
    code = ("import sys, helpers.review, helpers.sections, helpers.views, helpers.plots, helpers.figures, "
            "helpers.report\n"
            "from helpers.review import read_table\n"
            "read_table('outputs/inconsistencies.csv')\n"
            "helpers.views.MONTHS, helpers.views.TIMEPOINT_UNITS\n"
            "print(sorted(m for m in ('pandera', 'helpers.audit', 'helpers.validation', 'nbformat') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(paths.ROOT / "src"), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert out.stdout.strip() == "[]", out.stdout


def test_save_renders_the_tight_box_once_found(tmp_path):
    """save() finds the tight box once for both formats: the PNG is the very file that
    ``savefig(bbox_inches="tight")`` writes, text beyond the axes (and the figure's edge) included."""
    import io

    figures.setup()
    fig = _figure()
    fig.axes[0].text(2.4, 1.0, "a note past the figure's right edge")
    fig.tight_layout()
    figures.save(fig, tmp_path / "a")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=figures.PNG_METADATA, bbox_inches="tight")
    plt.close(fig)
    assert (tmp_path / "a.png").read_bytes() == buf.getvalue()


def test_svg_keeps_text_as_text(tmp_path):
    """Labels are ASCII (no CJK glyph needed): the SVG keeps them as text, searchable and small."""
    figures.setup()
    fig = _figure()
    figures.save(fig, tmp_path / "a")
    plt.close(fig)
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert ">ASCII title</text>" in svg and ">a line</text>" in svg
    assert "DejaVu Sans" in svg
