"""The Family page: one family's history, opened by its team and recorded as a view once per session."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from dashboard.components.text import md
from db.models import AuditEvent, Child, ChoiceItem, Family, User
from db.services.actions import add_action
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_family_form, save_ratings
from db.services.supervision import UpdateEntry, record_decision
from db.session import reading, transaction
from risk.supervision import ChoiceKind
from risk.vocabulary import RAG, Role
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        team = make_team(s)
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, "**bold**")])
    close_meeting(app_engine, team.manager, team.meeting.id)
    return team


def _views(engine: Engine) -> list[tuple[int | None, str | None]]:
    with reading(engine) as s:
        return [(e.actor_id, e.entity_id) for e in s.scalars(select(AuditEvent).where(AuditEvent.verb == "view"))]


def test_the_family_page_shows_the_history_and_records_one_view(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("family.py", team.mental_health)
    assert at.selectbox[0].value == team.family.id
    assert "children: Amy" in at.caption[0].value
    subheaders = [h.value for h in at.subheader]
    assert subheaders == [
        "Ratings by each professional, month by month",
        "Family score",
        "Legal status",
        "Updates and decisions, month by month",
        "Actions",
        "Changes to ratings",
    ]
    assert len(at.get("vega_lite_chart")) == 3
    at.run()
    assert _views(app_engine) == [(team.mental_health.id, str(team.family.id))]


def test_a_family_chosen_on_the_caseload_page_opens_here(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    with transaction(app_engine) as s:
        second = make_team(s, name="Stevenage A2", ref="F-0")  # another team: must not open
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.conftest import PAGES, as_user

    at = as_user(AppTest.from_file(str(PAGES / "family.py")), team.manager)
    at.session_state["family_id"] = second.family.id
    at.run()
    assert at.selectbox[0].value == team.family.id  # a family outside the team is never preselected


NAME = "**Zed** [x](http://e.org)"


def test_every_professional_of_the_team_sees_the_children_actions_and_changes(
    run_page: PageRunner, app_engine: Engine
) -> None:
    with transaction(app_engine) as s:
        team = make_team(s)
        s.get_one(Child, team.child.id).first_name = NAME
    [rating] = save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    add_action(app_engine, team.manager, team.meeting.id, team.family.id, "=Call the school", team.social_worker.id,
               team.meeting.held_on + dt.timedelta(days=7))  # fmt: skip
    close_meeting(app_engine, team.manager, team.meeting.id)
    correct_rating(app_engine, team.manager, rating.id, RAG.AMBER, "Typed red by mistake", expected_version=1)

    for who in (team.manager, team.social_worker, team.mental_health):
        at = run_page("family.py", who)
        assert f"children: {md(NAME)}" in at.caption[0].value  # typed text is shown literally, never as a link
        actions, changes = (d.value for d in at.dataframe)
        assert actions[["Action", "Who", "By"]].values.tolist() == [
            ["=Call the school", "SW Stevenage A", "21/10/2026"]
        ]
        assert changes[["By", "From", "To", "Kind", "Reason"]].values.tolist() == [
            ["Manager Stevenage A", "Red", "Amber", "corrected", "Typed red by mistake"]
        ]
        assert changes["What"].tolist() == [f"{NAME} · SW Stevenage A"]


def test_a_service_lead_or_another_team_sees_no_family(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    with transaction(app_engine) as s:
        other = make_team(s, name="Other team", ref="F-9").manager
        lead = User(display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD)
        s.add(lead)
    at = run_page("family.py", other)
    assert at.selectbox[0].options == ["F-9"]  # only their own team's family to choose
    at = run_page("family.py", lead)
    assert not at.selectbox and not at.get("vega_lite_chart")
    assert any("not part of a team" in i.value for i in at.info)
    assert _views(app_engine) == [(other.id, str(_family_id(app_engine, "F-9")))]


def _family_id(engine: Engine, ref: str) -> int:
    with reading(engine) as s:
        return s.scalars(select(Family.id).where(Family.case_reference == ref)).one()


def test_the_updates_and_decision_are_shown_month_by_month(run_page: PageRunner, app_engine: Engine) -> None:
    with transaction(app_engine) as s:
        team = make_team(s, "Hitchin B", "F-2")
    update = UpdateEntry(team.family.id, "Visited **twice**\nSchool ok")
    save_family_form(app_engine, team.social_worker, team.meeting.id, [], update)
    with reading(app_engine) as s:
        outcome = s.scalars(select(ChoiceItem.id).where(ChoiceItem.kind == ChoiceKind.OUTCOME)).first()
    assert outcome is not None
    record_decision(app_engine, team.manager, team.meeting.id, team.family.id, "Keep the plan", outcome, None, None)
    at = run_page("family.py", team.mental_health)
    [month] = [e for e in at.expander if e.label.startswith("Meeting of")]
    assert month.label == "Meeting of 14/10/2026"
    markdown = [m.value for m in at.markdown]
    assert f"**{md('Social worker · SW Hitchin B')}**" in markdown
    assert md("Visited **twice**") + "  \n" + md("School ok") in markdown
    assert "**Decision: Continue the plan** · next review not set" in markdown
