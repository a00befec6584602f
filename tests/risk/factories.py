"""Builders for risk-rule tests: a family at a meeting written the way a team manager would describe it.

Professionals are short codes ("sw" social worker, "mh" mental health practitioner, ...), children first names,
dates counted back from the meeting day, so a table of examples stays readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from risk.inputs import Child, EarlierRatings, FamilyAtMeeting, PreviousScore, Professional, Rating
from risk.vocabulary import RAG, Band, LegalStatus, Role

MEETING_DAY = dt.date(2026, 3, 11)

ROLES = {
    "sw": Role.SOCIAL_WORKER,
    "sw2": Role.SOCIAL_WORKER,
    "fsw": Role.FAMILY_SUPPORT_WORKER,
    "dap": Role.DOMESTIC_ABUSE_PRACTITIONER,
    "dao": Role.DOMESTIC_ABUSE_OFFICER,
    "sm": Role.SUBSTANCE_MISUSE_WORKER,
    "mh": Role.MENTAL_HEALTH_PRACTITIONER,
    "psy": Role.PSYCHOLOGIST,
    "lead": Role.SERVICE_LEAD,
}
PRACTITIONER_IDS = {code: number for number, code in enumerate(ROLES, start=101)}


def days_ago(days: int) -> dt.date:
    return MEETING_DAY - dt.timedelta(days=days)


Ratings = Mapping[str, Mapping[str, str]]


def make_family(
    ratings: Ratings | None = None,
    *,
    history: Sequence[Ratings] = (),
    children: Sequence[str] | None = None,
    involved: Sequence[str] = (),
    previous: tuple[str, float | None] | None = None,
    legal_status: LegalStatus | None = LegalStatus.CP,
    opened_days_ago: int = 400,
    last_rated_days_ago: int | None = 28,
    last_discussed_days_ago: int | None = 28,
    overdue_actions: int = 0,
    case_reference: str = "FS-0001",
    family_id: int = 1,
) -> FamilyAtMeeting:
    """`ratings` maps a child's first name to {professional code: "red" | "amber" | "green"}.

    Everyone who rated is involved, plus `involved`; children default to those rated (or Amy alone).
    `previous` is last month's (band, score). `history` holds earlier meetings' ratings in the same form, last
    month first, one meeting every 28 days back (an empty mapping is a meeting where nobody rated the family).
    """
    ratings = ratings or {}
    names = list(children or dict.fromkeys([*ratings, *(name for earlier in history for name in earlier)]) or ["Amy"])
    child_ids = {name: number for number, name in enumerate(names, start=1)}
    codes = {code for by_code in ratings.values() for code in by_code} | set(involved)

    def rated(given: Ratings) -> tuple[Rating, ...]:
        return tuple(
            Rating(child_ids[name], PRACTITIONER_IDS[code], ROLES[code], RAG(rag))
            for name, by_code in given.items()
            for code, rag in by_code.items()
        )

    return FamilyAtMeeting(
        family_id=family_id,
        case_reference=case_reference,
        opened_on=days_ago(opened_days_ago),
        children=tuple(Child(child_ids[name], name, legal_status) for name in names),
        professionals=tuple(Professional(PRACTITIONER_IDS[code], ROLES[code]) for code in sorted(codes)),
        ratings=rated(ratings),
        previous=None if previous is None else PreviousScore(Band(previous[0]), previous[1], days_ago(28)),
        last_rated_on=None if last_rated_days_ago is None else days_ago(last_rated_days_ago),
        last_discussed_on=None if last_discussed_days_ago is None else days_ago(last_discussed_days_ago),
        overdue_actions=overdue_actions,
        as_of=MEETING_DAY,
        history=tuple(EarlierRatings(days_ago(28 * n), rated(given)) for n, given in enumerate(history, start=1)),
    )


def ratings_of(child_id: int, *rags: str) -> tuple[Rating, ...]:
    """One child's ratings, one per social worker numbered from 1, for scoring tests that need no family."""
    return tuple(Rating(child_id, number, Role.SOCIAL_WORKER, RAG(rag)) for number, rag in enumerate(rags, start=1))
