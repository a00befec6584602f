"""What every page needs from the Streamlit session: the engine, and the signed-in user.

The user is reloaded from the database on every run, so deactivating an account or changing a role takes effect
on the next click, and an idle session ends after FSDASH_IDLE_MINUTES (default 30). Live refreshes (`live_user`)
and downloads (`dashboard.components.downloads`) re-check the session the same way (db.access.recheck_session)
before they read anything; a refresh is not a click, so it never keeps an idle session alive.

A session remembers the account's session generation from its sign-in: a password change, an MFA reset, a
deactivation or "sign out everywhere" moves the account's on, which ends this session in whichever app process
holds it. A single sign-on session also ends its identity when it ends (the browser's identity cookie is not taken
again, and the provider is asked), and ends by itself once the provider's sign-in is FSDASH_SSO_MAX_HOURS old.
A session can begin with steps still to do (a first password to change, two-step sign-in to set up): until they
are done `require_user` shows no page.
"""

from __future__ import annotations

import os
import time
from typing import NoReturn

import streamlit as st
from sqlalchemy import Engine, select

from db.access import SessionEnded, SignedIn, recheck_session
from db.models import User
from db.services.accounts import record_sign_out
from db.session import app_session_limits, make_engine, reading

USER_KEY = "user_id"
LAST_SEEN_KEY = "last_seen"
SIGNED_OUT_MESSAGE_KEY = "signed_out_message"
SIGNED_IN_KEY = "signed_in"
SETUP_KEY = "setup_steps"
"""What this session must do before it sees any page: "password" (change a first password), "mfa" (enrol)."""
FLASH_KEY = "sign_in_flash"
"""A sentence for the first page after signing in (how many recovery codes are left)."""
REDRAW_KEY = "redraw-not-a-click"


@st.cache_resource
def engine() -> Engine:
    return make_engine(limits=app_session_limits())


def idle_limit_seconds() -> float:
    return float(os.environ.get("FSDASH_IDLE_MINUTES", "30")) * 60


def sign_in_as(
    user: User,
    *,
    setup: tuple[str, ...] = (),
    sso_issued_at: int | None = None,
    sso_expires_at: float | None = None,
) -> None:
    """Begin this browser's session for `user` at the account's current session generation."""
    st.session_state.pop(SIGNED_OUT_MESSAGE_KEY, None)
    now = time.monotonic()
    st.session_state[USER_KEY] = user.id
    st.session_state[LAST_SEEN_KEY] = now
    st.session_state[SIGNED_IN_KEY] = SignedIn(
        user.id,
        user.role,
        user.team_id,
        user.office_id,
        now,
        generation=user.session_generation,
        sso_issued_at=sso_issued_at,
        sso_expires_at=sso_expires_at,
    )
    st.session_state[SETUP_KEY] = list(setup)


def setup_steps() -> list[str]:
    return list(st.session_state.get(SETUP_KEY, []))


def setup_done(step: str, generation: int | None = None) -> None:
    """One step of the account's setup is done; a new password's generation keeps this session going."""
    st.session_state[SETUP_KEY] = [s for s in setup_steps() if s != step]
    if generation is not None:
        keep_session_after_own_change(generation)


def keep_session_after_own_change(generation: int) -> None:
    """This session made the change that ended the account's other sessions (a new password): it carries on."""
    record = st.session_state.get(SIGNED_IN_KEY)
    if isinstance(record, SignedIn):
        record.generation = generation


def is_sso_session() -> bool:
    record = st.session_state.get(SIGNED_IN_KEY)
    return isinstance(record, SignedIn) and record.sso_issued_at is not None


def sign_out(message: str | None = None, reason: str = "signed out") -> bool:
    """End the session (recorded in the audit trail) and forget everything it held. A single sign-on session ends
    its identity too: Streamlit's identity cookie is deleted and the browser is sent to the provider's sign-out
    (st.logout); True when that redirect is under way."""
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    sso_issued_at = None
    if isinstance(signed_in, SignedIn):
        signed_in.ended = True  # a download button still on the screen holds this too: it now refuses
        sso_issued_at = signed_in.sso_issued_at
    user_id = st.session_state.get(USER_KEY)
    if user_id is not None:
        record_sign_out(engine(), user_id, reason, sso_issued_at=sso_issued_at)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state[SIGNED_OUT_MESSAGE_KEY] = message
    if _identity_cookie_present():
        st.logout()
        return True
    return False


def _identity_cookie_present() -> bool:
    """Streamlit holds a council sign-in for this browser (only when single sign-on is configured)."""
    try:
        return "auth" in st.secrets and bool(st.user.is_logged_in)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def current_user() -> User | None:
    """The signed-in, still active user, or None (after sign-out, idle timeout or deactivation). A page run is a
    click: it keeps the session alive and takes the user's current role and team."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    now = time.monotonic()
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    if not isinstance(signed_in, SignedIn) or signed_in.user_id != user_id:
        # Only a session given a user id from outside (page tests, benchmarks) gets here: sign_in_as makes the
        # record. It starts at the account's generation now.
        with reading(engine()) as session:
            generation = session.scalar(select(User.session_generation).where(User.id == user_id)) or 0
        signed_in = SignedIn(user_id, None, None, None, now, generation=generation)  # type: ignore[arg-type]
        st.session_state[SIGNED_IN_KEY] = signed_in
    signed_in.last_seen = st.session_state.get(LAST_SEEN_KEY, now)
    try:
        user = recheck_session(engine(), signed_in, now=now, idle_limit=idle_limit_seconds(), same_identity=False)
    except SessionEnded as ended:
        sign_out(str(ended), reason=ended.reason)
        return None
    signed_in.role, signed_in.team_id, signed_in.office_id = user.role, user.team_id, user.office_id
    if not st.session_state.pop(REDRAW_KEY, False):
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


def redraw_without_click() -> NoReturn:
    """Run the whole page again because what it shows changed elsewhere (a live screen's redraw): the run checks
    the session as every run does, but it is not a click, so it does not keep an idle session alive."""
    st.session_state[REDRAW_KEY] = True
    st.rerun(scope="app")


def user_at_click() -> User | None:
    """For a widget's callback, which runs before the page's own check: the user re-checked (active, not idle, same
    role and team), or None when the session has ended (the page run that follows signs it out and says why)."""
    try:
        return recheck_session(engine(), signed_in(), now=time.monotonic(), idle_limit=idle_limit_seconds())
    except SessionEnded:
        return None


def require_user() -> User:
    """The signed-in user; a page run without one, or whose account setup is not finished (a first password to
    change, two-step sign-in to set up), stops here with a message (never shows data)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in to use the dashboard.")
        st.stop()
    if setup_steps():
        st.warning("Finish setting up your account first: open the dashboard's address again.")
        st.stop()
    return user
