"""Administrators see no ratings, and the audit trail does not let them: rating colours, rationales, correction
reasons and stored scores are withheld by the query (the page never receives them), while who changed which
rating and when stays searchable."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from db.exports.cell_safety import csv_bytes
from db.models import AuditEvent, Rating, User
from db.queries.audit_search import WITHHELD, AuditQuery, export, search
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, Role
from tests.db.factories import Team1, make_team

RATIONALE = "Mum disclosed that Dad came back to the house"
REASON = "Entered against the wrong child by Ms Quigley"


@pytest.fixture
def rated(engine: Engine) -> tuple[User, Team1]:
    """A rating made, changed, the meeting closed (scores stored) and the rating corrected with a reason."""
    with transaction(engine) as s:
        team = make_team(s)
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, RATIONALE)])
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER, RATIONALE, 1)])
    close_meeting(engine, team.manager, team.meeting.id)
    with reading(engine) as s:
        rating_id = s.scalars(select(Rating.id)).one()
    correct_rating(engine, team.manager, rating_id, RAG.GREEN, REASON, 2)
    return administrator, team


def _all_text(frame: object) -> str:
    return csv_bytes(frame).decode("utf-8")  # type: ignore[arg-type]


@pytest.mark.parametrize("how", ["search", "export", "search by family"])
def test_administrators_see_that_a_rating_changed_but_not_its_values(
    engine: Engine, rated: tuple[User, Team1], how: str
) -> None:
    administrator, team = rated
    query = AuditQuery(case_reference=team.family.case_reference) if how == "search by family" else AuditQuery()
    table = export(engine, administrator, query) if how == "export" else search(engine, administrator, query)[0]
    assert RATIONALE not in _all_text(table) and REASON not in _all_text(table)
    values = " ".join([*table["Before"], *table["After"]]).lower()
    for word in ("red", "amber", "green", "score", "band", "rationale", "reason"):
        assert word not in values, word
    rating_rows = table[table["What"].str.startswith("rating.")]
    assert set(rating_rows["What"]) >= {"rating.create", "rating.update", "rating.correct"}
    assert (rating_rows["Before"] == WITHHELD).all()
    assert rating_rows["After"].str.startswith(WITHHELD).all()
    assert any("version 2" in after for after in rating_rows["After"])  # which version, still
    assert rating_rows["Who"].str.contains(team.social_worker.email).any()
    assert (table[table["What"] == "meeting.close"]["After"].str.startswith(WITHHELD)).all()


def test_other_events_keep_their_values(engine: Engine, rated: tuple[User, Team1]) -> None:
    administrator, _ = rated
    table, _ = search(engine, administrator, AuditQuery(verb="meeting.open"))
    assert table.empty or WITHHELD not in "".join(table["After"])
    with transaction(engine) as s:
        s.add(AuditEvent(actor_id=administrator.id, verb="team.update", entity_type="team", after={"name": "Oak"}))
    table, _ = search(engine, administrator, AuditQuery(verb="team.update"))
    assert list(table["After"]) == ["name: Oak"]
