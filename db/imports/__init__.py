"""Caseload imports: a reader per kind of input turns it into one plan, and one writer applies the plan, all or
nothing, audited; or the import is refused with every problem listed and nothing changed.

- `plan`: the plan every reader returns (families, children, legal status periods, who works with each family,
  closures, problems), and the roles a case may be allocated to.
- Readers: the council's own spreadsheet, CSV or .xlsx with one row per child (`columns` defines the format,
  `reading` turns bytes into rows, `validation` checks the rows against the service's teams and people and
  returns the plan); the Standard Safeguarding Dataset (`ssd`, whose `building` returns the plan).
- `writer`: the one writer (create, update, close, `close_missing`, chunks, the audit trail); `summary`: what an
  import did or would do; `problems`: the one refusal and the problems it lists; `directory`: teams and accounts
  by name and email.
- `service` and `ssd.service`: the entry points, a reader then the writer.

A new kind of input (another case system's extract) needs a reader that returns a `Plan` and an entry point that
calls `writer.apply_plan` with a `writer.Source` describing the input.
"""

from db.imports.problems import FileRefused, ImportRefused, Problem
from db.imports.service import import_caseload
from db.imports.summary import ImportSummary

__all__ = ["FileRefused", "ImportRefused", "ImportSummary", "Problem", "import_caseload"]
