"""A team's meeting schedule, kept by an administrator or the team's own manager, and the meetings it opens.

The rule and its one-off changes are audited like every other change. `open_due_meetings` is what
`fsdash meetings open-due` runs from cron or a systemd timer, possibly on several machines at the same moment: each
team is opened in its own transaction, which first locks the team's row, so a second run waits for the first, then
finds the meeting it opened and leaves it alone. The table's unique (team, date) is the last word if anything
slipped past that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line, require_schedule_keeper
from db.errors import InvalidInput, NotFound
from db.models import Meeting, MeetingSchedule, ScheduleChange, Team, User
from db.queries.schedules import changes_of, meeting_dates, rule_of
from db.services.audit import record
from db.services.meetings import add_meeting
from db.session import reading, transaction
from db.settings import council_today
from risk.schedule import (
    Change,
    Occurrence,
    Pattern,
    ScheduleRule,
    change_problem,
    clock,
    covered,
    due_to_open,
    long_day,
    occurrences,
    rule_problem,
)
from risk.vocabulary import MeetingStatus


def _rule_words(rule: ScheduleRule) -> dict[str, object]:
    """What the audit trail keeps of a rule: every field, as plain values."""
    return {
        "pattern": rule.pattern.value,
        "weekday": rule.weekday,
        "nth": rule.nth,
        "every_weeks": rule.every_weeks,
        "time": clock(rule.time),
        "planned_minutes": rule.planned_minutes,
        "starts_on": rule.starts_on.isoformat(),
        "open_days_before": rule.open_days_before,
    }


def set_schedule(
    engine: Engine, actor: User | None, team_id: int, rule: ScheduleRule, expected_version: int | None
) -> int:
    """Set (or replace) the team's rule. `expected_version` is the version the person saw (None: they saw no
    schedule), so two people editing at once cannot overwrite each other silently. Returns the new version."""
    if (problem := rule_problem(rule)) is not None:
        raise InvalidInput(problem)
    rule = replace(rule, time=rule.time.replace(second=0, microsecond=0, tzinfo=None))
    with transaction(engine) as session:
        actor = require_schedule_keeper(session, actor, team_id)
        schedule = session.get(MeetingSchedule, team_id, with_for_update=True)
        seen = schedule.version if schedule is not None else None
        if seen != expected_version:
            raise InvalidInput(
                "Someone changed this team's schedule since you opened it, so yours was not saved. "
                "Reload the page to see the schedule as it is now."
            )
        before = _rule_words(rule_of(schedule)) if schedule is not None else None
        if schedule is None:
            schedule = MeetingSchedule(team_id=team_id)
            session.add(schedule)
        schedule.pattern, schedule.weekday = rule.pattern, rule.weekday
        schedule.nth = rule.nth if rule.pattern is Pattern.MONTHLY else None
        schedule.every_weeks = rule.every_weeks if rule.pattern is Pattern.WEEKLY else None
        schedule.starts_on, schedule.starts_at = rule.starts_on, rule.time
        schedule.planned_minutes, schedule.open_days_before = rule.planned_minutes, rule.open_days_before
        after = _rule_words(rule_of(schedule))
        if before == after:
            return schedule.version
        schedule.updated_by_id = actor.id
        session.flush()
        record(session, actor, "schedule.set", "team", team_id, before=before, after=after)
        return schedule.version


def remove_schedule(engine: Engine, actor: User | None, team_id: int) -> None:
    """Stop the team's meetings opening by themselves (its meetings are then opened by hand, as before)."""
    with transaction(engine) as session:
        actor = require_schedule_keeper(session, actor, team_id)
        schedule = session.get(MeetingSchedule, team_id, with_for_update=True)
        if schedule is None:
            return
        record(session, actor, "schedule.remove", "team", team_id, before=_rule_words(rule_of(schedule)))
        session.delete(schedule)


def _schedule(session: Session, team_id: int) -> MeetingSchedule:
    schedule = session.get(MeetingSchedule, team_id)
    if schedule is None:
        raise NotFound("This team has no meeting schedule yet. Set one first.")
    return schedule


def change_scheduled_meeting(
    engine: Engine,
    actor: User | None,
    team_id: int,
    scheduled_on: dt.date,
    moved_to: dt.date | None,
    moved_time: dt.time | None = None,
) -> None:
    """Move one scheduled meeting to another day (and perhaps time), or cancel it (`moved_to` None). A meeting that
    is already open is moved by its chair on the Meeting page instead, where its ratings are."""
    with transaction(engine) as session:
        actor = require_schedule_keeper(session, actor, team_id)
        session.get(Team, team_id, with_for_update=True)  # one change to this team's meetings at a time
        rule = rule_of(_schedule(session, team_id))
        existing = session.scalars(
            select(ScheduleChange).where(ScheduleChange.team_id == team_id, ScheduleChange.scheduled_on == scheduled_on)
        ).one_or_none()
        changes = changes_of(session, team_id)
        change = Change(
            scheduled_on, moved_to, None if moved_time is None else moved_time.replace(second=0, microsecond=0)
        )
        if (problem := change_problem(rule, changes, change)) is not None:
            raise InvalidInput(problem)
        standing = [
            o
            for o in _by_scheduled_day(rule, changes, scheduled_on)
            if covered(rule, o, meeting_dates(session, team_id))
        ]
        if standing:
            raise InvalidInput(
                f"The meeting of {long_day(standing[0].held_on)} is already open or held. Its chair moves an open "
                "meeting on the Meeting page."
            )
        before = _change_words(existing)
        if existing is None:
            existing = ScheduleChange(team_id=team_id, scheduled_on=scheduled_on)
            session.add(existing)
        existing.moved_to, existing.moved_time, existing.made_by_id = change.moved_to, change.moved_time, actor.id
        session.flush()
        record(
            session,
            actor,
            "schedule.cancel" if moved_to is None else "schedule.move",
            "team",
            team_id,
            before=before,
            after=_change_words(existing),
        )


