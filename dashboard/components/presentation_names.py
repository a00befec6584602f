"""How a team's families' names show on the shared screen: the team setting's form, on the Admin page for any
team and on the Meeting page for the team's own manager."""

from __future__ import annotations

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.services.team_settings import set_presentation_initials
from risk.presentation import family_label

FLASH = "presentation_names_flash"
EXAMPLE = ("F-100088", "Jones / Ahmed")
CHOICES = {
    False: f"Full names ({family_label(*EXAMPLE)})",
    True: f"Initials only ({family_label(*EXAMPLE, initials_only=True)}): for rooms where visitors can see the screen",
}


def presentation_names_form(user: User, team_id: int, team_name: str, initials_only: bool) -> None:
    """The setting for one team, with what was saved said after the rerun."""
    if message := st.session_state.pop(FLASH, None):
        st.success(md(message))
    with st.form(f"presentation-names-{team_id}"):
        choice = st.radio(
            "How names show",
            list(CHOICES),
            index=int(initials_only),
            format_func=CHOICES.__getitem__,
            help="Every other screen, and the records, show the full name.",
        )
        if st.form_submit_button("Save how names show"):
            try:
                set_presentation_initials(engine(), user, team_id, choice)
            except ServiceError as exc:
                st.error(md(exc))
                return
            shown = "initials only" if choice else "full names"
            st.session_state[FLASH] = f"{team_name} shows families' {shown} on the shared screen."
            st.rerun()
