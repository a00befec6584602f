"""Page render timings: each page's script run through Streamlit's AppTest as the user who would open it, on
county data. The engine is cached as a resource, as in the running app, so the figures are a page's own work."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from benchmarks.policy_comparison import run_policy_comparison_benchmarks
from benchmarks.timing import median_ms, print_table
from dashboard.state import LAST_SEEN_KEY, USER_KEY
from db.models import Family, User
from db.session import reading
from risk.vocabulary import Role

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"
TARGET_MS = 500

# (page file, who opens it)
PAGE_USERS = (
    ("meeting.py", Role.TEAM_MANAGER),
    ("rate.py", Role.SOCIAL_WORKER),
    ("caseload.py", Role.TEAM_MANAGER),
    ("family.py", Role.TEAM_MANAGER),
    ("service.py", Role.SERVICE_LEAD),
    ("admin.py", Role.ADMINISTRATOR),
    ("audit.py", Role.ADMINISTRATOR),
    ("import_caseload.py", Role.ADMINISTRATOR),
    ("account.py", Role.SOCIAL_WORKER),
)


def _users(engine: Engine) -> dict[Role, int]:
    """One user per role, in the busiest team (the head of service for the service lead)."""
    with reading(engine) as s:
        team_id = s.scalar(
            select(Family.team_id)
            .where(Family.closed_on.is_(None))
            .group_by(Family.team_id)
            .order_by(func.count().desc(), Family.team_id)
            .limit(1)
        )
        chosen = {}
        for role in {role for _, role in PAGE_USERS}:
            query = select(User.id).where(User.role == role, User.active.is_(True)).order_by(User.id).limit(1)
            if role is Role.SERVICE_LEAD:
                query = query.where(User.office_id.is_(None))
            elif role is not Role.ADMINISTRATOR:
                query = query.where(User.team_id == team_id)
            chosen[role] = s.scalar(query)
        return chosen


def _run(page: Path, user_id: int) -> None:
    at = AppTest.from_file(str(page), default_timeout=60)
    at.session_state[USER_KEY] = user_id
    at.session_state[LAST_SEEN_KEY] = float("inf")  # never idle while we measure
    at.run()
    if at.exception:
        raise RuntimeError(f"{page.name} raised: {[e.message for e in at.exception]}")


def run_page_benchmarks(engine: Engine, repeat: int) -> None:
    # AppTest sets session state outside a script run, and Streamlit warns about that on every run
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    # and clearing the cache outside a running app says it found no runtime, every time
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda record: "No runtime found" not in record.getMessage()
    )
    users = _users(engine)
    rows = []
    for file, role in PAGE_USERS:
        page = PAGES / file
        if not page.exists():
            rows.append((file, role.label, "missing", str(TARGET_MS), ""))
            continue
        ms = median_ms(lambda page=page, role=role: _run(page, users[role]), repeat)
        rows.append((file, role.label, f"{ms:.0f}", str(TARGET_MS), "yes" if ms < TARGET_MS else "NO"))
    # The service figures are cached until a meeting closes: the runs above are served from the cache, as every
    # click is between closings; this is the first run after a closing, which computes them all again.
    service = PAGES / "service.py"
    cold = median_ms(lambda: (st.cache_data.clear(), _run(service, users[Role.SERVICE_LEAD])), max(3, repeat // 2))
    rows.append(("service.py, first run after a meeting closes", Role.SERVICE_LEAD.label, f"{cold:.0f}", "", ""))
    print_table(
        f"Page script runs on {engine.dialect.name} (AppTest, median ms)",
        rows,
        ("page", "as", "ms", "target ms", "within target"),
    )
    run_policy_comparison_benchmarks(engine, repeat)
