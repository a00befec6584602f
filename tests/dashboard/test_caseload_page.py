"""The Caseload page: the ranked families with filters, and a CSV of exactly the rows shown."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from dashboard.components.ranking_table import ranking_table
from dashboard.risk.vocabulary import RAG, LegalStatus
from db.exports.cell_safety import csv_bytes
from db.models import AuditEvent, Child, Family, Involvement, LegalStatusPeriod
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    """Two families: F-1 rated red by the social worker, F-2 (a formula-looking reference) rated green."""
    with transaction(app_engine) as s:
        team = make_team(s)
        family = Family(
            team=team.team, case_reference="=F-2", social_worker=team.social_worker, opened_on=dt.date(2026, 2, 1)
        )
        child = Child(family=family, case_reference="C-2", first_name="Ben", date_of_birth=dt.date(2019, 1, 1))
        s.add_all(
            [family, child, LegalStatusPeriod(child=child, status=LegalStatus.CIN, started_on=dt.date(2026, 2, 1))]
        )
        s.add(Involvement(family=family, practitioner=team.social_worker, started_on=dt.date(2026, 2, 1)))
        s.flush()
        child_id = child.id
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(child_id, RAG.GREEN)])
    return team


def test_the_team_sees_its_ranked_caseload(run_page: PageRunner, team: Team1) -> None:
    for who in (team.manager, team.social_worker, team.mental_health):
        at = run_page("caseload.py", who)
        shown = at.dataframe[0].value
        assert list(shown["Case"]) == ["F-1", "=F-2"]
        assert list(shown["Band"]) == ["🔴 Red", "🟢 Green"]


def test_filters_narrow_the_rows_and_the_csv_holds_exactly_them(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("caseload.py", team.manager)
    at.multiselect[0].set_value(["green"]).run()
    shown = at.dataframe[0].value
    assert list(shown["Case"]) == ["=F-2"]
    assert "1 of 2 families" in at.caption[0].value

    csv = pd.read_csv(io.BytesIO(csv_bytes(shown)), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(csv.columns) == list(shown.columns)
    assert csv["Case"].tolist() == ["'=F-2"]  # a spreadsheet shows it as text, never runs it
    assert csv.drop(columns="Case").values.tolist() == shown.drop(columns="Case").astype(str).values.tolist()

    at.download_button[0].click().run()
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "download")).one()
    assert (event.entity_type, event.actor_id, event.after["rows"]) == ("caseload_csv", team.manager.id, 1)
    assert event.after["filters"]["bands"] == ["green"]


def test_no_family_matching_says_what_to_do(run_page: PageRunner, team: Team1) -> None:
    at = run_page("caseload.py", team.manager)
    at.checkbox[0].check().run()  # only where professionals disagree: nobody does
    assert any("No family matches" in i.value for i in at.info)
    assert not at.dataframe


def test_the_table_frame_is_what_the_ranking_says(app_engine: Engine, team: Team1) -> None:
    from db.queries.caseload import ranked_caseload

    _, entries = ranked_caseload(app_engine, team.manager, team.meeting.id)
    cells, styles = ranking_table(entries)
    assert cells.shape == styles.shape and cells["Rank"].tolist() == [1, 2]


def test_a_service_lead_or_administrator_gets_no_caseload(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    from dashboard.risk.vocabulary import Role
    from db.models import User

    with transaction(app_engine) as s:
        lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD)
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add_all([lead, admin])
    for who in (lead, admin):
        at = run_page("caseload.py", who)
        assert not at.dataframe
        assert any("not part of a team" in i.value for i in at.info)
