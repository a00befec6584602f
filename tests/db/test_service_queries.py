"""Service aggregates from stored scores and legal status periods, scoped to the lead's office or service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from dashboard.risk.vocabulary import RAG, Role
from db.models import Office, User
from db.queries.service import legal_status_counts, office_month_scores, team_month_scores
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from tests.db.factories import MEETING_DAY, Team1, make_team


@pytest.fixture
def service(engine: Engine) -> dict[str, object]:
    """North: team A with F-1 rated red. South: team B with F-2 rated green. Both meetings closed."""
    with transaction(engine) as s:
        a = make_team(s, name="A team", ref="F-1")
        b = make_team(s, name="B team", ref="F-2")
        south = Office(name="South")
        b.team.office = south
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        north_lead = User(
            display_name="North lead", email="north@example.org", role=Role.SERVICE_LEAD, office=a.team.office
        )
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add_all([south, head, north_lead, admin])
    for team, rag in ((a, RAG.RED), (b, RAG.GREEN)):
        save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, rag)])
        close_meeting(engine, team.manager, team.meeting.id)
    return {"a": a, "b": b, "head": head, "north": north_lead, "admin": admin}


def test_team_month_figures_for_the_whole_service(engine: Engine, service: dict) -> None:
    frame = team_month_scores(engine, service["head"], 12)
    rows = frame[["office", "team", "month", "families", "red", "green", "red_share", "mean_score"]].values.tolist()
    month = dt.date(2026, 10, 1)
    assert rows == [["North", "A team", month, 1, 1, 0, 1.0, 100.0], ["South", "B team", month, 1, 0, 1, 0.0, 0.0]]
    offices = office_month_scores(frame)
    assert offices[["office", "red_share"]].values.tolist() == [["North", 1.0], ["South", 0.0]]


def test_scope_office_lead_own_office_team_staff_own_team_admin_nothing(engine: Engine, service: dict) -> None:
    assert team_month_scores(engine, service["north"], 12)["team"].tolist() == ["A team"]
    b: Team1 = service["b"]  # type: ignore[assignment]
    assert team_month_scores(engine, b.social_worker, 12)["team"].tolist() == ["B team"]
    assert team_month_scores(engine, service["admin"], 12).empty
    assert legal_status_counts(engine, service["admin"], 3, today=MEETING_DAY).empty


def test_children_by_legal_status_at_each_month_end(engine: Engine, service: dict) -> None:
    counts = legal_status_counts(engine, service["head"], 3, today=MEETING_DAY)
    assert counts.values.tolist() == [
        ["North", "A team", dt.date(2026, 8, 1), "CP", 1],
        ["North", "A team", dt.date(2026, 9, 1), "CP", 1],
        ["North", "A team", dt.date(2026, 10, 1), "CP", 1],
        ["South", "B team", dt.date(2026, 8, 1), "CP", 1],
        ["South", "B team", dt.date(2026, 9, 1), "CP", 1],
        ["South", "B team", dt.date(2026, 10, 1), "CP", 1],
    ]
