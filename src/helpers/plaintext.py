"""Plain text from the review's quotes: LaTeX math reduced to characters.

Shared by the findings (``findings.csv``) and the reading pages, so that a quote reads the same
wherever a reader meets it. Imports nothing beyond the standard library.
"""
from __future__ import annotations

import re

#: LaTeX commands the review's source uses inside ``$...$``, reduced to characters
LATEX = {r"\geq": "≥", r"\leq": "≤", r"\ge": "≥", r"\le": "≤", r"\sim": "~", r"\times": "×",
         r"\pm": "±", r"\neq": "≠", r"\approx": "≈", r"\%": "%", r"\*": "*", r"\(": "(", r"\)": ")",
         r"\_": "_", r"\[": "[", r"\]": "]", r"\;": " ", r"\,": " ", r"\ ": " "}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in sorted(LATEX, key=len, reverse=True)) + r"(?![A-Za-z])")
#: a range '3\sim 5' is printed '3~5' elsewhere in such texts: no space after the tilde
_SIM_SPACE = re.compile(r"\\sim\s+")


def plain(text: str) -> str:
    """Text with LaTeX math reduced to plain characters (``$P = 0.030$`` → ``P = 0.030``).

    Examples
    --------
    >>> plain(r"肿瘤  $\\leq 3.0$  cm, ($P < 0.001$), $\\geq$ 3")
    '肿瘤 ≤ 3.0 cm, (P < 0.001), ≥ 3'
    """
    out = _LATEX_RE.sub(lambda m: LATEX[m.group()], _SIM_SPACE.sub(r"\\sim", str(text)))
    out = out.replace("$", "")
    out = re.sub(r"\*\*(.+?)\*\*", r"\1", out)
    out = re.sub(r"[ \t]{2,}", " ", out)
    out = re.sub(r"\( ", "(", out)
    return re.sub(r" \)", ")", out).strip()
