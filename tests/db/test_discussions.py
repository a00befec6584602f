"""The meeting's record of discussion: marks, the chair's clock, following, closing with families not discussed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from db.errors import InvalidInput, MeetingClosed, ServiceError
from db.models import AuditEvent, Family, FamilyDiscussion, Involvement, Meeting
from db.queries.discussions import meeting_discussions
from db.services.discussions import mark_discussed, open_family, run_the_clock, set_meeting_length
from db.services.meetings import close_meeting
from db.session import reading, transaction
from tests.db.factories import Team1, make_team


@pytest.fixture
def teams(engine: Engine) -> tuple[Team1, Team1, Family]:
    """Two teams; the first has a second family, so the chair can move between families."""
    with transaction(engine) as s:
        team, other = make_team(s), make_team(s, "Hitchin", ref="H-1")
        second = Family(
            team=team.team, case_reference="F-2", social_worker=team.social_worker, opened_on=team.family.opened_on
        )
        s.add(second)
        s.add(Involvement(family=second, practitioner=team.social_worker, started_on=team.family.opened_on))
        s.flush()
        s.expunge_all()
    return team, other, second


def _started_minutes_ago(engine: Engine, meeting_id: int, minutes: int) -> None:
    """Move the running clock's start back, as if the card had been open for `minutes`."""
    with transaction(engine) as s:
        meeting = s.get_one(Meeting, meeting_id)
        if meeting.focus_opened_at is not None:  # a paused clock has no start to move
            meeting.focus_opened_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)


def _verbs(engine: Engine) -> list[str]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_marks_are_recorded_undone_and_audited(engine: Engine, teams: tuple[Team1, Team1, Family]) -> None:
    team, _, _ = teams
    mark_discussed(engine, team.manager, team.meeting.id, team.family.id)
    record = meeting_discussions(engine, team.social_worker, team.meeting.id)
    assert record.discussed(team.family.id) and record.kept
    mark_discussed(engine, team.manager, team.meeting.id, team.family.id, discussed=False)
    assert not meeting_discussions(engine, team.manager, team.meeting.id).discussed(team.family.id)
    assert _verbs(engine)[-2:] == ["discussion.mark", "discussion.unmark"]
    with reading(engine) as s:
        (row,) = s.scalars(select(FamilyDiscussion)).all()
        assert (row.discussed_at, row.marked_by_id) == (None, team.manager.id)


def test_time_counts_only_while_the_chairs_clock_runs(engine: Engine, teams: tuple[Team1, Team1, Family]) -> None:
    team, _, second = teams
    open_family(engine, team.manager, team.meeting.id, team.family.id)
    assert meeting_discussions(engine, team.manager, team.meeting.id).seconds(team.family.id) == 0

    run_the_clock(engine, team.manager, team.meeting.id, team.family.id, running=True)
    _started_minutes_ago(engine, team.meeting.id, 4)
    running = meeting_discussions(engine, team.manager, team.meeting.id)
    assert running.clock_running and 240 <= running.seconds(team.family.id) < 250  # the open stretch counts live

    # "Next family": the family left is marked and keeps its four minutes, the clock now counts for the next one
    mark_discussed(engine, team.manager, team.meeting.id, team.family.id, then_open=second.id)
    _started_minutes_ago(engine, team.meeting.id, 2)
    run_the_clock(engine, team.manager, team.meeting.id, second.id, running=False)
    record = meeting_discussions(engine, team.social_worker, team.meeting.id)
    assert record.focus_family_id == second.id and not record.clock_running
    assert 240 <= record.seconds(team.family.id) < 250
    assert 120 <= record.seconds(second.id) < 130
    assert record.discussed_ids == {team.family.id}


def test_closing_stops_the_clock_and_counts_families_not_discussed(
    engine: Engine, teams: tuple[Team1, Team1, Family]
) -> None:
    team, _, second = teams
    run_the_clock(engine, team.manager, team.meeting.id, second.id, running=True)
    _started_minutes_ago(engine, team.meeting.id, 3)
    mark_discussed(engine, team.manager, team.meeting.id, second.id)

    closed = close_meeting(engine, team.manager, team.meeting.id)

    assert (closed.scores, closed.not_discussed) == (2, 1)
    record = meeting_discussions(engine, team.manager, team.meeting.id)
    assert (record.is_open, record.focus_family_id, record.clock_running) == (False, None, False)
    assert 180 <= record.seconds(second.id) < 190
    with reading(engine) as s:
        close = s.scalars(select(AuditEvent).where(AuditEvent.verb == "meeting.close")).one()
        assert close.after["not_discussed"] == 1
    with pytest.raises(MeetingClosed):
        mark_discussed(engine, team.manager, team.meeting.id, team.family.id)


def test_the_meeting_length_is_checked_and_audited(engine: Engine, teams: tuple[Team1, Team1, Family]) -> None:
    team, _, _ = teams
    with pytest.raises(InvalidInput, match="between 1 and 600 minutes"):
        set_meeting_length(engine, team.manager, team.meeting.id, 0)
    set_meeting_length(engine, team.manager, team.meeting.id, 120)
    set_meeting_length(engine, team.manager, team.meeting.id, 120)  # unchanged: no second event
    assert meeting_discussions(engine, team.social_worker, team.meeting.id).planned_minutes == 120
    assert _verbs(engine).count("meeting.length") == 1


def test_only_the_teams_manager_writes_and_only_the_team_reads(
    engine: Engine, teams: tuple[Team1, Team1, Family]
) -> None:
    team, other, _ = teams
    for actor in (team.social_worker, team.mental_health, other.manager, None):
        with pytest.raises(ServiceError):
            mark_discussed(engine, actor, team.meeting.id, team.family.id)
        with pytest.raises(ServiceError):
            open_family(engine, actor, team.meeting.id, team.family.id)
        with pytest.raises(ServiceError):
            run_the_clock(engine, actor, team.meeting.id, team.family.id, running=True)
        with pytest.raises(ServiceError):
            set_meeting_length(engine, actor, team.meeting.id, 60)
    with pytest.raises(ServiceError):
        meeting_discussions(engine, other.social_worker, team.meeting.id)
    with pytest.raises(ServiceError, match="not on this meeting's caseload"):
        open_family(engine, team.manager, team.meeting.id, other.family.id)  # another team's family
    with reading(engine) as s:
        assert s.scalars(select(FamilyDiscussion)).all() == []
