"""Executed notebooks as self-contained, offline HTML pages (nbconvert's ``basic`` template).

nbconvert's full templates load require.js and MathJax from the network; the ``basic`` body is
wrapped here in a page of its own with a small style sheet, so that the page has no script, loads
nothing and gives the same bytes for the same notebook.
"""
from __future__ import annotations

import html
import re

import nbformat

STYLE = """
body { font-family: system-ui, "WenQuanYi Micro Hei", sans-serif; max-width: 1100px; margin: 1.5em auto; padding: 0 1em;
       line-height: 1.5; color: #222; }
.jp-InputArea-prompt, .jp-OutputArea-prompt { display: none; }
.jp-CodeCell .jp-InputArea { background: #f6f8fa; border-left: 3px solid #c8d1dc; padding: 0.2em 0.8em; margin: 0.6em 0; }
.jp-CodeCell pre { margin: 0.3em 0; font-size: 0.85em; white-space: pre-wrap; }
.jp-OutputArea-output { overflow-x: auto; margin: 0.4em 0 1em; }
.jp-OutputArea-output img { max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85em; } th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; }
th { background: #f2f2f2; }
.highlight .k, .highlight .kn, .highlight .ow { color: #8959a8; } .highlight .s1, .highlight .s2 { color: #718c00; }
.highlight .c1 { color: #8e908c; } .highlight .mi, .highlight .mf { color: #f5871f; }
"""


def render_html(nb: nbformat.NotebookNode, title: str | None = None) -> str:
    """One executed notebook as a complete HTML page (no script; same notebook, same bytes).

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A title")])
    >>> "<title>A title</title>" in render_html(nb)
    True
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic")
    body, _ = exporter.from_notebook_node(nb)
    if title is None:
        first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
        m = re.search(r"^#\s+(.+)$", first, flags=re.M)
        title = m.group(1).strip() if m else "notebook"
    body = re.sub(r"<script\b.*?</script>", "", body, flags=re.S)
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{html.escape(title)}</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")
