"""docs/data-protection.md lists every column of every table with its category, so the DPIA pack stays true: a new
column fails here until it is documented (and given a category a reviewer can act on)."""

from __future__ import annotations

import re
from pathlib import Path

from db.models import WITHHELD, Base

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-protection.md"
CATEGORIES = {
    "structure",
    "case personal",
    "special category",
    "free text (special category)",
    "staff personal",
    "credential",
    "security record",
    "security record (may hold special category)",
}


def _documented() -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"### `(\w+)`", line):
            current = tables.setdefault(heading.group(1), {})
        elif current is not None and (row := re.fullmatch(r"\| `(\w+)` \| (.+) \|", line)):
            current[row.group(1)] = row.group(2).strip()
    return tables


def test_every_column_of_every_table_is_documented_with_a_category() -> None:
    documented = _documented()
    models = {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}
    assert set(documented) == set(models), "a table is missing from docs/data-protection.md, or one is gone"
    for table, columns in models.items():
        assert set(documented[table]) == columns, f"{table}: document its columns in docs/data-protection.md"
        unknown = {c: cat for c, cat in documented[table].items() if cat not in CATEGORIES}
        assert not unknown, f"{table}: categories must be one of the page's own: {unknown}"


def test_the_credentials_are_the_columns_every_export_withholds() -> None:
    """What the page calls a credential is exactly what the data exit leaves out (db.models.WITHHELD)."""
    documented = _documented()
    credentials = {(t, c) for t, cols in documented.items() for c, cat in cols.items() if cat == "credential"}
    withheld = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns if c.info.get(WITHHELD)}
    assert credentials == withheld
