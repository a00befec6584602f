"""`fsdash meetings open-due` from cron on two machines at the same moment: two processes on one PostgreSQL
database, made to clash for certain, open exactly one meeting between them, and each says what it did.

A third connection holds the team's row locked (the lock every opening takes first) until both processes are
queued behind it, then lets go, so the two runs really meet on every run of this test.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from sqlalchemy import Engine, select, text

from db.models import Meeting, User
from db.services.schedules import set_schedule
from db.session import reading, transaction
from risk.schedule import Pattern, ScheduleRule
from risk.vocabulary import MeetingStatus
from tests.db.factories import make_team

RULE = ScheduleRule(
    Pattern.MONTHLY, weekday=1, nth=2, time=dt.time(10), planned_minutes=150, starts_on=dt.date(2026, 11, 1)
)


def _queued(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_runs_at_once_open_exactly_one_meeting(engine: Engine, db_url: str) -> None:
    with transaction(engine) as s:
        team = make_team(s)
        team.meeting.status = MeetingStatus.CLOSED
        manager_id, team_id = team.manager.id, team.team.id
    with reading(engine) as s:
        manager = s.get_one(User, manager_id)
    set_schedule(engine, manager, team_id, RULE, None)

    command = [sys.executable, "-m", "dashboard.cli", "--database-url", db_url, "meetings", "open-due"]
    holder = engine.connect()
    held = holder.begin()
    holder.execute(text("SELECT id FROM team WHERE id = :id FOR UPDATE"), {"id": team_id})
    runs = [
        subprocess.Popen([*command, "--today", "2026-12-01"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while _queued(engine) < 2:
            assert time.monotonic() < deadline, "the two runs never queued behind the held lock"
            assert all(run.poll() is None for run in runs), [run.communicate() for run in runs]
            time.sleep(0.05)
    finally:
        held.rollback()
        holder.close()
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = sorted(out.strip() for out, _ in outputs)
    assert said == [
        "No scheduled meeting is due to open.",
        "Opened Stevenage A's meeting of Tuesday 8 December 2026, 10:00 for ratings.",
    ]
    with reading(engine) as s:
        held_on = list(
            s.scalars(select(Meeting.held_on).where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.OPEN))
        )
    assert held_on == [dt.date(2026, 12, 8)]
