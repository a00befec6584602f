"""What a session must finish before it sees any page: changing a first password an administrator chose (ASVS
2.3.1), then setting up two-step sign-in when the account's role requires it. The app shows only this screen
until both are done (dashboard.state.require_user refuses every page meanwhile)."""

from __future__ import annotations

import streamlit as st

from dashboard.components.mfa_enrolment import APPS, enrolment_form, new_recovery_codes
from dashboard.components.password_form import password_form
from dashboard.state import current_user, setup_done, setup_steps


def show_account_setup() -> None:
    user = current_user()
    if user is None:
        st.stop()
    st.title("Finish setting up your account")
    steps = setup_steps()
    if "password" in steps:
        st.info(
            "An administrator chose your first password, so only you should know the next one. "
            "Choose your own password now."
        )
        if password_form(user, lambda generation: setup_done("password", generation), button="Save my password"):
            st.rerun()
        return
    if new_recovery_codes(user, on_kept=lambda: setup_done("mfa")):
        return
    if "mfa" in steps:
        st.info(
            f"Your role must use two-step sign-in: a password and a code from {APPS}. Set it up now to continue; "
            "it takes a minute."
        )
        enrolment_form(user)
