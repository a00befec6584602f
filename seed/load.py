"""Write a simulated service into an empty, migrated database: Core bulk inserts with explicit ids, in one
transaction, so a county loads in seconds and a failure leaves the database as empty as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.orm import Session

from db.models import Base, ChoiceItem, Family, Meeting, MeetingSchedule, Office, User
from db.session import transaction
from risk.schedule import Pattern
from risk.vocabulary import MeetingStatus
from seed.simulate import SeedRows

CHUNK = 20_000
LABELS = {
    "office": "offices",
    "team": "teams",
    "users": "people",
    "meeting": "meetings",
    "family": "families",
    "child": "children",
    "legal_status": "legal status periods",
    "involvement": "involvements",
    "rating": "ratings",
    "action": "actions",
    "family_discussion": "records of discussion",
    "supervision_update": "updates for supervision",
    "family_decision": "decisions",
}
BY_LABEL = {"supervision_update": ("work_kind", "work_kind_id"), "family_decision": ("outcome", "outcome_id")}
"""Rows that name an entry of the administrator's lists by its words: given the entry's id (the migrations seeded
the lists) as they are written."""


def is_empty(engine: Engine) -> bool:
    """True when the database holds no offices, people or families (a fresh install)."""
    with transaction(engine) as session:
        return not any(session.scalar(select(func.count()).select_from(model)) for model in (Office, User, Family))


DEMO_MEETING_TIME = dt.time(10, 0)
DEMO_MEETING_MINUTES = 150


def _schedule_every_team(session: Session) -> None:
    """Give each team the schedule its invented meetings follow: the same weekday of the month as its open meeting
    (the fourth or last one late in a month), at 10:00 for two and a half hours, opening a week before."""
    for team_id, held_on in session.execute(
        select(Meeting.team_id, Meeting.held_on).where(Meeting.status == MeetingStatus.OPEN)
    ).all():
        session.add(
            MeetingSchedule(
                team_id=team_id,
                pattern=Pattern.MONTHLY,
                weekday=held_on.weekday(),
                nth=-1 if held_on.day > 28 else (held_on.day - 1) // 7 + 1,
                starts_on=held_on - dt.timedelta(days=366),
                starts_at=DEMO_MEETING_TIME,
                planned_minutes=DEMO_MEETING_MINUTES,
            )
        )
    session.execute(update(Meeting).values(starts_at=DEMO_MEETING_TIME))


def write_rows(engine: Engine, rows: SeedRows, progress: Callable[[str], None]) -> dict[str, int]:
    tables = Base.metadata.tables
    with transaction(engine) as session:
        choice_ids = {label: choice_id for choice_id, label in session.execute(select(ChoiceItem.id, ChoiceItem.label))}
        for name in LABELS:
            batch = rows.tables.get(name, [])
            if name in BY_LABEL:
                words, column = BY_LABEL[name]
                batch = [
                    {**{k: v for k, v in row.items() if k != words}, column: choice_ids[row[words]]} for row in batch
                ]
            for start in range(0, len(batch), CHUNK):
                session.execute(insert(tables[name]), batch[start : start + CHUNK])
                if len(batch) > CHUNK:
                    done = min(start + CHUNK, len(batch))
                    progress(f"  {LABELS[name]}: {done:,}/{len(batch):,}")
        _schedule_every_team(session)
        if session.get_bind().dialect.name == "postgresql":
            for name in LABELS:  # explicit ids leave the sequences behind: move them past the seeded rows
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 (fixed table names)
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
            # Fresh statistics before anything reads: autovacuum gets round to a bulk load only later, and until
            # then the planner takes the tables for empty (on `large`, scoring the meetings took 22 minutes
            # instead of a few) and ranks a caseload by scanning every rating.
            session.execute(text("ANALYZE"))
    return {LABELS[name]: len(rows.tables.get(name, [])) for name in LABELS}
