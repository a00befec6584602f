"""A family's history: only its own rows, only for its own team."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db.access import AccessDenied
from db.errors import NotFound
from db.models import Child, Meeting, User
from db.queries.family_history import family_history, team_families
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from risk.vocabulary import RAG, Band, LegalStatus, Role
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        make_team(s, name="Other team", ref="F-9")
    [first] = save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER)])
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, "Worse", 1)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    close_meeting(engine, team.manager, team.meeting.id)
    correct_rating(engine, team.manager, first.id, RAG.AMBER, "Typed red by mistake", expected_version=2)
    return team


def test_the_history_holds_ratings_scores_statuses_and_every_change(engine: Engine, team: Team1) -> None:
    history = family_history(engine, team.social_worker, team.family.id)
    assert history.case_reference == "F-1" and history.children == ("Amy",)
    assert sorted((p.professional, p.rag) for p in history.ratings) == [
        ("MH Stevenage A", RAG.GREEN),
        ("SW Stevenage A", RAG.AMBER),
    ]
    assert [(s.band, s.score) for s in history.scores] == [(Band.AMBER, 41.67)]  # amber, mean of amber and green
    assert [(s.child, s.status) for s in history.statuses] == [("Amy", LegalStatus.CP)]
    assert [(c.kind, c.before, c.after, c.reason) for c in history.changes] == [
        ("corrected", "red", "amber", "Typed red by mistake"),
        ("changed", "amber", "red", None),
    ]
    assert [f.case_reference for f in team_families(engine, team.manager, team.team.id)] == ["F-1"]


def test_another_team_and_service_leads_cannot_open_it(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD)
        s.add(lead)
        other = s.query(User).filter_by(email="tm.other-team@example.org").one()
    for who in (other, lead):
        with pytest.raises(AccessDenied):
            family_history(engine, who, team.family.id)
        with pytest.raises(AccessDenied):
            team_families(engine, who, team.team.id)


def test_a_family_that_does_not_exist_is_not_found(engine: Engine, team: Team1) -> None:
    with pytest.raises(NotFound):
        family_history(engine, team.manager, team.family.id + 1000)


def test_only_this_familys_rows_are_read(engine: Engine, team: Team1) -> None:
    """The other team's family was rated too; none of its ratings, scores or children leak into this history."""
    with transaction(engine) as s:
        other = s.query(User).filter_by(email="sw.other-team@example.org").one()
        other_child = s.query(Child).filter_by(case_reference="F-9-1").one()
        other_meeting = s.query(Meeting).filter(Meeting.team_id == other.team_id).one()
    save_ratings(engine, other, other_meeting.id, [RatingEntry(other_child.id, RAG.RED, "Other family")])
    history = family_history(engine, team.manager, team.family.id)
    assert {p.child for p in history.ratings} == {"Amy"}
    assert all(p.rationale != "Other family" for p in history.ratings)
    assert len(history.scores) == 1 and history.children == ("Amy",)
