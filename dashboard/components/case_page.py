"""What every page about one team's cases starts with: the signed-in user, the team chosen, the title; reading
what the page shows, or saying why not and stopping; and, where it ranks at a meeting, which meeting."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard.components.database_faults import show_refusal
from dashboard.components.team_picker import choose_case_team
from dashboard.components.text import uk_date
from dashboard.state import require_user
from db.errors import DatabaseFault, ServiceError
from db.models import User
from db.queries.caseload import MeetingSummary
from risk.vocabulary import MeetingStatus

T = TypeVar("T")


def case_page(title: str) -> tuple[User, int]:
    """The signed-in user and the team the page is about, under the page's title; without either the page has
    already stopped with a sentence saying why (never showing data)."""
    user = require_user()
    team_id = choose_case_team(user)
    st.title(title)
    return user, team_id


def or_stop(read: Callable[[], T]) -> T:
    """What `read` returns; a refusal (not this team's, no such meeting) is shown in words and ends the page. A
    database fault is left to the page's own handling (dashboard/components/database_faults.py), which waits for
    the database to come back where it can instead of ending the page."""
    try:
        return read()
    except DatabaseFault:
        raise
    except ServiceError as exc:
        show_refusal(exc)
        st.stop()
        raise  # st.stop() does not return


def choose_meeting(meetings: list[MeetingSummary], label: str, key: str | None = None) -> MeetingSummary:
    """The team's open meeting by default, else the latest; any earlier one can be read back. With `key`, the
    choice is kept across pages and reruns (and dropped once that meeting is no longer listed)."""
    by_id = {m.id: m for m in meetings}
    if key is not None and st.session_state.get(key) not in by_id:
        st.session_state.pop(key, None)
    default = next((i for i, m in enumerate(meetings) if m.status is MeetingStatus.OPEN), 0)
    chosen = st.selectbox(
        label,
        list(by_id),
        index=0 if key is not None and key in st.session_state else default,  # a kept choice wins over the index
        format_func=lambda i: f"{uk_date(by_id[i].held_on)} · {by_id[i].status.value}",
        key=key,
    )
    return by_id[chosen]
