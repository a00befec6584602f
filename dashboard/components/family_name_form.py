"""Correcting a family's name (db.services.family_details.correct_family_name): on the Family page for the team's
manager and in the administrator's records tools. The name the form was drawn with goes with the save, so a name
someone else changed meanwhile is never overwritten."""

from __future__ import annotations

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.services.family_details import correct_family_name
from risk.presentation import FAMILY_NAME_MAX

FLASH = "family_name_flash"


def family_name_form(user: User, family_id: int, reference: str, held: str | None) -> None:
    """The form, with what was saved said after the rerun."""
    if message := st.session_state.pop(FLASH, None):
        st.success(md(message))
    with st.form(f"family-name-{family_id}"):
        name = st.text_input(
            "Family name (as the case system holds it)",
            value=held or "",
            max_chars=FAMILY_NAME_MAX,
            help="Usually the surname, or the surnames separated by ' / ' (Jones / Ahmed). Empty: no name.",
        )
        reason = st.text_input(
            "Reason for the correction (kept in the audit trail)", key=f"family-name-why-{family_id}"
        )
        if st.form_submit_button("Correct the family's name"):
            try:
                now = correct_family_name(engine(), user, family_id, name, held=held, reason=reason)
            except ServiceError as exc:
                st.error(md(exc))
                return
            st.session_state.pop(f"family-name-why-{family_id}", None)
            st.session_state[FLASH] = f"{reference} is now shown as {now}." if now else f"{reference} has no name now."
            st.rerun()
