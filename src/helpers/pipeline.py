"""Execute parameterised notebooks with papermill, reproducibly.

``python -m helpers.pipeline NOTEBOOK OUTPUT [-p NAME VALUE ...]``

* parameters are checked against the notebook's ``parameters`` cell before anything runs:
  an unknown name or a value of the wrong type is an error (papermill alone only warns);
* the executed copy is stripped of volatile metadata (timings, random cell ids, kernel
  temp paths) so that two runs give byte-identical files;
* the output is written atomically: a failed run leaves the previous file untouched;
* beside it, the same notebook as a self-contained HTML page (``OUTPUT`` with suffix ``.html``).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed
# (jupyter's dependencies install it): that module builds about 35 Earley parsers at import, ~1.8 s
# of every notebook run, for the "iri" formats no notebook schema uses. Blocked in this process
# (an import of None fails), jsonschema registers no "iri" checks; nothing else changes.
# Upstream: python-jsonschema/jsonschema#1428.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402

# the atomic writer lives in helpers.outputs, which kernels import without nbformat (slow to import)
from .outputs import write_atomic  # noqa: E402,F401  (part of this module's interface)


#: environment the kernels run with: fixed hashing, fixed dates, UTC
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "TZ": "UTC",
}

KERNEL_NAME = os.environ.get("HELPERS_KERNEL", "oligomet-audit")


class ParameterError(ValueError):
    """A notebook parameter with an unknown name or a value of the wrong type."""


def parameters_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the single code cell tagged ``parameters``.

    Raises
    ------
    ParameterError
        When the notebook has none or several.
    """
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def declared_parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Names and default values assigned in the ``parameters`` cell (literals only).

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("data_dir = 'data'\\nalpha = 0.05")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> nb.cells.append(cell)
    >>> declared_parameters(nb)
    {'data_dir': 'data', 'alpha': 0.05}
    """
    tree = ast.parse(parameters_cell(nb).source)
    out: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    out[t.id] = ast.literal_eval(node.value)
    return out


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Coerce a command-line string to the type of the default, or raise."""
    kind = type(default)
    if isinstance(value, str) and kind is not str:
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ParameterError(
                f"parameter {name!r}: {value!r} is not a valid {kind.__name__}"
            ) from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is list and isinstance(value, tuple):
        value = list(value)
    wrong_bool = isinstance(value, bool) and kind in (int, float)
    if default is not None and (not isinstance(value, kind) or wrong_bool):
        raise ParameterError(
            f"parameter {name!r}: expected {kind.__name__} (like the default {default!r}), "
            f"got {type(value).__name__} {value!r}"
        )
    return value


def check_parameters(nb: nbformat.NotebookNode, given: dict[str, Any], source: str = "") -> dict[str, Any]:
    """Validate ``given`` against the notebook's declared parameters.

    Returns the coerced parameters. Raises :class:`ParameterError` naming the notebook,
    the parameter and the problem for an unknown name or a wrong type.
    """
    declared = declared_parameters(nb)
    out = {}
    for name, value in given.items():
        if name not in declared:
            raise ParameterError(
                f"{source}: unknown parameter {name!r}; this notebook accepts: "
                + ", ".join(sorted(declared))
            )
        try:
            out[name] = _coerce(name, value, declared[name])
        except ParameterError as exc:
            raise ParameterError(f"{source}: {exc}") from None
    return out


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata from an executed notebook (in place) and return it.

    Removes papermill timings and environment, execution timestamps, random cell ids
    (replaced by positional ids) and the kernel's temporary paths in outputs.
    """
    meta = nb.metadata
    pm = meta.get("papermill", {})
    meta["papermill"] = {"parameters": pm.get("parameters", {})}
    meta.pop("widgets", None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        cmeta = cell.get("metadata", {})
        cmeta.pop("execution", None)
        cmeta.pop("papermill", None)
        cmeta.pop("collapsed", None)
        cmeta.pop("scrolled", None)
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("execution", None)
    return nb


def dumps_notebook(nb: nbformat.NotebookNode) -> bytes:
    """Serialise a notebook deterministically (sorted keys, one trailing newline)."""
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def run_notebook(src: Path | str, out: Path | str, parameters: dict[str, Any] | None = None) -> Path:
    """Execute ``src`` with papermill into ``out`` (atomically, normalised), and render it to ``out.html``.

    The kernel runs in the current working directory, so relative ``data_dir`` and
    ``out_dir`` parameters are relative to where the command is run (the Makefile's folder).

    Parameters
    ----------
    src, out : path
        Source notebook and the executed copy to write.
    parameters : dict
        Overrides for the ``parameters`` cell; validated first.
    """
    import papermill as pm

    src, out = Path(src), Path(out)
    nb = nbformat.read(src, as_version=4)
    params = check_parameters(nb, parameters or {}, source=str(src))
    os.environ.update(KERNEL_ENV)
    with tempfile.TemporaryDirectory(prefix="papermill-") as tmpdir:
        tmp_out = Path(tmpdir) / out.name
        pm.execute_notebook(
            str(src),
            str(tmp_out),
            parameters=params,
            kernel_name=KERNEL_NAME,
            cwd=os.getcwd(),
            # papermill otherwise rewrites the whole (growing) notebook to tmp_out at the start and
            # end of every cell (~0.5 s for a notebook with figures); only the final copy is used
            request_save_on_cell_execute=False,
            progress_bar=False,
            log_output=False,
            report_mode=False,
        )
        executed = normalise(nbformat.read(tmp_out, as_version=4))
    from .notebook_html import render_html

    page = render_html(executed).encode("utf-8")  # before writing: a failure leaves both files untouched
    write_atomic(out, dumps_notebook(executed))
    write_atomic(out.with_suffix(".html"), page)
    return out


def describe_failure(exc: BaseException) -> str:
    """One or two plain lines about a failed notebook run (no traceback).

    For an error raised inside a notebook cell papermill reports the cell number and the
    exception; a data error's message (file, row, column, problem) is kept whole.
    """
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    where = f"in cell [{cell}] " if cell is not None else ""
    return f"{where}{ename}: {evalue}".strip()


def _parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__.splitlines()[0])
    ap.add_argument("notebook")
    ap.add_argument("output")
    ap.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    given = {name: value for name, value in args.parameter}
    try:
        run_notebook(args.notebook, args.output, given)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: {args.output} left untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # papermill's PapermillExecutionError and friends
        if os.environ.get("HELPERS_DEBUG"):
            raise
        print(f"error: executing {args.notebook} failed; {args.output} left untouched\n"
              f"{describe_failure(exc)}\n(set HELPERS_DEBUG=1 for the full traceback)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
