"""A warning before the idle sign-out (WCAG 2.2.1 Timing adjustable): a minute before a session would end for want of
a click, the sidebar says so and offers "Stay signed in", which is a click and so starts the idle time again.

The check runs as a fragment every few seconds. A fragment's run is not a click (it never calls `current_user`),
so the check itself never keeps an idle session alive; only the person can. Once the time is up, it says that the
session has ended and that nothing unsaved was kept; the next click shows the sign-in screen
(dashboard/state.py ends the session there and writes it to the audit trail). A single sign-on session's identity
ends as soon as the time is up, so that opening the dashboard in a new tab sends the browser to the council's
sign-in page instead of being signed straight back in by Streamlit's identity cookie.
"""

from __future__ import annotations

import datetime as dt
import time

import streamlit as st

from dashboard.state import LAST_SEEN_KEY, SIGNED_IN_KEY, engine, idle_limit_seconds
from db.access import SignedIn
from db.services.accounts import end_sso_identity

WARN_SECONDS = 60.0


def warning_window(limit: float) -> float:
    """How long before the sign-out the warning shows: a minute, or half the idle time if that is shorter."""
    return min(WARN_SECONDS, limit / 2)


def check_interval(limit: float) -> float:
    """How often the check runs: often enough that the warning appears early in its window."""
    return max(1.0, min(15.0, warning_window(limit) / 5))


def _check() -> None:
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    if last_seen is None:
        return
    limit = idle_limit_seconds()
    left = limit - (time.monotonic() - last_seen)
    if left <= 0:
        _end_sso_identity()
        st.error(
            "Your session has ended because there was no click for a while. Anything you had typed and not saved "
            "was not kept. Choose any page or button to sign in again."
        )
    elif left <= warning_window(limit):
        at = (dt.datetime.now() + dt.timedelta(seconds=left)).strftime("%H:%M:%S")
        st.warning(
            f"You will be signed out at {at} (in {int(left)} seconds) unless you carry on. Anything typed and not "
            "saved by then will not be kept."
        )
        if st.button("Stay signed in", type="primary", key="stay-signed-in"):
            st.rerun(scope="app")  # a full run is a click: it starts the idle time again


def show_idle_warning() -> None:
    """Put the idle check in the current container (the sidebar); call once per run of a signed-in page."""
    st.fragment(_check, run_every=check_interval(idle_limit_seconds()))()


def _end_sso_identity() -> None:
    record = st.session_state.get(SIGNED_IN_KEY)
    if isinstance(record, SignedIn) and record.sso_issued_at is not None and not st.session_state.get(_ENDED_KEY):
        end_sso_identity(engine(), record.user_id, record.sso_issued_at)
        st.session_state[_ENDED_KEY] = True


_ENDED_KEY = "sso_identity_ended"
