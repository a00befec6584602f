"""What the risk rules need to know about one family at one supervision meeting.

Plain frozen dataclasses, built alike by the database queries and by the tests, so the rules never need a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from risk.vocabulary import RAG, Band, LegalStatus, Role


@dataclass(frozen=True, slots=True)
class Rating:
    """One professional's red/amber/green for one child at this meeting; at most one per professional per child."""

    child_id: int
    practitioner_id: int
    practitioner_role: Role
    rag: RAG


@dataclass(frozen=True, slots=True)
class Child:
    """A child in the family; ratings are per child, and the legal status breaks ties in the ranking."""

    child_id: int
    first_name: str
    legal_status: LegalStatus | None


@dataclass(frozen=True, slots=True)
class Professional:
    """Someone involved with the family on the meeting date, so expected to rate each of its children."""

    practitioner_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class PreviousScore:
    """The family's stored score at its previous meeting: what this month's trend is measured against."""

    band: Band
    score: float | None
    held_on: date


@dataclass(frozen=True, slots=True)
class EarlierRatings:
    """The family's ratings at one earlier meeting: the months behind a pattern such as persistent disagreement."""

    held_on: date
    ratings: tuple[Rating, ...]


@dataclass(frozen=True, slots=True)
class FamilyAtMeeting:
    """Everything the rules read about a family at one meeting.

    `as_of` is the meeting date. `last_rated_on` is the last earlier meeting at which anyone rated the family
    (ratings at this meeting count as rated on `as_of`); `last_discussed_on` is when supervision last discussed
    it, `None` if never. `children` are the children a professional is expected to rate. `history` holds the
    ratings of these children at the family's most recent earlier meetings (at least as many as the persistence
    window; empty when nothing earlier is known), in any order.
    """

    family_id: int
    case_reference: str
    opened_on: date
    children: tuple[Child, ...]
    professionals: tuple[Professional, ...]
    ratings: tuple[Rating, ...]
    previous: PreviousScore | None
    last_rated_on: date | None
    last_discussed_on: date | None
    overdue_actions: int
    as_of: date
    history: tuple[EarlierRatings, ...] = ()
    display_name: str | None = None
    """The family's name as the case system holds it, for showing (risk.presentation.family_label); no rule reads
    it."""
