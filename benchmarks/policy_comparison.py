"""The chair's comparison of the team's risk rule with its first other rule (issue 13, part 3), on county data: the
query at the busiest team's open meeting (both rules ranked live) and at its latest closed one (the stored record
beside the other rule), the panel on its own, and the Meeting page's script with the comparison switched on, against
the page's 500 ms target. The panel waits behind a switch, so with it off the page pays nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from benchmarks.timing import median_ms, print_table
from dashboard.components.policy_comparison import toggle_key
from dashboard.state import LAST_SEEN_KEY, USER_KEY
from db.models import Family, Meeting, User
from db.queries.policy_comparison import policy_comparison
from db.session import reading
from risk.vocabulary import MeetingStatus, Role

MEETING_PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "meeting.py"
TARGET_MS = 500


def _panel(meeting_id: int) -> None:
    """The one call the Meeting page makes for a chair, run on its own."""
    from dashboard.components.policy_comparison import show_policy_comparison
    from dashboard.state import require_user

    show_policy_comparison(require_user(), meeting_id)


def _run(at: AppTest, user_id: int, meeting_id: int) -> None:
    at.session_state[USER_KEY] = user_id
    at.session_state[LAST_SEEN_KEY] = float("inf")  # never idle while we measure
    at.session_state[toggle_key(meeting_id)] = True
    at.run()
    if at.exception:
        raise RuntimeError(f"the comparison raised: {[e.message for e in at.exception]}")


def run_policy_comparison_benchmarks(engine: Engine, repeat: int, page: Path = MEETING_PAGE) -> None:
    with reading(engine) as s:
        team_id = s.scalar(
            select(Family.team_id)
            .where(Family.closed_on.is_(None))
            .group_by(Family.team_id)
            .order_by(func.count().desc(), Family.team_id)
            .limit(1)
        )
        manager = s.scalars(
            select(User)
            .where(User.role == Role.TEAM_MANAGER, User.team_id == team_id, User.active.is_(True))
            .order_by(User.id)
        ).first()
        meetings = s.execute(
            select(Meeting.id, Meeting.status).where(Meeting.team_id == team_id).order_by(Meeting.held_on.desc())
        ).all()
    if manager is None or not meetings:
        print("\nRule comparison: no team with a manager and a meeting to measure.")
        return
    opened = next((m.id for m in meetings if m.status is MeetingStatus.OPEN), None)
    closed = next((m.id for m in meetings if m.status is MeetingStatus.CLOSED), None)
    rows = []
    rules = "the team's rule beside another"
    for label, meeting_id in (("open", opened), ("closed", closed)):
        if meeting_id is None:
            continue
        result = policy_comparison(engine, manager, meeting_id)
        rules = f"{result.team_policy} beside {result.other_policy}"
        ms = median_ms(lambda meeting_id=meeting_id: policy_comparison(engine, manager, meeting_id), repeat)
        what = f"query, {label} meeting ({result.families_compared} families, {len(result.differing)} differ)"
        rows.append((what, f"{ms:.1f}", ""))
        panel = median_ms(
            lambda meeting_id=meeting_id: _run(
                AppTest.from_function(_panel, args=(meeting_id,), default_timeout=60), manager.id, meeting_id
            ),
            repeat,
        )
        rows.append((f"panel switched on, {label} meeting (AppTest)", f"{panel:.0f}", ""))
    shown = opened or closed
    if "show_policy_comparison" in page.read_text():
        ms = median_ms(lambda: _run(AppTest.from_file(str(page), default_timeout=60), manager.id, shown), repeat)
        state = "open" if opened else "latest closed"
        rows.append((f"{page.name}, {state} meeting, comparison switched on", f"{ms:.0f}", str(TARGET_MS)))
    else:
        rows.append((f"{page.name} does not show the comparison yet", "", ""))
    print_table(
        f"Rule comparison, {rules}, busiest team, on {engine.dialect.name} (median ms)",
        rows,
        ("what", "ms", "target ms"),
    )
