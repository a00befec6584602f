"""The Service overview: aggregates for service leads, no family or child named anywhere on the page."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import vl_convert  # noqa: F401  (the PNG/SVG exports need it)
from sqlalchemy import Engine, select

from dashboard.components.heatmaps import heatmap
from dashboard.risk.vocabulary import RAG, Role
from db.exports.heatmap_files import chart_png, chart_svg, heatmap_csv
from db.models import AuditEvent, User
from db.queries.service import team_month_scores
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team


@pytest.fixture
def lead(app_engine: Engine) -> tuple[User, Team1]:
    with transaction(app_engine) as s:
        team = make_team(s)
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add(head)
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    close_meeting(app_engine, team.manager, team.meeting.id)
    return head, team


def _everything_shown(at) -> str:  # type: ignore[no-untyped-def]
    parts = [e.value for kind in (at.markdown, at.caption, at.subheader, at.info, at.title) for e in kind]
    parts += [str(w.options) for w in at.selectbox]
    parts += [m.label + str(m.value) for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [c.proto.spec + c.proto.datasets.__repr__() for c in at.get("vega_lite_chart")]
    return "\n".join(parts)


def test_the_lead_sees_figures_without_names(run_page: PageRunner, lead: tuple[User, Team1]) -> None:
    head, team = lead
    at = run_page("service.py", head)
    shown = _everything_shown(at)
    assert "Stevenage A" in shown  # the team, yes
    for private in ("F-1", "Amy", team.social_worker.display_name):
        assert private not in shown
    assert [m.label for m in at.metric][:4] == ["🔴 Red", "🟠 Amber", "🟢 Green", "⚪ Not yet rated"]
    assert [m.value for m in at.metric][:4] == ["1", "0", "0", "0"]


def test_downloads_hold_the_figures_and_are_audited(
    run_page: PageRunner, app_engine: Engine, lead: tuple[User, Team1]
) -> None:
    head, _ = lead
    frame = team_month_scores(app_engine, head, 12)
    csv = pd.read_csv(io.BytesIO(heatmap_csv(frame)), encoding="utf-8-sig")
    assert csv[["team", "families", "red", "red_share"]].values.tolist() == [["Stevenage A", 1, 1, 1.0]]
    chart = heatmap(frame, "team", "red_share", "Share red", percent=True)
    assert chart_png(chart).startswith(b"\x89PNG")
    assert chart_svg(chart).lstrip().startswith(b"<svg")

    at = run_page("service.py", head)
    at.download_button(key="service_heatmap_csv").click().run()
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "download")).one()
    assert (event.entity_type, event.actor_id) == ("service_heatmap_csv", head.id)


def test_before_any_meeting_closes_it_says_when_figures_come(run_page: PageRunner, app_engine: Engine) -> None:
    with transaction(app_engine) as s:
        make_team(s)
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add(head)
    at = run_page("service.py", head)
    assert any("No meeting has closed yet" in i.value for i in at.info)
