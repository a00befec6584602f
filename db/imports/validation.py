"""Check every row of an import file against the import format and the service's teams and people, and read the
rows into the import's plan (plan.py): how each family stands today, for the writer to apply.

Pure functions of the file and the directory (teams by name, people by email), so every rule is tested without a
database and every problem is collected: the officer fixes the whole file in one go, not one error per try.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from db.imports.columns import FAMILY_COLUMNS
from db.imports.directory import Directory, Person, TeamInfo
from db.imports.plan import (
    ALLOCATABLE,
    ALLOCATABLE_WORDS,
    InputKind,
    Place,
    Plan,
    PlannedChild,
    PlannedFamily,
    PlannedTeam,
    Scope,
)
from db.imports.problems import Problem
from db.imports.reading import Cell, RawTable
from db.plain_text import printable, text_problem
from risk.presentation import FAMILY_NAME_MAX
from risk.vocabulary import LegalStatus

REFERENCE_MAX = 40
CELL_MAX = 2_000
"""Any other text cell (a team's name, a list of emails): far longer than any real one."""
FIRST_NAME_MAX = 80
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
CASELOAD_FILE = InputKind("caseload_file", "the file", "caseload import", "not in file")
_STATUS_WORDS = {
    word.lower(): status for status in LegalStatus for word in (status.value, status.label, status.short, status.name)
}


@dataclass
class _FileFamily:
    """A family as the file describes it (its first row gives the family columns; later rows must agree)."""

    reference: str
    team: TeamInfo
    opened_on: dt.date
    social_worker: str | None
    practitioners: frozenset[str]
    closed_on: dt.date | None
    display_name: str | None = None
    children: list[PlannedChild] = field(default_factory=list)

    def planned(self) -> PlannedFamily:
        """In a file of today a practitioner listed works with the family now: from its opening, as far as the
        file can tell (a practitioner new to a family already held starts on the day of the import)."""
        return PlannedFamily(
            reference=self.reference,
            team=_planned_team(self.team),
            opened_on=self.opened_on,
            closed_on=self.closed_on,
            social_worker=self.social_worker,
            children=tuple(self.children),
            involvements={email: ((self.opened_on, None),) for email in sorted(self.practitioners)},
            display_name=self.display_name,
        )


@functools.cache
def _planned_team(team: TeamInfo) -> PlannedTeam:
    return PlannedTeam(team.name, team.office)


def parse_date(value: Cell) -> dt.date:
    """dd/mm/yyyy or yyyy-mm-dd (or a date cell from a workbook). ValueError with the words to show."""
    if isinstance(value, dt.date):
        return value
    text = (value or "").strip()
    match = _UK.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(f"{text!r} is not a date; write dates as dd/mm/yyyy (31/01/2019) or yyyy-mm-dd (2019-01-31)")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} is not a date") from None


def parse_status(value: str) -> LegalStatus:
    status = _STATUS_WORDS.get(" ".join(value.lower().split()))
    if status is None:
        raise ValueError(
            f"{value!r} is not a legal status; use one of "
            + ", ".join(s.value for s in LegalStatus)
            + " (or their names, such as Child Protection plan)"
        )
    return status


def emails(value: str) -> list[str]:
    """The addresses in a cell, separated by ';' (commas are accepted too: no address contains one)."""
    return [e.strip().lower() for e in re.split(r"[;,]", value) if e.strip()]


class _Row:
    """One row's cells with the problems found in them, so each check reads as one line."""

    def __init__(self, number: int, cells: dict[str, Cell], problems: list[Problem]) -> None:
        self.number, self.cells, self.problems = number, cells, problems
        self.ok = True

    def fail(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))
        self.ok = False

    def present(self, column: str) -> bool:
        """False when the cell was already reported (a formula, dangerous text): nothing more to say about it."""
        return column in self.cells

    def text(self, column: str, *, required: bool = True, limit: int | None = None) -> str:
        if not self.present(column):
            self.ok = False
            return ""
        value = self.cells[column]
        text = " ".join(str(value).split()) if value is not None else ""
        if isinstance(value, dt.date):
            text = value.isoformat()
        if required and not text:
            self.fail(column, "is empty")
        elif limit is not None and len(text) > limit:
            self.fail(column, f"{printable(text[:20])}… is longer than {limit} characters")
        elif problem := text_problem(text, limit=CELL_MAX):
            self.fail(column, problem)
        return text

    def date(self, column: str, today: dt.date, *, required: bool = True) -> dt.date | None:
        if not self.present(column):
            self.ok = self.ok and not required
            return None
        value = self.cells[column]
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(column, "is empty")
            return None
        try:
            day = parse_date(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None
        if day > today:
            self.fail(column, f"{day:%d/%m/%Y} is in the future")
        return day


def check_rows(table: RawTable, directory: Directory, today: dt.date, only_team: TeamInfo | None = None) -> Plan:
    """The plan the rows describe, with every problem found. Families with problems are left out of its families;
    the writer refuses a plan that has any problem."""
    problems = list(table.problems)
    families: dict[str, _FileFamily] = {}
    family_cells: dict[str, tuple[int, dict[str, Cell]]] = {}
    broken_families: set[str] = set()
    child_rows: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Row(number, cells, problems)
        reference = row.text("family_reference", limit=REFERENCE_MAX)
        family_values = {c: cells[c] for c in FAMILY_COLUMNS if c in cells}  # cells already reported are left out
        family = _family(row, reference, directory, today, only_team)
        child = _child(row, today, child_rows)
        if not reference:
            continue
        if reference in family_cells:
            first_row, first_values = family_cells[reference]
            for column in FAMILY_COLUMNS:
                if column not in family_values or column not in first_values:
                    continue
                if _same(column, family_values[column], first_values[column]):
                    continue
                row.fail(
                    column,
                    f"family {reference} has {_shown(family_values[column])} here but "
                    f"{_shown(first_values[column])} on row {first_row}; a family's columns must be the same on "
                    "every row of that family",
                )
        else:
            family_cells[reference] = (number, family_values)
            if family is not None:
                families[reference] = family
        if family is None or not row.ok:
            broken_families.add(reference)
        elif child is not None and reference in families:
            families[reference].children.append(child)
    kept = [f.planned() for ref, f in families.items() if ref not in broken_families]
    teams = [_planned_team(only_team)] if only_team else [f.team for f in kept]
    return Plan(Scope.TODAY, tuple(kept), tuple(dict.fromkeys(teams)), problems=tuple(problems))


def _shown(value: object) -> str:
    if value is None or value == "":
        return "nothing"
    return repr(value.strftime("%d/%m/%Y")) if isinstance(value, dt.date) else repr(" ".join(str(value).split()))


def _maybe_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value if isinstance(value, dt.date) else str(value))


