"""Persistent disagreement: the same split between professionals, meeting after meeting.

One red beside a green at one meeting is already flagged. Disguised compliance (parents telling one worker what
they want to hear) shows as a pattern over months instead: the same child rated red by one professional and green
by another at most recent meetings, or the same role rating the children less severely than everyone else, time
after time. A chair cannot see that from one month's card, so the rule looks back over the family's last few rated
meetings.

"Its last meetings" are the family's last `window` meetings, this one included, at which anyone rated one of its
children: a meeting where nobody rated the family offers no evidence either way, so it neither counts nor breaks
the pattern.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from risk.inputs import FamilyAtMeeting, Rating
from risk.vocabulary import RAG, Role

PERSISTENCE_WINDOW = 4
"""How many of the family's most recent rated meetings the rule looks at."""
PERSISTENCE_THRESHOLD = 3
"""At how many of them the split must show to be a pattern rather than a bad month."""


class PersistenceKind(enum.StrEnum):
    """Which pattern was found; red against green is the stronger one and is reported first when both hold."""

    RED_AND_GREEN = "red_and_green"
    ONE_ROLE_LOWER = "one_role_lower"


@dataclass(frozen=True, slots=True)
class PersistentDisagreement:
    """A pattern found at `meetings` of the family's last `considered` rated meetings, with what to name in words.

    For red against green, `child_id` was rated green by `lower_role` and red by `higher_role` at `named_meetings`
    of them. For one role rating lower, `lower_role` rated `child_id` less severely than every other professional
    at `named_meetings` of them (`higher_role` is None). `named_meetings` is below `meetings` when the pattern
    moved between children or roles from month to month.
    """

    kind: PersistenceKind
    meetings: int
    considered: int
    child_id: int
    lower_role: Role
    higher_role: Role | None
    named_meetings: int


def rated_meetings(family: FamilyAtMeeting, window: int = PERSISTENCE_WINDOW) -> tuple[tuple[Rating, ...], ...]:
    """The ratings of the family's last `window` rated meetings, this one included when rated, newest first."""
    for earlier in family.history:
        if earlier.held_on >= family.as_of:
            raise ValueError(
                f"Family {family.case_reference} has earlier ratings dated {earlier.held_on}, "
                f"not before its meeting on {family.as_of}"
            )
    dates = [earlier.held_on for earlier in family.history]
    if len(dates) != len(set(dates)):
        raise ValueError(f"Family {family.case_reference} has two sets of earlier ratings on the same date")
    rated_earlier = sorted((e for e in family.history if e.ratings), key=lambda e: e.held_on, reverse=True)
    meetings = ([family.ratings] if family.ratings else []) + [e.ratings for e in rated_earlier]
    return tuple(tuple(ratings) for ratings in meetings[:window])


def _by_child(ratings: Iterable[Rating]) -> dict[int, list[Rating]]:
    children: dict[int, list[Rating]] = {}
    for rating in ratings:
        children.setdefault(rating.child_id, []).append(rating)
    return children


def red_green_splits(ratings: Iterable[Rating]) -> set[tuple[int, Role, Role]]:
    """Every (child, role rating green, role rating red) at one meeting: who stood on each side of the split."""
    splits = set()
    for child_id, given in _by_child(ratings).items():
        green = {r.practitioner_role for r in given if r.rag is RAG.GREEN}
        red = {r.practitioner_role for r in given if r.rag is RAG.RED}
        splits |= {(child_id, low, high) for low in green for high in red}
    return splits


def lowest_roles(ratings: Iterable[Rating]) -> set[tuple[int, Role]]:
    """Every (child, role) where all that role's ratings of the child sit below every other role's at one meeting.

    "Below every other rater": the role's most severe rating is still less severe than the least severe rating of
    anyone in another role, and someone in another role did rate the child. At most one role per child can hold.
    """
    lowest = set()
    for child_id, given in _by_child(ratings).items():
        for role in {r.practitioner_role for r in given}:
            own = [r.rag.level for r in given if r.practitioner_role is role]
            others = [r.rag.level for r in given if r.practitioner_role is not role]
            if others and max(own) < min(others):
                lowest.add((child_id, role))
    return lowest


def _most_often(counts: Counter[tuple[int, Role, Role | None]]) -> tuple[tuple[int, Role, Role | None], int]:
    """The (child, role, role) seen at the most meetings, with that count; ties go to the lowest child id, then
    role order, so the same ratings always name the same child and roles."""

    def key(item: tuple[tuple[int, Role, Role | None], int]) -> tuple[int, int, int, int]:
        (child_id, low, high), count = item
        return (-count, child_id, low.order, -1 if high is None else high.order)

    return min(counts.items(), key=key)


def _red_against_green(meetings: Sequence[tuple[Rating, ...]], threshold: int) -> PersistentDisagreement | None:
    splits = [red_green_splits(ratings) for ratings in meetings]
    showing = sum(1 for found in splits if found)
    if showing < threshold:
        return None
    counts: Counter[tuple[int, Role, Role | None]] = Counter(split for found in splits for split in found)
    (child_id, low, high), named = _most_often(counts)
    return PersistentDisagreement(PersistenceKind.RED_AND_GREEN, showing, len(meetings), child_id, low, high, named)


def _one_role_lower(meetings: Sequence[tuple[Rating, ...]], threshold: int) -> PersistentDisagreement | None:
    lowest = [lowest_roles(ratings) for ratings in meetings]
    # a role counts once per meeting, whichever of the children it rated lowest
    by_role = Counter(role for found in lowest for role in {role for _, role in found})
    repeated = {role: count for role, count in by_role.items() if count >= threshold}
    if not repeated:
        return None
    role = min(repeated, key=lambda r: (-repeated[r], r.order))
    counts: Counter[tuple[int, Role, Role | None]] = Counter(
        (child_id, role, None) for found in lowest for child_id, lower in found if lower is role
    )
    (child_id, _, _), named = _most_often(counts)
    return PersistentDisagreement(
        PersistenceKind.ONE_ROLE_LOWER, repeated[role], len(meetings), child_id, role, None, named
    )


def persistent_disagreement(
    family: FamilyAtMeeting, window: int = PERSISTENCE_WINDOW, threshold: int = PERSISTENCE_THRESHOLD
) -> PersistentDisagreement | None:
    """Red against green for some child at `threshold` or more of the last `window` rated meetings; failing that,
    one role below every other rater of some child at `threshold` or more of them. None when neither holds.

    The result does not depend on the order of the ratings or of the earlier meetings.
    """
    if not 1 <= threshold <= window:
        raise ValueError(f"The threshold ({threshold}) must be between 1 and the window ({window})")
    meetings = rated_meetings(family, window)
    return _red_against_green(meetings, threshold) or _one_role_lower(meetings, threshold)
