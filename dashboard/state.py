"""What every page needs from the Streamlit session: the engine, and the signed-in user.

The user is reloaded from the database on every run, so deactivating an account or changing a role takes effect
on the next click, and an idle session ends after FSDASH_IDLE_MINUTES (default 30). Live refreshes (`live_user`)
and downloads (`dashboard.components.downloads`) re-check the session the same way (db.access.recheck_session)
before they read anything; a refresh is not a click, so it never keeps an idle session alive.
"""

from __future__ import annotations

import os
import time

import streamlit as st
from sqlalchemy import Engine

from db.access import SessionEnded, SignedIn, recheck_session
from db.models import User
from db.services.accounts import record_sign_out
from db.session import app_session_limits, make_engine

USER_KEY = "user_id"
LAST_SEEN_KEY = "last_seen"
SIGNED_OUT_MESSAGE_KEY = "signed_out_message"
SIGNED_IN_KEY = "signed_in"


@st.cache_resource
def engine() -> Engine:
    return make_engine(limits=app_session_limits())


def idle_limit_seconds() -> float:
    return float(os.environ.get("FSDASH_IDLE_MINUTES", "30")) * 60


def sign_in_as(user: User) -> None:
    st.session_state.pop(SIGNED_OUT_MESSAGE_KEY, None)
    st.session_state[USER_KEY] = user.id
    st.session_state[LAST_SEEN_KEY] = time.monotonic()


def sign_out(message: str | None = None, reason: str = "signed out") -> None:
    """End the session (recorded in the audit trail) and forget everything it held."""
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    if isinstance(signed_in, SignedIn):
        signed_in.ended = True  # a download button still on the screen holds this too: it now refuses
    user_id = st.session_state.get(USER_KEY)
    if user_id is not None:
        record_sign_out(engine(), user_id, reason)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state[SIGNED_OUT_MESSAGE_KEY] = message


def current_user() -> User | None:
    """The signed-in, still active user, or None (after sign-out, idle timeout or deactivation). A page run is a
    click: it keeps the session alive and takes the user's current role and team."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    now = time.monotonic()
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    if not isinstance(signed_in, SignedIn) or signed_in.user_id != user_id:
        signed_in = SignedIn(user_id, None, None, None, now)  # type: ignore[arg-type]  # filled in below
        st.session_state[SIGNED_IN_KEY] = signed_in
    signed_in.last_seen = st.session_state.get(LAST_SEEN_KEY, now)
    try:
        user = recheck_session(engine(), signed_in, now=now, idle_limit=idle_limit_seconds(), same_identity=False)
    except SessionEnded as ended:
        sign_out(str(ended), reason=ended.reason)
        return None
    signed_in.role, signed_in.team_id, signed_in.office_id = user.role, user.team_id, user.office_id
    signed_in.last_seen = st.session_state[LAST_SEEN_KEY] = now
    return user


def signed_in() -> SignedIn:
    """This session's record, for a download made later on the server (see dashboard.components.downloads)."""
    record = st.session_state.get(SIGNED_IN_KEY)
    if not isinstance(record, SignedIn):
        raise SessionEnded("signed out", "Please sign in to use the dashboard.")
    return record


def live_user() -> User:
    """For the top of a live-refreshing fragment: the user re-checked (active, not idle, same role and team) before
    the fragment reads anything. Otherwise the session ends and the whole page reruns to the sign-in screen, so a
    deactivated chair's shared screen stops showing cases at its next refresh."""
    record = st.session_state.get(SIGNED_IN_KEY)
    if not isinstance(record, SignedIn):
        st.stop()  # a refresh already on its way when the session ended: the page has gone to the sign-in screen
    try:
        return recheck_session(engine(), record, now=time.monotonic(), idle_limit=idle_limit_seconds())
    except SessionEnded as ended:
        sign_out(str(ended), reason=ended.reason)
        st.rerun()
        raise  # st.rerun() does not return


def user_at_click() -> User | None:
    """For a widget's callback, which runs before the page's own check: the user re-checked (active, not idle, same
    role and team), or None when the session has ended (the page run that follows signs it out and says why)."""
    try:
        return recheck_session(engine(), signed_in(), now=time.monotonic(), idle_limit=idle_limit_seconds())
    except SessionEnded:
        return None


def require_user() -> User:
    """The signed-in user; a page run without one stops here with a message (never shows data)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in to use the dashboard.")
        st.stop()
    return user
