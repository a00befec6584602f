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
from db.models import Family, FamilyDiscussion, Meeting, User, utcnow
from db.queries.meeting_inputs import open_on
from db.services.audit import record
from db.services.discussions import stop_the_clock
from db.services.meeting_changes import bump_meeting_change
from db.services.meeting_summaries import store_meeting_summaries
from db.services.scores import store_meeting_scores
from db.session import transaction
from risk.vocabulary import MeetingStatus


@dataclass(frozen=True)
class ClosedMeeting:
    scores: int
    not_discussed: int


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


def open_meeting(engine: Engine, actor: User | None, team_id: int, held_on: dt.date) -> Meeting:
    """Open the team's meeting for `held_on`. A team has at most one open meeting, so ratings go to one place."""
    with transaction(engine) as session:
        actor = require_manager_of(session, actor, team_id)
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
            raise InvalidInput(
                f"The team's last meeting was on {latest:%d/%m/%Y}; a new meeting must be on a later date."
            )
        meeting = Meeting(team_id=team_id, held_on=held_on, status=MeetingStatus.OPEN, chair_id=actor.id)
        session.add(meeting)
        session.flush()
        record(
            session,
            actor,
            "meeting.open",
            "meeting",
            meeting.id,
            after={"team_id": team_id, "held_on": held_on.isoformat(), "chair_id": actor.id},
        )
        return meeting


def close_meeting(engine: Engine, actor: User | None, meeting_id: int) -> ClosedMeeting:
    """Close an open meeting: store every family's score, lock its ratings and stop the discussion clock.

    Closing is allowed with families not yet discussed (a meeting can run out of time); the result says how many,
    and the record keeps which."""
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
        stored = store_meeting_scores(session, actor, meeting)
        store_meeting_summaries(session, [meeting.id])  # what the Service overview adds up, from locked ratings
        closed = ClosedMeeting(scores=stored, not_discussed=_record_families_not_discussed(session, meeting))
        record(
            session,
            actor,
            "meeting.close",
            "meeting",
            meeting.id,
            before={"status": "open"},
            after={"status": "closed", "scores": stored, "not_discussed": closed.not_discussed},
        )
        bump_meeting_change(session, meeting.id)
        return closed
