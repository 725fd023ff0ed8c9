"""pytest-notebook regression: executing each notebook again gives the committed executed copy.

The notebooks are executed once, by the session's scratch rebuild (``make -j2 all`` in a copy of
the repository without outputs/, the ``rebuilt`` fixture of conftest.py); each executed notebook is
then compared with the committed one by pytest-notebook's diff, with the settings of the
``nb_regression`` fixture (what to ignore lives in pyproject.toml, [tool.pytest.ini_options] nb_*).
No kernel is started a second time for the same check.
"""
import nbformat
import pytest
from pytest_notebook.diffing import diff_notebooks, diff_to_string, filter_diff
from pytest_notebook.notebook import load_notebook_with_config, regex_replace_nb
from pytest_notebook.post_processors import load_processor

from helpers import paths

EXECUTED = sorted((paths.OUTPUTS / "notebooks").glob("*.ipynb"))


def test_every_source_notebook_has_an_executed_copy():
    sources = {p.name for p in paths.NOTEBOOKS.glob("*.ipynb")}
    assert sources and sources == {p.name for p in EXECUTED}


def test_regression_settings_come_from_pyproject(nb_regression):
    """The comparison below uses the project's settings, not pytest-notebook's defaults."""
    assert "/metadata/papermill" in nb_regression.diff_ignore and "/cells/*/id" in nb_regression.diff_ignore
    assert nb_regression.exec_allow_errors is False


@pytest.mark.slow
@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_notebook_regression(nb_regression, rebuilt, path):
    initial, config = load_notebook_with_config(str(path))
    final = nbformat.read(rebuilt / "outputs" / "notebooks" / path.name, as_version=4)
    resources = dict(nb_regression.process_resources)
    for name in nb_regression.post_processors:
        final, resources = load_processor(name)(final, resources)
    replace = list(nb_regression.diff_replace) + list(config.diff_replace)
    if replace:
        initial, final = regex_replace_nb(initial, replace), regex_replace_nb(final, replace)
    ignore = set(nb_regression.diff_ignore) | set(config.diff_ignore)
    diff = filter_diff(diff_notebooks(initial, final), ignore)
    assert not diff, diff_to_string(initial, diff, use_color=False)
