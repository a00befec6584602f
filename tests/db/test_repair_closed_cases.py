"""Databases written before closing a case ended its plans are repaired by migration 0004, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select

from db.migrate import alembic_config, upgrade
from db.models import AuditEvent, Family, Involvement, LegalStatusPeriod
from db.session import make_engine, reading, transaction
from tests.conftest import DATABASES, _recreate_postgres_database, scratch_postgres_url
from tests.db.factories import make_team

REPAIR = "0004"
CLOSED = dt.date(2026, 6, 30)


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at the latest revision."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = scratch_postgres_url("repair")
        _recreate_postgres_database(url)
    upgrade(url)
    yield url


def test_closed_families_left_open_are_repaired_and_audited(database: str) -> None:
    engine: Engine = make_engine(database)
    try:
        # Rows written the old way (the models only know the latest schema, so they are written there and the
        # database is then taken back to the revision before the repair, which keeps them).
        with transaction(engine) as s:
            closed = make_team(s, "Stevenage A", ref="F-1")
            still_open = make_team(s, "Stevenage B", ref="F-2")
            closed.family.closed_on = CLOSED  # the old import's closing: plans and involvements left open
            ids = closed.family.id, closed.child.id, still_open.child.id
        engine.dispose()
        config = alembic_config(database)
        command.downgrade(config, str(ScriptDirectory.from_config(config).get_revision(REPAIR).down_revision))

        upgrade(database)

        family_id, child_id, open_child_id = ids
        with reading(engine) as s:
            periods = [
                (p.status.value, p.started_on, p.ended_on)
                for p in s.scalars(
                    select(LegalStatusPeriod).where(LegalStatusPeriod.child_id == child_id).order_by("started_on")
                )
            ]
            involvements = s.scalars(select(Involvement.ended_on).where(Involvement.family_id == family_id)).all()
            untouched = s.scalars(select(LegalStatusPeriod.ended_on).where(LegalStatusPeriod.child_id == open_child_id))
            (event,) = s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.repair_close")).all()
            assert s.get_one(Family, family_id).closed_on == CLOSED
        assert periods == [("cp", dt.date(2026, 1, 5), CLOSED), ("closed", CLOSED, None)]
        assert involvements == [CLOSED, CLOSED]
        assert list(untouched) == [None]
        assert (event.entity_id, event.actor_id) == (str(family_id), None)
        assert event.after["plans_ended"] == ["F-1-1: cp"]
        assert len(event.after["involvements_ended"]) == 2
    finally:
        engine.dispose()
