"""The columns of a caseload import file: one row per child, the family's columns repeated on each of its rows.

One definition serves the reader (which columns must be there), the downloadable template (header and example
row) and the documentation, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.imports.plan import ALLOCATABLE_WORDS
from risk.presentation import FAMILY_NAME_MAX
from risk.vocabulary import LegalStatus


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    """A required column must be in the file; its cells may still be empty where `what` says so."""
    what: str
    example: str


DATES = "a date, dd/mm/yyyy (31/01/2019) or yyyy-mm-dd (2019-01-31)"

COLUMNS: tuple[Column, ...] = (
    Column(
        "family_reference", True, "The family's case reference in your case system (up to 40 characters).", "F-1032"
    ),
    Column("team", True, "The name of the team that holds the case, exactly as on the Admin page.", "Oak team"),
    Column("opened_on", True, f"When the case opened: {DATES}.", "05/01/2026"),
    Column(
        "allocated_social_worker_email",
        True,
        f"Email of the allocated social worker ({ALLOCATABLE_WORDS} of the team). "
        "Leave the cell empty while the case is unallocated.",
        "sam.khan@example.org",
    ),
    Column("child_reference", True, "The child's own case reference (up to 40 characters).", "C-2064"),
    Column("child_first_name", True, "The child's first name (up to 80 characters).", "Amy"),
    Column("date_of_birth", True, f"The child's date of birth: {DATES}.", "02/03/2018"),
    Column(
        "legal_status",
        True,
        "The child's plan now: "
        + ", ".join(f"{s.value} ({s.label})" for s in LegalStatus)
        + ". The code or the name may be used; capitals do not matter.",
        "cp",
    ),
    Column("legal_status_from", True, f"When the plan in legal_status started: {DATES}.", "05/01/2026"),
    Column(
        "involved_practitioner_emails",
        True,
        "Emails of everyone working with the family who rates its children, separated by ';' (include the "
        "allocated social worker). Each must be an active member of the team; a psychologist may instead "
        "belong to the team's office. May be empty.",
        "sam.khan@example.org; jo.reid@example.org",
    ),
    Column(
        "family_closed_on",
        False,
        f"When the case closed: {DATES}. Leave empty while the case is open. The column itself may be left out.",
        "",
    ),
    Column(
        "display_name",
        False,
        f"The family's name as your case system holds it, shown beside the case reference (up to "
        f"{FAMILY_NAME_MAX} characters): usually the surname, or the surnames separated by ' / ' (Jones / Ahmed). "
        "An empty cell, or a file without the column, leaves the name held as it is.",
        "Jones / Ahmed",
    ),
)

COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = frozenset(c.name for c in COLUMNS if c.required)
FAMILY_COLUMNS = (
    "team",
    "opened_on",
    "allocated_social_worker_email",
    "involved_practitioner_emails",
    "family_closed_on",
    "display_name",
)
"""Columns that describe the family, so they must read the same on every row of that family."""
