"""Gather what the risk rules need about every family of a team at one meeting.

Six set-based queries, each bounded by the team's families at that date, so ranking a caseload never reads
another team's rows: the families (with when each was last rated and discussed, from one grouped pass over their
ratings, and their overdue actions), their children and plans, who works with them, this meeting's ratings, their
ratings at each family's last few earlier rated meetings (for persistent disagreement), and the previous meeting's
stored scores (the meeting found and its scores read in one statement). Fewer round trips matter on a database
across the network.
No access checks here: callers (queries and services) check the actor first. A restricted family is never among
the families (db.access.visible_families).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from db.access import visible_families
from db.models import (
    Action,
    Child,
    Family,
    FamilyDiscussion,
    FamilyRiskScore,
    Involvement,
    LegalStatusPeriod,
    Meeting,
    Rating,
    Team,
    User,
)
from risk import inputs
from risk.persistence import PERSISTENCE_WINDOW
from risk.policies import known_or_default
from risk.vocabulary import LegalStatus


def open_on(day: dt.date) -> ColumnElement[bool]:
    """Families open on `day` (a family closed on the meeting day is still discussed that day)."""
    return and_(Family.opened_on <= day, or_(Family.closed_on.is_(None), Family.closed_on >= day))


def _previous_scored(meeting: Meeting) -> Select[int, dt.date]:
    """The id and date of the team's latest earlier meeting with stored scores, as a statement to build on."""
    return (
        select(Meeting.id, Meeting.held_on)
        .where(
            Meeting.team_id == meeting.team_id,
            Meeting.held_on < meeting.held_on,
            select(FamilyRiskScore.id).where(FamilyRiskScore.meeting_id == Meeting.id).exists(),
        )
        .order_by(Meeting.held_on.desc())
        .limit(1)
    )


def previous_scored_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The team's latest earlier meeting with stored scores: what 'last month' means for the trend."""
    found = session.execute(_previous_scored(meeting)).first()
    return None if found is None else session.get(Meeting, found.id)


def _earlier_ratings(
    session: Session, day: dt.date, child_family: dict[int, int], rated_now: set[int]
) -> dict[int, list[inputs.EarlierRatings]]:
    """These children's ratings at each family's last few meetings before `day` that rated one of them, by family:
    the persistence window less this meeting for the families in `rated_now`, and a whole window for the rest,
    whose pattern is read from the earlier meetings alone while nobody has rated them at this one.

    The meetings are numbered back from the newest per family (a window function, on SQLite and PostgreSQL alike)
    in the same statement that reads the ratings, so it is one round trip however many families the team has, and
    only the window's ratings are read in full.
    """
    # first each family's rated meetings, from the (child, meeting) index alone, numbered back from the newest;
    # then the ratings of the few meetings in the window, through the (meeting, child, practitioner) key
    rated = (
        select(Child.family_id, Rating.meeting_id)
        .join(Child, Child.id == Rating.child_id)
        .where(Rating.child_id.in_(child_family))
        .distinct()
        .subquery("rated")
    )
    numbered = (
        select(
            rated.c.family_id,
            rated.c.meeting_id,
            Meeting.held_on,
            func.row_number()
            .over(partition_by=rated.c.family_id, order_by=(Meeting.held_on.desc(), Meeting.id.desc()))
            .label("back"),
        )
        .join(Meeting, Meeting.id == rated.c.meeting_id)
        .where(Meeting.held_on < day)
        .subquery("numbered")
    )
    query = (
        select(numbered.c.family_id, numbered.c.held_on, Rating.child_id, Rating.practitioner_id, User.role, Rating.rag)
        .join(Rating, Rating.meeting_id == numbered.c.meeting_id)
        .join(Child, and_(Child.id == Rating.child_id, Child.family_id == numbered.c.family_id))
        .join(User, User.id == Rating.practitioner_id)
        .where(
            numbered.c.back
            <= case((numbered.c.family_id.in_(rated_now), PERSISTENCE_WINDOW - 1), else_=PERSISTENCE_WINDOW),
            Rating.child_id.in_(child_family),
        )
    )
    by_meeting: dict[tuple[int, dt.date], list[inputs.Rating]] = defaultdict(list)
    for row in session.execute(query):
        by_meeting[row.family_id, row.held_on].append(
            inputs.Rating(row.child_id, row.practitioner_id, row.role, row.rag)
        )
    history: dict[int, list[inputs.EarlierRatings]] = defaultdict(list)
    for (family_id, held_on), ratings in sorted(by_meeting.items()):
        history[family_id].append(inputs.EarlierRatings(held_on, tuple(ratings)))
    return history


