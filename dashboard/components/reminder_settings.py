"""Reminder emails, as each person chooses them on My account: what they get, and the switch that turns them off."""

from __future__ import annotations

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine, user_at_click
from db.models import User
from db.services.reminders import set_reminder_emails

REMINDERS_KEY = "reminder-emails"


def _remember() -> None:
    """Keep the new position for the account (as the user is at the click: a callback runs before the page)."""
    if (user := user_at_click()) is not None:
        set_reminder_emails(engine(), user, st.session_state[REMINDERS_KEY])


def reminder_choice(user: User) -> None:
    st.subheader("Reminder emails")
    st.toggle(
        "Email me reminders",
        value=user.reminder_emails,
        key=REMINDERS_KEY,
        on_change=_remember,
        help="Ratings still to enter before your team's meeting, actions falling due or overdue, and (for the "
        "chair) the list on the morning of the meeting",
    )
    st.caption(
        f"Sent to {md(user.email)}. A reminder says how many and by when, with a link to the dashboard: never a "
        "child's or family's name, a case reference or a rating."
    )
