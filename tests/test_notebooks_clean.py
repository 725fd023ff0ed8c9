"""Source notebooks are committed without outputs and each has one parameters cell."""
import nbformat
import pytest

from helpers import paths, pipeline

SOURCES = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks():
    names = [p.stem for p in SOURCES]
    assert names[0].startswith("00_") and len(names) >= 2


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_notebook_parameters(path):
    nb = nbformat.read(path, as_version=4)
    params = pipeline.declared_parameters(nb)
    assert {"data_dir", "out_dir"} <= set(params)
    assert nb.metadata["kernelspec"]["name"] == pipeline.KERNEL_NAME
