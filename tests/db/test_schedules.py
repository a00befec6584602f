"""A team's schedule in the database: set by its manager or an administrator (audited, never silently overwritten),
one meeting moved or cancelled, the due meetings opened once with the schedule's time and length, the chair still
able to open and move a meeting by hand, and the next meeting as each person sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.errors import InvalidInput
from db.models import AuditEvent, Meeting, MeetingSchedule, ScheduleChange, User
from db.queries.discussions import meeting_discussions
from db.queries.schedules import next_meetings, team_schedule
from db.services.meetings import close_meeting, move_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.schedules import (
    change_scheduled_meeting,
    open_due_meetings,
    remove_schedule,
    set_schedule,
    undo_schedule_change,
)
from db.session import reading, transaction
from risk.schedule import Pattern, ScheduleRule
from risk.vocabulary import RAG, MeetingStatus, Role
from tests.db.factories import Team1, make_team

SECOND_TUESDAY = ScheduleRule(
    Pattern.MONTHLY, weekday=1, nth=2, time=dt.time(10), planned_minutes=150, starts_on=dt.date(2026, 11, 1)
)
DECEMBER = dt.date(2026, 12, 8)


@pytest.fixture
def team(engine: Engine) -> Team1:
    """A team whose October meeting (14/10/2026) is closed."""
    with transaction(engine) as s:
        built = make_team(s)
        built.meeting.status = MeetingStatus.CLOSED
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
    return built


def _admin(engine: Engine) -> User:
    with reading(engine) as s:
        return s.scalars(select(User).where(User.role == Role.ADMINISTRATOR)).one()


def _meetings(engine: Engine, team: Team1) -> list[tuple[dt.date, MeetingStatus, dt.time | None, int | None]]:
    with reading(engine) as s:
        rows = s.scalars(select(Meeting).where(Meeting.team_id == team.team.id).order_by(Meeting.held_on))
        return [(m.held_on, m.status, m.starts_at, m.planned_minutes) for m in rows]


def _verbs(engine: Engine) -> list[str]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_the_team_manager_sets_their_own_teams_schedule_and_it_is_audited(engine: Engine, team: Team1) -> None:
    version = set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    view = team_schedule(engine, team.manager, team.team.id, today=dt.date(2026, 11, 20))
    assert view.rule == SECOND_TUESDAY and view.version == version
    assert [c.occurrence.held_on for c in view.coming][:3] == [DECEMBER, dt.date(2027, 1, 12), dt.date(2027, 2, 9)]
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "schedule.set")).one()
        assert event.actor_id == team.manager.id and event.before is None
        assert event.after is not None and event.after["time"] == "10:00" and event.after["nth"] == 2


def test_an_administrator_keeps_any_teams_schedule_and_nobody_else_does(engine: Engine, team: Team1) -> None:
    set_schedule(engine, _admin(engine), team.team.id, SECOND_TUESDAY, None)
    with transaction(engine) as s:
        other = make_team(s, name="Other team", ref="F-2")
    for outsider in (team.social_worker, other.manager):
        with pytest.raises(AccessDenied):
            set_schedule(engine, outsider, team.team.id, SECOND_TUESDAY, 1)
        with pytest.raises(AccessDenied):
            change_scheduled_meeting(engine, outsider, team.team.id, DECEMBER, None)
        with pytest.raises(AccessDenied):
            team_schedule(engine, outsider, team.team.id)
    assert _verbs(engine) == ["schedule.set"]


def test_two_people_editing_the_schedule_at_once_cannot_overwrite_each_other(engine: Engine, team: Team1) -> None:
    version = set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    later = ScheduleRule(**{**_fields(SECOND_TUESDAY), "time": dt.time(13, 30)})
    set_schedule(engine, _admin(engine), team.team.id, later, version)
    with pytest.raises(InvalidInput, match="Someone changed this team's schedule"):
        set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, version)
    assert team_schedule(engine, team.manager, team.team.id).rule == later
    with pytest.raises(InvalidInput, match="Someone changed"):
        set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)  # two people creating it at once


def _fields(rule: ScheduleRule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in ScheduleRule.__dataclass_fields__}


def test_a_rule_that_makes_no_sense_is_refused_and_nothing_is_saved(engine: Engine, team: Team1) -> None:
    wrong = ScheduleRule(**{**_fields(SECOND_TUESDAY), "planned_minutes": 0})
    with pytest.raises(InvalidInput, match="A meeting lasts between 1 and 600 minutes"):
        set_schedule(engine, team.manager, team.team.id, wrong, None)
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(MeetingSchedule)) == 0


def test_the_due_meeting_opens_a_week_before_with_the_schedules_time_and_length_and_only_once(
    engine: Engine, team: Team1
) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    assert open_due_meetings(engine, None, today=dt.date(2026, 11, 30)) == []
    [opened] = open_due_meetings(engine, None, today=dt.date(2026, 12, 1))
    assert (
        opened.opened
        and opened.words() == "Opened Stevenage A's meeting of Tuesday 8 December 2026, 10:00 for ratings."
    )
    for day in (dt.date(2026, 12, 1), dt.date(2026, 12, 5), DECEMBER):
        assert open_due_meetings(engine, None, today=day) == []
    assert _meetings(engine, team)[-1] == (DECEMBER, MeetingStatus.OPEN, dt.time(10), 150)
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "meeting.open")).one()
        assert event.actor_id is None and event.after == {
            "team_id": team.team.id,
            "held_on": "2026-12-08",
            "chair_id": None,
            "scheduled": True,
        }


def test_the_planned_length_feeds_the_meeting_clock(engine: Engine, team: Team1) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    open_due_meetings(engine, None, today=dt.date(2026, 12, 1))
    with reading(engine) as s:
        meeting_id = s.scalars(select(Meeting.id).where(Meeting.held_on == DECEMBER)).one()
    assert meeting_discussions(engine, team.manager, meeting_id).planned_minutes == 150


def test_a_team_whose_last_meeting_is_still_open_is_told_so_and_nothing_opens(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        s.get_one(Meeting, team.meeting.id).status = MeetingStatus.OPEN
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    [result] = open_due_meetings(engine, None, today=dt.date(2026, 12, 1))
    assert not result.opened
    assert result.words() == (
        "Did not open Stevenage A's meeting of Tuesday 8 December 2026, 10:00: the meeting of Wednesday 14 October "
        "2026 is still open; its chair closes it on the Meeting page."
    )
    assert len(_meetings(engine, team)) == 1


def test_a_cancelled_meeting_never_opens_and_a_moved_one_opens_a_week_before_its_new_day(
    engine: Engine, team: Team1
) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    change_scheduled_meeting(engine, team.manager, team.team.id, DECEMBER, None)
    change_scheduled_meeting(
        engine, team.manager, team.team.id, dt.date(2027, 1, 12), dt.date(2027, 1, 14), dt.time(13)
    )
    assert open_due_meetings(engine, None, today=dt.date(2026, 12, 1)) == []
    assert open_due_meetings(engine, None, today=dt.date(2027, 1, 6)) == []
    [opened] = open_due_meetings(engine, None, today=dt.date(2027, 1, 7))
    assert (opened.held_on, opened.starts_at) == (dt.date(2027, 1, 14), dt.time(13))
    view = team_schedule(engine, team.manager, team.team.id, today=dt.date(2026, 12, 1))
    assert [(c.occurrence.scheduled_on, c.occurrence.cancelled, c.standing) for c in view.coming[:2]] == [
        (DECEMBER, True, False),
        (dt.date(2027, 1, 12), False, True),
    ]
    assert _verbs(engine).count("schedule.cancel") == 1 and _verbs(engine).count("schedule.move") == 1


def test_a_cancelled_meeting_can_be_put_back(engine: Engine, team: Team1) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    change_scheduled_meeting(engine, team.manager, team.team.id, DECEMBER, None)
    undo_schedule_change(engine, team.manager, team.team.id, DECEMBER)
    [opened] = open_due_meetings(engine, None, today=dt.date(2026, 12, 2))
    assert opened.held_on == DECEMBER and "schedule.restore" in _verbs(engine)


def test_a_meeting_already_open_is_moved_on_the_meeting_page_not_in_the_schedule(engine: Engine, team: Team1) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    open_due_meetings(engine, None, today=dt.date(2026, 12, 1))
    with pytest.raises(InvalidInput, match="already open or held"):
        change_scheduled_meeting(engine, team.manager, team.team.id, DECEMBER, dt.date(2026, 12, 10))


def test_the_chair_moves_an_open_meeting_and_keeps_its_ratings_and_the_schedule_follows(
    engine: Engine, team: Team1
) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    open_due_meetings(engine, None, today=dt.date(2026, 12, 1))
    with reading(engine) as s:
        meeting_id = s.scalars(select(Meeting.id).where(Meeting.held_on == DECEMBER)).one()
    save_ratings(engine, team.social_worker, meeting_id, [RatingEntry(team.child.id, RAG.AMBER)])
    move_meeting(engine, team.manager, meeting_id, dt.date(2026, 12, 22), dt.time(9, 30))
    assert _meetings(engine, team)[-1] == (dt.date(2026, 12, 22), MeetingStatus.OPEN, dt.time(9, 30), 150)
    with reading(engine) as s:
        change = s.scalars(select(ScheduleChange)).one()
        assert (change.scheduled_on, change.moved_to, change.moved_time) == (
            DECEMBER,
            dt.date(2026, 12, 22),
            dt.time(9, 30),
        )
    close_meeting(engine, team.manager, meeting_id)
    with reading(engine) as s:
        assert s.get_one(Meeting, meeting_id).chair_id == team.manager.id  # the schedule opened it; its closer chaired
    assert open_due_meetings(engine, None, today=dt.date(2026, 12, 22)) == []  # 8 Dec is not opened again
    with pytest.raises(AccessDenied):
        move_meeting(engine, team.social_worker, meeting_id, dt.date(2026, 12, 23), None)


def test_the_chair_can_still_open_a_meeting_by_hand_and_it_stands_for_the_scheduled_one(
    engine: Engine, team: Team1
) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    open_meeting(engine, team.manager, team.team.id, dt.date(2026, 12, 7))
    assert open_due_meetings(engine, None, today=dt.date(2026, 12, 3)) == []
    open_meeting_on_schedule = _meetings(engine, team)[-1]
    assert open_meeting_on_schedule == (dt.date(2026, 12, 7), MeetingStatus.OPEN, None, None)


def test_a_meeting_opened_by_hand_on_a_scheduled_day_takes_the_schedules_time_and_length(
    engine: Engine, team: Team1
) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    open_meeting(engine, team.manager, team.team.id, DECEMBER)
    assert _meetings(engine, team)[-1] == (DECEMBER, MeetingStatus.OPEN, dt.time(10), 150)


def test_without_a_schedule_nothing_opens_by_itself(engine: Engine, team: Team1) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    remove_schedule(engine, _admin(engine), team.team.id)
    assert open_due_meetings(engine, None, today=dt.date(2026, 12, 1)) == []
    assert "schedule.remove" in _verbs(engine)


def test_only_an_administrator_or_the_command_line_opens_due_meetings(engine: Engine, team: Team1) -> None:
    with pytest.raises(AccessDenied):
        open_due_meetings(engine, team.manager, today=dt.date(2026, 12, 1))
    assert open_due_meetings(engine, _admin(engine), today=dt.date(2026, 12, 1)) == []


def test_the_next_meeting_says_when_and_how_many_ratings_are_yours(engine: Engine, team: Team1) -> None:
    set_schedule(engine, team.manager, team.team.id, SECOND_TUESDAY, None)
    [coming] = next_meetings(engine, team.social_worker, today=dt.date(2026, 11, 20))
    assert coming.words() == "Stevenage A: Tue 8 Dec, 10:00 · opens for ratings on Tue 1 Dec"
    open_due_meetings(engine, None, today=dt.date(2026, 12, 1))
    [coming] = next_meetings(engine, team.social_worker, today=dt.date(2026, 12, 1))
    assert coming.words() == "Stevenage A: Tue 8 Dec, 10:00 · 1 rating for you to enter"
    assert coming.planned_minutes == 150
    assert next_meetings(engine, _admin(engine)) == []  # administrators have no team's meetings
