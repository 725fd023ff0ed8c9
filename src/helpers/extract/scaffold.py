"""A new review's data directory, ready for ``make all`` and for curation.

``new_review(name, raw)`` creates ``reviews/<name>/`` with

* ``raw/<text>.txt`` -- the text, byte for byte, and ``raw/CITATION.md`` -- a citation and
  licence stub to fill in (title guessed from the text's first heading, the text's SHA-256);
* ``extracted/`` -- the proposed extraction (:func:`helpers.extract.propose.write_proposal`),
  with ``source_config.json`` naming the reference-list heading;
* ``external/`` -- empty but for a README: figures read in the cited publications go here.

The directory validates at once, so ``make all DATA_DIR=reviews/<name> OUT_DIR=build/<name>``
gives a first audit of the proposal; curating the extraction then refines it.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import DataError, Problem
from .propose import Proposal, write_proposal

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

CITATION_STUB = """# Citation and licence of the review in this folder (to fill in)

The text `{text}` was added by `make new-review` and has not been checked.

- Authors: FILL IN
- Year: FILL IN
- Title: {title}
- Journal / publisher: FILL IN
- DOI or address: FILL IN
- Licence of the text: FILL IN (the text may be kept here only if its licence allows it)
- SHA-256 of `{text}`: `{sha256}`

The extraction in `../extracted/` was proposed by `python -m helpers propose` (every row has
`origin = proposed` and a `confidence`); curate it against the text before citing any audit.
"""

EXTERNAL_README = """# Figures read in the cited publications (none yet)

Add `primary_sources.csv` and `publications.csv` in the schema of `data/external/README.md`
to cross-check the review's figures against the studies it cites.
"""


def guess_title(source: str) -> str:
    """The first Markdown heading of a text (its first non-blank line otherwise).

    Examples
    --------
    >>> guess_title("\\n# A Review of X\\n\\ntext")
    'A Review of X'
    """
    for line in source.splitlines():
        if line.strip():
            m = re.match(r"#+\s*(.+)", line.strip())
            return (m.group(1) if m else line.strip())[:200]
    return "FILL IN"


def new_review(name: str, raw: Path | str, reviews_dir: Path | str = "reviews", force: bool = False) -> tuple[Path, Proposal]:
    """Scaffold ``reviews_dir/name`` from the text ``raw``; return the directory and the proposal.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "t.txt").write_text("# A review\\n\\n## 1. Results\\n\\nPFS 7.4 months.\\n", encoding="utf-8")
    >>> target, proposal = new_review("demo", tmp / "t.txt", tmp / "reviews")
    >>> sorted(p.name for p in target.iterdir()), proposal.tables["values"]["value"].tolist()
    (['external', 'extracted', 'raw'], ['7.4'])

    Raises
    ------
    DataError
        for a name that is not a plain folder name, a text that is not UTF-8, or an existing
        non-empty directory (unless ``force``).
    """
    if not NAME_RE.fullmatch(name):
        raise DataError([Problem("NAME", None, None, f"{name!r} is not a plain folder name (letters, digits, _ . -)")])
    raw = Path(raw)
    if not raw.is_file():
        raise FileNotFoundError(f"{raw}: no such text file")
    data = raw.read_bytes()
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError([Problem(str(raw), None, None, f"not UTF-8 at byte {e.start}")]) from None
    target = Path(reviews_dir) / name
    if target.exists() and any(target.iterdir()) and not force:
        raise DataError([Problem(str(target), None, None, "exists and is not empty (choose another NAME)")])
    proposal = write_proposal(raw, target)
    text = next((target / "raw").glob("*.txt")).name
    (target / "raw" / "CITATION.md").write_text(CITATION_STUB.format(
        text=text, title=guess_title(source), sha256=hashlib.sha256(data).hexdigest()), encoding="utf-8")
    (target / "external").mkdir(exist_ok=True)
    (target / "external" / "README.md").write_text(EXTERNAL_README, encoding="utf-8")
    return target, proposal
