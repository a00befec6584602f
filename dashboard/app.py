"""The Streamlit entry point: sign-in, then the pages this user's role may see. Nothing else lives here."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.risk.vocabulary import Role
from dashboard.sign_in import end_sso_session, show_sign_in
from dashboard.state import current_user, sign_out

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Supervision RAG dashboard", page_icon="🟠", layout="wide")


def _page(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(PAGES / file, title=title, icon=icon, default=default)


def pages_for(role: Role) -> list[st.Page]:
    """Which pages each role sees. Hiding a page is a convenience: every query checks the role again."""
    if role is Role.ADMINISTRATOR:
        return [
            _page("admin.py", "Admin", "🛠️", default=True),
            _page("import_caseload.py", "Import caseload", "📥"),
            _page("audit.py", "Audit trail", "🔎"),
            _page("account.py", "My account", "👤"),
        ]
    if role is Role.SERVICE_LEAD:
        return [_page("service.py", "Service overview", "🗺️", default=True), _page("account.py", "My account", "👤")]
    manager = role is Role.TEAM_MANAGER
    return [
        _page("meeting.py", "Meeting", "🗓️", default=manager),
        _page("rate.py", "Rate", "✍️", default=not manager),
        _page("caseload.py", "Caseload", "📋"),
        _page("family.py", "Family", "👪"),
        _page("account.py", "My account", "👤"),
    ]


user = current_user()
if user is None:
    st.navigation([st.Page(show_sign_in, title="Sign in", icon="🔐")], position="hidden").run()
else:
    with st.sidebar:
        st.caption("Signed in as")
        st.text(f"{user.display_name}\n{user.role.label.capitalize()}" + (f" · {user.team.name}" if user.team else ""))
        if st.button("Sign out", width="stretch"):
            sign_out("You have signed out.")
            if end_sso_session():
                st.stop()  # the browser is on its way to the council's sign-out page
            st.rerun()
    st.navigation(pages_for(user.role)).run()
