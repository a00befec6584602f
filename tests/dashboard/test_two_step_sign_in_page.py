"""The sign-in screens around two-step sign-in, run through the real app script: a required account is taken to
enrolment before it sees anything else, the code follows the password, a recovery code says how many are left,
an administrator-typed password is changed first, and with the password form off only the emergency form stays."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboard.components.mfa_enrolment import CODES_KEY, ENROLMENT_KEY
from dashboard.components.text import WORD_JOINER
from db.models import User
from db.services import mfa
from db.services.accounts import create_user, hash_password
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import APP

PASSWORD = "a long enough password"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def admin(app_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.delenv("FSDASH_MFA_REQUIRED", raising=False)  # the default: administrators must use it
    with transaction(app_engine) as s:
        user = User(display_name="Ada Admin", email="ada@example.org", role=Role.ADMINISTRATOR)
        user.password_hash = hash_password(PASSWORD)
        s.add(user)
        s.flush()
        return user


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    return at


def _box(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(box for box in at.text_input if box.label.startswith(label))


def _click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def _said(elements: object, text: str) -> bool:
    return any(text in e.value.replace("\\", "").replace(WORD_JOINER, "") for e in elements)  # type: ignore[attr-defined]


def _password_step(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    _box(at, "Email").input(email)
    _box(at, "Password").input(password)
    return _click(at, "Sign in")


def test_a_required_account_without_mfa_sees_only_the_enrolment_until_it_is_done(
    app_engine: Engine, admin: User
) -> None:
    at = _password_step(_app(), admin.email)
    assert not at.exception
    assert [t.value for t in at.title] == ["Finish setting up your account"]
    assert "Sign out" in [b.label for b in at.button]
    assert not any(h.value == "Admin" for h in at.title), "nothing else until two-step sign-in is set up"
    secret = at.session_state[ENROLMENT_KEY]
    assert any(secret[:4] in c.value for c in at.code), "the key is shown as text for typing into the app"
    _box(at, "6-digit code").input("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    _click(at, "Switch on two-step sign-in")
    assert _said(at.error, "That code is not right")
    _box(at, "6-digit code").input(pyotp.TOTP(secret).now())
    at = _click(at, "Switch on two-step sign-in")
    codes = at.session_state[CODES_KEY]
    assert len(codes) == 10 and all(code in at.code[0].value for code in codes)
    assert "Download the recovery codes (once)" in [b.label for b in at.get("download_button")]
    at = _click(at, "I have kept my recovery codes")
    assert not at.exception
    assert [t.value for t in at.title] == ["Admin"]
    assert not any(c.value == "\n".join(codes) for c in at.code), "shown once"
    with reading(app_engine) as s:
        assert s.get_one(User, admin.id).has_mfa


def test_the_code_follows_a_right_password_and_a_recovery_code_says_how_many_are_left(
    app_engine: Engine, admin: User
) -> None:
    codes = mfa.enrol(app_engine, admin, SECRET, pyotp.TOTP(SECRET).now())
    at = _password_step(_app(), admin.email)
    assert [s.value for s in at.subheader] == ["Two-step sign-in"]
    assert "Sign out" not in [b.label for b in at.button], "a right password alone signs nobody in"
    _box(at, "Code from your authenticator app").input("12345")
    at = _click(at, "Continue")
    assert _said(at.error, "That code is not right")
    _box(at, "Code from your authenticator app").input(codes[3])
    at = _click(at, "Continue")
    assert not at.exception
    assert "Sign out" in [b.label for b in at.button]
    assert _said(at.warning, "You have 9 recovery codes left")


def test_an_administrator_typed_password_is_changed_before_anything_else(
    app_engine: Engine, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FSDASH_MFA_REQUIRED", "administrator")
    made = create_user(
        app_engine,
        admin,
        email="sam@example.org",
        display_name="Sam Worker",
        role=Role.SERVICE_LEAD,
        password=PASSWORD,
    )
    at = _password_step(_app(), made.email)
    assert [t.value for t in at.title] == ["Finish setting up your account"]
    assert _said(at.info, "Choose your own password now")
    _box(at, "Current password").input(PASSWORD)
    _box(at, "New password (").input("my very own passphrase")
    _box(at, "New password again").input("my very own passphrase")
    at = _click(at, "Save my password")
    assert not at.exception
    assert [t.value for t in at.title] == ["Service overview"]
    with reading(app_engine) as s:
        assert not s.get_one(User, made.id).must_change_password


def test_with_the_password_form_off_only_the_emergency_form_is_left(
    app_engine: Engine, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FSDASH_PASSWORD_SIGN_IN", "off")
    at = _app()
    assert [e.label for e in at.expander] == ["Emergency sign-in with a password (named break-glass accounts only)"]
    at = _password_step(at, admin.email)
    assert "do not match an active account" in at.error[0].value  # not a break-glass account


def test_a_sign_in_setting_it_cannot_read_stops_the_app_with_its_name(
    app_engine: Engine, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FSDASH_SSO_MAX_HOURS", "a working day")
    at = _app()
    assert "FSDASH_SSO_MAX_HOURS" in at.error[0].value
    assert not at.text_input, "nobody signs in meanwhile"
