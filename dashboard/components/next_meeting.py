"""The next meeting of the user's teams, where they look for it: the sidebar on every page ("Oak team: Tue 8 Dec,
10:00 · 7 ratings for you to enter"), and the Rate and Meeting pages. Read from db.queries.schedules."""

from __future__ import annotations

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.models import User
from db.queries.schedules import NextMeeting, next_meetings
from risk.schedule import clock, short_day, when_words


def show_next_meetings_in_sidebar(user: User) -> None:
    """One line per team the user works in that has a meeting open or scheduled; nothing for anyone else."""
    coming = next_meetings(engine(), user)
    if not coming:
        return
    st.caption("Next meeting" if len(coming) == 1 else "Next meetings")
    for meeting in coming:
        st.markdown(md(meeting.words()))


def next_meeting_of(user: User, team_id: int) -> NextMeeting | None:
    return next((m for m in next_meetings(engine(), user) if m.team_id == team_id), None)


def next_meeting_words(meeting: NextMeeting) -> str:
    """For a page's caption: 'Next meeting: Tue 8 Dec, 10:00 (150 minutes), opens for ratings on Tue 1 Dec.'"""
    length = f" ({meeting.planned_minutes} minutes)" if meeting.planned_minutes else ""
    words = f"Next meeting: {when_words(meeting.held_on, meeting.starts_at)}{length}"
    if meeting.is_open:
        return f"{words}, open for ratings."
    opens = meeting.opens_on or meeting.held_on
    return f"{words}, opens for ratings {'today' if opens <= meeting.today else 'on ' + short_day(opens)}."


def meeting_time_words(meeting: NextMeeting) -> str:
    """For the open meeting's own page: 'Fri 4 Dec at 10:00, planned for 150 minutes.' (what is known of it)."""
    words = short_day(meeting.held_on) + (f" at {clock(meeting.starts_at)}" if meeting.starts_at else "")
    length = f", planned for {meeting.planned_minutes} minutes" if meeting.planned_minutes else ""
    return f"The meeting is on {words}{length}."
