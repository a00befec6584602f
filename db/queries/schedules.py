"""A team's schedule as the pages need it: the editor's view of the rule and the coming meetings, and the next
meeting of each of the actor's teams (the sidebar's line: "Oak team: Tue 8 Dec, 10:00 · 7 ratings for you to
enter")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.access import case_team_ids, require_active, require_schedule_keeper
from db.models import Meeting, MeetingSchedule, ScheduleChange, Team, User
from db.queries.meeting_inputs import families_at_meeting
from db.services.ratings import rateable_family_ids
from db.session import reading
from db.settings import council_today
from risk.schedule import Change, Occurrence, ScheduleRule, covered, next_meeting, short_day, upcoming, when_words
from risk.signals import missing_ratings
from risk.vocabulary import MeetingStatus

UPCOMING_SHOWN = 6


def rule_of(schedule: MeetingSchedule) -> ScheduleRule:
    """The stored rule as the pure rules read it."""
    return ScheduleRule(
        pattern=schedule.pattern,
        weekday=schedule.weekday,
        nth=schedule.nth,
        every_weeks=schedule.every_weeks,
        time=schedule.starts_at,
        planned_minutes=schedule.planned_minutes,
        starts_on=schedule.starts_on,
        open_days_before=schedule.open_days_before,
    )


def changes_of(session: Session, team_id: int) -> list[Change]:
    rows = session.scalars(select(ScheduleChange).where(ScheduleChange.team_id == team_id))
    return [Change(row.scheduled_on, row.moved_to, row.moved_time) for row in rows]


def meeting_dates(session: Session, team_id: int) -> list[dt.date]:
    """Every meeting the team has had or has open: what stands for a scheduled meeting."""
    return list(session.scalars(select(Meeting.held_on).where(Meeting.team_id == team_id)))


def scheduled_on_day(session: Session, team_id: int, day: dt.date) -> Occurrence | None:
    """The team's scheduled meeting held on `day`, if its schedule has one (after moves)."""
    schedule = session.get(MeetingSchedule, team_id)
    if schedule is None:
        return None
    found = [o for o in upcoming(rule_of(schedule), changes_of(session, team_id), day, 1) if o.held_on == day]
    return found[0] if found else None


@dataclass(frozen=True)
class ComingMeeting:
    """One line of the editor's list: a scheduled meeting, whether it was moved or cancelled, and whether a
    meeting already stands for it (then it is moved on the Meeting page, not here)."""

    occurrence: Occurrence
    standing: bool


@dataclass(frozen=True)
class TeamSchedule:
    team_id: int
    team: str
    rule: ScheduleRule | None
    version: int | None
    coming: tuple[ComingMeeting, ...]


def team_schedule(engine: Engine, actor: User | None, team_id: int, today: dt.date | None = None) -> TeamSchedule:
    """The team's rule and its next meetings (cancelled ones included), for whoever keeps the schedule."""
    today = today or council_today()
    with reading(engine) as session:
        require_schedule_keeper(session, actor, team_id)
        team = session.get_one(Team, team_id)
        schedule = session.get(MeetingSchedule, team_id)
        if schedule is None:
            return TeamSchedule(team_id, team.name, None, None, ())
        rule = rule_of(schedule)
        held = meeting_dates(session, team_id)
        coming = tuple(
            ComingMeeting(o, standing=not o.cancelled and covered(rule, o, held))
            for o in upcoming(rule, changes_of(session, team_id), today, UPCOMING_SHOWN, cancelled=True)
        )
        return TeamSchedule(team_id, team.name, rule, schedule.version, coming)


@dataclass(frozen=True)
class NextMeeting:
    """A team's next meeting as one of its staff sees it: open for ratings (with how many are theirs to enter), or
    scheduled (with the day it opens)."""

    team_id: int
    team: str
    held_on: dt.date
    starts_at: dt.time | None
    planned_minutes: int | None
    is_open: bool
    opens_on: dt.date | None
    to_rate: int
    today: dt.date

    def words(self) -> str:
        """'Oak team: Tue 8 Dec, 10:00 · 7 ratings for you to enter'."""
        when = when_words(self.held_on, self.starts_at)
        if self.is_open and self.held_on < self.today:
            head = f"{self.team}: the meeting of {short_day(self.held_on)} is still open"
        else:
            head = f"{self.team}: {when}"
        if not self.is_open:
            opens = self.opens_on or self.held_on
            return f"{head} · opens for ratings {'today' if opens <= self.today else 'on ' + short_day(opens)}"
        if self.to_rate:
            return f"{head} · {self.to_rate} rating{'' if self.to_rate == 1 else 's'} for you to enter"
        return f"{head} · open for ratings"


def _to_rate(session: Session, actor: User, meeting: Meeting) -> int:
    """The actor's ratings still to enter at the meeting, as the chair's 'missing ratings' counts them."""
    family_ids = rateable_family_ids(session, actor, meeting)
    if not family_ids:
        return 0
    return sum(
        len(missing.child_ids)
        for family in families_at_meeting(session, meeting, sorted(family_ids))
        for missing in missing_ratings(family)
        if missing.practitioner_id == actor.id
    )


def next_meetings(engine: Engine, actor: User | None, today: dt.date | None = None) -> list[NextMeeting]:
    """The next meeting of each team whose cases the actor works on, by team name. A team with neither an open
    meeting nor a schedule has no line."""
    today = today or council_today()
    with reading(engine) as session:
        actor = require_active(actor)
        found = []
        for team_id in case_team_ids(session, actor):
            team = session.get_one(Team, team_id)
            meeting = session.scalars(
                select(Meeting)
                .where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.OPEN)
                .order_by(Meeting.held_on)
            ).first()
            if meeting is not None:
                found.append(
                    NextMeeting(
                        team_id,
                        team.name,
                        meeting.held_on,
                        meeting.starts_at,
                        meeting.planned_minutes,
                        is_open=True,
                        opens_on=None,
                        to_rate=_to_rate(session, actor, meeting),
                        today=today,
                    )
                )
                continue
            schedule = session.get(MeetingSchedule, team_id)
            if schedule is None:
                continue
            coming = next_meeting(
                rule_of(schedule), changes_of(session, team_id), meeting_dates(session, team_id), today
            )
            if coming is not None:
                found.append(
                    NextMeeting(
                        team_id,
                        team.name,
                        coming.held_on,
                        coming.time,
                        coming.planned_minutes,
                        is_open=False,
                        opens_on=coming.opens_on,
                        to_rate=0,
                        today=today,
                    )
                )
        return sorted(found, key=lambda n: n.team)


DEFAULT_REVIEW_DAYS = 28
"""A family's next review when the team has no schedule: four weeks on, the month of monthly supervision."""


def next_review_default(session: Session, team_id: int, after: dt.date) -> dt.date:
    """When a family discussed at a meeting on `after` is reviewed next unless the chair says otherwise: the team's
    next scheduled meeting (after moves and cancellations), or four weeks on for a team without a schedule."""
    schedule = session.get(MeetingSchedule, team_id)
    if schedule is not None:
        coming = upcoming(rule_of(schedule), changes_of(session, team_id), after + dt.timedelta(days=1), 1)
        if coming:
            return coming[0].held_on
    return after + dt.timedelta(days=DEFAULT_REVIEW_DAYS)
