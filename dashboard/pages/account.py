"""My account: who the dashboard thinks I am, two-step sign-in, and changing my password."""

from __future__ import annotations

import streamlit as st

from dashboard.components.mfa_enrolment import enrolment_form, new_recovery_codes
from dashboard.components.password_form import password_form
from dashboard.components.reminder_settings import reminder_choice
from dashboard.components.text import md, uk_date
from dashboard.state import engine, keep_session_after_own_change, require_user
from db.errors import ServiceError
from db.services.mfa import mfa_required, recovery_codes_left, remove_own

user = require_user()
st.title("My account")
where = user.team.name if user.team else (user.office.name if user.office else "the whole service")
st.markdown(f"**{md(user.display_name)}** · {md(user.email)}  \n{md(user.role.label.capitalize())} · {md(where)}")
st.caption("Your name, role and team are set by an administrator. Ask them if something here is wrong.")

st.subheader("Two-step sign-in")
if not user.password_hash:
    st.markdown("You sign in with your council account, so its sign-in (and its MFA) is the council's.")
elif new_recovery_codes(user, on_kept=lambda: None):
    pass
elif user.has_mfa:
    since = uk_date(user.totp_enabled_at.date()) if user.totp_enabled_at else "–"
    left = recovery_codes_left(engine(), user)
    st.markdown(
        f"Two-step sign-in is **on** (since {since}): you sign in with your password and a code from your phone. "
        f"You have {left} unused recovery code{'s' if left != 1 else ''}."
    )
    if mfa_required(user):
        st.caption(
            "Your role must use it. If you lose your phone, sign in with a recovery code and ask an administrator to "
            "reset it, then set it up again on the new phone."
        )
    else:
        with st.form("mfa-remove", clear_on_submit=True):
            code = st.text_input("Code from your authenticator app, to switch it off", autocomplete="one-time-code")
            if st.form_submit_button("Switch off two-step sign-in"):
                try:
                    remove_own(engine(), user, code)
                except ServiceError as exc:
                    st.error(md(exc))
                else:
                    st.rerun()
else:
    why = (
        "Your role must use it."
        if mfa_required(user)
        else "Switching it on keeps your account safe even if someone learns your password."
    )
    st.markdown(f"Two-step sign-in is **off**. {why}")
    enrolment_form(user)

reminder_choice(user)

st.subheader("Change password")
if not user.password_hash:
    st.info(
        "Your account has no dashboard password: you sign in with your council account. "
        "Ask an administrator if you need a dashboard password as well."
    )
    st.stop()
if password_form(user, keep_session_after_own_change):
    st.success(
        "Your password has been changed. Use the new one next time you sign in. Your other sessions were signed out."
    )
