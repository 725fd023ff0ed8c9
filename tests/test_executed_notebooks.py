"""The executed notebooks in outputs/ ran cleanly and the report's links and images resolve."""
from __future__ import annotations

import base64

import nbformat
import pytest

from helpers import paths, report

EXECUTED = sorted((paths.OUTPUTS / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_no_errors_no_warnings(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "a code cell did not run"
    for c in code:
        for o in c.outputs:
            assert o.output_type != "error", f"{path.name}: {o.get('ename')}: {o.get('evalue')}"
            if o.output_type == "stream":
                assert o.name != "stderr", f"{path.name}: stderr output: {o.text[:300]}"
                assert "Warning" not in o.text, f"{path.name}: warning printed: {o.text[:300]}"


def test_papermill_parameters_recorded_and_no_volatile_metadata():
    for path in EXECUTED:
        nb = nbformat.read(path, as_version=4)
        assert set(nb.metadata["papermill"]) == {"parameters"}
        assert nb.metadata["papermill"]["parameters"]["data_dir"] == "data"
        text = path.read_text(encoding="utf-8")
        for volatile in ('"start_time"', '"end_time"', '"duration"', "iopub.status", "/tmp/"):
            assert volatile not in text, (path.name, volatile)


@pytest.mark.parametrize("name", ["report.html", "report.zh.html", "review_annotated.html"])
def test_pages_links_and_images_resolve(name):
    page = (paths.OUTPUTS / name).read_text(encoding="utf-8")
    anchors, ids, files = report.html_links(page)
    assert anchors and files
    assert not set(anchors) - set(ids), sorted(set(anchors) - set(ids))
    missing = [f for f in files if not (paths.OUTPUTS / f.split("#")[0]).exists()]
    assert not missing, missing
    assert not [f for f in files if f.split("#")[0].endswith(".ipynb")], "notebooks are linked as rendered HTML"
    imgs = page.split('src="data:image/png;base64,')[1:]
    if name.startswith("report"):
        assert len(imgs) == len(list((paths.OUTPUTS / "figures").glob("*.png")))
    for chunk in imgs:
        assert base64.b64decode(chunk.split('"', 1)[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<script" not in page


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_notebook_rendered_to_html(path):
    """Each executed notebook has its HTML page: what nbconvert gives for it now, no script, nothing fetched."""
    from helpers.notebook_html import render_html

    page = path.with_suffix(".html").read_text(encoding="utf-8")
    assert page == render_html(nbformat.read(path, as_version=4))
    assert "<script" not in page and "cdnjs" not in page
    if "figures.publish(" in path.read_text(encoding="utf-8"):
        assert 'src="data:image/png;base64,' in page


def test_figures_have_captions_in_both_languages():
    import json

    for png in (paths.OUTPUTS / "figures").glob("*.png"):
        cap = json.loads(png.with_suffix(".caption.json").read_text(encoding="utf-8"))
        assert set(cap) == {"en", "zh"} and all(cap.values()), png.name


def test_figures_have_png_and_svg_and_no_cjk_glyph_warnings():
    figs = paths.OUTPUTS / "figures"
    pngs = {p.stem for p in figs.glob("*.png")}
    svgs = {p.stem for p in figs.glob("*.svg")}
    assert pngs and pngs == svgs
    for p in figs.glob("*.svg"):
        text = p.read_text(encoding="utf-8")
        assert "<dc:date>" not in text, p.name
    for path in EXECUTED:
        assert "missing from font" not in path.read_text(encoding="utf-8"), path.name
