"""When each family was last discussed, as the Caseload page shows it beside the ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from db.access import AccessDenied
from db.models import Meeting, User
from db.queries.caseload_filters import last_discussed
from db.queries.meeting_inputs import families_at_meeting
from db.services.discussions import mark_discussed
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, MeetingStatus, Role
from tests.db.factories import MEETING_DAY, Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _next_meeting(engine: Engine, team: Team1, days: int = 28) -> int:
    with transaction(engine) as s:
        meeting = Meeting(
            team_id=team.team.id,
            held_on=MEETING_DAY + dt.timedelta(days=days),
            status=MeetingStatus.OPEN,
            chair_id=team.manager.id,
        )
        s.add(meeting)
        s.flush()
        return meeting.id


def test_a_family_never_discussed_before_has_no_date(engine: Engine, team: Team1) -> None:
    mark_discussed(engine, team.manager, team.meeting.id, team.family.id)
    assert last_discussed(engine, team.manager, team.meeting.id) == {}  # today's discussion is not "before"


def test_the_latest_earlier_meeting_that_discussed_it_is_the_last_discussion(engine: Engine, team: Team1) -> None:
    mark_discussed(engine, team.manager, team.meeting.id, team.family.id)
    close_meeting(engine, team.manager, team.meeting.id)
    rated_only = _next_meeting(engine, team)  # rated, but the meeting never came to the family
    save_ratings(engine, team.social_worker, rated_only, [RatingEntry(team.child.id, RAG.AMBER)])
    close_meeting(engine, team.manager, rated_only)
    unmarked = _next_meeting(engine, team, days=56)  # marked, then the mark undone: not discussed
    mark_discussed(engine, team.manager, unmarked, team.family.id)
    mark_discussed(engine, team.manager, unmarked, team.family.id, discussed=False)
    close_meeting(engine, team.manager, unmarked)
    later = _next_meeting(engine, team, days=84)
    assert last_discussed(engine, team.mental_health, later) == {team.family.id: MEETING_DAY}
    with reading(engine) as s:
        meeting = s.get_one(Meeting, later)
        (family,) = families_at_meeting(s, meeting)
    assert family.last_discussed_on == MEETING_DAY  # what the ranking reads is the same record


def test_only_the_team_may_ask(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, name="Other team", ref="F-9").manager
        lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD)
        s.add(lead)
    for who in (other, lead):
        with pytest.raises(AccessDenied):
            last_discussed(engine, who, team.meeting.id)
