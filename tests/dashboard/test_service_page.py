"""The Service overview: aggregates for service leads, no family or child named anywhere on the page."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.heatmaps import heatmap
from db.exports.heatmap_files import chart_png, chart_svg, heatmap_csv
from db.models import AuditEvent, Child, Family, FamilyRiskScore, LegalStatusPeriod, Meeting, Office, User
from db.queries.service import team_month_scores
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, Band, LegalStatus, MeetingStatus, Role
from tests.dashboard.conftest import PageRunner
from tests.dashboard.made_files import made_files_fixture  # noqa: F401 (a fixture)
from tests.db.factories import Team1, make_team

PRIVATE = ("F-1", "F-2", "F-A2", "Amy", "SW ", "MH ", "Manager ")


@pytest.fixture
def lead(app_engine: Engine) -> tuple[User, Team1]:
    with transaction(app_engine) as s:
        team = make_team(s)
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add(head)
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    close_meeting(app_engine, team.manager, team.meeting.id)
    return head, team


@pytest.fixture
def service(app_engine: Engine) -> User:
    """A team (North): a closed September meeting with two stored scores (amber, green) and a closed October
    meeting (its one family red). B team (South): October closed, its family green."""
    with transaction(app_engine) as s:
        a = make_team(s, name="A team", ref="F-1")
        b = make_team(s, name="B team", ref="F-2")
        b.team.office = Office(name="South")
        second = Family(team=a.team, case_reference="F-A2", opened_on=dt.date(2026, 1, 5))
        sept = Meeting(
            team=a.team, held_on=dt.date(2026, 9, 9), status=MeetingStatus.CLOSED, closed_at=dt.datetime(2026, 9, 9)
        )
        s.add_all([second, sept])
        for family, band, score in ((a.family, Band.AMBER, 55), (second, Band.GREEN, 15)):
            s.add(
                FamilyRiskScore(
                    meeting=sept, family=family, band=band, score=score, policy="worst", policy_version=1, components={}
                )
            )
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add(head)
    for team, rag in ((a, RAG.RED), (b, RAG.GREEN)):
        save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, rag)])
        close_meeting(app_engine, team.manager, team.meeting.id)
    return head


def _everything_shown(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (at.markdown, at.caption, at.subheader, at.info, at.title, at.error, at.warning)
        for e in kind
    ]
    parts += [str(w.options) + w.label for w in at.selectbox]
    parts += [m.label + str(m.value) for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [c.proto.spec + c.proto.datasets.__repr__() for c in at.get("vega_lite_chart")]
    return "\n".join(parts)


def _figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_lead_sees_figures_without_names(run_page: PageRunner, lead: tuple[User, Team1]) -> None:
    head, team = lead
    at = run_page("service.py", head)
    shown = _everything_shown(at)
    assert "Stevenage A" in shown  # the team, yes
    for private in ("F-1", "Amy", team.social_worker.display_name, team.manager.display_name):
        assert private not in shown
    assert [m.label for m in at.metric][:4] == ["🔴 Red", "🟠 Amber", "🟢 Green", "⚪ Not yet rated"]
    assert [m.value for m in at.metric][:4] == ["1", "0", "0", "0"]
    assert len(at.get("vega_lite_chart")) >= 4  # red share, mean score, teams compared, outcomes


def test_choosing_a_team_and_month_shows_its_figures(run_page: PageRunner, service: User) -> None:
    at = run_page("service.py", service)
    for private in PRIVATE:
        assert private not in _everything_shown(at)
    team, month = at.selectbox(key="detail_team"), at.selectbox(key="detail_month")
    assert (team.value, month.value) == ("A team", dt.date(2026, 10, 1))  # first team, latest month
    assert _figures(at)["🔴 Red"] == "1"

    month.select(dt.date(2026, 9, 1)).run()
    figures = _figures(at)
    assert [figures[k] for k in ("🔴 Red", "🟠 Amber", "🟢 Green", "⚪ Not yet rated", "Mean score")] == [
        "0",
        "1",
        "1",
        "0",
        "35.0",
    ]
    assert any("A team · 09/2026" in m.value for m in at.markdown)

    at.selectbox(key="detail_team").select("B team").run()
    assert any("closed no meeting that month" in i.value for i in at.info)
    at.selectbox(key="detail_month").select(dt.date(2026, 10, 1)).run()
    assert _figures(at)["🟢 Green"] == "1"
    assert any("CP 1" in c.value for c in at.caption)  # B team's child, counted by legal status


def test_the_office_filter_narrows_every_figure(run_page: PageRunner, service: User) -> None:
    at = run_page("service.py", service)
    assert "Share of families rated red, by office and month" in [s.value for s in at.subheader]
    office = at.selectbox(key="office")
    south = next(o for o in office.options if o == "South")
    office.select(south).run()
    assert at.selectbox(key="detail_team").options == ["B team"]
    assert "Share of families rated red, by office and month" not in [s.value for s in at.subheader]
    assert "A team" not in _everything_shown(at)


def test_downloads_hold_the_figures_and_are_audited(
    run_page: PageRunner,
    app_engine: Engine,
    lead: tuple[User, Team1],
    made_files: dict[str, Callable[[], bytes]],
) -> None:
    head, _ = lead
    frame = team_month_scores(app_engine, head, 12)
    raw = heatmap_csv(frame)
    assert raw.decode("utf-8-sig").splitlines()[0] == (
        "office,team,month,families,red,amber,green,unrated,rated,red_share,mean_score"
    )
    csv = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert csv[["team", "month", "families", "red", "red_share"]].values.tolist() == [
        ["Stevenage A", "2026-10-01", 1, 1, 1.0]
    ]
    chart = heatmap(frame, "team", "red_share", "Share red", percent=True)
    assert chart_png(chart).startswith(b"\x89PNG\r\n\x1a\n")
    svg = ET.fromstring(chart_svg(chart))
    assert svg.tag.endswith("svg")
    assert "100%" in "".join(svg.itertext())  # the cell's label travels with the picture

    run_page("service.py", head)
    assert made_files["service_heatmap_csv"]().startswith(raw[:20])  # pressed: made, audited, handed over
    assert made_files["service_heatmap_png"]().startswith(b"\x89PNG")
    with reading(app_engine) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.verb == "download").order_by(AuditEvent.id)).all()
    assert [(e.entity_type, e.actor_id) for e in events] == [
        ("service_heatmap_csv", head.id),
        ("service_heatmap_png", head.id),
    ]
    assert events[0].after == {"months": 12, "office_id": None, "rows": 1}


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (Role.SERVICE_LEAD, "No meeting has closed yet"),  # figures come once a meeting closes
        (Role.ADMINISTRATOR, "no service figures for your account"),  # the page is not for them
    ],
)
def test_without_figures_the_page_says_why(run_page: PageRunner, app_engine: Engine, role: Role, message: str) -> None:
    with transaction(app_engine) as s:
        make_team(s)
        someone = User(display_name="Someone", email="someone@example.org", role=role)
        s.add(someone)
    at = run_page("service.py", someone)
    assert any(message in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


@pytest.fixture
def outcomes(app_engine: Engine, service: User) -> User:
    """The service above, plus Ben in A team: on a child protection plan from 10 February 2026 until his family
    closed on 30 June 2026."""
    with transaction(app_engine) as s:
        a_team = s.scalars(select(Family).where(Family.case_reference == "F-1")).one().team
        ben_family = Family(
            team=a_team, case_reference="F-A3", opened_on=dt.date(2026, 2, 10), closed_on=dt.date(2026, 6, 30)
        )
        ben = Child(family=ben_family, case_reference="F-A3-1", first_name="Ben", date_of_birth=dt.date(2016, 1, 1))
        s.add_all([ben_family, ben])
        s.add(LegalStatusPeriod(child=ben, status=LegalStatus.CP, started_on=dt.date(2026, 2, 10)))
    return service


def test_outcomes_against_the_baseline_the_lead_chooses(run_page: PageRunner, outcomes: User) -> None:
    at = run_page("service.py", outcomes)
    assert "Outcomes against a baseline" in [s.value for s in at.subheader]
    # two years back would be before the first meeting (September 2026): the default starts there instead
    assert at.selectbox(key="baseline").value == dt.date(2026, 9, 1) and not at.warning
    at.selectbox(key="baseline").select(dt.date(2026, 3, 1)).run()
    assert "The first supervision meeting recorded here was in 09/2026" in at.warning[0].value
    shown = _everything_shown(at)
    assert "CP plans\\: 3 → 2, down 33%" in shown  # Amy, Amy (South) and Ben at 31 March; Ben's family closed
    assert "Looked after\\: 0 → 0, no change" in shown
    at.selectbox(key="outcome_area").select(("team", "A team")).run()
    assert "CP plans\\: 2 → 1, down 50%" in _everything_shown(at)
    at.selectbox(key="baseline").select(dt.date(2025, 12, 1)).run()
    assert "CP plans\\: 0 → 1 \\(none at the baseline\\)" in _everything_shown(at)
    assert any("Since 12/2025: CP 2, PLO 0, Proceedings 0." in c.value for c in at.caption)  # Amy and Ben started
    # the monthly bars' figures are on the page too, as tables: plans begun (Ben's in February), days looked after
    tables = [t.value for t in at.table if "Status" in t.value.columns]
    started = next(t for t in tables if set(t["Status"]) == {"CP", "PLO", "Proceedings"})
    assert started.set_index("Status").loc["CP", "02/2026"] == "1"
    assert any(list(t["Status"]) == ["CLA"] for t in tables)
    for private in (*PRIVATE, "Ben"):
        assert private not in _everything_shown(at)


def test_outcome_downloads_are_audited_with_the_baseline(
    run_page: PageRunner, app_engine: Engine, outcomes: User, made_files: dict[str, Callable[[], bytes]]
) -> None:
    at = run_page("service.py", outcomes)
    at.selectbox(key="baseline").select(dt.date(2026, 3, 1)).run()
    assert made_files["service_outcomes_csv"]()  # pressed: made, audited, handed over
    assert made_files["service_outcomes_xlsx"]().startswith(b"PK")
    with reading(app_engine) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.verb == "download").order_by(AuditEvent.id)).all()
    assert [(e.entity_type, e.actor_id) for e in events] == [
        ("service_outcomes_csv", outcomes.id),
        ("service_outcomes_xlsx", outcomes.id),
    ]
    # the service, two offices and two teams, five plans each
    assert events[0].after == {"baseline": "2026-03-01", "office_id": None, "rows": 25}


def test_agreement_and_roles_are_shown_with_their_words(run_page: PageRunner, app_engine: Engine) -> None:
    with transaction(app_engine) as s:
        team = make_team(s)
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add(head)
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(app_engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    close_meeting(app_engine, team.manager, team.meeting.id)
    at = run_page("service.py", head)
    subheaders = [s.value for s in at.subheader]
    assert "Agreement between raters, by team and month" in subheaders
    assert "How each role rates beside colleagues" in subheaders
    shown = _everything_shown(at)
    assert "Krippendorff" in shown and "worth a supervision discussion" in shown
    assert "Social worker: less severe than a colleague in 100% of comparisons" in shown
    assert "Agreement between raters: 0.00 over 1 child rated by two or more professionals" in shown  # green, red
    for private in (*PRIVATE, team.social_worker.display_name, team.mental_health.display_name):
        assert private not in shown


def test_a_closing_shows_at_once_despite_the_cache(run_page: PageRunner, app_engine: Engine, service: User) -> None:
    at = run_page("service.py", service)
    assert at.selectbox(key="detail_month").options == ["09/2026", "10/2026"]
    at.run()  # served from the cache this time
    with reading(app_engine) as s:
        b_team = s.scalars(select(Family).where(Family.case_reference == "F-2")).one().team
        manager = s.scalars(select(User).where(User.role == Role.TEAM_MANAGER, User.team_id == b_team.id)).one()
        worker = s.scalars(select(User).where(User.role == Role.SOCIAL_WORKER, User.team_id == b_team.id)).one()
        child = s.scalars(select(Child).where(Child.case_reference == "F-2-1")).one()
    november = open_meeting(app_engine, manager, b_team.id, dt.date(2026, 11, 11))
    save_ratings(app_engine, worker, november.id, [RatingEntry(child.id, RAG.RED)])
    close_meeting(app_engine, manager, november.id)
    at.run()
    assert at.selectbox(key="detail_month").options == ["09/2026", "10/2026", "11/2026"]
