"""A session ends by going idle or by the account being deactivated; each end is audited and the page shows no
data. (Signing out with the button is exercised, and its audit row checked, in the browser suite.)"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, select, update
from streamlit.testing.v1 import AppTest

from dashboard.state import LAST_SEEN_KEY
from db.models import AuditEvent, User
from db.session import reading, transaction
from tests.dashboard.conftest import PAGES, as_user
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        return make_team(s)


def _sign_outs(engine: Engine) -> list[tuple[int | None, str]]:
    with reading(engine) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.verb == "auth.sign_out").order_by(AuditEvent.id))
        return [(e.actor_id, e.after["reason"]) for e in events]


def _page(user: User) -> AppTest:
    at = as_user(AppTest.from_file(str(PAGES / "rate.py"), default_timeout=30), user)
    at.run()
    assert not at.exception
    return at


def test_an_idle_session_ends(app_engine: Engine, team: Team1) -> None:
    at = _page(team.social_worker)
    at.session_state[LAST_SEEN_KEY] = time.monotonic() - 31 * 60
    at.run()
    assert _sign_outs(app_engine) == [(team.social_worker.id, "idle")]
    assert [w.value for w in at.warning] == ["Please sign in to use the dashboard."]
    assert not at.radio  # no data


def test_a_deactivated_account_loses_access_on_its_next_click(app_engine: Engine, team: Team1) -> None:
    at = _page(team.social_worker)
    assert at.radio
    with transaction(app_engine) as s:
        s.execute(update(User).where(User.id == team.social_worker.id).values(active=False))
    at.run()
    assert _sign_outs(app_engine) == [(team.social_worker.id, "inactive")]
    assert not at.radio