def team_policy(session: Session, team_id: int) -> str:
    """The team's rule for combining ratings, as an administrator set it (`set_team_policy`): its live ranking,
    its family cards and the scores stored when its meetings close all follow it.

    A name this version does not know (set by a later version, then rolled back) must not stop the meeting: the
    default rule ranks it, and the setting keeps the name it was given."""
    return known_or_default(session.scalar(select(Team.policy).where(Team.id == team_id))).name


def last_discussed_before(day: dt.date, family_ids: Select[int]) -> Select[int, dt.date]:
    """(family id, last day discussed) for the families in `family_ids`: the latest meeting before `day` at which
    the chair marked the family discussed. Only the meeting's own record counts: a family somebody rated but the
    meeting never talked about was not discussed."""
    return (
        select(FamilyDiscussion.family_id, func.max(Meeting.held_on).label("last_discussed"))
        .join(Meeting, Meeting.id == FamilyDiscussion.meeting_id)
        .where(
            FamilyDiscussion.family_id.in_(family_ids),
            FamilyDiscussion.discussed_at.is_not(None),
            Meeting.held_on < day,
        )
        .group_by(FamilyDiscussion.family_id)
    )


def families_at_meeting(
    session: Session, meeting: Meeting, family_ids: list[int] | None = None
) -> list[inputs.FamilyAtMeeting]:
    """Every family of the meeting's team open on its date (or just `family_ids`), as risk-rule inputs."""
    day = meeting.held_on
    in_team = select(Family.id).where(Family.team_id == meeting.team_id, open_on(day), visible_families())
    if family_ids is not None:
        in_team = in_team.where(Family.id.in_(family_ids))
    # one pass over these families' ratings up to the meeting: the last meeting each was rated at
    rated = (
        select(Child.family_id, func.max(Meeting.held_on).label("last_rated"))
        .join(Rating, Rating.child_id == Child.id)
        .join(Meeting, Meeting.id == Rating.meeting_id)
        .where(Child.family_id.in_(in_team), Meeting.held_on <= day)
        .group_by(Child.family_id)
        .subquery("rated")
    )
    discussed = last_discussed_before(day, in_team).subquery("discussed")
    overdue = select(func.count(Action.id)).where(
        Action.family_id == Family.id,
        Action.due_on < day,
        or_(Action.completed_on.is_(None), Action.completed_on > day),
    )
    query = (
        select(
            Family.id,
            Family.case_reference,
            Family.opened_on,
            rated.c.last_rated,
            discussed.c.last_discussed,
            overdue.scalar_subquery().label("overdue"),
        )
        .outerjoin(rated, rated.c.family_id == Family.id)
        .outerjoin(discussed, discussed.c.family_id == Family.id)
        .where(Family.id.in_(in_team))
    )
    # sorted here, not by the database: an ORDER BY on the reference tempts PostgreSQL to walk every family of
    # the service in reference order instead of the team's few
    families = sorted(session.execute(query).all(), key=lambda f: f.case_reference)
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
    for involved in session.execute(
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
        professionals[involved.family_id].append(inputs.Professional(involved.id, involved.role))

    ratings: dict[int, list[inputs.Rating]] = defaultdict(list)
    for rated_row in session.execute(
        select(Rating.child_id, Rating.practitioner_id, User.role, Rating.rag)
        .join(User, User.id == Rating.practitioner_id)
        .where(Rating.meeting_id == meeting.id, Rating.child_id.in_(child_family))
    ):
        ratings[child_family[rated_row.child_id]].append(
            inputs.Rating(rated_row.child_id, rated_row.practitioner_id, rated_row.role, rated_row.rag)
        )

    history = _earlier_ratings(session, day, child_family, set(ratings))

    before = _previous_scored(meeting).subquery("before")
    previous: dict[int, inputs.PreviousScore] = {
        row.family_id: inputs.PreviousScore(row.band, row.score, row.held_on)
        for row in session.execute(
            select(FamilyRiskScore.family_id, FamilyRiskScore.band, FamilyRiskScore.score, before.c.held_on)
            .join(before, before.c.id == FamilyRiskScore.meeting_id)
            .where(FamilyRiskScore.family_id.in_(ids))
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
            last_rated_on=f.last_rated,
            last_discussed_on=f.last_discussed,
            overdue_actions=f.overdue,
            as_of=day,
            history=tuple(history[f.id]),
        )
        for f in families
    ]
