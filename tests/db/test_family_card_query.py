"""The family card: who rated which child what, beside last month, as the chair sees it on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.errors import NotFound
from db.models import Action, Family, FamilyRiskScore, Involvement, Meeting, Rating, User, utcnow
from db.queries.family_card import CardChild, CardRating, family_card
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.scores import store_meeting_scores
from db.session import transaction
from risk.vocabulary import RAG, Band, LegalStatus, MeetingStatus, Role
from tests.db.factories import MEETING_DAY, Team1, make_team

LAST_MONTH = dt.date(2026, 9, 16)


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _last_month(engine: Engine, team: Team1, ratings: dict[User, RAG]) -> None:
    """A closed meeting a month earlier, its ratings and its stored scores: what "last month" means."""
    with transaction(engine) as s:
        meeting = Meeting(
            team_id=team.team.id,
            held_on=LAST_MONTH,
            status=MeetingStatus.CLOSED,
            chair_id=team.manager.id,
            closed_at=utcnow(),
        )
        s.add(meeting)
        s.flush()
        s.add_all(
            Rating(meeting_id=meeting.id, child_id=team.child.id, practitioner_id=who.id, rag=rag)
            for who, rag in ratings.items()
        )
        s.flush()
        store_meeting_scores(s, None, meeting)


def _rate(engine: Engine, team: Team1, who: User, rag: RAG, why: str | None = None) -> None:
    save_ratings(engine, who, team.meeting.id, [RatingEntry(team.child.id, rag, why)])


def test_the_grid_shows_each_professionals_rating_beside_last_months(engine: Engine, team: Team1) -> None:
    _last_month(engine, team, {team.social_worker: RAG.GREEN, team.mental_health: RAG.AMBER})
    _rate(engine, team, team.social_worker, RAG.GREEN, "Doing well at school")
    _rate(engine, team, team.mental_health, RAG.RED, "Mum's low mood")

    card = family_card(engine, team.manager, team.meeting.id, team.family.id)

    child, sw, mh = team.child.id, team.social_worker.id, team.mental_health.id
    assert card.ratings == {
        (child, sw): CardRating(RAG.GREEN, "Doing well at school"),
        (child, mh): CardRating(RAG.RED, "Mum's low mood"),
    }
    assert card.last_month == {(child, sw): RAG.GREEN, (child, mh): RAG.AMBER}
    assert [(p.name, p.role, p.involved) for p in card.professionals] == [
        ("SW Stevenage A", Role.SOCIAL_WORKER, True),
        ("MH Stevenage A", Role.MENTAL_HEALTH_PRACTITIONER, True),
    ]
    assert card.children == (CardChild(child, "Amy", 8, LegalStatus.CP, RAG.RED),)
    assert (card.band, card.score, card.trend, card.previous_band) == (Band.RED, 83.33, "deteriorated", Band.AMBER)
    assert (card.held_on, card.previous_held_on, card.meeting_open) == (MEETING_DAY, LAST_MONTH, True)
    assert (card.case_reference, card.social_worker) == ("F-1", "SW Stevenage A")
    assert card.explanation.startswith("Red: 1 of 2 professionals rated Amy red (mental health practitioner).")
    assert "Social worker rated Amy green: professionals disagree." in card.explanation


def test_a_family_nobody_rated_yet_is_not_yet_rated_not_green(engine: Engine, team: Team1) -> None:
    card = family_card(engine, team.social_worker, team.meeting.id, team.family.id)
    assert (card.band, card.score, card.ratings, card.last_month) == (Band.UNRATED, None, {}, {})
    assert card.children[0].rating is None
    assert card.explanation.startswith("Not yet rated: none of the 2 professionals involved has rated yet.")


def test_a_closed_meeting_shows_what_was_stored_on_the_day(engine: Engine, team: Team1) -> None:
    _rate(engine, team, team.mental_health, RAG.AMBER, "Missed appointments")
    close_meeting(engine, team.manager, team.meeting.id)
    with transaction(engine) as s:  # stand in for a later change of rules: the card must read the stored words
        stored = s.scalars(select(FamilyRiskScore)).one()
        stored.components = {**stored.components, "explanation": "As explained on the day."}

    card = family_card(engine, team.social_worker, team.meeting.id, team.family.id)

    assert (card.meeting_open, card.band, card.explanation) == (False, Band.AMBER, "As explained on the day.")
    assert card.ratings == {(team.child.id, team.mental_health.id): CardRating(RAG.AMBER, "Missed appointments")}
    assert card.children[0].rating is RAG.AMBER


def test_open_actions_are_listed_with_overdue_judged_at_the_meeting_date(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        s.add_all(
            [
                Action(family_id=team.family.id, text="Later", owner_id=team.social_worker.id, due_on=MEETING_DAY),
                Action(family_id=team.family.id, text="Late", owner_id=team.mental_health.id, due_on=LAST_MONTH),
                Action(family_id=team.family.id, text="Done", due_on=LAST_MONTH, completed_on=LAST_MONTH),
                Action(family_id=team.family.id, text="Whenever", meeting_id=team.meeting.id),
            ]
        )

    card = family_card(engine, team.manager, team.meeting.id, team.family.id)

    assert [(a.text, a.owner, a.due_on, a.overdue) for a in card.open_actions] == [
        ("Late", "MH Stevenage A", LAST_MONTH, True),
        ("Later", "SW Stevenage A", MEETING_DAY, False),
        ("Whenever", None, None, False),
    ]
    assert card.open_actions[2].agreed_on == MEETING_DAY
    assert card.open_actions[0].owner_role is Role.MENTAL_HEALTH_PRACTITIONER


def test_someone_who_rated_then_left_the_family_is_shown_but_not_offered_as_owner(engine: Engine, team: Team1) -> None:
    _rate(engine, team, team.mental_health, RAG.RED)
    with transaction(engine) as s:
        involvement = s.scalars(select(Involvement).where(Involvement.practitioner_id == team.mental_health.id)).one()
        involvement.ended_on = MEETING_DAY  # ended_on is exclusive: not involved on the meeting day

    card = family_card(engine, team.manager, team.meeting.id, team.family.id)

    assert [(p.name, p.involved) for p in card.professionals] == [("SW Stevenage A", True), ("MH Stevenage A", False)]
    assert [p.name for p in card.action_owners] == ["SW Stevenage A"]
    assert card.ratings[team.child.id, team.mental_health.id].rag is RAG.RED


def test_the_card_is_scoped_to_the_team_and_the_meetings_caseload(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    with pytest.raises(AccessDenied):
        family_card(engine, other.manager, team.meeting.id, team.family.id)
    with pytest.raises(NotFound, match="not on this meeting's caseload"):
        family_card(engine, team.manager, team.meeting.id, other.family.id)
    with transaction(engine) as s:
        s.get_one(Family, team.family.id).closed_on = MEETING_DAY - dt.timedelta(days=1)
    with pytest.raises(NotFound):
        family_card(engine, team.manager, team.meeting.id, team.family.id)
    service_lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD, active=True)
    with pytest.raises(AccessDenied):  # service leads see team-level pictures, never a family's card
        family_card(engine, service_lead, team.meeting.id, team.family.id)
