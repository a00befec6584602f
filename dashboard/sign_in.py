"""Signing in: with the council's single sign-on when it is configured (an `[auth]` section in
.streamlit/secrets.toml, see docs/single-sign-on.md), and with a local email and password otherwise or as well
(FSDASH_PASSWORD_SIGN_IN=off keeps the password form for the break-glass accounts only). Password messages never
say whether an email exists (only whether the pair matches). An account with two-step sign-in is asked for its
code after a right password; a browser whose council sign-in has ended or is too old is sent to the provider."""

from __future__ import annotations

import os

import streamlit as st

from dashboard.state import FLASH_KEY, SIGNED_OUT_MESSAGE_KEY, engine, sign_in_as
from db.errors import ServiceError
from db.models import User
from db.queries.accounts import demo_accounts, has_any_user
from db.services.accounts import MIN_PASSWORD_LENGTH, CodeNeeded, SignInFailed, sign_in
from db.services.admin import create_first_administrator
from db.services.mfa import LOCKED, TOO_SLOW, mfa_required, sign_in_with_code
from db.services.sso import AskProviderAgain, claim_seconds, sso_session_expires_at, user_for_verified_email
from db.settings import password_sign_in

DEMO_ACCOUNTS_NOTE = "Demo data: every invented account's password is **supervision-demo**. Accounts to try:"
PENDING_CODE_KEY = "pending_code"


def sso_configured() -> bool:
    """True when Streamlit's OIDC sign-in is set up in secrets.toml."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def _sso_signed_in() -> bool:
    """If the identity provider has signed this browser in, map it to an account. True when that worked."""
    if not st.user.is_logged_in:
        return False
    email = st.user.get("email")  # a claim may hold any JSON value; an email is text
    claims = st.user.to_dict()
    try:
        user = user_for_verified_email(engine(), email if isinstance(email, str) else None, claims)
    except AskProviderAgain:
        if st.session_state.get(SIGNED_OUT_MESSAGE_KEY):
            return False  # this session has just ended: say why first; the button below asks the provider
        st.login()  # a new session with an ended or old identity: the provider is asked again
        st.stop()
    except SignInFailed as exc:
        st.error(str(exc))
        st.button("Sign out of the council account", on_click=st.logout)
        return False
    sign_in_as(user, sso_issued_at=claim_seconds(claims, "iat"), sso_expires_at=sso_session_expires_at(claims))
    return True


def _signed_in_with_password(user: User, flash: str | None = None) -> None:
    """Begin the session, with the steps the account must finish first: a first password an administrator chose
    to change, and two-step sign-in to set up where the account's role requires it."""
    setup = []
    if user.must_change_password:
        setup.append("password")
    if not user.has_mfa and mfa_required(user):
        setup.append("mfa")
    sign_in_as(user, setup=tuple(setup))
    if flash:
        st.session_state[FLASH_KEY] = flash
    st.rerun()


def _code_step(pending: CodeNeeded) -> None:
    """The second step: a code from the authenticator app, or a recovery code."""
    st.subheader("Two-step sign-in")
    st.markdown("Your password was right. Now type the code your authenticator app shows for *Supervision dashboard*.")
    with st.form("sign-in-code", clear_on_submit=True):
        code = st.text_input("Code from your authenticator app, or a recovery code", autocomplete="one-time-code")
        submitted = st.form_submit_button("Continue", type="primary")
    if st.button("Start again with your email and password"):
        st.session_state.pop(PENDING_CODE_KEY, None)
        st.rerun()
    if not submitted:
        return
    if not code.strip():
        st.error("Type the code from your authenticator app, or one of your recovery codes.")
        return
    try:
        accepted = sign_in_with_code(engine(), pending, code)
    except SignInFailed as exc:
        if str(exc) in (LOCKED, TOO_SLOW):
            st.session_state.pop(PENDING_CODE_KEY, None)
        st.error(str(exc))
        return
    st.session_state.pop(PENDING_CODE_KEY, None)
    flash = None
    if accepted.recovery_codes_left is not None:
        left = accepted.recovery_codes_left
        flash = (
            f"You signed in with a recovery code, which cannot be used again. You have {left} recovery "
            f"code{'s' if left != 1 else ''} left."
            + (
                " If you have lost your phone, ask an administrator to reset your two-step sign-in."
                if left
                else " Ask an administrator to reset your two-step sign-in now, and set it up again."
            )
        )
    _signed_in_with_password(accepted.user, flash)


def _first_run() -> None:
    """A new installation has no accounts: whoever sets it up creates the first administrator here."""
    st.info("This dashboard has no accounts yet. Create the first administrator account to set it up.")
    with st.form("first-administrator"):
        name = st.text_input("Your name")
        email = st.text_input("Your work email")
        password = st.text_input(f"Password (at least {MIN_PASSWORD_LENGTH} characters)", type="password")
        again = st.text_input("Password again", type="password")
        submitted = st.form_submit_button("Create administrator account", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords are different. Type the same password twice.")
        return
    try:
        user = create_first_administrator(engine(), email, name, password)
    except ServiceError as exc:
        st.error(str(exc))
        return
    _signed_in_with_password(user)


def show_sign_in() -> None:
    st.title("Supervision RAG dashboard")
    st.caption("Family Safeguarding · monthly group supervision")
    if not has_any_user(engine()):
        _first_run()
        return
    # Read, not taken: a run of this screen that is cut short (a refresh already on its way) must not lose the
    # reason the session ended. It is forgotten when someone signs in.
    message = st.session_state.get(SIGNED_OUT_MESSAGE_KEY)
    if message:
        st.info(message)
    pending = st.session_state.get(PENDING_CODE_KEY)
    if isinstance(pending, CodeNeeded):
        _code_step(pending)
        return
    if sso_configured():
        if _sso_signed_in():
            st.rerun()
        st.button("Sign in with your council account", type="primary", on_click=st.login)
        if password_sign_in():
            st.caption("Or, if your administrator gave you a dashboard password:")
    if password_sign_in():
        _password_form()
    else:
        with st.expander("Emergency sign-in with a password (named break-glass accounts only)"):
            _password_form()
    if os.environ.get("FSDASH_DEMO") == "1":
        st.info(DEMO_ACCOUNTS_NOTE)
        st.table(
            {"role": [role for role, _ in demo_accounts(engine())], "email": [e for _, e in demo_accounts(engine())]}
        )


def _password_form() -> None:
    with st.form("sign_in", clear_on_submit=False):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    if not email or not password:
        st.error("Enter your email and password.")
        return
    try:
        result = sign_in(engine(), email, password)
    except SignInFailed as exc:
        st.error(str(exc))
        return
    if isinstance(result, CodeNeeded):
        st.session_state[PENDING_CODE_KEY] = result
        st.rerun()
    _signed_in_with_password(result)
