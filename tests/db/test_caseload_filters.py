"""When each family was last discussed, as the Caseload page shows it beside the ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from dashboard.risk.vocabulary import RAG, MeetingStatus, Role
from db.access import AccessDenied
from db.models import Meeting, User
from db.queries.caseload_filters import last_discussed
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
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


def test_a_family_never_rated_before_has_no_date(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER)])
    assert last_discussed(engine, team.manager, team.meeting.id) == {}  # today's ratings are not "before"


def test_the_latest_earlier_meeting_with_a_rating_is_the_last_discussion(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER)])
    close_meeting(engine, team.manager, team.meeting.id)
    unrated = _next_meeting(engine, team)
    close_meeting(engine, team.manager, unrated)
    later = _next_meeting(engine, team, days=56)
    assert last_discussed(engine, team.mental_health, later) == {team.family.id: MEETING_DAY}


def test_only_the_team_may_ask(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, name="Other team", ref="F-9").manager
        lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD)
        s.add(lead)
    for who in (other, lead):
        with pytest.raises(AccessDenied):
            last_discussed(engine, who, team.meeting.id)
