"""The self-contained HTML audit report (figures embedded as data URIs, readable offline)."""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd
from jinja2 import Environment, select_autoescape

from .review import Review

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin: 0.6em 0 1.4em; }
th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
.error { color: #b00020; font-weight: bold; } .warning { color: #a66300; font-weight: bold; } .info { color: #555; }
.quote { font-family: serif; background: #fafafa; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
nav a { margin-right: 1em; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p>{{ intro }}</p>
<nav>{% for s in sections %}<a href="#section-{{ s.anchor }}">{{ s.section }}</a>{% endfor %}<a href="#figures">figures</a></nav>

<h2 id="summary">Flags by severity and section</h2>
{{ counts_table }}
<p>{{ total_line }}</p>

{% if sources_table %}<h2 id="primary-sources">Review vs primary sources</h2>
{{ sources_table }}{% endif %}

{% for s in sections %}
<h2 id="section-{{ s.anchor }}">{{ s.section }} · {{ s.title_en }} ({{ s.title_zh }})</h2>
<p>Walk-through: <a href="{{ s.notebook_href }}">{{ s.notebook }}</a>. {{ s.n_flags }} flag(s).</p>
{% if s.rows %}<table>
<tr><th>#</th><th>severity</th><th>check</th><th>location</th><th>study</th><th>reported</th><th>expected</th><th>what it means</th><th>evidence (verbatim, 原文)</th></tr>
{% for f in s.rows %}<tr id="flag-{{ f.n }}"><td><a href="#flag-{{ f.n }}">{{ f.n }}</a></td><td class="{{ f.severity }}">{{ f.severity }}</td><td>{{ f.check }}</td><td>{{ f.location }}{% if f.refs %} [{{ f.refs }}]{% endif %}</td><td>{{ f.study }}</td><td>{{ f.reported }}</td><td>{{ f.expected }}</td><td>{{ f.message }} <a href="#section-{{ s.anchor }}">§{{ s.section }}</a></td><td class="quote">{% for q in f.quotes %}<div><code>{{ q.id }}</code> {{ q.quote }}</div>{% endfor %}</td></tr>
{% endfor %}</table>{% endif %}
{% endfor %}

<h2 id="figures">Figures</h2>
{% for fig in figures %}<figure id="fig-{{ fig.stem }}"><img src="data:image/png;base64,{{ fig.data }}" alt="{{ fig.stem }}"><figcaption>{{ fig.stem }} (also <a href="{{ fig.svg_href }}">SVG</a>)</figcaption></figure>
{% endfor %}
</body>
</html>
"""


def _anchor(section: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", section.lower()).strip("-")


def evidence_quotes(review: Review, value_ids: str) -> list[dict[str, str]]:
    """The verbatim quotes behind a flag's ';'-joined value_ids (one per distinct quote)."""
    values = review.tables["values"].set_index("value_id")
    out, seen = [], set()
    for vid in [v for v in str(value_ids).split(";") if v]:
        if vid in values.index:
            q = values.at[vid, "quote"]
            if q not in seen:
                seen.add(q)
                out.append({"id": vid, "quote": q})
    return out


def severity_by_section(flags: pd.DataFrame) -> pd.DataFrame:
    """Counts of flags by section (rows) and severity (columns), with totals."""
    if flags.empty:
        return pd.DataFrame({"section": [], "error": [], "warning": [], "info": [], "total": []})
    first = flags.assign(section=flags["section"].str.split(";").str[0])
    t = pd.crosstab(first["section"], first["severity"]).reindex(columns=list(SEVERITY_ORDER), fill_value=0)
    t["total"] = t.sum(axis=1)
    t.loc["all"] = t.sum()
    t.columns.name = None
    return t.reset_index()


def build_report(review: Review, flags: pd.DataFrame, sections: pd.DataFrame, figure_dir: Path | str,
                 notebook_href: str = "notebooks/{notebook}.ipynb", title: str = "Audit report",
                 intro: str = "", sources: pd.DataFrame | None = None) -> str:
    """Render the report as one HTML string.

    Parameters
    ----------
    review : Review
        For the evidence quotes.
    flags : DataFrame
        ``inconsistencies.csv``.
    sections : DataFrame
        ``section, title_zh, title_en, notebook`` (the review's section list).
    figure_dir : path
        Folder of PNG (and SVG) figures to embed, in name order.
    notebook_href : str
        Relative link pattern from the report to a section's executed notebook.
    sources : DataFrame, optional
        Per-study counts of figures confirmed / contradicted / not checkable against primary sources.
    """
    flags = flags.copy()
    flags["first_section"] = flags["section"].str.split(";").str[0]
    flags["_sev"] = flags["severity"].map(SEVERITY_ORDER)
    flags = flags.sort_values(["_sev", "first_section", "location", "check", "value_ids"], kind="stable")
    flags["n"] = range(1, len(flags) + 1)
    sect_rows = []
    for _, s in sections.iterrows():
        sub = flags[flags["first_section"] == s["section"]]
        rows = [dict(r, quotes=evidence_quotes(review, r["value_ids"])) for r in sub.to_dict("records")]
        sect_rows.append({**s.to_dict(), "anchor": _anchor(s["section"]), "rows": rows, "n_flags": len(rows),
                          "notebook_href": notebook_href.format(notebook=s["notebook"])})
    orphan = flags[~flags["first_section"].isin(set(sections["section"]))]
    if len(orphan):
        rows = [dict(r, quotes=evidence_quotes(review, r["value_ids"])) for r in orphan.to_dict("records")]
        sect_rows.append({"section": "other", "title_en": "Flags outside the listed sections", "title_zh": "",
                          "notebook": "00_data_and_audit", "anchor": "other", "rows": rows, "n_flags": len(rows),
                          "notebook_href": notebook_href.format(notebook="00_data_and_audit")})
    figs = []
    for png in sorted(Path(figure_dir).glob("*.png")):
        figs.append({"stem": png.stem, "data": base64.b64encode(png.read_bytes()).decode("ascii"),
                     "svg_href": f"figures/{png.stem}.svg"})
    counts = severity_by_section(flags.drop(columns=["first_section", "_sev", "n"]))
    sev = flags["severity"].value_counts()
    total_line = (f"{len(flags)} flags in all: " + ", ".join(f"{int(sev.get(k, 0))} {k}" for k in SEVERITY_ORDER) + ".")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    tmpl = env.from_string(TEMPLATE)
    from markupsafe import Markup

    return tmpl.render(
        title=title, intro=intro, sections=sect_rows, figures=figs, total_line=total_line,
        counts_table=Markup(counts.to_html(index=False, border=0)),
        sources_table=Markup(sources.to_html(index=False, border=0)) if sources is not None and len(sources) else "",
    )


def html_links(page: str) -> tuple[list[str], list[str], list[str]]:
    """Return (internal anchors targeted, ids defined, relative file links) of an HTML page.

    Examples
    --------
    >>> html_links('<a href="#x">x</a><h2 id="x"></h2><a href="f.svg">f</a>')
    (['x'], ['x'], ['f.svg'])
    """
    hrefs = re.findall(r'href="([^"]+)"', page)
    anchors = [h[1:] for h in hrefs if h.startswith("#")]
    files = [html.unescape(h) for h in hrefs if not h.startswith(("#", "http://", "https://", "data:"))]
    ids = re.findall(r'id="([^"]+)"', page)
    return anchors, ids, files