def _by_scheduled_day(rule: ScheduleRule, changes: list[Change], scheduled_on: dt.date) -> list[Occurrence]:
    window = dt.timedelta(days=60)
    return [
        o
        for o in occurrences(rule, changes, scheduled_on - window, scheduled_on + window)
        if o.scheduled_on == scheduled_on
    ]


def _change_words(change: ScheduleChange | None) -> dict[str, object] | None:
    if change is None:
        return None
    return {
        "scheduled_on": change.scheduled_on.isoformat(),
        "moved_to": change.moved_to.isoformat() if change.moved_to else None,
        "moved_time": clock(change.moved_time) or None,
    }


def undo_schedule_change(engine: Engine, actor: User | None, team_id: int, scheduled_on: dt.date) -> None:
    """Put a moved or cancelled meeting back on its usual day."""
    with transaction(engine) as session:
        actor = require_schedule_keeper(session, actor, team_id)
        session.get(Team, team_id, with_for_update=True)
        existing = session.scalars(
            select(ScheduleChange).where(ScheduleChange.team_id == team_id, ScheduleChange.scheduled_on == scheduled_on)
        ).one_or_none()
        if existing is None:
            return
        rule = rule_of(_schedule(session, team_id))
        restored = Change(scheduled_on, scheduled_on, None)
        others = [c for c in changes_of(session, team_id) if c.scheduled_on != scheduled_on]
        if (problem := change_problem(rule, others, restored)) is not None:
            raise InvalidInput(problem)
        record(session, actor, "schedule.restore", "team", team_id, before=_change_words(existing))
        session.delete(existing)


# --- opening the meetings that are due ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningResult:
    """What `fsdash meetings open-due` did for one team: opened a meeting, or could not and why."""

    team: str
    held_on: dt.date
    starts_at: dt.time | None
    opened: bool
    reason: str = ""

    def words(self) -> str:
        when = long_day(self.held_on) + (f", {clock(self.starts_at)}" if self.starts_at else "")
        if self.opened:
            return f"Opened {self.team}'s meeting of {when} for ratings."
        return f"Did not open {self.team}'s meeting of {when}: {self.reason}"


def open_due_meetings(engine: Engine, actor: User | None, today: dt.date | None = None) -> list[OpeningResult]:
    """Open, for ratings, every scheduled meeting that is due today (its opening day has come, it has not been held,
    and no meeting stands for it yet), and nothing else. Safe to run as often as anyone likes, from any number of
    machines at once: see the module's docstring."""
    require_admin_or_command_line(actor)
    today = today or council_today()
    with reading(engine) as session:
        teams = session.execute(select(Team.id, Team.name).join(MeetingSchedule).order_by(Team.name)).all()
    results = []
    for team_id, name in teams:
        try:
            result = _open_due(engine, actor, team_id, name, today)
        except IntegrityError:
            continue  # another run opened it between our look and our insert: it is open, once
        if result is not None:
            results.append(result)
    return results


def _open_due(engine: Engine, actor: User | None, team_id: int, name: str, today: dt.date) -> OpeningResult | None:
    with transaction(engine) as session:
        session.get(Team, team_id, with_for_update=True)  # a second run waits here, then sees what this one did
        schedule = session.get(MeetingSchedule, team_id)
        if schedule is None:
            return None
        rule = rule_of(schedule)
        due = due_to_open(rule, changes_of(session, team_id), meeting_dates(session, team_id), today)
        if due is None:
            return None
        still_open = session.scalars(
            select(Meeting.held_on).where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.OPEN)
        ).first()
        if still_open is not None:
            return OpeningResult(
                name,
                due.held_on,
                due.time,
                opened=False,
                reason=f"the meeting of {long_day(still_open)} is still open; its chair closes it on the Meeting page.",
            )
        latest = session.scalar(
            select(Meeting.held_on).where(Meeting.team_id == team_id).order_by(Meeting.held_on.desc()).limit(1)
        )
        if latest is not None and latest > due.held_on:
            return OpeningResult(
                name,
                due.held_on,
                due.time,
                opened=False,
                reason=f"the team already held a later meeting, on {long_day(latest)}.",
            )
        add_meeting(
            session,
            actor,
            team_id,
            due.held_on,
            chair=None,
            starts_at=due.time,
            planned_minutes=due.planned_minutes,
            scheduled=True,
        )
        return OpeningResult(name, due.held_on, due.time, opened=True)
