"""The review's own text as HTML, every extracted number marked with its value_id and status.

The source is the Markdown-like text of ``data/raw`` (headings ``#``, tab-separated table rows,
``**bold**``, ``<sup>``, LaTeX ``$...$``). Every value of values.csv is wrapped, at its
``value_offset``, in a link carrying ``id="v-<value_id>"``, ``data-value-ids`` and a status class;
the other numeric tokens of the coverage ledger are marked as not statistics. Offsets are those of
the source, so no character is moved before it is marked.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

from .text import LATEX, plain

#: inline markup of the source: tags it prints, bold, math delimiters, LaTeX commands, autolinks
_INLINE = re.compile(r"</?sup>|</?p>|\*\*|\$|\\sim\s*|\\[A-Za-z]+|\\[*()_%\[\];, ]|<https?://[^>\s]+>")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SECTION_NO = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
_CAPTION = re.compile(r"^\*\*[^*\d]*(\d+)\.?\*\*")
_MD_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>https?://\S+)\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


def section_anchor(section: str) -> str:
    """Anchor of a numbered heading: ``2.1.3`` → ``sec-2-1-3``."""
    return "sec-" + section.replace(".", "-")


def location_anchor(location: str) -> str:
    """Anchor of a values.csv location: ``text 2.2.1`` → ``sec-2-2-1``, ``table 3`` → ``table-3``.

    Examples
    --------
    >>> location_anchor("table 3"), location_anchor("text 2.1.3")
    ('table-3', 'sec-2-1-3')
    """
    kind, _, label = str(location).partition(" ")
    return section_anchor(label) if kind == "text" else f"{kind}-{label.replace('.', '-')}"


@dataclass
class Mark:
    """A span of the source to wrap: one or more value_ids sharing it, or a non-statistic token."""

    start: int
    end: int
    value_ids: list[str] = field(default_factory=list)
    status: str = ""
    href: str = ""
    title: str = ""


def marks_for(values: pd.DataFrame, ledger: pd.DataFrame, status: pd.Series, href: dict[str, str],
              titles: dict[str, str]) -> list[Mark]:
    """Non-overlapping marks, sorted: every value (at ``value_offset``) and every other ledger token.

    A value whose span overlaps an earlier one keeps an empty anchor at the earlier mark, so that
    every value_id is still an id in the page.
    """
    rank = {s: i for i, s in enumerate(["finding", "flag", "consistent", "unchecked"])}
    start = pd.to_numeric(values["value_offset"], errors="coerce")
    v = values.assign(_s=start, _e=start + values["value"].str.len()).dropna(subset=["_s"])
    spans: dict[tuple[int, int], list[str]] = {}
    for vid, s, e in zip(v["value_id"], v["_s"].astype(int), v["_e"].astype(int)):
        spans.setdefault((s, e), []).append(vid)
    marks = []
    for (s, e), ids in spans.items():
        st = min((status.get(i, "unchecked") for i in ids), key=lambda x: rank.get(x, 9))
        lead = min(ids, key=lambda i: rank.get(status.get(i, "unchecked"), 9))
        marks.append(Mark(s, e, [lead] + [i for i in ids if i != lead], st, href.get(lead, ""), titles.get(lead, "")))
    other = ledger[ledger["status"] != "extracted"]
    for off, tok, st, reason in zip(other["offset"].astype(int), other["token"], other["status"], other["reason"]):
        marks.append(Mark(off, off + len(tok), [], st, "", reason.replace("_", " ")))
    marks.sort(key=lambda m: (m.start, -m.end))
    out: list[Mark] = []
    for m in marks:
        if out and m.start < out[-1].end:
            out[-1].value_ids += m.value_ids  # overlapping: keep its ids as anchors of the earlier mark
            continue
        out.append(m)
    return out


def _inline(text: str, offset: int, marks: list[Mark]) -> str:
    """HTML of one line of the source starting at ``offset``, with its marks applied."""
    out, pos, bold = [], 0, False
    events = [(m.start - offset, m.end - offset, m) for m in marks]
    events += [(x.start(), x.end(), x.group()) for x in _INLINE.finditer(text)]
    events.sort(key=lambda e: (e[0], -e[1]))
    for s, e, what in events:
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        if isinstance(what, Mark):
            out.append(_mark_html(what, text[s:e]))
        elif what == "**":
            out.append("</strong>" if bold else "<strong>")
            bold = not bold
        elif what in ("<sup>", "</sup>"):
            out.append(what)
        elif what.startswith("\\"):
            out.append(html.escape(LATEX.get(what.rstrip(), what.lstrip("\\"))))
        elif what.startswith("<http"):
            out.append(html.escape(what[1:-1]))
        # $, <p> and </p> are dropped
        pos = e
    out.append(html.escape(text[pos:]))
    if bold:
        out.append("</strong>")
    return "".join(out)


def _mark_html(m: Mark, token: str) -> str:
    tok = html.escape(token)
    if not m.value_ids:
        return f'<span class="ns s-{m.status}" title="{html.escape(m.title)}">{tok}</span>'
    extra = "".join(f'<span class="anchor" id="v-{i}"></span>' for i in m.value_ids[1:])
    attrs = (f'class="v s-{m.status}" id="v-{m.value_ids[0]}" data-value-ids="{" ".join(m.value_ids)}" '
             f'data-status="{m.status}"')
    if m.title:
        attrs += f' title="{html.escape(m.title)}"'
    tag = "a" if m.href else "span"
    if m.href:
        attrs += f' href="{html.escape(m.href)}"'
    return f"{extra}<{tag} {attrs}>{tok}</{tag}>"


def _reference_line(line: str) -> str:
    """A reference-list entry: Markdown links reduced to linked text, LaTeX escapes removed."""
    parts, pos = [], 0
    for m in _MD_LINK.finditer(line):
        parts.append(html.escape(plain(line[pos:m.start()])))
        parts.append(f'<a href="{html.escape(m.group("url"))}">{html.escape(plain(m.group("text")))}</a>')
        pos = m.end()
    rest = line[pos:]
    for m in _AUTOLINK.finditer(rest):
        rest = rest.replace(m.group(0), m.group(1))
    parts.append(html.escape(plain(rest)))
    return "".join(parts).replace("*et al.*", "et al.")


def render(source: str, marks: list[Mark], body_end: int) -> str:
    """The review as an HTML fragment (headings, paragraphs, tables, reference list)."""
    out: list[str] = []
    table: list[str] = []
    caption_seen = False
    used_ids: set[str] = set()
    pos = 0
    by_line: list[tuple[int, str]] = []
    for line in source.split("\n"):
        by_line.append((pos, line))
        pos += len(line) + 1
    mi = 0
    for start, line in by_line:
        end = start + len(line)
        lm = []
        while mi < len(marks) and marks[mi].start < end:
            if marks[mi].start >= start:
                lm.append(marks[mi])
            mi += 1
        if "\t" in line and start < body_end:
            cells, cstart = [], start
            for cell in line.split("\t"):
                cm = [m for m in lm if cstart <= m.start < cstart + len(cell)]
                cells.append(_inline(cell, cstart, cm))
                cstart += len(cell) + 1
            tag = "th" if (not table and caption_seen) else "td"
            table.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
            continue
        if table:
            out.append('<div class="table-wrap"><table class="review-table">' + "".join(table) + "</table></div>")
            table = []
        if not line.strip():
            continue
        caption_seen = False
        if start >= body_end:
            item = line.lstrip("- ").strip()
            out.append(f'<p class="ref">{_reference_line(item)}</p>' if item else "")
            continue
        h = _HEADING.match(line)
        if h:
            level = min(len(h.group(1)) + 1, 6)
            text_start = start + h.start(2)
            sec = _SECTION_NO.match(h.group(2))
            hid = f' id="{section_anchor(sec.group(1))}"' if sec else ""
            out.append(f"<h{level}{hid}>{_inline(h.group(2), text_start, lm)}</h{level}>")
            continue
        cap = _CAPTION.match(line)
        if cap:
            caption_seen = True
            cid = f"table-{cap.group(1)}"
            attr = "" if cid in used_ids else f' id="{cid}"'
            used_ids.add(cid)
            out.append(f'<p class="caption"{attr}>{_inline(line, start, lm)}</p>')
            continue
        out.append(f"<p>{_inline(line, start, lm)}</p>")
    if table:
        out.append('<div class="table-wrap"><table class="review-table">' + "".join(table) + "</table></div>")
    return "\n".join(o for o in out if o)
