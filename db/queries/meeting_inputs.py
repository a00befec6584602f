"""Gather what the risk rules need about every family of a team at one meeting.

A handful of set-based queries, each bounded by the team's families at that date, so ranking a caseload never
reads another team's rows and costs the same on the thousandth meeting as on the first.
No access checks here: callers (queries and services) check the actor first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Date, and_, func, or_, select
from sqlalchemy.orm import Session

from dashboard.risk import inputs
from dashboard.risk.vocabulary import LegalStatus
from db.models import (
    Action,
    Child,
    Family,
    FamilyRiskScore,
    Involvement,
    LegalStatusPeriod,
    Meeting,
    Rating,
    User,
)


def open_on(day: dt.date):  # type: ignore[no-untyped-def]
    """Families open on `day` (a family closed on the meeting day is still discussed that day)."""
    return and_(Family.opened_on <= day, or_(Family.closed_on.is_(None), Family.closed_on >= day))


def previous_scored_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The team's latest earlier meeting with stored scores: what 'last month' means for the trend."""
    return session.scalars(
        select(Meeting)
        .where(
            Meeting.team_id == meeting.team_id,
            Meeting.held_on < meeting.held_on,
            select(FamilyRiskScore.id).where(FamilyRiskScore.meeting_id == Meeting.id).exists(),
        )
        .order_by(Meeting.held_on.desc())
        .limit(1)
    ).first()


def families_at_meeting(
    session: Session, meeting: Meeting, family_ids: list[int] | None = None
) -> list[inputs.FamilyAtMeeting]:
    """Every family of the meeting's team open on its date (or just `family_ids`), as risk-rule inputs."""
    day = meeting.held_on
    query = select(Family.id, Family.case_reference, Family.opened_on).where(
        Family.team_id == meeting.team_id, open_on(day)
    )
    if family_ids is not None:
        query = query.where(Family.id.in_(family_ids))
    families = session.execute(query.order_by(Family.case_reference)).all()
    ids = [f.id for f in families]
    if not ids:
        return []

    children: dict[int, list[inputs.Child]] = defaultdict(list)
    child_family: dict[int, int] = {}
    status_now = and_(
        LegalStatusPeriod.child_id == Child.id,
        LegalStatusPeriod.started_on <= day,
        or_(LegalStatusPeriod.ended_on.is_(None), LegalStatusPeriod.ended_on > day),
    )
    for row in session.execute(
        select(Child.id, Child.family_id, Child.first_name, LegalStatusPeriod.status)
        .outerjoin(LegalStatusPeriod, status_now)
        .where(Child.family_id.in_(ids))
        .order_by(Child.date_of_birth, Child.id)
    ):
        if row.status is LegalStatus.CLOSED:  # a child whose case has closed is no longer rated
            continue
        children[row.family_id].append(inputs.Child(row.id, row.first_name, row.status))
        child_family[row.id] = row.family_id

    professionals: dict[int, list[inputs.Professional]] = defaultdict(list)
    for row in session.execute(
        select(Involvement.family_id, User.id, User.role)
        .join(User, User.id == Involvement.practitioner_id)
        .where(
            Involvement.family_id.in_(ids),
            Involvement.started_on <= day,
            or_(Involvement.ended_on.is_(None), Involvement.ended_on > day),
        )
        .distinct()
        .order_by(Involvement.family_id, User.id)
    ):
        professionals[row.family_id].append(inputs.Professional(row.id, row.role))

    ratings: dict[int, list[inputs.Rating]] = defaultdict(list)
    for row in session.execute(
        select(Rating.child_id, Rating.practitioner_id, User.role, Rating.rag)
        .join(User, User.id == Rating.practitioner_id)
        .where(Rating.meeting_id == meeting.id, Rating.child_id.in_(child_family))
    ):
        ratings[child_family[row.child_id]].append(inputs.Rating(row.child_id, row.practitioner_id, row.role, row.rag))

    previous: dict[int, inputs.PreviousScore] = {}
    before = previous_scored_meeting(session, meeting)
    if before is not None:
        for row in session.execute(
            select(FamilyRiskScore.family_id, FamilyRiskScore.band, FamilyRiskScore.score).where(
                FamilyRiskScore.meeting_id == before.id, FamilyRiskScore.family_id.in_(ids)
            )
        ):
            previous[row.family_id] = inputs.PreviousScore(row.band, row.score, before.held_on)

    last_rated: dict[int, dt.date] = {}
    last_discussed: dict[int, dt.date] = {}
    rated_meetings = (
        select(Child.family_id, Meeting.held_on)
        .join(Rating, Rating.child_id == Child.id)
        .join(Meeting, Meeting.id == Rating.meeting_id)
        .where(Child.family_id.in_(ids), Meeting.held_on <= day)
        .group_by(Child.family_id, Meeting.held_on)
        .subquery()
    )
    for row in session.execute(
        select(
            rated_meetings.c.family_id,
            func.max(rated_meetings.c.held_on).label("last_rated"),
            func.max(func.nullif(rated_meetings.c.held_on, day, type_=Date)).label("last_discussed"),
        ).group_by(rated_meetings.c.family_id)
    ):
        last_rated[row.family_id] = row.last_rated
        if row.last_discussed is not None:
            last_discussed[row.family_id] = row.last_discussed

    overdue: dict[int, int] = {
        family_id: count
        for family_id, count in session.execute(
            select(Action.family_id, func.count())
            .where(
                Action.family_id.in_(ids),
                Action.due_on < day,
                or_(Action.completed_on.is_(None), Action.completed_on > day),
            )
            .group_by(Action.family_id)
        )
    }

    return [
        inputs.FamilyAtMeeting(
            family_id=f.id,
            case_reference=f.case_reference,
            opened_on=f.opened_on,
            children=tuple(children[f.id]),
            professionals=tuple(professionals[f.id]),
            ratings=tuple(ratings[f.id]),
            previous=previous.get(f.id),
            last_rated_on=last_rated.get(f.id),
            last_discussed_on=last_discussed.get(f.id),
            overdue_actions=overdue.get(f.id, 0),
            as_of=day,
        )
        for f in families
    ]
