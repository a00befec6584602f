"""My account: who the dashboard thinks I am, and changing my password."""

from __future__ import annotations

import streamlit as st

from dashboard.components.reminder_settings import reminder_choice
from dashboard.components.text import md
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.services.accounts import MIN_PASSWORD_LENGTH, change_password

user = require_user()
st.title("My account")
where = user.team.name if user.team else (user.office.name if user.office else "the whole service")
st.markdown(f"**{md(user.display_name)}** · {md(user.email)}  \n{md(user.role.label.capitalize())} · {md(where)}")
st.caption("Your name, role and team are set by an administrator. Ask them if something here is wrong.")

reminder_choice(user)

st.subheader("Change password")
if not user.password_hash:
    st.info(
        "Your account has no dashboard password: you sign in with your council account. "
        "Ask an administrator if you need a dashboard password as well."
    )
    st.stop()
with st.form("change-password"):
    current = st.text_input("Current password", type="password", autocomplete="current-password")
    new = st.text_input(
        f"New password (at least {MIN_PASSWORD_LENGTH} characters)", type="password", autocomplete="new-password"
    )
    again = st.text_input("New password again", type="password", autocomplete="new-password")
    submitted = st.form_submit_button("Change password", type="primary")
if submitted:
    if new != again:
        st.error("The two new passwords are different. Type the same new password twice.")
    else:
        try:
            change_password(engine(), user, current, new)
        except ServiceError as exc:
            st.error(md(exc))
        else:
            st.success("Your password has been changed. Use the new one next time you sign in.")
