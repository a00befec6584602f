"""The database itself refuses data that would break the practice's rules, whatever code writes it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, text
from sqlalchemy.exc import IntegrityError, StatementError

from db.models import Child, Family, Rating
from db.session import transaction
from risk.vocabulary import RAG
from tests.db.factories import make_team


def test_a_second_rating_for_the_same_child_meeting_and_professional_is_refused(engine: Engine) -> None:
    with transaction(engine) as s:
        t = make_team(s)
        s.add(Rating(meeting=t.meeting, child=t.child, practitioner=t.social_worker, rag=RAG.RED))
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(Rating(meeting_id=t.meeting.id, child_id=t.child.id, practitioner_id=t.social_worker.id, rag=RAG.GREEN))
    with transaction(engine) as s:
        assert s.query(Rating).one().rag is RAG.RED


def test_a_rag_value_other_than_red_amber_green_is_refused_by_the_database(engine: Engine) -> None:
    with transaction(engine) as s:
        t = make_team(s)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO rating (meeting_id, child_id, practitioner_id, rag, created_at, updated_at, version) "
                "VALUES (:m, :c, :p, 'purple', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            ),
            {"m": t.meeting.id, "c": t.child.id, "p": t.social_worker.id},
        )


def test_the_orm_refuses_an_invalid_rag_before_it_reaches_the_database(engine: Engine) -> None:
    with transaction(engine) as s:
        t = make_team(s)
    with pytest.raises(StatementError), transaction(engine) as s:
        s.add(Rating(meeting_id=t.meeting.id, child_id=t.child.id, practitioner_id=t.social_worker.id, rag="purple"))


def test_deleting_a_family_that_has_children_is_refused(engine: Engine) -> None:
    """Families are closed, never deleted: their children's history must survive."""
    with transaction(engine) as s:
        t = make_team(s)
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.execute(delete(Family).where(Family.id == t.family.id))
    with transaction(engine) as s:
        assert s.get(Child, t.child.id) is not None


def test_case_references_are_unique(engine: Engine) -> None:
    with transaction(engine) as s:
        make_team(s, "Stevenage A", ref="F-1")
    with pytest.raises(IntegrityError), transaction(engine) as s:
        make_team(s, "Stevenage B", ref="F-1")


def test_sqlite_connections_have_foreign_keys_wal_and_a_busy_timeout(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        assert engine.dialect.name == "postgresql"
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
