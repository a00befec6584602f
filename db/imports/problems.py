"""What is wrong with an import file, in words a data officer can act on, and the refusals that carry them."""

from __future__ import annotations

from dataclasses import dataclass

from db.errors import InvalidInput


@dataclass(frozen=True)
class Problem:
    """One thing to fix. `row` is the spreadsheet's own row number (the column names are row 1), so the officer
    can go straight to it; `column` is None when the problem is about the whole row."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


class FileRefused(InvalidInput):
    """The file as a whole is not a caseload file (wrong type, empty, too big, wrong columns): nothing is read."""


class ImportRefused(InvalidInput):
    """The file was read but some rows are wrong: nothing was changed. `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, p.column or "", p.message))
        count = len(self.problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        more = f" and {count - 3} more" if count > 3 else ""
        super().__init__(
            f"Nothing was imported: the file has {count} problem{'s' if count != 1 else ''} to fix first "
            f"({first}{more})."
        )
