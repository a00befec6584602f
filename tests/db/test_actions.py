"""Actions agreed at supervision: recorded by the chair, owned by someone working with the family, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.errors import InvalidInput, MeetingClosed, NotFound
from db.models import Action, AuditEvent
from db.queries.caseload import ranked_caseload
from db.services.actions import add_action, complete_action
from db.services.meetings import close_meeting, open_meeting
from db.session import reading, transaction
from tests.db.factories import MEETING_DAY, Team1, make_team

LATER = MEETING_DAY + dt.timedelta(days=28)


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _add(engine: Engine, team: Team1, **overrides: object) -> Action:
    values: dict[str, object] = {
        "actor": team.manager,
        "meeting_id": team.meeting.id,
        "family_id": team.family.id,
        "text": "Refer Mum to the recovery service",
        "owner_id": team.mental_health.id,
        "due_on": LATER,
    }
    values.update(overrides)
    return add_action(engine, **values)  # type: ignore[arg-type]


def _events(engine: Engine, verb: str) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)))


def test_the_chair_records_an_action_with_what_who_and_by_when(engine: Engine, team: Team1) -> None:
    action = _add(engine, team, text="  Refer Mum to the recovery service  ")
    with reading(engine) as s:
        stored = s.get_one(Action, action.id)
        assert (stored.text, stored.owner_id, stored.due_on, stored.meeting_id, stored.completed_on) == (
            "Refer Mum to the recovery service",
            team.mental_health.id,
            LATER,
            team.meeting.id,
            None,
        )
    [event] = _events(engine, "action.create")
    assert (event.actor_id, event.entity_id) == (team.manager.id, str(action.id))
    assert event.after == {
        "family_id": team.family.id,
        "meeting_id": team.meeting.id,
        "text": "Refer Mum to the recovery service",
        "owner_id": team.mental_health.id,
        "due_on": LATER.isoformat(),
    }


def test_only_the_team_manager_records_actions(engine: Engine, team: Team1) -> None:
    with pytest.raises(AccessDenied, match="Only the team manager"):
        _add(engine, team, actor=team.social_worker)
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    with pytest.raises(AccessDenied):
        _add(engine, team, actor=other.manager)
    with reading(engine) as s:
        assert s.scalars(select(Action)).all() == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "   "}, "Write what was agreed"),
        ({"text": "x" * 1001}, "at most 1000 characters"),
        ({"due_on": MEETING_DAY - dt.timedelta(days=1)}, "before the meeting"),
    ],
)
def test_an_action_needs_words_and_a_date_on_or_after_the_meeting(
    engine: Engine, team: Team1, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _add(engine, team, **overrides)


def test_an_action_can_be_due_on_the_meeting_day_and_use_the_full_length(engine: Engine, team: Team1) -> None:
    action = _add(engine, team, text="x" * 1000, due_on=MEETING_DAY)
    assert (len(action.text), action.due_on) == (1000, MEETING_DAY)


def test_the_owner_must_work_with_the_family(engine: Engine, team: Team1) -> None:
    with pytest.raises(InvalidInput, match="working with family F-1"):
        _add(engine, team, owner_id=team.manager.id)  # the chair is not involved with F-1
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    with pytest.raises(InvalidInput):
        _add(engine, team, owner_id=other.social_worker.id)


def test_actions_are_recorded_only_while_the_meeting_is_open(engine: Engine, team: Team1) -> None:
    close_meeting(engine, team.manager, team.meeting.id)
    with pytest.raises(MeetingClosed, match="has closed"):
        _add(engine, team)


def test_an_action_is_for_a_family_on_the_meetings_caseload(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    with pytest.raises(NotFound, match="not on this meeting's caseload"):
        _add(engine, team, family_id=other.family.id)


def test_the_chair_or_the_owner_marks_an_action_done_once(engine: Engine, team: Team1) -> None:
    first = _add(engine, team)
    second = _add(engine, team, text="Visit school", owner_id=team.social_worker.id)
    done_on = MEETING_DAY + dt.timedelta(days=3)

    with pytest.raises(AccessDenied, match="team manager or the person responsible"):
        complete_action(engine, team.social_worker, first.id, done_on, today=LATER)
    complete_action(engine, team.mental_health, first.id, done_on, today=LATER)
    complete_action(engine, team.manager, second.id, done_on, today=LATER)
    with pytest.raises(InvalidInput, match="already marked done on 17/10/2026"):
        complete_action(engine, team.manager, first.id, LATER, today=LATER)

    with reading(engine) as s:
        assert [a.completed_on for a in s.scalars(select(Action).order_by(Action.id))] == [done_on, done_on]
    events = _events(engine, "action.complete")
    assert [(e.actor_id, e.after) for e in events] == [
        (team.mental_health.id, {"completed_on": done_on.isoformat()}),
        (team.manager.id, {"completed_on": done_on.isoformat()}),
    ]


def test_an_action_is_not_done_before_it_was_agreed_or_in_the_future(engine: Engine, team: Team1) -> None:
    action = _add(engine, team)
    with pytest.raises(InvalidInput, match="agreed on 14/10/2026"):
        complete_action(engine, team.manager, action.id, MEETING_DAY - dt.timedelta(days=1), today=LATER)
    with pytest.raises(InvalidInput, match="today's date or earlier"):
        complete_action(engine, team.manager, action.id, LATER + dt.timedelta(days=1), today=LATER)
    with pytest.raises(NotFound):
        complete_action(engine, team.manager, action.id + 99, LATER, today=LATER)


def test_an_action_not_done_by_next_month_counts_as_overdue_in_the_ranking(engine: Engine, team: Team1) -> None:
    action = _add(engine, team, due_on=MEETING_DAY + dt.timedelta(days=7))
    close_meeting(engine, team.manager, team.meeting.id)
    following = open_meeting(engine, team.manager, team.team.id, LATER)
    _, [entry] = ranked_caseload(engine, team.manager, following.id)
    assert entry.overdue_actions == 1
    assert "1 action overdue." in entry.explanation

    complete_action(engine, team.manager, action.id, LATER, today=LATER)
    _, [entry] = ranked_caseload(engine, team.manager, following.id)
    assert entry.overdue_actions == 0
