"""The change-password form, on My account and at the first sign-in after an administrator chose the password."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.services.accounts import MIN_PASSWORD_LENGTH, change_password


def password_form(user: User, on_changed: Callable[[int], None], *, button: str = "Change password") -> bool:
    """Current password, the new one twice; `on_changed(generation)` keeps this session going once the other
    sessions of the account have been ended by the change. True when the password was changed."""
    with st.form("change-password"):
        current = st.text_input("Current password", type="password", autocomplete="current-password")
        new = st.text_input(
            f"New password (at least {MIN_PASSWORD_LENGTH} characters)", type="password", autocomplete="new-password"
        )
        again = st.text_input("New password again", type="password", autocomplete="new-password")
        submitted = st.form_submit_button(button, type="primary")
    if not submitted:
        return False
    if new != again:
        st.error("The two new passwords are different. Type the same new password twice.")
        return False
    try:
        generation = change_password(engine(), user, current, new)
    except ServiceError as exc:
        st.error(md(exc))
        return False
    on_changed(generation)
    return True
