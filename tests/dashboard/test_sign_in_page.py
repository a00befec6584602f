"""The sign-in screen: passwords with lockout, and single sign-on when it is configured.

Streamlit's OIDC round trip needs a browser and an identity provider; here `st.user` is replaced by a stand-in
for what Streamlit holds after a successful login, so the mapping and the screens around it are what is tested.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

import dashboard.sign_in as sign_in_module
from db.access import AccessDenied
from db.models import User
from db.services.accounts import NO_MATCH, create_user, hash_password
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import APP
from tests.db.factories import Team1, make_team

PASSWORD = "a long enough password"


class FakeUser(dict[str, Any]):
    """What `st.user` offers the page: `is_logged_in`, `get` and `to_dict`."""

    @property
    def is_logged_in(self) -> bool:
        return bool(self)

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        team = make_team(s)
        s.get_one(User, team.social_worker.id).password_hash = hash_password(PASSWORD)
        return team


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    return at


def _submit(at: AppTest, email: str, password: str) -> None:
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()


def test_a_wrong_password_is_refused_and_five_lock_the_account(team: Team1, app_engine: Engine) -> None:
    at = _app()
    assert "Sign in with your council account" not in [b.label for b in at.button]  # no SSO configured
    for _ in range(5):
        _submit(at, team.social_worker.email, "not the password")
        assert [e.value for e in at.error] == [NO_MATCH]
    _submit(at, team.social_worker.email, PASSWORD)  # the fifth failure locked it: even the right one waits
    assert [e.value for e in at.error] == [NO_MATCH]  # the same words: a locked account is not told apart
    assert "Sign out" not in [b.label for b in at.button]
    with reading(app_engine) as s:
        assert s.get_one(User, team.social_worker.id).locked_until is not None


def test_the_right_password_signs_in(team: Team1) -> None:
    at = _app()
    _submit(at, team.social_worker.email, PASSWORD)
    assert not at.exception
    assert "Sign out" in [b.label for b in at.button]


@pytest.fixture
def sso(monkeypatch: pytest.MonkeyPatch) -> FakeUser:
    identity = FakeUser()
    monkeypatch.setattr(sign_in_module, "sso_configured", lambda: True)
    monkeypatch.setattr(st, "user", identity)
    return identity


def test_with_sso_configured_the_council_sign_in_is_offered(team: Team1, sso: FakeUser) -> None:
    at = _app()
    assert [b.label for b in at.button][:2] == ["Sign in with your council account", "Sign in"]


def test_a_verified_council_email_signs_in_its_account(team: Team1, sso: FakeUser) -> None:
    sso.update(email=team.manager.email.upper(), email_verified=True, iat=int(time.time()))
    at = _app()
    assert not at.exception
    assert "Sign out" in [b.label for b in at.button]


def test_a_council_email_without_an_account_is_refused_clearly(team: Team1, sso: FakeUser) -> None:
    sso.update(email="new.starter@example.org", email_verified=True, iat=int(time.time()))
    at = _app()
    assert "No dashboard account uses new.starter@example.org" in at.error[0].value
    assert "Sign out of the council account" in [b.label for b in at.button]
    assert "Sign out" not in [b.label for b in at.button]


def test_a_new_installation_creates_its_first_administrator(app_engine: Engine) -> None:
    at = _app()
    assert "no accounts yet" in at.info[0].value
    for box, value in zip(at.text_input, ["Ada Admin", "ada@example.org", PASSWORD, PASSWORD], strict=True):
        box.input(value)
    at.button[0].click().run()
    assert not at.exception
    assert "Sign out" in [b.label for b in at.button]
    with pytest.raises(AccessDenied, match="already set up"):
        create_user(
            app_engine,
            None,
            email="eve@example.org",
            display_name="Eve",
            role=Role.ADMINISTRATOR,
            password=PASSWORD,
            only_if_first=True,
        )
