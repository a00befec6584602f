"""My account: every signed-in user sees who the dashboard thinks they are and changes their own password."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.text import WORD_JOINER
from db.models import AuditEvent, Office, User
from db.services.accounts import SignInFailed, hash_password, sign_in
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        team = make_team(s)
        s.get_one(User, team.social_worker.id).password_hash = hash_password(PASSWORD)
    return team


def _change(at: AppTest, current: str, new: str, again: str) -> AppTest:
    boxes = [box for box in at.text_input if "password" in box.label.lower()]
    for box, value in zip(boxes, [current, new, again], strict=True):
        box.input(value)
    return next(b for b in at.button if b.label == "Change password").click().run()


def _said(elements: object, text: str) -> bool:
    return any(text in e.value.replace("\\", "") for e in elements)  # type: ignore[attr-defined]


def _password_events(engine: Engine) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == "user.password_change")))


def test_my_account_says_who_i_am(run_page: PageRunner, team: Team1) -> None:
    at = run_page("account.py", team.social_worker)
    shown = at.markdown[0].value.replace("\\", "").replace(WORD_JOINER, "")  # as read: escapes and joiners unseen
    for part in ("SW Stevenage A", "sw.stevenage-a@example.org", "Social worker", "Stevenage A"):
        assert part in shown


@pytest.mark.parametrize(("office", "where"), [("South", "South"), (None, "the whole service")])
def test_a_service_lead_sees_their_office_or_the_whole_service(
    run_page: PageRunner, app_engine: Engine, office: str | None, where: str
) -> None:
    with transaction(app_engine) as s:
        lead = User(
            display_name="Lead",
            email="lead@example.org",
            role=Role.SERVICE_LEAD,
            office=Office(name=office) if office else None,
        )
        s.add(lead)
    at = run_page("account.py", lead)
    assert f"Service lead · {where}" in at.markdown[0].value.replace("\\", "")


def test_a_name_with_markdown_is_shown_as_typed(run_page: PageRunner, app_engine: Engine) -> None:
    with transaction(app_engine) as s:
        odd = User(display_name="**Bold** [link](http://x)", email="odd@example.org", role=Role.ADMINISTRATOR)
        s.add(odd)
    at = run_page("account.py", odd)
    assert "\\*\\*Bold\\*\\*" in at.markdown[0].value and "\\[link\\]" in at.markdown[0].value


def test_my_password_is_changed_and_the_change_audited(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    at = _change(run_page("account.py", team.social_worker), PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert _said(at.success, "Your password has been changed")
    assert sign_in(app_engine, team.social_worker.email, NEW_PASSWORD).id == team.social_worker.id
    with pytest.raises(SignInFailed):
        sign_in(app_engine, team.social_worker.email, PASSWORD)
    [event] = _password_events(app_engine)
    assert (event.actor_id, event.entity_id) == (team.social_worker.id, str(team.social_worker.id))
    assert not event.before and not event.after  # never the password, nor its hash


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong password!", NEW_PASSWORD, NEW_PASSWORD, "current password is not right"),
        (PASSWORD, "short", "short", "at least 12 characters"),
        (PASSWORD, NEW_PASSWORD, "something else entirely", "two new passwords are different"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    run_page: PageRunner, app_engine: Engine, team: Team1, current: str, new: str, again: str, message: str
) -> None:
    at = _change(run_page("account.py", team.social_worker), current, new, again)
    assert _said(at.error, message) and not at.success
    assert sign_in(app_engine, team.social_worker.email, PASSWORD).id == team.social_worker.id
    assert _password_events(app_engine) == []


def test_no_account_page_without_signing_in(run_page: PageRunner, team: Team1) -> None:
    at = run_page("account.py", None)
    assert "Please sign in" in at.warning[0].value and not at.text_input and not at.markdown


def test_an_account_without_a_password_is_told_how_it_signs_in(run_page: PageRunner, team: Team1) -> None:
    at = run_page("account.py", team.manager)  # the factory gives no password: single sign-on only
    assert _said(at.info, "no dashboard password") and not at.text_input
