"""The self-contained reading pages of an audit (figures embedded, readable offline).

* ``report.html`` / ``report.zh.html``: summary first (verdict, ranked findings, publication notices,
  counts), then per-study sections, the flags as supporting detail, the figures and the walk-throughs;
* ``review_annotated.html``: the review's own text, every extracted number marked with its
  value_id and status and linked to its finding or recomputation.

Every visible word comes from the bilingual templates of ``strings.csv``.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from ..outputs import write_text
from .build import PAGE_NAMES, Inputs, build_pages, sorted_flags
from .findings_view import FINDINGS_COLUMNS, read_findings
from .pages import ANNOTATED

__all__ = ["ANNOTATED", "FINDINGS_COLUMNS", "Inputs", "PAGE_NAMES", "build_pages", "citation_line", "html_links", "load_inputs",
           "read_findings", "severity_by_section", "sorted_flags", "write_pages"]


def severity_by_section(flags: pd.DataFrame) -> pd.DataFrame:
    """Counts of flags by section (rows) and severity (columns), with totals.

    Examples
    --------
    >>> f = pd.DataFrame({"section": ["1", "1;2", "2"], "severity": ["error", "info", "error"]})
    >>> severity_by_section(f).to_dict("records")[-1]
    {'section': 'all', 'error': 2, 'warning': 0, 'info': 1, 'total': 3}
    """
    cols = ["error", "warning", "info"]
    if flags.empty:
        return pd.DataFrame({"section": [], **{c: [] for c in cols}, "total": []})
    first = flags.assign(section=flags["section"].str.split(";").str[0])
    table = pd.crosstab(first["section"], first["severity"]).reindex(columns=cols, fill_value=0)
    table["total"] = table.sum(axis=1)
    table.loc["all"] = table.sum()
    table.columns.name = None
    return table.reset_index()


def load_inputs(review, out_dir: Path | str, data_dir: Path | str, citation: str = "") -> Inputs:
    """Read what the pages need from an audit's output folder and its data folder.

    ``findings.csv`` is optional (the pages say so when it is absent); ``sections.csv`` of the
    data folder lists the review's sections and their walk-through notebooks.
    """
    from ..review import read_table

    out_dir, data_dir = Path(out_dir), Path(data_dir)

    def optional(path: Path) -> pd.DataFrame | None:
        return read_table(path) if path.exists() else None

    flags = read_table(out_dir / "inconsistencies.csv")
    sections = optional(data_dir / "sections.csv")
    if sections is None:
        first = sorted(set(flags["section"].str.split(";").str[0]) | set(review.tables["values"]["section"]))
        sections = pd.DataFrame({"section": first, "title_zh": "", "title_en": "", "notebook": "00_data_and_audit"})
    return Inputs(
        review=review, flags=flags, recomputed=read_table(out_dir / "recomputed.csv"),
        ledger=read_table(out_dir / "extraction_coverage.csv"), sections=sections,
        figure_dir=out_dir / "figures", findings=read_findings(out_dir / "findings.csv"),
        sources=optional(out_dir / "tables" / "primary_source_summary.csv"),
        publications=optional(data_dir / "external" / "publications.csv"), citation=citation)


def citation_line(path: Path | str) -> str:
    """The review's citation from a ``CITATION.md`` (the paragraphs after a line ``Citation:``), one line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "CITATION.md"
    >>> _ = p.write_text("# x\\n\\nCitation:\\n\\nA B. (2023).\\nTitle.\\n\\nC D (2023).\\n\\nAffiliations: e\\n")
    >>> citation_line(p)
    'A B. (2023). Title. · C D (2023).'
    """
    path = Path(path)
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    _, found, rest = text.partition("Citation:")
    if not found:
        return ""
    paras = [" ".join(p.split()) for p in rest.strip().split("\n\n") if p.strip()]
    cited = [p for p in paras if not re.match(r"^[A-Z][a-z]+( [a-z]+)* ?(as printed)?:", p)]
    return " · ".join(cited[:2])


def write_pages(inputs: Inputs, out_dir: Path | str) -> dict[str, Path]:
    """Build and write the three pages into ``out_dir`` (atomically; only changed bytes)."""
    return {name: write_text(text, Path(out_dir) / name) for name, text in build_pages(inputs).items()}


def html_links(page: str) -> tuple[list[str], list[str], list[str]]:
    """Return (internal anchors targeted, ids defined, relative file links) of an HTML page.

    Examples
    --------
    >>> html_links('<a href="#x">x</a><h2 id="x"></h2><a href="f.svg">f</a>')
    (['x'], ['x'], ['f.svg'])
    """
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    anchors = [h[1:] for h in hrefs if h.startswith("#")]
    files = [h for h in hrefs if not h.startswith(("#", "http://", "https://", "data:", "mailto:"))]
    ids = re.findall(r'\bid="([^"]+)"', page)
    return anchors, ids, files
