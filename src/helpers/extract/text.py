"""A normalised view of a review's text, with an offset map back to the source, and its layout.

The proposer reads forms such as ``$P < 0.009$`` or ``（HR 0.3）`` through a normalised copy of
the text: LaTeX and HTML markup dropped (``\\leq`` -> ``≤``, ``$`` removed), full-width
punctuation made ASCII, runs of spaces collapsed. Digits and decimal points are never changed,
so every number of the normalised text is a token of the source (:mod:`helpers.extract.tokens`)
at a known offset, and every span maps back to a verbatim quote.

The layout splits the body (the text before the reference list) into units a reader would
name: paragraphs of a numbered section (``text 2.1.3``) and cells of a table's rows
(``table 1``), with the row's reference numbers and the column's header.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

#: multi-character sequences replaced in the normalised view (markup, LaTeX, HTML entities)
_SEQUENCES = {
    "\\leq": "≤", "\\geq": "≥", "\\le": "≤", "\\ge": "≥", "\\sim": "~", "\\pm": "±", "\\times": "×",
    "\\%": "%", "\\,": " ", "\\;": " ", "&lt;": "<", "&gt;": ">", "&le;": "≤", "&ge;": "≥", "&amp;": "&",
    "<p>": " ", "</p>": " ", "<br>": " ", "<br/>": " ", "**": "", "$": "", "\r": "",
}
_SEQ_RE = re.compile("|".join(re.escape(k) for k in sorted(_SEQUENCES, key=len, reverse=True)))
#: single characters mapped to their plain forms
_CHARS = str.maketrans({
    "（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "～": "~", "％": "%", "＜": "<", "＞": ">",
    "＝": "=", "／": "/", "≦": "≤", "≧": "≥", "\u00a0": " ", "\u3000": " ", "\u2009": " ", "\u202f": " ",
    "⩽": "≤", "⩾": "≥", "∼": "~", "〜": "~",
})


@dataclass
class NormText:
    """A normalised copy of ``source`` and the map of each of its characters to the source.

    ``start[i]:end[i]`` is the source span the normalised character ``i`` stands for.
    """

    source: str
    text: str
    start: np.ndarray
    end: np.ndarray
    inv: np.ndarray = field(repr=False)

    def span(self, s: int, e: int) -> tuple[int, int]:
        """Source span of the normalised span ``[s, e)`` (``e > s``)."""
        return int(self.start[s]), int(self.end[e - 1])

    def at(self, source_offset: int) -> int:
        """Normalised position of the source character at ``source_offset`` (-1 if dropped)."""
        return int(self.inv[source_offset])


def normalise(source: str) -> NormText:
    """Normalise ``source`` for reading statistical forms, keeping an exact offset map.

    Examples
    --------
    >>> nt = normalise("( $P < 0.009$ )，OS")
    >>> nt.text
    '( P < 0.009 ),OS'
    >>> s, e = nt.span(nt.text.index("0.009"), nt.text.index("0.009") + 5)
    >>> "( $P < 0.009$ )，OS"[s:e]
    '0.009'
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def put(ch: str, s: int, e: int) -> None:
        """Append one normalised character standing for ``source[s:e]``."""
        if ch == " " and (not chars or chars[-1] in " \t\n"):
            if chars and chars[-1] == " ":
                ends[-1] = e
            return
        if ch in "\t\n" and chars and chars[-1] == " ":
            chars.pop(), starts.pop(), ends.pop()
        chars.append(ch)
        starts.append(s)
        ends.append(e)

    i, n = 0, len(source)
    while i < n:
        m = _SEQ_RE.match(source, i)
        if m:
            rep = _SEQUENCES[m.group()]
            for ch in rep:
                put(ch, i, m.end())
            i = m.end()
            continue
        put(source[i].translate(_CHARS), i, i + 1)
        i += 1
    start = np.array(starts, dtype=np.int64)
    end = np.array(ends, dtype=np.int64)
    inv = np.full(n + 1, -1, dtype=np.int64)
    inv[start] = np.arange(len(start))
    return NormText(source, "".join(chars), start, end, inv)


# ------------------------------------------------------------------ layout

HEADING_RE = re.compile(r"^(#{1,6})[ \t]*(.*?)[ \t]*$")
SECTION_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)*)\.?(?=\s|$)")
CAPTION_RE = re.compile(r"^\**\s*(?:Table|TABLE|表)\s*(\d+)\s*[.:．。]?", re.I)
CONTINUED_RE = re.compile(r"^(?:Continued|续表|续)\b", re.I)
REF_HEADING_RE = re.compile(r"(?m)^#{1,6}[ \t]*(?:参考文献|References?|REFERENCES|Bibliography|Literature)[ \t\r]*$")
N_HEADER_RE = re.compile(r"^(?:例数|病例数|样本量|患者数|N|n|No\.?|Patients?|Sample size|Cases)$", re.I)
BRACKETS_RE = re.compile(r"\[(\d+)\](?:\s*[-–]\s*\[(\d+)\])?")


def reference_heading(source: str) -> str | None:
    """The heading line that opens the reference list (None when there is none).

    Examples
    --------
    >>> reference_heading("text\\n\\n## References\\n\\n- [1] A")
    '## References'
    """
    m = REF_HEADING_RE.search(source)
    return m.group().strip() if m else None


def cited_refs(text: str) -> list[int]:
    """Reference numbers of the citation brackets in ``text`` (``[3]-[5]`` expands).

    Examples
    --------
    >>> cited_refs("[3]-[5] [8]")
    [3, 4, 5, 8]
    """
    out: list[int] = []
    for m in BRACKETS_RE.finditer(text):
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        rng = range(a, b + 1) if a <= b <= a + 50 else (a, b)
        out += [r for r in rng if r not in out]
    return out


