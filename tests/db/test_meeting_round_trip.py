"""Rate, close and store: the round trip the chair relies on, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.errors import InvalidInput, MeetingClosed, StaleRating
from db.models import AuditEvent, FamilyRiskScore, Meeting, Rating
from db.queries.caseload import ranked_caseload
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.scores import rebuild_scores
from db.session import reading, transaction
from risk.vocabulary import RAG, Band, MeetingStatus
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _rating(engine: Engine, team: Team1, who) -> Rating | None:  # type: ignore[no-untyped-def]
    with reading(engine) as s:
        return s.scalars(
            select(Rating).where(Rating.child_id == team.child.id, Rating.practitioner_id == who.id)
        ).one_or_none()


def test_closing_a_meeting_stores_a_score_for_every_family_and_locks_its_ratings(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, "Mum low mood")])

    _, live = ranked_caseload(engine, team.manager, team.meeting.id)
    assert [(e.case_reference, e.band, e.score, e.disagreement) for e in live] == [("F-1", Band.RED, 83.33, True)]

    assert close_meeting(engine, team.manager, team.meeting.id).scores == 1
    with reading(engine) as s:
        stored = s.scalars(select(FamilyRiskScore)).one()
        assert (stored.band, stored.score, stored.policy, stored.policy_version) == (Band.RED, 83.33, "worst", 1)
        assert stored.components["children"][0]["ratings"] == {
            str(team.social_worker.id): "green",
            str(team.mental_health.id): "red",
        }
        assert s.get_one(Meeting, team.meeting.id).status is MeetingStatus.CLOSED
    _, closed = ranked_caseload(engine, team.manager, team.meeting.id)
    assert closed == live

    with pytest.raises(MeetingClosed):
        save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, None, 1)])
    assert _rating(engine, team, team.social_worker).rag is RAG.GREEN


def test_storing_scores_again_gives_the_same_rows(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER)])
    close_meeting(engine, team.manager, team.meeting.id)
    with reading(engine) as s:
        first = [(r.id, r.band, r.score, r.components) for r in s.scalars(select(FamilyRiskScore))]
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    result = rebuild_scores(engine, actor=None)
    assert (result.meetings, result.scores) == (1, 1)
    with reading(engine) as s:
        assert [(r.id, r.band, r.score, r.components) for r in s.scalars(select(FamilyRiskScore))] == first
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events  # nothing changed, nothing logged


def test_rebuilding_with_another_policy_is_recorded_and_stored_with_its_name(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    close_meeting(engine, team.manager, team.meeting.id)
    rebuild_scores(engine, actor=None, policy="median")
    with reading(engine) as s:
        stored = s.scalars(select(FamilyRiskScore)).one()
        assert (stored.band, stored.policy) == (Band.AMBER, "median")
        assert s.scalars(select(AuditEvent).where(AuditEvent.verb == "scores.store")).all()[-1].before == {
            str(team.family.id): {"band": "red", "score": 83.33, "policy": "worst"}
        }


def test_a_save_against_a_stale_version_is_refused_and_keeps_the_newer_rating(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER, None, 1)])
    with pytest.raises(StaleRating, match="changed elsewhere"):
        save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, None, 1)])
    rating = _rating(engine, team, team.social_worker)
    assert (rating.rag, rating.version) == (RAG.AMBER, 2)


def test_a_new_rating_saved_twice_from_two_devices_does_not_overwrite(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    with pytest.raises(StaleRating):
        save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    assert _rating(engine, team, team.social_worker).rag is RAG.GREEN


def test_every_rating_change_is_audited_with_before_and_after(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, "Police call", 1)])
    with reading(engine) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "rating").order_by(AuditEvent.id)).all()
    sw = team.social_worker.id
    assert [(e.verb, e.actor_id) for e in events] == [("rating.create", sw), ("rating.update", sw)]
    assert events[1].before == {"rag": "green", "rationale": None, "version": 1}
    assert events[1].after["rag"] == "red" and events[1].after["version"] == 2


def test_a_professional_cannot_rate_a_family_they_do_not_work_with(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    with pytest.raises(AccessDenied):
        save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(other.child.id, RAG.RED)])
    with pytest.raises(AccessDenied):
        save_ratings(engine, team.social_worker, other.meeting.id, [RatingEntry(other.child.id, RAG.RED)])
    with pytest.raises(AccessDenied):
        ranked_caseload(engine, team.manager, other.meeting.id)


def test_only_the_team_manager_closes_and_only_one_meeting_is_open(engine: Engine, team: Team1) -> None:
    with pytest.raises(AccessDenied):
        close_meeting(engine, team.social_worker, team.meeting.id)
    with pytest.raises(InvalidInput, match="still open"):
        open_meeting(engine, team.manager, team.team.id, dt.date(2026, 11, 11))
    close_meeting(engine, team.manager, team.meeting.id)
    later = open_meeting(engine, team.manager, team.team.id, dt.date(2026, 11, 11))
    _, rows = ranked_caseload(engine, team.manager, later.id)
    assert [(r.band, r.trend) for r in rows] == [(Band.UNRATED, "not_rated")]
