"""Command line: ``python -m helpers validate [DATA_DIR]`` and ``python -m helpers coverage [DATA_DIR] [OUT_CSV]``.

Also ``propose``, ``diff-extraction`` and ``new-review`` (the extraction assistant,
:mod:`helpers.extract.commands`).

Exit status 0 on success, 2 on bad input data (the DataError message goes to stderr,
without a traceback unless the environment variable ``HELPERS_DEBUG=1``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import paths
from .errors import DataError

EXIT_DATA_ERROR = 2


def _validate(args: argparse.Namespace) -> int:
    from .validation import validate_data_dir

    review = validate_data_dir(args.data_dir)
    counts = ", ".join(f"{name} {len(df)}" for name, df in [*review.tables.items(),
                                                            *((f"external/{n}", t) for n, t in review.external.items())])
    print(f"OK: {Path(args.data_dir)} valid ({counts} rows)")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from .coverage import coverage_ledger
    from .validation import validate_data_dir, write_csv_atomic

    review = validate_data_dir(args.data_dir)
    ledger = coverage_ledger(review)
    out = Path(args.out_csv) if args.out_csv else paths.OUTPUTS / "extraction_coverage.csv"
    write_csv_atomic(ledger, out)
    counts = ledger["status"].value_counts()
    summary = ", ".join(f"{s} {int(counts.get(s, 0))}"
                        for s in ("extracted", "not_a_statistic", "unexplained"))
    print(f"coverage: {len(ledger)} tokens ({summary}) -> {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="validate the extracted tables against the source")
    v.add_argument("data_dir", nargs="?", default=str(paths.DATA))
    v.set_defaults(func=_validate)
    c = sub.add_parser("coverage", help="write the coverage ledger of the article's numeric tokens")
    c.add_argument("data_dir", nargs="?", default=str(paths.DATA))
    c.add_argument("out_csv", nargs="?", default=None,
                   help="output CSV (default: outputs/extraction_coverage.csv)")
    c.set_defaults(func=_coverage)
    from .extract.commands import add_commands

    add_commands(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (DataError, FileNotFoundError) as e:
        if os.environ.get("HELPERS_DEBUG") == "1":
            raise
        print(f"error: {e}", file=sys.stderr)
        return EXIT_DATA_ERROR
