"""Signing in: with the council's single sign-on when it is configured (an `[auth]` section in
.streamlit/secrets.toml, see docs/single-sign-on.md), and with a local email and password otherwise or as well.
Password messages never say whether an email exists (only whether the pair matches)."""

from __future__ import annotations

import os

import streamlit as st

from dashboard.state import SIGNED_OUT_MESSAGE_KEY, engine, sign_in_as
from db.errors import ServiceError
from db.queries.accounts import demo_accounts, has_any_user
from db.services.accounts import MIN_PASSWORD_LENGTH, SignInFailed, sign_in
from db.services.admin import create_first_administrator
from db.services.sso import user_for_verified_email

DEMO_ACCOUNTS_NOTE = "Demo data: every invented account's password is **supervision-demo**. Accounts to try:"


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
    try:
        user = user_for_verified_email(engine(), email if isinstance(email, str) else None, st.user.to_dict())
    except SignInFailed as exc:
        st.error(str(exc))
        st.button("Sign out of the council account", on_click=st.logout)
        return False
    sign_in_as(user)
    return True


def end_sso_session() -> bool:
    """Signing out of the dashboard also ends the identity provider's session; True when a redirect is under way."""
    if not sso_configured() or not st.user.is_logged_in:  # without [auth], st.user has no is_logged_in
        return False
    st.logout()
    return True


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
    sign_in_as(user)
    st.rerun()


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
    if sso_configured():
        if _sso_signed_in():
            st.rerun()
        st.button("Sign in with your council account", type="primary", on_click=st.login)
        st.caption("Or, if your administrator gave you a dashboard password:")
    with st.form("sign_in", clear_on_submit=False):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        if not email or not password:
            st.error("Enter your email and password.")
            return
        try:
            user = sign_in(engine(), email, password)
        except SignInFailed as exc:
            st.error(str(exc))
            return
        sign_in_as(user)
        st.rerun()
    if os.environ.get("FSDASH_DEMO") == "1":
        st.info(DEMO_ACCOUNTS_NOTE)
        st.table(
            {"role": [role for role, _ in demo_accounts(engine())], "email": [e for _, e in demo_accounts(engine())]}
        )