def _same(column: str, a: object, b: object) -> bool:
    """Equal as the import reads them: dates as dates, email lists as sets, text ignoring spaces and capitals."""
    if column in ("opened_on", "family_closed_on"):
        try:
            return _maybe_date(a) == _maybe_date(b)
        except ValueError:
            return a == b
    if column == "involved_practitioner_emails":
        return set(emails(str(a or ""))) == set(emails(str(b or "")))
    return " ".join(str(a or "").lower().split()) == " ".join(str(b or "").lower().split())


def _family(
    row: _Row,
    reference: str,
    directory: Directory,
    today: dt.date,
    only_team: TeamInfo | None,
) -> _FileFamily | None:
    team_name = row.text("team")
    team = directory.teams.get(team_name.lower()) if team_name else None
    if team_name and team is None:
        row.fail("team", f"there is no team called {team_name!r}; use a team name from the Admin page")
    elif team is not None and only_team is not None and team.id != only_team.id:
        row.fail("team", f"this import is for {only_team.name} only, but the row is for {team.name}")
    opened_on = row.date("opened_on", today)
    closed_on = row.date("family_closed_on", today, required=False)
    if opened_on and closed_on and closed_on < opened_on:
        row.fail("family_closed_on", f"{closed_on:%d/%m/%Y} is before the case opened ({opened_on:%d/%m/%Y})")

    worker_email = row.text("allocated_social_worker_email", required=False).lower()
    if worker_email and team is not None:
        worker: Person | None = directory.people.get(worker_email)
        if worker is None:
            row.fail("allocated_social_worker_email", f"{worker_email} is not the email of anyone here")
        elif not worker.active or not worker.works_in(team):
            row.fail("allocated_social_worker_email", f"{worker_email} is not an active member of {team.name}")
        elif worker.role not in ALLOCATABLE:
            row.fail(
                "allocated_social_worker_email",
                f"{worker_email} is a {worker.role.label}; a case is allocated to {ALLOCATABLE_WORDS}",
            )

    practitioners: set[str] = set()
    for email in emails(row.text("involved_practitioner_emails", required=False)):
        person = directory.people.get(email)
        if team is None:
            break
        if person is None or not person.works_in(team) or not person.role.rates_children:
            row.fail(None, f"practitioner {email} is not a user of this team")
        elif not person.active:
            row.fail(None, f"practitioner {email} no longer has an active account")
        else:
            practitioners.add(email)
    # optional: a file without the column, or an empty cell, gives no name
    name = row.text("display_name", required=False, limit=FAMILY_NAME_MAX) if row.present("display_name") else ""
    if team is None or opened_on is None or not reference or not row.ok:
        return None
    return _FileFamily(
        reference, team, opened_on, worker_email or None, frozenset(practitioners), closed_on, name or None
    )


def _child(row: _Row, today: dt.date, seen: dict[str, int]) -> PlannedChild | None:
    reference = row.text("child_reference", limit=REFERENCE_MAX)
    if reference:
        if reference in seen:
            row.fail(None, f"duplicate child reference {reference} (also on row {seen[reference]})")
        else:
            seen[reference] = row.number
    first_name = row.text("child_first_name", limit=FIRST_NAME_MAX)
    born = row.date("date_of_birth", today)
    status = None
    status_text = row.text("legal_status")
    if status_text:
        try:
            status = parse_status(status_text)
        except ValueError as exc:
            row.fail("legal_status", str(exc))
    status_from = row.date("legal_status_from", today)
    if not (reference and first_name and born and status and status_from):
        return None
    return PlannedChild(
        reference,
        first_name,
        born,
        ((status, status_from, None),),  # the plan the child is on now
        family_place=Place(row.number, "child_reference"),
        status_place=Place(row.number, "legal_status_from"),
    )
