"""Service aggregates from stored scores and legal status periods, scoped to the lead's office or service."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from db.access import AccessDenied
from db.imports import import_caseload
from db.models import Family, FamilyRiskScore, Meeting, Office, Team, User
from db.queries.service import (
    figures_version,
    legal_status_counts,
    office_month_scores,
    team_month_scores,
    visible_offices,
)
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from risk.vocabulary import RAG, Band, MeetingStatus, Role
from tests.db.factories import MEETING_DAY, Team1, make_team
from tests.imports.conftest import TODAY, csv_bytes, row


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


# A hand-built month-by-month picture with stored scores, to check the arithmetic and the choice of meeting.
SEPT, OCT_EARLY, NOV = dt.date(2026, 9, 9), dt.date(2026, 10, 7), dt.date(2026, 11, 11)


def _meeting(session: Session, team: Team, held_on: dt.date, closed: bool = True) -> Meeting:
    status = MeetingStatus.CLOSED if closed else MeetingStatus.OPEN
    meeting = Meeting(team=team, held_on=held_on, status=status, closed_at=CLOSED_AT if closed else None)
    session.add(meeting)
    return meeting


def _score(session: Session, meeting: Meeting, family: Family, band: Band, score: float | None) -> None:
    session.add(
        FamilyRiskScore(
            meeting=meeting, family=family, band=band, score=score, policy="test", policy_version=1, components={}
        )
    )


CLOSED_AT = dt.datetime(2026, 11, 1, 12, 0)


@pytest.fixture
def months(engine: Engine) -> dict[str, User]:
    """Team A (North), three families: September closed; October closed twice (the later meeting counts); an
    open November meeting with stray scores (not counted). Team B (South): October closed, nobody rated yet."""
    with transaction(engine) as s:
        a = make_team(s, name="A team", ref="F-1")
        b = make_team(s, name="B team", ref="F-2")
        south = Office(name="South")
        b.team.office = south
        a2 = Family(team=a.team, case_reference="F-A2", opened_on=dt.date(2026, 1, 5))
        a3 = Family(team=a.team, case_reference="F-A3", opened_on=dt.date(2026, 1, 5))
        s.add_all([a2, a3])
        sept, early = _meeting(s, a.team, SEPT), _meeting(s, a.team, OCT_EARLY)
        for meeting in (a.meeting, b.meeting):
            meeting.status, meeting.closed_at = MeetingStatus.CLOSED, CLOSED_AT
        nov = _meeting(s, a.team, NOV, closed=False)
        for meeting, family, band, score in [
            (sept, a.family, Band.RED, 80),
            (sept, a2, Band.AMBER, 50),
            (sept, a3, Band.UNRATED, None),
            (early, a.family, Band.GREEN, 5),
            (a.meeting, a.family, Band.RED, 90),
            (a.meeting, a2, Band.GREEN, 10),
            (a.meeting, a3, Band.GREEN, 20),
            (nov, a.family, Band.RED, 99),
            (b.meeting, b.family, Band.UNRATED, None),
        ]:
            _score(s, meeting, family, band, score)
        people = {
            "head": User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD),
            "north": User(
                display_name="North lead", email="north@example.org", role=Role.SERVICE_LEAD, office=a.team.office
            ),
            "admin": User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR),
            "b_worker": b.social_worker,
        }
        s.add_all(people.values())
        s.flush()
        people["south_id"] = south.id  # type: ignore[assignment]
    return people


def _figures(frame: pd.DataFrame, key: str = "team") -> list[list[object]]:
    columns = [key, "month", "families", "red", "amber", "green", "unrated", "rated", "red_share", "mean_score"]
    rows = frame[columns].astype(object).where(frame[columns].notna(), None)
    return rows.values.tolist()


def test_figures_from_stored_scores_later_meeting_of_a_month_closed_meetings_only(engine: Engine, months: dict) -> None:
    frame = team_month_scores(engine, months["head"], 12)
    assert _figures(frame) == [
        ["A team", dt.date(2026, 9, 1), 3, 1, 1, 0, 1, 2, 0.5, 65.0],  # mean and share over the rated two
        ["A team", dt.date(2026, 10, 1), 3, 1, 0, 2, 0, 3, 0.3333, 40.0],  # the 14th, not the 7th
        ["B team", dt.date(2026, 10, 1), 1, 0, 0, 0, 1, 0, None, None],  # nobody rated: no share, not 0%
    ]
    offices = office_month_scores(frame)
    assert _figures(offices, "office") == [
        ["North", dt.date(2026, 9, 1), 3, 1, 1, 0, 1, 2, 0.5, 65.0],
        ["North", dt.date(2026, 10, 1), 3, 1, 0, 2, 0, 3, 0.3333, 40.0],
        ["South", dt.date(2026, 10, 1), 1, 0, 0, 0, 1, 0, None, None],
    ]
    # The months count back from the latest closed meeting (October), so one month is October alone.
    assert team_month_scores(engine, months["head"], 1)["month"].unique().tolist() == [dt.date(2026, 10, 1)]


def test_office_filter_narrows_but_never_widens(engine: Engine, months: dict) -> None:
    south = months["south_id"]
    assert team_month_scores(engine, months["head"], 12, office_id=south)["team"].unique().tolist() == ["B team"]
    assert team_month_scores(engine, months["north"], 12, office_id=south).empty
    assert legal_status_counts(engine, months["north"], 3, today=MEETING_DAY, office_id=south).empty
    assert set(legal_status_counts(engine, months["head"], 3, today=MEETING_DAY, office_id=south)["team"]) == {"B team"}


def test_offices_offered_follow_the_scope(engine: Engine, months: dict) -> None:
    names = {who: [o.name for o in visible_offices(engine, months[who])] for who in ("head", "north", "admin")}
    assert names == {"head": ["North", "South"], "north": ["North"], "admin": []}
    assert [o.name for o in visible_offices(engine, months["b_worker"])] == ["South"]


def test_inactive_lead_is_refused(engine: Engine, months: dict) -> None:
    with transaction(engine) as s:
        s.get(User, months["head"].id).active = False  # type: ignore[union-attr]
        head = s.get(User, months["head"].id)
    with pytest.raises(AccessDenied):
        team_month_scores(engine, head, 12)
    with pytest.raises(AccessDenied):
        visible_offices(engine, head)


def test_grouping_happens_in_the_database(engine: Engine, months: dict) -> None:
    """One row comes back per meeting and band (not per family), so the page's cost follows the meetings."""
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        team_month_scores(engine, months["head"], 12)
        legal_status_counts(engine, months["head"], 12, today=MEETING_DAY)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    reads = [s for s in statements if "family_risk_score" in s or "legal_status_period" in s]
    assert reads and all("GROUP BY" in s for s in reads)


def test_a_meeting_closing_keeps_the_outcomes_cached_and_an_import_does_not(engine: Engine) -> None:
    """The outcome counts come from the plan history, not from ratings: a closing moves the figures' closings mark
    but not the records mark, which an import (the only writer of plans) moves."""
    with transaction(engine) as s:
        team = make_team(s)
        head = User(display_name="Head", email="head.of@example.org", role=Role.SERVICE_LEAD)
        admin = User(display_name="Admin", email="admin.of@example.org", role=Role.ADMINISTRATOR)
        s.add_all([head, admin])
    before = figures_version(engine, head)
    close_meeting(engine, team.manager, team.meeting.id)
    closed = figures_version(engine, head)
    assert closed.closings != before.closings and closed.records == before.records
    data = csv_bytes([row(legal_status="Child in Need", legal_status_from="01/09/2026")])
    import_caseload(engine, admin, "caseload.csv", data, today=TODAY)
    assert figures_version(engine, head).records != closed.records
