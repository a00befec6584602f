"""Opening and closing a team's monthly supervision meeting.

Closing is the moment the record becomes final: the scores of every family are computed and stored with the
policy that made them, and the groups of its ratings that the Service overview adds up (db/services/
meeting_summaries.py), in the same transaction that locks the meeting, so a closed meeting always has both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.access import require_manager_of, visible_families
from db.errors import InvalidInput, MeetingClosed, NotFound
from db.models import Family, FamilyDecision, FamilyDiscussion, Meeting, ScheduleChange, Team, User, utcnow
from db.queries.meeting_inputs import open_on
from db.queries.schedules import scheduled_on_day
from db.services.audit import record
from db.services.discussions import stop_the_clock
from db.services.meeting_changes import bump_meeting_change
from db.services.meeting_summaries import store_meeting_summaries
from db.services.scores import store_meeting_scores
from db.session import transaction
from risk.schedule import clock
from risk.vocabulary import MeetingStatus


@dataclass(frozen=True)
class ClosedMeeting:
    scores: int
    not_discussed: int
    without_decision: tuple[str, ...] = ()
    """The case references of the families marked discussed that have no decision recorded, by reference."""


def discussed_without_decision(session: Session, meeting_id: int) -> tuple[str, ...]:
    """The families a meeting marked discussed that have no decision from the chair, by case reference: what the
    chair is told before and at closing, as the families not discussed are."""
    return tuple(
        session.scalars(
            select(Family.case_reference)
            .join(FamilyDiscussion, FamilyDiscussion.family_id == Family.id)
            .outerjoin(
                FamilyDecision,
                (FamilyDecision.family_id == Family.id) & (FamilyDecision.meeting_id == meeting_id),
            )
            .where(
                FamilyDiscussion.meeting_id == meeting_id,
                FamilyDiscussion.discussed_at.is_not(None),
                FamilyDecision.id.is_(None),
                visible_families(),
            )
            .order_by(Family.case_reference)
        )
    )


def _record_families_not_discussed(session: Session, meeting: Meeting) -> int:
    """Give every family on the caseload a row in the meeting's record of discussion, so the record says "not
    discussed" of the families the meeting did not reach (and is told apart from a meeting held before the record
    existed). Returns how many were not discussed."""
    on_caseload = session.scalars(
        select(Family.id).where(Family.team_id == meeting.team_id, open_on(meeting.held_on), visible_families())
    ).all()
    rows = {
        d.family_id: d
        for d in session.scalars(select(FamilyDiscussion).where(FamilyDiscussion.meeting_id == meeting.id))
    }
    for family_id in set(on_caseload) - rows.keys():
        rows[family_id] = FamilyDiscussion(meeting_id=meeting.id, family_id=family_id, seconds_spent=0)
        session.add(rows[family_id])
    return sum(rows[family_id].discussed_at is None for family_id in on_caseload)


def add_meeting(
    session: Session,
    actor: User | None,
    team_id: int,
    held_on: dt.date,
    *,
    chair: User | None,
    starts_at: dt.time | None = None,
    planned_minutes: int | None = None,
    scheduled: bool = False,
) -> Meeting:
    """Open a meeting inside the caller's transaction, which holds the team's row locked: whether the chair opens it
    by hand or the schedule opens it by itself, the same rules hold. A team has at most one open meeting, so
    ratings go to one place, and its meetings follow one another in date order."""
    already_open = session.scalars(
        select(Meeting).where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.OPEN)
    ).first()
    if already_open is not None:
        raise InvalidInput(
            f"The meeting of {already_open.held_on:%d/%m/%Y} is still open. Close it before opening another."
        )
    if session.scalars(select(Meeting).where(Meeting.team_id == team_id, Meeting.held_on == held_on)).first():
        raise InvalidInput(f"This team already had a meeting on {held_on:%d/%m/%Y}.")
    latest = session.scalar(
        select(Meeting.held_on).where(Meeting.team_id == team_id).order_by(Meeting.held_on.desc()).limit(1)
    )
    if latest is not None and held_on < latest:
        raise InvalidInput(f"The team's last meeting was on {latest:%d/%m/%Y}; a new meeting must be on a later date.")
    meeting = Meeting(
        team_id=team_id,
        held_on=held_on,
        status=MeetingStatus.OPEN,
        chair_id=chair.id if chair is not None else None,
        starts_at=starts_at,
        planned_minutes=planned_minutes,
    )
    session.add(meeting)
    session.flush()
    after: dict[str, object] = {"team_id": team_id, "held_on": held_on.isoformat(), "chair_id": meeting.chair_id}
    if scheduled:
        after["scheduled"] = True
    record(session, actor, "meeting.open", "meeting", meeting.id, after=after)
    return meeting


def open_meeting(
    engine: Engine, actor: User | None, team_id: int, held_on: dt.date, starts_at: dt.time | None = None
) -> Meeting:
    """The chair opens the team's meeting for `held_on` by hand. On a day the team's schedule has a meeting, the
    meeting takes the schedule's time (unless another is given) and planned length."""
    with transaction(engine) as session:
        actor = require_manager_of(session, actor, team_id)
        session.get(Team, team_id, with_for_update=True)  # never at the same moment as `fsdash meetings open-due`
        scheduled = scheduled_on_day(session, team_id, held_on)
        return add_meeting(
            session,
            actor,
            team_id,
            held_on,
            chair=actor,
            starts_at=starts_at or (scheduled.time if scheduled else None),
            planned_minutes=scheduled.planned_minutes if scheduled else None,
        )


