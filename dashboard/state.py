"""What every page needs from the Streamlit session: the engine, and the signed-in user.

The user is reloaded from the database on every run, so deactivating an account or changing a role takes effect
on the next click, and an idle session ends after FSDASH_IDLE_MINUTES (default 30).
"""

from __future__ import annotations

import os
import time

import streamlit as st
from sqlalchemy import Engine

from db.models import User
from db.services.accounts import record_sign_out
from db.session import make_engine, reading

USER_KEY = "user_id"
LAST_SEEN_KEY = "last_seen"


@st.cache_resource
def engine() -> Engine:
    return make_engine()


def idle_limit_seconds() -> float:
    return float(os.environ.get("FSDASH_IDLE_MINUTES", "30")) * 60


def sign_in_as(user: User) -> None:
    st.session_state[USER_KEY] = user.id
    st.session_state[LAST_SEEN_KEY] = time.monotonic()


def sign_out(message: str | None = None, reason: str = "signed out") -> None:
    """End the session (recorded in the audit trail) and forget everything it held."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is not None:
        record_sign_out(engine(), user_id, reason)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["signed_out_message"] = message


def current_user() -> User | None:
    """The signed-in, still active user, or None (after sign-out, idle timeout or deactivation)."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    now = time.monotonic()
    if now - st.session_state.get(LAST_SEEN_KEY, now) > idle_limit_seconds():
        sign_out("You were signed out after a period of inactivity. Please sign in again.", reason="idle")
        return None
    st.session_state[LAST_SEEN_KEY] = now
    with reading(engine()) as session:
        user = session.get(User, user_id)
        if user is not None and user.active:
            _ = user.team, user.office  # loaded now, read after the session closes
            return user
    sign_out("Your account is no longer active. Ask an administrator if this is unexpected.", reason="inactive")
    return None


def require_user() -> User:
    """The signed-in user; a page run without one stops here with a message (never shows data)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in to use the dashboard.")
        st.stop()
    return user
