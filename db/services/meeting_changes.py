"""The change counter of a meeting: how the screens watching an open meeting know, with one look-up, that nothing
they show has changed.

Every open meeting is watched by the chair's shared screen and by whoever follows it, each refreshing by itself
every few seconds. Instead of ranking the caseload again at every refresh, a screen reads the meeting's `changes`
(its own row, by primary key) and redraws only when it moved; the ranking and the family cards computed at a
count are shared by every session of the app process (db/queries/live_meeting.py). That only holds if **every
write that changes what a Meeting page shows bumps the counter in the same transaction**. So:

- A service that writes anything shown on the Meeting page of an open meeting calls
  `bump_meeting_change(session, meeting_id)` inside its transaction: a rating, a professional's update, a
  discussion mark, the chair's focus or clock, the meeting's length, an action, a decision, the close.
- A service whose change reaches the open meetings of whole teams (an action marked done, a closed meeting's
  scores stored again, a team's rule, involvement, a family's dates, a user's role, an import) calls
  `bump_open_meetings(session, team_ids)` (or with no teams: every open meeting).

tests/db/test_meeting_changes.py lists every public function of the write side (db/services, the imports and
records management): a new one fails that test until it is either run there and seen to bump the counter, or
listed with the reason the Meeting page cannot show what it writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import Meeting
from risk.vocabulary import MeetingStatus


def bump_meeting_change(session: Session, meeting_id: int) -> None:
    """Move the meeting's counter on, inside the caller's transaction (so a screen that sees the new count also
    sees the change that moved it). One UPDATE of one row; on PostgreSQL it holds the meeting's row lock until
    the caller commits, so call it once, after the change itself."""
    session.execute(
        update(Meeting).where(Meeting.id == meeting_id).values(changes=Meeting.changes + 1),
        execution_options={"synchronize_session": False},
    )
    _forget_loaded(session, {meeting_id})


def bump_open_meetings(session: Session, team_ids: Iterable[int] | None = None) -> None:
    """Move the counter of every open meeting of these teams (None: of every team), inside the caller's
    transaction: for a change that every open meeting of a team shows (a team has at most one open meeting)."""
    query = update(Meeting).where(Meeting.status == MeetingStatus.OPEN)
    if team_ids is not None:
        teams = set(team_ids)
        if not teams:
            return
        query = query.where(Meeting.team_id.in_(teams))
    session.execute(query.values(changes=Meeting.changes + 1), execution_options={"synchronize_session": False})
    _forget_loaded(session, None)


def _forget_loaded(session: Session, meeting_ids: set[int] | None) -> None:
    """A Meeting already loaded in this session would keep its old count: expire just that attribute, so a later
    read in the same transaction sees the new one."""
    for item in list(session.identity_map.values()):
        if isinstance(item, Meeting) and (meeting_ids is None or item.id in meeting_ids):
            session.expire(item, ["changes"])
