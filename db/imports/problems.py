"""What is wrong with an import's input, in words a data officer can act on, and the one refusal that carries them.

A problem names the place to fix the way the input's own people find it: a spreadsheet's row number and column
("row 14, date_of_birth: …"), or an extract's table, the row's own id and the column ("ssd_involvements 4711, …").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from db.errors import InvalidInput
from db.plain_text import printable


@dataclass(frozen=True)
class Problem:
    """One thing to fix. `row` is the spreadsheet's own row number (the column names are row 1), so the officer
    can go straight to it, or, with `table`, the row's own id in that table (e.g. the involvement id, or "line N"
    of the CSV file when the table has no id column). `column` is None when the whole row is meant. Row ids are
    shown with any control character replaced, so a bad id cannot garble a terminal or a file."""

    row: int | str
    column: str | None
    message: str
    table: str | None = None

    @property
    def where(self) -> str:
        return f"row {self.row}" if self.table is None else f"{self.table} {printable(str(self.row))}"

    def __str__(self) -> str:
        return self.where + (f", {self.column}" if self.column else "") + f": {self.message}"


def _order(problem: Problem) -> tuple[Any, ...]:
    """By table, then row (row numbers as numbers, row ids as text), column and message."""
    row = problem.row
    return (problem.table or "", isinstance(row, str), row if isinstance(row, int) else 0, str(row),
            problem.column or "", problem.message)  # fmt: skip


class FileRefused(InvalidInput):
    """The input as a whole is not what the import reads (wrong type, empty, too big, wrong columns or tables):
    nothing is read."""


class ImportRefused(InvalidInput):
    """The input was read but some of it is wrong: nothing was changed. `problems` lists every one of them;
    `noun` names the input in the sentence ("the file", "the extract")."""

    def __init__(self, problems: Iterable[Problem], noun: str = "the file") -> None:
        self.problems = sorted(problems, key=_order)
        count = len(self.problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        more = f" and {count - 3} more" if count > 3 else ""
        super().__init__(
            f"Nothing was imported: {noun} has {count} problem{'s' if count != 1 else ''} to fix first ({first}{more})."
        )


def problem_rows(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Problems as table rows for a preview or a CSV of them: a spreadsheet's by row, an extract's by table and
    row id."""
    return [
        ({"Row": p.row} if p.table is None else {"Table": p.table, "Row id": printable(str(p.row))})
        | {"Column": p.column or "(whole row)", "Problem": p.message}
        for p in problems
    ]
