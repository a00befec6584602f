"""Caseload imports: the council's own spreadsheet (CSV or .xlsx, one row per child) read, checked in full and
written in one transaction, or refused with every problem listed and nothing changed.

`columns` defines the format, `reading` turns bytes into rows (refusing files that are not what they claim),
`validation` checks rows against the format and the service's teams and people, `service` applies the file.
"""

from db.imports.problems import FileRefused, ImportRefused, Problem
from db.imports.service import ImportSummary, import_caseload

__all__ = ["FileRefused", "ImportRefused", "ImportSummary", "Problem", "import_caseload"]
