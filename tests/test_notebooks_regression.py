"""pytest-notebook regression: re-executing each committed executed notebook gives the same outputs.

Settings (what to ignore in the diff) live in pyproject.toml, [tool.pytest.ini_options] nb_*.
"""
import pytest

from helpers import paths

EXECUTED = sorted((paths.OUTPUTS / "notebooks").glob("*.ipynb"))


def test_every_source_notebook_has_an_executed_copy():
    sources = {p.name for p in paths.NOTEBOOKS.glob("*.ipynb")}
    assert sources and sources == {p.name for p in EXECUTED}


@pytest.mark.slow
@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_notebook_regression(nb_regression, path):
    nb_regression.force_regen = False
    nb_regression.check(str(path))
