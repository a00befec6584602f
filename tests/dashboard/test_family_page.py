"""The Family page: one family's history, opened by its team and recorded as a view once per session."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from dashboard.risk.vocabulary import RAG
from db.models import AuditEvent
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
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
