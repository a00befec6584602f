"""The meeting's own record of which families supervision discussed, and for how long.

The chair's screen is the clock: once the chair starts it, a family counts as being discussed from the moment its
card is open on the chair's screen until the chair opens another, pauses the clock or closes the meeting, and every
stretch adds to its time. Only the
chair writes here (a team manager of the team, while the meeting is open), and every mark, unmark and change of
meeting length is audited. Opening a card moves what followers see, so it is audited too.

Each change locks the meeting row first, so two screens of the same chair cannot interleave their updates of the
running clock or both create a family's record.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db.access import require_manager_of, visible_families
from db.errors import InvalidInput, MeetingClosed, NotFound
from db.models import Family, FamilyDiscussion, Meeting, User, utcnow
from db.queries.meeting_inputs import open_on
from db.services.audit import record
from db.services.meeting_changes import bump_meeting_change
from db.session import transaction
from risk.schedule import LONGEST_MEETING_MINUTES
from risk.vocabulary import MeetingStatus


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back stored times without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _open_meeting(session: Session, actor: User | None, meeting_id: int) -> tuple[User, Meeting]:
    meeting = session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        raise NotFound("That meeting does not exist.")
    actor = require_manager_of(session, actor, meeting.team_id)
    if meeting.status is not MeetingStatus.OPEN:
        raise MeetingClosed(
            f"The meeting of {meeting.held_on:%d/%m/%Y} has closed, so its record of discussion is final."
        )
    return actor, meeting


def family_on_caseload(session: Session, meeting: Meeting, family_id: int) -> Family:
    """The family, if it is on the meeting's caseload (the team's, open on the meeting date) and not restricted:
    what the chair may discuss or decide on. A restricted family is not on it, as for every case service."""
    family = session.scalars(
        select(Family).where(
            Family.id == family_id, Family.team_id == meeting.team_id, open_on(meeting.held_on), visible_families()
        )
    ).one_or_none()
    if family is None:
        raise NotFound("That family is not on this meeting's caseload.")
    return family


def _discussion(session: Session, meeting_id: int, family_id: int) -> FamilyDiscussion:
    found = session.scalars(
        select(FamilyDiscussion).where(
            FamilyDiscussion.meeting_id == meeting_id, FamilyDiscussion.family_id == family_id
        )
    ).one_or_none()
    if found is None:
        found = FamilyDiscussion(meeting_id=meeting_id, family_id=family_id, seconds_spent=0)
        session.add(found)
    return found


def stop_the_clock(session: Session, meeting: Meeting, now: dt.datetime) -> None:
    """Add the time the open family has been on the chair's screen to its record, and restart its clock at `now`."""
    if meeting.focus_family_id is None or meeting.focus_opened_at is None:
        return
    elapsed = int((now - as_utc(meeting.focus_opened_at)).total_seconds())
    discussion = _discussion(session, meeting.id, meeting.focus_family_id)
    discussion.seconds_spent = (discussion.seconds_spent or 0) + max(elapsed, 0)
    meeting.focus_opened_at = now


def _move_focus(session: Session, actor: User, meeting: Meeting, family: Family, now: dt.datetime) -> None:
    """The family left behind keeps its time; the clock, if running, now counts for `family`."""
    if meeting.focus_family_id == family.id:
        return
    before = meeting.focus_family_id
    running = meeting.focus_opened_at is not None
    stop_the_clock(session, meeting, now)
    meeting.focus_family_id, meeting.focus_opened_at = family.id, (now if running else None)
    record(
        session,
        actor,
        "meeting.focus",
        "meeting",
        meeting.id,
        before={"family_id": before},
        after={"family_id": family.id},
    )
    bump_meeting_change(session, meeting.id)


def open_family(engine: Engine, actor: User | None, meeting_id: int, family_id: int) -> None:
    """The chair opens a family's card, and everyone following the chair sees it."""
    with transaction(engine) as session:
        actor, meeting = _open_meeting(session, actor, meeting_id)
        if meeting.focus_family_id != family_id:
            _move_focus(session, actor, meeting, family_on_caseload(session, meeting, family_id), utcnow())


def run_the_clock(engine: Engine, actor: User | None, meeting_id: int, family_id: int, running: bool) -> None:
    """Start (or pause) counting time for the family open on the chair's screen.

    The clock is the chair's to start: a meeting is open for ratings for days before the team sits down, and a
    card left open on the chair's screen meanwhile is not a discussion."""
    with transaction(engine) as session:
        actor, meeting = _open_meeting(session, actor, meeting_id)
        now = utcnow()
        _move_focus(session, actor, meeting, family_on_caseload(session, meeting, family_id), now)
        if running == (meeting.focus_opened_at is not None):
            return
        stop_the_clock(session, meeting, now)
        meeting.focus_opened_at = now if running else None
        record(session, actor, "meeting.clock", "meeting", meeting.id, after={"running": running})
        bump_meeting_change(session, meeting.id)


def mark_discussed(
    engine: Engine,
    actor: User | None,
    meeting_id: int,
    family_id: int,
    discussed: bool = True,
    *,
    then_open: int | None = None,
) -> FamilyDiscussion:
    """Mark (or unmark) a family discussed; with `then_open`, move the chair's screen to that family in the same
    step ("Next family"), so the time of the two families is split at one moment."""
    with transaction(engine) as session:
        actor, meeting = _open_meeting(session, actor, meeting_id)
        family = family_on_caseload(session, meeting, family_id)
        now = utcnow()
        if meeting.focus_family_id == family.id:
            stop_the_clock(session, meeting, now)
        discussion = _discussion(session, meeting.id, family.id)
        was = discussion.discussed_at is not None
        discussion.discussed_at = now if discussed else None
        discussion.marked_by_id = actor.id
        session.flush()
        record(
            session,
            actor,
            "discussion.mark" if discussed else "discussion.unmark",
            "family",
            family.id,
            before={"meeting_id": meeting.id, "discussed": was},
            after={"meeting_id": meeting.id, "discussed": discussed, "seconds_spent": discussion.seconds_spent},
        )
        if then_open is not None:
            _move_focus(session, actor, meeting, family_on_caseload(session, meeting, then_open), now)
        bump_meeting_change(session, meeting.id)
        return discussion


def set_meeting_length(engine: Engine, actor: User | None, meeting_id: int, minutes: int | None) -> None:
    """The time the team has for the meeting, so the page can say how long each remaining family can have."""
    if minutes is not None and not 1 <= minutes <= LONGEST_MEETING_MINUTES:
        raise InvalidInput(f"A meeting length is between 1 and {LONGEST_MEETING_MINUTES} minutes.")
    with transaction(engine) as session:
        actor, meeting = _open_meeting(session, actor, meeting_id)
        if meeting.planned_minutes == minutes:
            return
        record(
            session,
            actor,
            "meeting.length",
            "meeting",
            meeting.id,
            before={"planned_minutes": meeting.planned_minutes},
            after={"planned_minutes": minutes},
        )
        meeting.planned_minutes = minutes
        bump_meeting_change(session, meeting.id)
