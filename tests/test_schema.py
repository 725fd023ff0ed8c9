"""The documented schema (data/extracted/README.md) and the code's column lists agree."""
import re

from helpers import paths
from helpers.schema import COLUMNS


def test_every_column_documented_in_its_readme_section():
    readme = (paths.EXTRACTED / "README.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", readme, flags=re.M)
    for table, columns in COLUMNS.items():
        sec = next(s for s in sections if s.startswith(f"{table}.csv"))
        documented = set(re.findall(r"^\| ([a-z_]+(?:, [a-z_]+)*) \|", sec, flags=re.M))
        names = {n for group in documented for n in group.split(", ")}
        assert set(columns) <= names, (table, sorted(set(columns) - names))


def test_real_tables_have_exactly_the_schema_columns():
    from helpers.review import read_table

    for table, columns in COLUMNS.items():
        assert list(read_table(paths.EXTRACTED / f"{table}.csv").columns) == columns, table
