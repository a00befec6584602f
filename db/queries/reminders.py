"""The record of reminders sent, as the administrator reads it on the Admin page: when, to whom, which kind, for
which team's meeting or which action. Never a message's words (they are not kept)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from db.access import require_admin
from db.models import Action, Family, Meeting, Reminder, Team, User
from db.session import reading
from risk.reminders import ReminderKind

LOG_SHOWN = 500


@dataclass(frozen=True)
class ReminderLogRow:
    sent_at: dt.datetime | None  # never None here: only sent reminders are listed
    recipient: str
    email: str
    kind: ReminderKind
    team: str | None
    meeting_on: dt.date | None
    action_id: int | None


def reminder_log(engine: Engine, actor: User | None, limit: int = LOG_SHOWN) -> tuple[list[ReminderLogRow], int]:
    """The latest reminders sent (newest first, at most `limit`), and how many have been sent in all."""
    require_admin(actor)
    meeting_team, action_team = aliased(Team), aliased(Team)
    with reading(engine) as session:
        total = session.scalar(select(func.count(Reminder.id)).where(Reminder.sent_at.is_not(None))) or 0
        rows = session.execute(
            select(
                Reminder.sent_at,
                User.display_name,
                User.email,
                Reminder.kind,
                func.coalesce(meeting_team.name, action_team.name),
                Meeting.held_on,
                Reminder.action_id,
            )
            .join(User, User.id == Reminder.recipient_id)
            .outerjoin(Meeting, Meeting.id == Reminder.meeting_id)
            .outerjoin(meeting_team, meeting_team.id == Meeting.team_id)
            .outerjoin(Action, Action.id == Reminder.action_id)
            .outerjoin(Family, Family.id == Action.family_id)
            .outerjoin(action_team, action_team.id == Family.team_id)
            .where(Reminder.sent_at.is_not(None))
            .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
            .limit(limit)
        ).all()
        return [ReminderLogRow(*row) for row in rows], total
