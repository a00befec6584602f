"""The Caseload page: the ranked families with filters, and a CSV of exactly the rows shown."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.ranking_table import ranking_table
from dashboard.components.text import md, uk_date
from db.exports.cell_safety import csv_bytes
from db.models import Action, AuditEvent, Child, Family, Involvement, LegalStatusPeriod
from db.services.discussions import mark_discussed
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, LegalStatus
from tests.dashboard.conftest import APP, PageRunner, as_user
from tests.dashboard.made_files import made_files_fixture  # noqa: F401 (a fixture)
from tests.db.factories import Team1, make_team
from tests.db.months_of_ratings import PERSISTENT_WORDS, months_of_disagreement


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
    run_page: PageRunner, app_engine: Engine, team: Team1, made_files: dict[str, Callable[[], bytes]]
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

    saved = made_files["caseload_csv"]()  # pressing the button: the server makes the file and audits it
    assert pd.read_csv(io.BytesIO(saved), encoding="utf-8-sig", dtype=str)["Case"].tolist() == ["'=F-2"]
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
    from db.models import User
    from risk.vocabulary import Role

    with transaction(app_engine) as s:
        lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD)
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add_all([lead, admin])
    for who in (lead, admin):
        at = run_page("caseload.py", who)
        assert not at.dataframe
        assert any("not part of a team" in i.value for i in at.info)


def test_legal_status_and_social_worker_filters_narrow_the_rows(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        s.query(Family).filter_by(case_reference="=F-2").one().social_worker_id = None
    at = run_page("caseload.py", team.manager)
    at.multiselect[1].set_value([LegalStatus.CIN]).run()
    assert list(at.dataframe[0].value["Case"]) == ["=F-2"]
    at.multiselect[1].set_value([]).run()
    worker = next(s for s in at.selectbox if s.label == "Allocated social worker")
    assert worker.options == ["Everyone", "SW Stevenage A"]
    worker.set_value("SW Stevenage A").run()
    assert list(at.dataframe[0].value["Case"]) == ["F-1"]


def test_overdue_only_keeps_the_family_with_an_overdue_action(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        s.add(Action(family_id=team.family.id, text="Visit", due_on=team.meeting.held_on - dt.timedelta(days=3)))
    at = run_page("caseload.py", team.manager)
    next(c for c in at.checkbox if c.label == "Only with overdue actions").check().run()
    shown = at.dataframe[0].value
    assert list(shown["Case"]) == ["F-1"] and list(shown["Overdue"]) == [1]


def test_each_family_shows_when_it_was_last_discussed(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    mark_discussed(app_engine, team.manager, team.meeting.id, team.family.id)
    close_meeting(app_engine, team.manager, team.meeting.id)
    open_meeting(app_engine, team.manager, team.team.id, team.meeting.held_on + dt.timedelta(days=28))
    at = run_page("caseload.py", team.manager)
    assert "open" in at.selectbox[0].format_func(at.selectbox[0].value)  # the open meeting is the default
    shown = at.dataframe[0].value
    assert list(shown.columns)[-2:] == ["Last discussed", "Why"]
    last = dict(zip(shown["Case"], shown["Last discussed"], strict=True))
    assert last.pop("F-1") == uk_date(team.meeting.held_on)  # the family the chair marked discussed
    assert last and set(last.values()) == {"–"}  # rated last month, but not discussed


def test_a_row_opens_that_familys_history(app_engine: Engine, team: Team1) -> None:
    """Through the whole app, as the chair does it: Caseload, choose a family, open its history."""
    at = as_user(AppTest.from_file(str(APP), default_timeout=30), team.manager)
    at.run()
    at.switch_page("pages/caseload.py").run()
    next(s for s in at.selectbox if s.label == "Family history").set_value(team.family.id).run()
    next(b for b in at.button if b.label == "Open family history").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Family"]
    assert at.selectbox[0].value == team.family.id


def test_the_download_button_holds_the_table_as_shown(
    run_page: PageRunner, team: Team1, made_files: dict[str, Callable[[], bytes]]
) -> None:
    """The bytes the browser would save, made the way the server makes them, read back equal the table shown."""
    at = run_page("caseload.py", team.manager)
    at.multiselect[0].set_value(["red"]).run()
    shown = at.dataframe[0].value
    data = made_files["caseload_csv"]()
    saved = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(saved.columns) == list(shown.columns)
    assert saved.values.tolist() == shown.astype(str).values.tolist()
    assert list(saved["Case"]) == ["F-1"]


def test_only_where_disagreement_persists_keeps_the_family_with_months_of_it(
    run_page: PageRunner, app_engine: Engine
) -> None:
    team = months_of_disagreement(app_engine, rate_now=True)
    at = run_page("caseload.py", team.manager)
    shown = at.dataframe[0].value
    assert dict(zip(shown["Case"], shown["Over months"], strict=True)) == {"F-1": "🔁 Disagree", "F-2": ""}

    next(c for c in at.checkbox if c.label == "Only where disagreement persists over months").check().run()

    shown = at.dataframe[0].value
    assert list(shown["Case"]) == ["F-1"]
    assert PERSISTENT_WORDS in shown["Why"].iloc[0]


def test_the_card_on_the_meeting_page_flags_persistent_disagreement_in_words(
    run_page: PageRunner, app_engine: Engine
) -> None:
    team = months_of_disagreement(app_engine, rate_now=True)

    at = run_page("meeting.py", team.manager)

    text = " ".join(m.value for m in at.markdown)
    assert "Persistent disagreement:" in text
    assert md(PERSISTENT_WORDS) in text  # the explanation, escaped like all free text on the page
