"""Admin, Audit trail and My account pages."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from dashboard.risk.vocabulary import Role
from db.models import AuditEvent, User
from db.services.accounts import hash_password, sign_in
from db.session import reading, transaction
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team

PASSWORD = "correct horse battery"


@pytest.fixture
def people(app_engine: Engine) -> tuple[User, Team1]:
    with transaction(app_engine) as s:
        team = make_team(s)
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
        s.get_one(User, team.social_worker.id).password_hash = hash_password(PASSWORD)
    return administrator, team


def test_the_administrator_creates_an_account_and_a_mistake_keeps_the_form(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    assert [t.label for t in at.tabs] == ["Offices and teams", "Accounts", "Who works with which family"]
    at.text_input(key="new-name").input("Priya Shah")
    at.text_input(key="new-email").input("not an email")
    at.selectbox(key="new-role").set_value(Role.SOCIAL_WORKER)
    at.selectbox(key="new-team").set_value("Stevenage A")
    at.text_input(key="new-password").input(PASSWORD)
    next(b for b in at.button if b.label == "Create account").click().run()
    assert any("is not an email address" in e.value for e in at.error), [e.value for e in at.error + at.success]
    assert at.text_input(key="new-name").value == "Priya Shah"  # nothing typed is lost
    at.text_input(key="new-email").input("priya.shah@example.org")
    next(b for b in at.button if b.label == "Create account").click().run()
    assert any("Account created for" in s.value for s in at.success)
    assert sign_in(app_engine, "priya.shah@example.org", PASSWORD).role is Role.SOCIAL_WORKER


@pytest.mark.parametrize("page", ["admin.py", "audit.py"])
def test_other_roles_are_refused_the_admin_pages(run_page: PageRunner, people: tuple[User, Team1], page: str) -> None:
    _, team = people
    at = run_page(page, team.manager)
    assert at.error and "Only administrators" in at.error[0].value
    assert not at.dataframe and not at.tabs


def test_the_audit_trail_is_searched_and_exported(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    sign_in(app_engine, team.social_worker.email, PASSWORD)
    at = run_page("audit.py", administrator)
    assert at.dataframe[0].value["What"].tolist() == ["auth.sign_in"]
    at.text_input[0].input("nobody-like-this")
    at.button[0].click().run()
    assert any("No event matches" in i.value for i in at.info)
    at.text_input[0].input("SW Stevenage")
    at.button[0].click().run()
    at.download_button[0].click().run()
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "download")).one()
    assert (event.entity_type, event.actor_id, event.after["rows"]) == ("audit_csv", administrator.id, 1)


def test_my_account_shows_who_i_am_and_changes_my_password(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    _, team = people
    at = run_page("account.py", team.social_worker)
    assert "SW Stevenage A" in at.markdown[0].value and "Stevenage A" in at.markdown[0].value
    at.text_input[0].input("wrong password!")
    at.text_input[1].input("a brand new password")
    at.text_input[2].input("a brand new password")
    at.button[0].click().run()
    assert any("current password is not right" in e.value for e in at.error)
    at.text_input[0].input(PASSWORD)
    at.text_input[2].input("a different one again")
    at.button[0].click().run()
    assert any("different" in e.value for e in at.error)
    at.text_input[2].input("a brand new password")
    at.button[0].click().run()
    assert at.success
    assert sign_in(app_engine, team.social_worker.email, "a brand new password").id == team.social_worker.id
