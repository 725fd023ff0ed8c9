"""The one exception the engine raises for bad input data, and its problem records."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

#: how many problems a DataError message lists before summarising the rest
MAX_SHOWN = 20


@dataclass(frozen=True, order=True)
class Problem:
    """One failing cell (or file, or column) of an input file.

    ``row`` is the 1-based row number as a spreadsheet shows it (header = row 1,
    first data row = row 2); ``None`` when the problem concerns the whole file or
    a whole column. ``column`` is ``None`` when the problem concerns a whole file
    or a whole row.
    """

    file: str
    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        return f"{', '.join(where)}: {self.problem}"


class DataError(ValueError):
    """Input data that cannot be a faithful extraction (or cannot be read).

    The message lists ``FILE, row ROW, column "COLUMN": PROBLEM`` for every
    problem (at most :data:`MAX_SHOWN`, then a count of the rest); all problems
    are kept in :attr:`problems`.

    Examples
    --------
    >>> err = DataError([Problem("values.csv", 3, "value", "not a number")])
    >>> print(err)
    1 problem in the extracted data:
      values.csv, row 3, column "value": not a number
    """

    def __init__(self, problems: Iterable[Problem] | str, max_shown: int = MAX_SHOWN):
        if isinstance(problems, str):
            problems = [Problem("-", None, None, problems)]
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the extracted data:"]
        lines += [f"  {p}" for p in self.problems[:max_shown]]
        if n > max_shown:
            lines.append(f"  ... and {n - max_shown} more")
        super().__init__("\n".join(lines))
