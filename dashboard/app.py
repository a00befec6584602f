"""The Streamlit entry point: sign-in, then the pages this user's role may see. Nothing else lives here."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.account_setup import show_account_setup
from dashboard.components.accessibility import add_accessibility_styles
from dashboard.components.database_faults import calm_callback, database_faults_shown
from dashboard.components.family_card import TABLE_VIEW_HELP, TABLE_VIEW_KEY
from dashboard.components.idle_warning import show_idle_warning
from dashboard.components.next_meeting import show_next_meetings_in_sidebar
from dashboard.components.request_audit import audited_run
from dashboard.logs import keep_personal_data_out_of_logs
from dashboard.sign_in import show_sign_in
from dashboard.state import FLASH_KEY, current_user, engine, setup_steps, sign_out, user_at_click
from db.services.accounts import set_table_view
from db.settings import SettingError, check_sign_in_settings
from risk.vocabulary import MANAGER_ROLES, Role

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Supervision RAG dashboard", page_icon="🟠", layout="wide")
keep_personal_data_out_of_logs()  # before anything can fail
add_accessibility_styles()  # focus, target size and scrolling fixes on every page, sign-in included
try:
    check_sign_in_settings()
except SettingError as exc:  # the service desk's mistake: say which setting, and let nobody in meanwhile
    st.error(str(exc))
    st.stop()


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
    manager = role in MANAGER_ROLES
    return [
        _page("meeting.py", "Meeting", "🗓️", default=manager),
        _page("rate.py", "Rate", "✍️", default=not manager),
        _page("caseload.py", "Caseload", "📋"),
        _page("family.py", "Family", "👪"),
        _page("account.py", "My account", "👤"),
    ]


def _signed_out_pages() -> list[st.Page]:
    """The sign-in screen at / and, hidden, at every page's address, so a link (in a reminder email, say) to
    /rate?team=3 opens the sign-in screen rather than "page not found". A page's address is what names it
    (Streamlit hashes the path), so once signed in, the same address, query and all, opens the real page."""
    paths = sorted(path.stem for path in PAGES.glob("*.py") if path.stem != "__init__")
    sign_in_page = st.Page(show_sign_in, title="Sign in", icon="🔐", default=True)
    return [sign_in_page, *(st.Page(show_sign_in, title="Sign in", icon="🔐", url_path=path) for path in paths)]


def _remember_table_view() -> None:
    """Keep the switch's new position for the account (as the user is at the click: a callback runs first)."""
    if (user := user_at_click()) is not None:
        set_table_view(engine(), user, st.session_state[TABLE_VIEW_KEY])


def _run_page() -> None:
    user = current_user()
    if user is None:
        st.navigation(_signed_out_pages(), position="hidden").run()
        return
    if TABLE_VIEW_KEY not in st.session_state:  # a new session starts with the account's own choice
        st.session_state[TABLE_VIEW_KEY] = user.table_view
    with st.sidebar:
        st.toggle(
            "Table view",
            key=TABLE_VIEW_KEY,
            help=TABLE_VIEW_HELP,
            on_change=calm_callback(_remember_table_view),
        )
        st.caption("Signed in as")
        st.text(f"{user.display_name}\n{user.role.label.capitalize()}" + (f" · {user.team.name}" if user.team else ""))
        show_next_meetings_in_sidebar(user)
        if st.button("Sign out", width="stretch"):
            if sign_out("You have signed out."):
                st.stop()  # the browser is on its way to the council's sign-out page
            st.rerun()
    show_idle_warning()  # above the page, so it shows on a phone too, where the sidebar is folded away
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.warning(flash)
    if setup_steps():  # a first password to change, or two-step sign-in to set up: nothing else until it is done
        st.navigation([st.Page(show_account_setup, title="Set up your account", icon="🔐")], position="hidden").run()
    else:
        st.navigation(pages_for(user.role)).run()


with database_faults_shown(), audited_run():  # a fault said calmly; every event knows its session and source
    _run_page()
