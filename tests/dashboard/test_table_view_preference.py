"""The sidebar's Table view is remembered for the account: switched on once, it is on at every later sign-in."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.text import md
from db.errors import ServiceError
from db.models import AuditEvent, User
from db.services.accounts import set_table_view
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, Role
from tests.dashboard.conftest import APP, PAGES, as_user
from tests.db.factories import Team1, make_team

NASTY = "**bold** [x](javascript:alert(1))"


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        return make_team(s)


def _signed_in(user: User) -> AppTest:
    at = as_user(AppTest.from_file(str(APP), default_timeout=30), user)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_switch_is_saved_and_a_new_session_starts_with_it(app_engine: Engine, team: Team1) -> None:
    at = _signed_in(team.manager)
    assert at.toggle(key="table-view").value is False
    assert at.dataframe and not at.table  # the Meeting page's grids

    at.toggle(key="table-view").set_value(True).run()
    assert at.table and not at.dataframe

    later = _signed_in(team.manager)  # another session: another device, or after signing out
    assert later.toggle(key="table-view").value is True
    assert later.table and not later.dataframe
    assert _signed_in(team.social_worker).toggle(key="table-view").value is False  # one person's choice only

    with reading(app_engine) as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.verb == "user.preference")).all()
    assert (event.actor_id, event.after) == (team.manager.id, {"table_view": True})


def test_a_deactivated_account_cannot_change_it(app_engine: Engine, team: Team1) -> None:
    with transaction(app_engine) as s:
        s.get_one(User, team.social_worker.id).active = False
    with reading(app_engine) as s:
        gone = s.get_one(User, team.social_worker.id)
    with pytest.raises(ServiceError):
        set_table_view(app_engine, gone, True)


@pytest.mark.parametrize("page", ["audit.py", "admin.py", "import_caseload.py", "family.py"])
def test_every_grid_becomes_a_table_with_the_words_escaped(app_engine: Engine, team: Team1, page: str) -> None:
    with transaction(app_engine) as s:
        s.get_one(User, team.social_worker.id).display_name = NASTY  # shown on the Admin and Family pages
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
        s.flush()
        s.expunge(admin)
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    who = team.manager if page == "family.py" else admin
    at = as_user(AppTest.from_file(str(PAGES / page), default_timeout=30), who)
    at.session_state["table-view"] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.table and not at.dataframe
    cells = [str(v) for t in at.table for v in t.value.to_numpy().ravel()]
    assert not any(NASTY in cell for cell in cells)  # Markdown in a name is escaped, never rendered
    if page != "import_caseload.py":  # its tables describe the template and hold nobody's name
        assert any(md(NASTY) in cell for cell in cells)
