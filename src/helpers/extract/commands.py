"""Command-line commands of the extraction assistant (registered by :mod:`helpers.cli`).

``python -m helpers propose RAW.txt OUT_DIR``
    write ``OUT_DIR/raw`` and a proposed ``OUT_DIR/extracted``, then validate it;
``python -m helpers diff-extraction PROPOSED_DIR CURATED_DIR [--out DIR]``
    per-field agreement of two extractions of the same text and every difference;
``python -m helpers new-review NAME RAW.txt [--reviews-dir reviews]``
    scaffold ``reviews/NAME`` (raw text, citation stub, proposed extraction, external/).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import DataError, Problem


def _report(out: Path, proposal) -> None:
    counts = ", ".join(f"{k} {len(v)}" for k, v in proposal.tables.items())
    print(f"proposed: {counts} -> {out / 'extracted'}")
    if proposal.skipped_refs:
        print(f"reference entries without a printed year, left out: {proposal.skipped_refs}")
    print(f"numeric tokens neither proposed nor explained: {proposal.unexplained} "
          f"(python -m helpers coverage {out} lists them as 'unexplained')")


def _refuse_curated(out: Path) -> None:
    """Never overwrite curated rows: a values table whose rows are not all proposed."""
    from ..validation import read_csv_checked

    values = out / "extracted" / "values.csv"
    if values.is_file():
        df = read_csv_checked(values, label=str(values))
        if len(df) and ("origin" not in df.columns or (df["origin"] != "proposed").any()):
            raise DataError([Problem(str(values), None, "origin",
                                     "holds curated rows; propose into another directory")])


def propose_command(args: argparse.Namespace) -> int:
    """``python -m helpers propose RAW OUT_DIR``: write, validate, report."""
    from ..validation import validate_data_dir
    from .propose import write_proposal

    out = Path(args.out_dir)
    _refuse_curated(out)
    raw = Path(args.raw)
    if not raw.is_file():
        raise FileNotFoundError(f"{raw}: no such text file")
    try:
        raw.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError([Problem(str(raw), None, None, f"not UTF-8 at byte {e.start}")]) from None
    proposal = write_proposal(raw, out)
    validate_data_dir(out)
    _report(out, proposal)
    print(f"OK: {out} valid")
    return 0


def diff_command(args: argparse.Namespace) -> int:
    """``python -m helpers diff-extraction PROPOSED CURATED``: report and write the differences."""
    from ..coverage import coverage_ledger
    from ..validation import validate_data_dir, write_csv_atomic
    from .diff import diff_tokens, diff_values, summary

    proposed, curated = validate_data_dir(args.proposed_dir), validate_data_dir(args.curated_dir)
    if proposed.source != curated.source:
        raise DataError([Problem(str(args.curated_dir), None, None,
                                 "its raw text differs from the proposal's: offsets cannot be compared")])
    d = diff_values(proposed.tables["values"], curated.tables["values"])
    tokens = diff_tokens(coverage_ledger(proposed), coverage_ledger(curated))
    out = Path(args.out) if args.out else Path(args.proposed_dir) / "diff"
    write_csv_atomic(d.fields, out / "fields.csv")
    write_csv_atomic(d.differences, out / "differences.csv")
    write_csv_atomic(tokens, out / "tokens.csv")
    print(summary(d))
    print(f"body tokens classified differently (extracted / not_a_statistic / unexplained): {len(tokens)}")
    print(f"-> {out}/fields.csv, differences.csv (one row per difference), tokens.csv")
    return 0


def new_review_command(args: argparse.Namespace) -> int:
    """``python -m helpers new-review NAME RAW``: scaffold, validate, report."""
    from ..validation import validate_data_dir
    from .scaffold import new_review

    target, proposal = new_review(args.name, args.raw, args.reviews_dir, force=args.force)
    validate_data_dir(target)
    _report(target, proposal)
    print(f"OK: {target} valid. First audit: make all DATA_DIR={target} OUT_DIR=build/{args.name}")
    return 0


def add_commands(sub) -> None:
    """Register the commands on the sub-parsers of ``python -m helpers``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_commands(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["propose", "review.txt", "build/p"])
    >>> args.func is propose_command, args.raw, args.out_dir
    (True, 'review.txt', 'build/p')
    """
    p = sub.add_parser("propose", help="propose an extraction of a review's text (raw/ + extracted/)")
    p.add_argument("raw", help="the review's text (UTF-8)")
    p.add_argument("out_dir", help="data directory to write (raw/, extracted/)")
    p.set_defaults(func=propose_command)
    d = sub.add_parser("diff-extraction", help="compare a proposed extraction with a curated one, field by field")
    d.add_argument("proposed_dir")
    d.add_argument("curated_dir")
    d.add_argument("--out", default=None, help="folder for fields.csv, differences.csv, tokens.csv "
                                                "(default: PROPOSED_DIR/diff)")
    d.set_defaults(func=diff_command)
    n = sub.add_parser("new-review", help="scaffold reviews/NAME from a text: raw, citation stub, proposal")
    n.add_argument("name")
    n.add_argument("raw")
    n.add_argument("--reviews-dir", default="reviews")
    n.add_argument("--force", action="store_true", help="write into an existing non-empty directory")
    n.set_defaults(func=new_review_command)
