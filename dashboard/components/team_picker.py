"""Which team a page is about: the user's own, or a choice when their work spans an office."""

from __future__ import annotations

import streamlit as st

from dashboard.state import engine
from db.models import User
from db.queries.teams import case_teams


def choose_case_team(user: User) -> int:
    """The team id for this page; stops the page with an explanation when the user has no team."""
    teams = case_teams(engine(), user)
    if not teams:
        st.info("Your account is not part of a team yet. Ask an administrator to add you to one.")
        st.stop()
    if len(teams) == 1:
        return teams[0].id
    names = {t.id: f"{t.name} ({t.office})" for t in teams}
    _take_team_from_link(names)
    current = st.session_state.get("team_id")
    index = list(names).index(current) if current in names else 0
    chosen = st.sidebar.selectbox("Team", list(names), index=index, format_func=names.__getitem__)
    st.session_state["team_id"] = chosen
    return chosen


def _take_team_from_link(names: dict[int, str]) -> None:
    """A link such as /rate?team=3 (in a reminder email) opens on that team, if it is one of the user's: once, so
    choosing another team afterwards is not undone at the next click."""
    wanted = st.query_params.get("team")
    if wanted is None or not wanted.isdigit():
        return
    if int(wanted) in names:
        st.session_state["team_id"] = int(wanted)
    del st.query_params["team"]