@dataclass
class Row:
    """One table row: its cells (normalised spans), the refs of its first cell, its header."""

    table: int
    start: int
    end: int
    cells: list[tuple[int, int]]
    refs: list[int]
    header: list[str]
    continuation: bool


@dataclass
class Unit:
    """A paragraph (``kind='text'``) or a table cell (``kind='cell'``), normalised span."""

    kind: str
    start: int
    end: int
    section: str
    location: str
    para: int
    row: Row | None = None
    col: int = -1

    @property
    def header(self) -> str:
        """The header cell of the unit's column (cells only)."""
        if self.row is None or self.col < 0 or self.col >= len(self.row.header):
            return ""
        return self.row.header[self.col]


@dataclass
class Layout:
    """The body's units in reading order, plus each table's header."""

    norm: NormText
    body_end: int
    units: list[Unit]
    headers: dict[int, tuple[int, int]]
    captions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def layout(norm: NormText, body_end_source: int) -> Layout:
    """Split the body (normalised text up to the body end) into paragraphs and table cells.

    Examples
    --------
    >>> src = "## 2. Results\\n\\nPFS 9 months [1].\\n\\n**Table 1.** X\\n\\nAuthor\\tN\\nSmith [2]\\t25\\n"
    >>> lay = layout(normalise(src), len(src))
    >>> [(u.kind, u.location) for u in lay.units]
    [('text', 'text 2'), ('cell', 'table 1'), ('cell', 'table 1')]
    >>> lay.units[1].row.refs
    [2]
    """
    text = norm.text
    end = int(norm.inv[body_end_source]) if body_end_source < len(norm.source) else len(text)
    if end < 0:
        end = len(text)
    units: list[Unit] = []
    headers: dict[int, tuple[int, int]] = {}
    captions: dict[int, list[tuple[int, int]]] = {}
    section, table = "0", None
    header: list[str] | None = None
    last_row: Row | None = None
    para = 0
    pos = 0
    for line in text[:end].split("\n"):
        s, e = pos, pos + len(line)
        pos = e + 1
        stripped = line.strip()
        if not stripped:
            continue
        h = HEADING_RE.match(line)
        if h:
            title = h.group(2)
            if CONTINUED_RE.match(title):
                continue  # a table goes on after a page break
            num = SECTION_NUMBER_RE.match(title)
            if num:
                section = num.group(1)
            table, header, last_row = None, None, None
            continue
        cap = CAPTION_RE.match(stripped)
        if cap:
            table, header, last_row = int(cap.group(1)), None, None
            captions.setdefault(table, []).append((s, e))
            continue
        if table is not None and "\t" in line:
            cells, c0 = [], s
            for part in line.split("\t"):
                cells.append((c0, c0 + len(part)))
                c0 += len(part) + 1
            if header is None:
                header = [text[a:b].strip() for a, b in cells]
                headers[table] = (s, e)
                continue
            first = text[cells[0][0]:cells[0][1]].strip()
            cont = first == "" and last_row is not None
            refs = last_row.refs if cont else cited_refs(first)
            row = Row(table, s, e, cells, refs, header, cont)
            last_row = row
            para += 1
            for k, (a, b) in enumerate(cells):
                if text[a:b].strip():
                    units.append(Unit("cell", a, b, section, f"table {table}", para, row, k))
            continue
        if table is not None and last_row is None and header is None:
            continue  # a caption's second line (e.g. the other language)
        table, header, last_row = None, None, None
        para += 1
        units.append(Unit("text", s, e, section, f"text {section}", para))
    return Layout(norm, end, units, headers, captions)


# ------------------------------------------------------------------ sentences and clauses

_SENTENCE_END = re.compile(r"[。;！？!?\n\t]|\.(?=\s+[A-Z\u4e00-\u9fff])(?<!vs\.)(?<!al\.)(?<!\d\.)")


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (split after 。 ; ! ? and an English full stop).

    Examples
    --------
    >>> t = "PFS 9 vs 6 months. OS 12 months; ORR 30%"
    >>> [t[a:b] for a, b in sentences(t, 0, len(t))]
    ['PFS 9 vs 6 months.', ' OS 12 months;', ' ORR 30%']
    """
    out, s = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.group() in ";；" and text.count("(", s, m.start()) > text.count(")", s, m.start()):
            continue  # a semicolon inside brackets does not end the sentence
        out.append((s, m.end()))
        s = m.end()
    if s < end:
        out.append((s, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-separated clause spans of ``text[start:end]`` (commas inside brackets do not split).

    Examples
    --------
    >>> t = "PFS 9 months (HR 0.5, P = 0.043), OS 12 months"
    >>> [t[a:b] for a, b in clauses(t, 0, len(t))]
    ['PFS 9 months (HR 0.5, P = 0.043),', ' OS 12 months']
    """
    out, s, depth = [], start, 0
    for i in range(start, end):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            out.append((s, i + 1))
            s = i + 1
    if s < end:
        out.append((s, end))
    return out


def span_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The span of ``spans`` containing ``pos`` (the last one before it otherwise).

    Examples
    --------
    >>> span_of([(0, 5), (5, 9)], 6), span_of([(0, 5)], 7)
    ((5, 9), (0, 5))
    """
    best = spans[0] if spans else (pos, pos)
    for a, b in spans:
        if a <= pos < b:
            return a, b
        if a <= pos:
            best = (a, b)
    return best
