"""What a team manager wants flagged about a family at supervision, beyond its band and score.

What changed since last month, where professionals disagree (a red beside a green can be disguised compliance, a
signal to discuss, not noise) now and over recent months, whose ratings are missing, which families are drifting
unrated, and overdue actions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from risk.inputs import FamilyAtMeeting, PreviousScore, Professional, Rating
from risk.persistence import PersistentDisagreement, persistent_disagreement
from risk.scoring import FamilyScore, band_level
from risk.vocabulary import RAG, Band, Role

DEFAULT_DRIFT_DAYS = 35
TREND_POINTS = 5
"""A change of this many points or more inside the same band counts as a change, not noise."""


def in_role_order(roles: Iterable[Role]) -> tuple[Role, ...]:
    """Roles in the team's usual order (social workers first), so every list reads the same way each month."""
    return tuple(sorted(roles, key=lambda role: role.order))


class Trend(enum.StrEnum):
    """How the family moved since its previous meeting.

    `NOT_RATED` is for a family nobody has rated this month: there is nothing to compare, and calling it
    unchanged would hide that the team does not know.
    """

    DETERIORATED = "deteriorated"
    NEW = "new"
    NOT_RATED = "not_rated"
    UNCHANGED = "unchanged"
    IMPROVED = "improved"

    @property
    def label(self) -> str:
        return "Not rated yet" if self is Trend.NOT_RATED else self.value.capitalize()


def trend_since(previous: PreviousScore | None, current: FamilyScore) -> Trend:
    """A band change always counts; inside a band, the score must move by 5 points or more."""
    if current.score is None:
        return Trend.NOT_RATED
    if previous is None or previous.score is None or previous.band is Band.UNRATED:
        return Trend.NEW
    band_change = band_level(current.band) - band_level(previous.band)
    # Compare in hundredths: stored scores have 2 decimals, and float subtraction would make 5.00 into 4.9999.
    points_change = round(current.score * 100) - round(previous.score * 100)
    if band_change > 0 or (band_change == 0 and points_change >= TREND_POINTS * 100):
        return Trend.DETERIORATED
    if band_change < 0 or (band_change == 0 and points_change <= -TREND_POINTS * 100):
        return Trend.IMPROVED
    return Trend.UNCHANGED


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A child rated red by some professionals and green by others at the same meeting."""

    child_id: int
    red_by: tuple[Role, ...]
    green_by: tuple[Role, ...]


def disagreements(ratings: Iterable[Rating]) -> tuple[Disagreement, ...]:
    """Only red against green counts: amber beside either is a difference of degree, not of view."""
    roles: dict[tuple[int, RAG], list[Role]] = {}
    for r in ratings:
        roles.setdefault((r.child_id, r.rag), []).append(r.practitioner_role)
    return tuple(
        Disagreement(child_id, in_role_order(roles[child_id, RAG.RED]), in_role_order(roles[child_id, RAG.GREEN]))
        for child_id in sorted({child_id for child_id, _ in roles})
        if (child_id, RAG.RED) in roles and (child_id, RAG.GREEN) in roles
    )


@dataclass(frozen=True, slots=True)
class MissingRating:
    """A professional involved with the family who has not rated some of its children."""

    practitioner_id: int
    role: Role
    child_ids: tuple[int, ...]


def expected_raters(family: FamilyAtMeeting) -> tuple[Professional, ...]:
    """Everyone involved who rates children (service leads and administrators never do), in role order."""
    raters = [p for p in family.professionals if p.role.rates_children]
    return tuple(sorted(raters, key=lambda p: (p.role.order, p.practitioner_id)))


def missing_ratings(family: FamilyAtMeeting) -> tuple[MissingRating, ...]:
    rated = {(r.practitioner_id, r.child_id) for r in family.ratings}
    child_ids = sorted(child.child_id for child in family.children)
    missing = (
        MissingRating(p.practitioner_id, p.role, tuple(c for c in child_ids if (p.practitioner_id, c) not in rated))
        for p in expected_raters(family)
    )
    return tuple(m for m in missing if m.child_ids)


def days_since_rated(family: FamilyAtMeeting) -> int:
    """Days since anyone rated the family; a family never rated counts from the day it opened."""
    if family.ratings:
        return 0
    return (family.as_of - (family.last_rated_on or family.opened_on)).days


@dataclass(frozen=True, slots=True)
class FamilySignals:
    trend: Trend
    disagreements: tuple[Disagreement, ...]
    missing: tuple[MissingRating, ...]
    days_since_rated: int
    drifting: bool
    overdue_actions: int
    persistent: PersistentDisagreement | None = None

    @property
    def missing_count(self) -> int:
        """Missing (professional, child) pairs: the ratings still to be entered."""
        return sum(len(m.child_ids) for m in self.missing)

    @property
    def has_disagreement(self) -> bool:
        return bool(self.disagreements)

    @property
    def has_persistent_disagreement(self) -> bool:
        """The same split between professionals over months: a possible sign of disguised compliance."""
        return self.persistent is not None


def read_signals(family: FamilyAtMeeting, score: FamilyScore, drift_days: int = DEFAULT_DRIFT_DAYS) -> FamilySignals:
    """Drift: an open family not rated for more than `drift_days` days has slipped out of the monthly cycle."""
    days = days_since_rated(family)
    return FamilySignals(
        trend=trend_since(family.previous, score),
        disagreements=disagreements(family.ratings),
        missing=missing_ratings(family),
        days_since_rated=days,
        drifting=days > drift_days,
        overdue_actions=family.overdue_actions,
        persistent=persistent_disagreement(family),
    )
