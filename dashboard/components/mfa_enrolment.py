"""Setting up two-step sign-in: a QR code (segno) and the secret as text for an authenticator app, switched on only
once a code from it is right; then the ten recovery codes, shown once and downloadable once."""

from __future__ import annotations

import io
from collections.abc import Callable

import segno
import streamlit as st

from dashboard.components.downloads import download_button
from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.services.mfa import enrol, new_secret, provisioning_uri

ENROLMENT_KEY = "mfa_enrolment_key"
CODES_KEY = "mfa_new_recovery_codes"
APPS = "an authenticator app (Microsoft Authenticator, Google Authenticator, or your council's own)"


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrolment_form(user: User) -> None:
    """The QR code, the key as text and the code box. A new secret is made once per session and kept until it is
    confirmed, so a rerun does not change the QR code under the person's phone."""
    secret = st.session_state.setdefault(ENROLMENT_KEY, new_secret())
    picture = io.BytesIO()
    segno.make(provisioning_uri(user.email, secret), error="m").save(picture, kind="png", scale=5, border=4)
    st.markdown(f"1. Open {APPS} on your phone and add an account by scanning this QR code:")
    st.image(
        picture.getvalue(),
        caption="QR code to add the dashboard to your authenticator app",
        alt="QR code holding the key shown as text below",
        width=215,
    )
    st.markdown("2. Or, if you cannot scan it, type this key into the app (a time-based account):")
    st.code(_grouped(secret), language=None)
    st.markdown("3. Type the 6-digit code the app now shows for *Supervision dashboard*:")
    with st.form("mfa-enrol", clear_on_submit=True):
        code = st.text_input("6-digit code from your authenticator app", autocomplete="one-time-code", max_chars=8)
        submitted = st.form_submit_button("Switch on two-step sign-in", type="primary")
    if not submitted:
        return
    try:
        codes = enrol(engine(), user, secret, code)
    except ServiceError as exc:
        st.error(md(exc))
        return
    st.session_state.pop(ENROLMENT_KEY, None)
    st.session_state[CODES_KEY] = codes
    st.rerun()


def _once(codes: list[str]) -> Callable[[User], bytes]:
    """The recovery codes as a text file, for one download only."""
    left = [codes]

    def build(user: User) -> bytes:
        if not left:
            raise RuntimeError("the recovery codes were downloaded already")
        text = "\n".join(left.pop())
        return (
            "Supervision dashboard: recovery codes for two-step sign-in.\n"
            "Each works once, in place of a code from your phone. Keep this file somewhere safe.\n\n" + text + "\n"
        ).encode()

    return build


def new_recovery_codes(user: User, on_kept: Callable[[], None]) -> bool:
    """The recovery codes just made, if there are any: shown until the person says they have kept them, and then
    never again (only their hashes are stored). True while they are on the screen."""
    codes = st.session_state.get(CODES_KEY)
    if not codes:
        return False
    st.success("Two-step sign-in is on. From now on you sign in with your password and a code from your phone.")
    st.warning(
        f"These are your {len(codes)} recovery codes. Each one signs you in once if you lose your phone. Write them "
        "down or download them now and keep them safe: they are shown only this once."
    )
    st.code("\n".join(codes), language=None)
    left, right = st.columns(2)
    download_button(
        left,
        "Download the recovery codes (once)",
        _once(list(codes)),
        what="mfa_recovery_codes",
        entity_id=user.id,
        details={"codes": len(codes)},
        file_name="supervision-dashboard-recovery-codes.txt",
        mime="text/plain",
        key="download-recovery-codes",
    )
    if right.button("I have kept my recovery codes", type="primary"):
        st.session_state.pop(CODES_KEY, None)
        on_kept()
        st.rerun()
    return True
