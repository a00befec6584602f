"""Opening and closing a team's monthly supervision meeting.

Closing is the moment the record becomes final: the scores of every family are computed and stored with the
policy that made them, in the same transaction that locks the meeting, so a closed meeting always has its scores.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from dashboard.risk.vocabulary import MeetingStatus
from db.access import require_manager_of
from db.errors import InvalidInput, MeetingClosed, NotFound
from db.models import Meeting, User, utcnow
from db.services.audit import record
from db.services.scores import store_meeting_scores
from db.session import transaction


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


def close_meeting(engine: Engine, actor: User | None, meeting_id: int) -> int:
    """Close an open meeting: store every family's score and lock its ratings. Returns the number of scores."""
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        actor = require_manager_of(session, actor, meeting.team_id)
        if meeting.status is not MeetingStatus.OPEN:
            raise MeetingClosed(f"The meeting of {meeting.held_on:%d/%m/%Y} is already closed.")
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = utcnow()
        stored = store_meeting_scores(session, actor, meeting)
        record(
            session,
            actor,
            "meeting.close",
            "meeting",
            meeting.id,
            before={"status": "open"},
            after={"status": "closed", "scores": stored},
        )
        return stored
