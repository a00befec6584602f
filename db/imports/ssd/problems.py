"""What is wrong with an SSD extract, named the way the council's data team finds it: table, row id, column."""

from __future__ import annotations

from dataclasses import dataclass

from db.errors import InvalidInput
from db.plain_text import printable


@dataclass(frozen=True)
class SsdProblem:
    """One thing to fix in the extract. `row_id` is the row's own id in its table (e.g. the involvement id), or
    "line N" of the CSV file when the table has no id column; `column` is None when the whole row is meant. Ids are
    shown with any control character replaced, so a bad id cannot garble a terminal or a file."""

    table: str
    row_id: str
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table} {printable(self.row_id)}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ExtractRefused(InvalidInput):
    """The extract was read but some rows are wrong: nothing was changed. `problems` lists every one of them."""

    def __init__(self, problems: list[SsdProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.table, p.row_id, p.column or "", p.message))
        count = len(self.problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        more = f" and {count - 3} more" if count > 3 else ""
        super().__init__(
            f"Nothing was imported: the extract has {count} problem{'s' if count != 1 else ''} to fix first "
            f"({first}{more})."
        )


def problem_rows(problems: list[SsdProblem]) -> list[dict[str, str]]:
    """Problems as table rows for a preview or a CSV of them."""
    return [
        {"Table": p.table, "Row id": printable(p.row_id), "Column": p.column or "(whole row)", "Problem": p.message}
        for p in problems
    ]