def move_meeting(
    engine: Engine, actor: User | None, meeting_id: int, held_on: dt.date, starts_at: dt.time | None
) -> None:
    """The chair moves an open meeting to another day or time; its ratings so far stay with it. When the meeting
    stood on a day of the team's schedule, the schedule records the move too, so that day is not opened again."""
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id, with_for_update=True)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        actor = require_manager_of(session, actor, meeting.team_id)
        session.get(Team, meeting.team_id, with_for_update=True)
        if meeting.status is not MeetingStatus.OPEN:
            raise MeetingClosed(f"The meeting of {meeting.held_on:%d/%m/%Y} has closed, so it stays on its day.")
        if (meeting.held_on, meeting.starts_at) == (held_on, starts_at):
            return
        others = select(Meeting.held_on).where(Meeting.team_id == meeting.team_id, Meeting.id != meeting.id)
        if session.scalars(others.where(Meeting.held_on == held_on)).first() is not None:
            raise InvalidInput(f"This team already had a meeting on {held_on:%d/%m/%Y}.")
        latest = session.scalar(others.order_by(Meeting.held_on.desc()).limit(1))
        if latest is not None and held_on <= latest:
            raise InvalidInput(f"The team's last meeting was on {latest:%d/%m/%Y}; this one must be after it.")
        before = {"held_on": meeting.held_on.isoformat(), "starts_at": clock(meeting.starts_at) or None}
        scheduled = scheduled_on_day(session, meeting.team_id, meeting.held_on)
        if scheduled is not None:
            change = session.scalars(
                select(ScheduleChange).where(
                    ScheduleChange.team_id == meeting.team_id, ScheduleChange.scheduled_on == scheduled.scheduled_on
                )
            ).one_or_none() or ScheduleChange(team_id=meeting.team_id, scheduled_on=scheduled.scheduled_on)
            change.moved_to, change.moved_time, change.made_by_id = held_on, starts_at, actor.id
            session.add(change)
        meeting.held_on, meeting.starts_at = held_on, starts_at
        bump_meeting_change(session, meeting.id)  # who works with whom, and so the ranking, is read on its day
        record(
            session,
            actor,
            "meeting.move",
            "meeting",
            meeting.id,
            before=before,
            after={"held_on": held_on.isoformat(), "starts_at": clock(starts_at) or None},
        )


def close_meeting(engine: Engine, actor: User | None, meeting_id: int) -> ClosedMeeting:
    """Close an open meeting: store every family's score, lock its ratings and stop the discussion clock.

    Closing is allowed with families not yet discussed (a meeting can run out of time) and with discussed families
    that have no decision; the result says how many not discussed and which have no decision, and the record
    keeps which."""
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id, with_for_update=True)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        actor = require_manager_of(session, actor, meeting.team_id)
        if meeting.status is not MeetingStatus.OPEN:
            raise MeetingClosed(f"The meeting of {meeting.held_on:%d/%m/%Y} is already closed.")
        now = utcnow()
        stop_the_clock(session, meeting, now)
        meeting.focus_family_id = meeting.focus_opened_at = None
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = now
        if meeting.chair_id is None:  # opened by the schedule: whoever closes it chaired it, for the record
            meeting.chair_id = actor.id
        stored = store_meeting_scores(session, actor, meeting)
        store_meeting_summaries(session, [meeting.id])  # what the Service overview adds up, from locked ratings
        closed = ClosedMeeting(
            scores=stored,
            not_discussed=_record_families_not_discussed(session, meeting),
            without_decision=discussed_without_decision(session, meeting.id),
        )
        record(
            session,
            actor,
            "meeting.close",
            "meeting",
            meeting.id,
            before={"status": "open"},
            after={
                "status": "closed",
                "scores": stored,
                "not_discussed": closed.not_discussed,
                "without_decision": len(closed.without_decision),
            },
        )
        bump_meeting_change(session, meeting.id)
        return closed
