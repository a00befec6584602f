"""Gather what the risk rules need about every family of a team at one meeting.

Five set-based queries, each bounded by the team's families at that date, so ranking a caseload never reads
another team's rows: the families (with when each was last discussed and their overdue actions), their children
and plans, who works with them, their ratings at this meeting and at each family's last few earlier rated meetings
(for persistent disagreement, and when each was last rated: one statement), and the previous meeting's stored
scores (the meeting found and its scores read in one statement). Fewer round trips matter on a database
across the network.
No access checks here: callers (queries and services) check the actor first. A restricted family is never among
the families (db.access.visible_families).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
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


@dataclass
class _Rated:
    """One family's ratings as the window statement read them: this meeting's, the earlier meetings' of the
    persistence window (newest first) and the date it was last rated at all."""

    now: list[inputs.Rating] = field(default_factory=list)
    earlier: dict[dt.date, list[inputs.Rating]] = field(default_factory=dict)
    last_rated: dt.date | None = None


def _ratings_in_window(session: Session, meeting: Meeting, child_family: dict[int, int]) -> dict[int, _Rated]:
    """These children's ratings at this meeting and at each family's last few earlier rated meetings, by family,
    in one statement: this meeting and every earlier meeting that rated one of a family's children are numbered
    back from this one (a window function, on SQLite and PostgreSQL alike), and only the ratings of the first
    PERSISTENCE_WINDOW are read. That is the persistence window less this meeting for a family rated at it, and a
    whole window of earlier meetings for a family nobody has rated yet (its pattern is read from those alone).

    The newest of them is also when the family was last rated, so the families' statement need not group their
    whole history again. Meetings on the meeting's own day other than this one (another team's) are numbered too,
    after this one, so they count as the last rating but never as an earlier meeting: one more meeting is read for
    that.
    """
    # first each family's rated meetings, from the (child, meeting) index alone, numbered back from this one;
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
            .over(
                partition_by=rated.c.family_id,
                order_by=((Meeting.id == meeting.id).desc(), Meeting.held_on.desc(), Meeting.id.desc()),
            )
            .label("back"),
        )
        .join(Meeting, Meeting.id == rated.c.meeting_id)
        .where(Meeting.held_on <= meeting.held_on)
        .subquery("numbered")
    )
    query = (
        select(
            numbered.c.family_id,
            numbered.c.meeting_id,
            numbered.c.held_on,
            Rating.child_id,
            Rating.practitioner_id,
            User.role,
            Rating.rag,
        )
        .join(Rating, Rating.meeting_id == numbered.c.meeting_id)
        .join(Child, and_(Child.id == Rating.child_id, Child.family_id == numbered.c.family_id))
        .join(User, User.id == Rating.practitioner_id)
        .where(numbered.c.back <= PERSISTENCE_WINDOW + 1, Rating.child_id.in_(child_family))
    )
    found: dict[int, _Rated] = defaultdict(_Rated)
    for row in session.execute(query):
        family = found[row.family_id]
        rating = inputs.Rating(row.child_id, row.practitioner_id, row.role, row.rag)
        if row.meeting_id == meeting.id:
            family.now.append(rating)
        elif row.held_on < meeting.held_on:
            family.earlier.setdefault(row.held_on, []).append(rating)
        if family.last_rated is None or row.held_on > family.last_rated:
            family.last_rated = row.held_on
    return found


def _last_rated_closed_children(session: Session, day: dt.date, closed: dict[int, int]) -> dict[int, dt.date]:
    """When children no longer rated (their own case closed) were last rated, by family: a family's last rating
    counts every child's, while the persistence window reads only the children still rated."""
    last: dict[int, dt.date] = {}
    if not closed:
        return last
    for child_id, held_on in session.execute(
        select(Rating.child_id, func.max(Meeting.held_on))
        .join(Meeting, Meeting.id == Rating.meeting_id)
        .where(Rating.child_id.in_(closed), Meeting.held_on <= day)
        .group_by(Rating.child_id)
    ):
        family_id = closed[child_id]
        last[family_id] = max(held_on, last.get(family_id, held_on))
    return last


def _history(rated: _Rated) -> tuple[inputs.EarlierRatings, ...]:
    """The earlier meetings of the window, oldest first (a family rated now has one fewer: this meeting counts)."""
    keep = PERSISTENCE_WINDOW - 1 if rated.now else PERSISTENCE_WINDOW
    newest = sorted(rated.earlier.items(), reverse=True)[:keep]
    return tuple(inputs.EarlierRatings(held_on, tuple(ratings)) for held_on, ratings in reversed(newest))


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
            Family.display_name,
            Family.opened_on,
            discussed.c.last_discussed,
            overdue.scalar_subquery().label("overdue"),
        )
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
    closed_children: dict[int, int] = {}
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
            closed_children[row.id] = row.family_id
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

    rated = _ratings_in_window(session, meeting, child_family) if child_family else {}
    for family_id, held_on in _last_rated_closed_children(session, day, closed_children).items():
        family_rated = rated.setdefault(family_id, _Rated())
        if family_rated.last_rated is None or held_on > family_rated.last_rated:
            family_rated.last_rated = held_on

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
            ratings=tuple(rated[f.id].now) if f.id in rated else (),
            previous=previous.get(f.id),
            last_rated_on=rated[f.id].last_rated if f.id in rated else None,
            last_discussed_on=f.last_discussed,
            overdue_actions=f.overdue,
            as_of=day,
            history=_history(rated[f.id]) if f.id in rated else (),
            display_name=f.display_name,
        )
        for f in families
    ]
