"""The sign-in form. Messages never say whether an email exists (only whether the pair matches)."""

from __future__ import annotations

import os

import streamlit as st

from dashboard.state import engine, sign_in_as
from db.services.accounts import SignInFailed, sign_in

DEMO_ACCOUNTS_NOTE = (
    "Demo data: every invented account's password is **supervision-demo**. "
    "Try a team manager, a practitioner or the service lead listed by `fsdash seed`, e.g. the accounts in the README."
)


def show_sign_in() -> None:
    st.title("Supervision RAG dashboard")
    st.caption("Family Safeguarding · monthly group supervision")
    message = st.session_state.pop("signed_out_message", None)
    if message:
        st.info(message)
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
