"""Recording supervision's decisions as actions (what, who, by when) and marking them done.

Actions are agreed in the meeting, so only the chair (the team manager) records them, and only while the meeting is
open. Who does it must be someone working with the family, so the action reaches a person who knows the case.
Overdue actions feed next month's ranking, which is why dates are checked against the meeting, not the clock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, or_, select

from db.access import AccessDenied, require_case_team, require_manager_of, visible_families
from db.errors import InvalidInput, MeetingClosed, NotFound
from db.models import ACTION_TEXT_MAX, Action, Family, Involvement, Meeting, User
from db.plain_text import clean_text
from db.queries.meeting_inputs import open_on
from db.services.audit import record
from db.services.meeting_changes import bump_meeting_change, bump_open_meetings
from db.session import transaction
from risk.vocabulary import MANAGER_ROLES, MeetingStatus


def _clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Write what was agreed before saving the action.")
    if len(text) > ACTION_TEXT_MAX:
        raise InvalidInput(f"An action can be at most {ACTION_TEXT_MAX} characters; this one has {len(text)}.")
    return clean_text(text, what="The action", limit=ACTION_TEXT_MAX, multiline=True)


def add_action(
    engine: Engine,
    actor: User | None,
    meeting_id: int,
    family_id: int,
    text: str,
    owner_id: int,
    due_on: dt.date,
) -> Action:
    """Record an action agreed at an open meeting for a family on its caseload. Audited with its full text."""
    text = _clean_text(text)
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        actor = require_manager_of(session, actor, meeting.team_id)
        day = meeting.held_on
        if meeting.status is not MeetingStatus.OPEN:
            raise MeetingClosed(f"The meeting of {day:%d/%m/%Y} has closed, so no more actions can be recorded at it.")
        family = session.scalars(
            select(Family).where(
                Family.id == family_id, Family.team_id == meeting.team_id, open_on(day), visible_families()
            )
        ).one_or_none()
        if family is None:
            raise NotFound("That family is not on this meeting's caseload.")
        if due_on < day:
            raise InvalidInput(
                f"The due date {due_on:%d/%m/%Y} is before the meeting of {day:%d/%m/%Y}; choose that day or later."
            )
        owner = session.scalars(
            select(User)
            .join(Involvement, Involvement.practitioner_id == User.id)
            .where(
                User.id == owner_id,
                User.active.is_(True),
                Involvement.family_id == family.id,
                Involvement.started_on <= day,
                or_(Involvement.ended_on.is_(None), Involvement.ended_on > day),
            )
            .limit(1)
        ).first()
        if owner is None:
            raise InvalidInput(
                f"The person responsible must be a professional working with family {family.case_reference}."
            )
        action = Action(family_id=family.id, meeting_id=meeting.id, text=text, owner_id=owner.id, due_on=due_on)
        session.add(action)
        session.flush()
        record(
            session,
            actor,
            "action.create",
            "action",
            action.id,
            after={
                "family_id": family.id,
                "meeting_id": meeting.id,
                "text": text,
                "owner_id": owner.id,
                "due_on": due_on.isoformat(),
            },
        )
        bump_meeting_change(session, meeting.id)
        return action


def complete_action(
    engine: Engine, actor: User | None, action_id: int, completed_on: dt.date, *, today: dt.date | None = None
) -> Action:
    """Mark an action done on `completed_on` (not before it was agreed, not in the future). The team manager or
    the person responsible may do it; it is never undone silently, so a second completion is refused."""
    today = today or dt.date.today()
    with transaction(engine) as session:
        action = session.get(Action, action_id)
        if action is None:
            raise NotFound("That action does not exist.")
        actor = require_case_team(session, actor, action.family.team_id)
        if action.family.restricted_at is not None:
            raise NotFound("That action does not exist.")
        if actor.role not in MANAGER_ROLES and actor.id != action.owner_id:
            raise AccessDenied("Only the team manager or the person responsible can mark an action done.")
        if action.completed_on is not None:
            raise InvalidInput(f"This action was already marked done on {action.completed_on:%d/%m/%Y}.")
        meeting = session.get(Meeting, action.meeting_id) if action.meeting_id is not None else None
        agreed_on = meeting.held_on if meeting is not None else action.created_at.date()
        if completed_on < agreed_on:
            raise InvalidInput(
                f"An action agreed on {agreed_on:%d/%m/%Y} cannot have been done on {completed_on:%d/%m/%Y}."
            )
        if completed_on > today:
            raise InvalidInput("An action can only be marked done on today's date or earlier.")
        action.completed_on = completed_on
        record(
            session,
            actor,
            "action.complete",
            "action",
            action.id,
            before={"completed_on": None},
            after={"completed_on": completed_on.isoformat()},
        )
        bump_open_meetings(session, [action.family.team_id])  # its card and the overdue count of the open meeting
        return action
