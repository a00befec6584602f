"""A closed meeting's rating corrected by the team manager, with a reason: versioned, audited, rescored."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.errors import InvalidInput, StaleRating
from db.models import AuditEvent, FamilyRiskScore, Rating
from db.queries.corrections import correctable_ratings
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, Band
from tests.db.factories import Team1, make_team

REASON = "Entered against the wrong child at the meeting"


@pytest.fixture
def closed(engine: Engine) -> tuple[Team1, int]:
    with transaction(engine) as s:
        team = make_team(s)
    [rating] = save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    close_meeting(engine, team.manager, team.meeting.id)
    return team, rating.id


def test_the_manager_corrects_a_closed_rating_and_the_stored_score_follows(
    engine: Engine, closed: tuple[Team1, int]
) -> None:
    team, rating_id = closed
    [shown] = correctable_ratings(engine, team.manager, team.meeting.id, team.family.id)
    assert (shown.rating_id, shown.rag, shown.version) == (rating_id, RAG.RED, 1)

    correct_rating(engine, team.manager, rating_id, RAG.GREEN, REASON, expected_version=1)

    with reading(engine) as s:
        rating = s.get_one(Rating, rating_id)
        assert (rating.rag, rating.version) == (RAG.GREEN, 2)
        score = s.scalars(select(FamilyRiskScore).where(FamilyRiskScore.meeting_id == team.meeting.id)).one()
        assert (score.band, score.score) == (Band.GREEN, 0.0)
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "rating.correct")).one()
        assert event.actor_id == team.manager.id
        assert event.before == {"rag": "red", "version": 1}
        assert event.after["rag"] == "green" and event.after["reason"] == REASON


def test_a_correction_needs_a_reason_a_change_and_the_current_version(
    engine: Engine, closed: tuple[Team1, int]
) -> None:
    team, rating_id = closed
    with pytest.raises(InvalidInput, match="Say why"):
        correct_rating(engine, team.manager, rating_id, RAG.GREEN, "  oops ", expected_version=1)
    with pytest.raises(InvalidInput, match="already red"):
        correct_rating(engine, team.manager, rating_id, RAG.RED, REASON, expected_version=1)
    correct_rating(engine, team.manager, rating_id, RAG.AMBER, REASON, expected_version=1)
    with pytest.raises(StaleRating):
        correct_rating(engine, team.manager, rating_id, RAG.GREEN, REASON, expected_version=1)


@pytest.mark.parametrize("who", ["social_worker", "mental_health"])
def test_only_the_team_manager_may_correct(engine: Engine, closed: tuple[Team1, int], who: str) -> None:
    team, rating_id = closed
    with pytest.raises(AccessDenied):
        correct_rating(engine, getattr(team, who), rating_id, RAG.GREEN, REASON, expected_version=1)
    with pytest.raises(AccessDenied):
        correctable_ratings(engine, getattr(team, who), team.meeting.id, team.family.id)


def test_another_teams_manager_may_not_correct(engine: Engine, closed: tuple[Team1, int]) -> None:
    _, rating_id = closed
    with transaction(engine) as s:
        other = make_team(s, name="Other team", ref="F-2")
    with pytest.raises(AccessDenied):
        correct_rating(engine, other.manager, rating_id, RAG.GREEN, REASON, expected_version=1)


def test_an_open_meetings_ratings_are_not_corrected_this_way(engine: Engine) -> None:
    with transaction(engine) as s:
        team = make_team(s)
    [rating] = save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    assert correctable_ratings(engine, team.manager, team.meeting.id, team.family.id) == []
    with pytest.raises(InvalidInput, match="still open"):
        correct_rating(engine, team.manager, rating.id, RAG.GREEN, REASON, expected_version=1)
