"""The plan of an import: what the input says the caseload is, in one shape whatever the input's format.

A reader turns one format into a `Plan`, with every problem it found in the input (`validation.check_rows` for the
caseload spreadsheet, `ssd.building.build_plan` for a Standard Safeguarding Dataset extract), and the one writer
(`writer.apply_plan`) brings the records in line with it. A new format, such as another case system's extract,
needs only a reader that returns a Plan.

The plan names things the way the service knows them, not by the database's ids: a person by their email in lower
case (how an account is found), a team by its name with its office's, a family and a child by their case
references. Plain values only, frozen: a reader is a pure function that its tests call without a database.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from db.imports.problems import Problem
from risk.vocabulary import LegalStatus, Role

ALLOCATABLE: tuple[Role, ...] = (Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER)
"""Who a case can be allocated to (the family's lead social worker), whatever the input."""
ALLOCATABLE_WORDS = "a " + ", ".join(r.label for r in ALLOCATABLE[:-1]) + " or " + ALLOCATABLE[-1].label
"""'a social worker, senior practitioner or team manager': the same list in words, for messages and the docs."""

WITHOUT_ACCOUNT = "involvements of professionals without an account"
"""How `ignored` counts the work of people the import cannot match to an account (no email, or no account yet)."""

Period = tuple[LegalStatus, dt.date, dt.date | None]
"""A legal status from a day until the day it ended (that day not included; None while it runs)."""
Stretch = tuple[dt.date, dt.date | None]
"""One stretch of a professional's work with a family: from, until (that day not included; None while it runs)."""


FAMILY_DETAILS = ("opened_on", "closed_on", "display_name")
"""The planned family's fields stored as the Family columns of the same names. The writer creates, compares,
updates and audits exactly these (with the family's team and allocated social worker, which it looks up), so a
detail one more input column gives is a field here, its name in this list, and its reader."""
CHILD_DETAILS = ("first_name", "date_of_birth")
"""The planned child's fields stored as the Child columns of the same names, the same way."""


class Scope(enum.Enum):
    """How much of the past the input holds, which decides how the writer merges it with the records held."""

    TODAY = "today"
    """How things stand today (a spreadsheet's row per child): each child's periods hold one, the plan the child is
    on now, and a professional listed works with the family now. The history held is kept: a new plan ends the
    current one (the same plan with another start corrects that start), a professional not yet working with a
    family held starts on the import day, one no longer listed stops then."""
    HISTORY = "history"
    """The case system's whole history (an SSD extract): each child's periods and each professional's stretches
    replace what is held (a child the input gives no periods keeps what it has); a stretch still running here
    but gone from the input stops on the import day."""


@dataclass(frozen=True, slots=True)
class InputKind:
    """A kind of input, as the refusal, the audit trail and the records it creates name it; each reader's module
    declares its own (validation.CASELOAD_FILE, ssd.building.SSD_EXTRACT)."""

    entity_type: str
    """The import event's entity type: "caseload_file", "ssd_extract"."""
    noun: str
    """How a sentence names the input: "the file" ("Nothing was imported: the file has 2 problems…")."""
    label: str
    """The "source" recorded with each family, team and account the import creates: "caseload import"."""
    closing_reason: str
    """Why `close_missing` closed a family, for its audit event: "not in file"."""


@dataclass(frozen=True, slots=True)
class Place:
    """A place in the input, so that a problem found only when the plan meets the records held (a child already
    in another family) names where to fix it: a spreadsheet's row and column, or an extract's table, row id and
    column."""

    row: int | str
    column: str | None
    table: str | None = None

    def problem(self, message: str) -> Problem:
        return Problem(self.row, self.column, message, self.table)


@dataclass(frozen=True, slots=True)
class PlannedTeam:
    """A team by its name (matched in any capitals), with the office it belongs to if the import creates it."""

    name: str
    office: str


@dataclass(frozen=True, slots=True)
class PlannedChild:
    reference: str
    first_name: str
    date_of_birth: dt.date
    periods: tuple[Period, ...]
    """Oldest first (see Scope for how many)."""
    family_place: Place = field(compare=False)
    """Where the input says which family the child belongs to."""
    status_place: Place = field(compare=False)
    """Where the input gives the child's legal status."""


@dataclass(frozen=True, slots=True)
class PlannedFamily:
    reference: str
    team: PlannedTeam
    opened_on: dt.date
    closed_on: dt.date | None
    social_worker: str | None
    """The allocated social worker's email; None while the case is unallocated."""
    children: tuple[PlannedChild, ...]
    involvements: Mapping[str, tuple[Stretch, ...]]
    """Who works with the family: by email, their stretches with it, oldest first, never overlapping."""
    display_name: str | None = None
    """The family's name (risk.presentation.family_label); None when the input gives none, which leaves the name
    held as it is."""


@dataclass(frozen=True, slots=True)
class PlannedProfessional:
    """Someone the input describes well enough to make an account for, if the import is asked to."""

    professional_id: str
    """The input's own id for them (shown beside the account to create)."""
    name: str
    email: str
    role: Role
    team: PlannedTeam
    """Where a new account is placed: the team of their latest work with an imported family."""


@dataclass(frozen=True, slots=True)
class Plan:
    scope: Scope
    families: tuple[PlannedFamily, ...] = ()
    teams: tuple[PlannedTeam, ...] = ()
    """The teams the input speaks for (every family's team among them): created if missing, and the only teams
    whose families `close_missing` may close."""
    professionals: Mapping[str, PlannedProfessional] = field(default_factory=dict)
    """By the input's own id for them."""
    without_email: tuple[tuple[str, str], ...] = ()
    """(the input's id, name) of people it names without an email to match: what they do is left out."""
    problems: tuple[Problem, ...] = ()
    """Everything wrong with the input; the writer refuses a plan that has any."""
    ignored: Mapping[str, int] = field(default_factory=dict)
    """What the input holds that the import leaves out, counted by a sentence saying what (not an error)."""
