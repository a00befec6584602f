"""Two devices save the same child's rating at the same moment: one wins, the other is told, nothing is lost.

A third connection holds the lock both saves need until both are queued behind it, then lets go, so the two
saves really clash on every run (not only when the scheduler happens to interleave them).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, insert, select, text

import db.session
from db.errors import DatabaseBusy, StaleRating
from db.models import AuditEvent, Rating
from db.services.ratings import RatingEntry, save_ratings
from db.session import make_engine, reading, transaction
from risk.vocabulary import RAG
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


@dataclass
class Outcome:
    saved: list[RAG] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)


def _waiting_on_locks(engine: Engine, started: list[int]) -> int:
    """How many saves are queued behind the holder. PostgreSQL says so itself. On SQLite a save that has started
    can only wait for the write lock (BEGIN IMMEDIATE, then its busy timeout), and whichever gets it second finds
    the version it was made against gone, so the clash is certain once both have started."""
    if engine.dialect.name != "postgresql":
        return len(started)
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()


@contextmanager
def _held(engine: Engine, take_lock: Callable[[Connection], None]) -> Iterator[Connection]:
    conn = engine.execution_options(sqlite_immediate=True).connect()  # on SQLite, BEGIN IMMEDIATE is the lock
    transaction = conn.begin()
    take_lock(conn)
    try:
        yield conn
    finally:
        transaction.rollback()
        conn.close()


def _race(engine: Engine, team: Team1, take_lock: Callable[[Connection], None], entries: list[RatingEntry]) -> Outcome:
    outcome = Outcome()
    started: list[int] = []
    barrier = threading.Barrier(len(entries))

    def save(entry: RatingEntry) -> None:
        barrier.wait()
        started.append(threading.get_ident())
        try:
            save_ratings(engine, team.social_worker, team.meeting.id, [entry])
            outcome.saved.append(entry.rag)
        except StaleRating as exc:
            outcome.refused.append(str(exc))
        except BaseException as exc:
            outcome.crashed.append(exc)

    threads = [threading.Thread(target=save, args=(entry,)) for entry in entries]
    with _held(engine, take_lock):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while _waiting_on_locks(engine, started) < len(entries):
            assert time.monotonic() < deadline, f"the saves never queued behind the held lock: {outcome}"
            time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=30)
    return outcome


def _write_lock(engine: Engine, rating_id: int | None, team: Team1) -> Callable[[Connection], None]:
    """The lock a save waits for: SQLite's one write lock; on PostgreSQL the rating's row (or, for a rating not yet
    made, the same row inserted and not yet committed)."""

    def take(conn: Connection) -> None:
        if engine.dialect.name == "sqlite":
            return  # the holder's BEGIN IMMEDIATE already holds it
        if rating_id is not None:
            conn.execute(select(Rating.id).where(Rating.id == rating_id).with_for_update())
        else:
            conn.execute(
                insert(Rating).values(
                    meeting_id=team.meeting.id,
                    child_id=team.child.id,
                    practitioner_id=team.social_worker.id,
                    rag=RAG.AMBER,
                    version=1,
                )
            )

    return take


def _ratings(engine: Engine, team: Team1) -> list[tuple[RAG, int]]:
    with reading(engine) as s:
        return [(r.rag, r.version) for r in s.scalars(select(Rating).where(Rating.child_id == team.child.id))]


def _audited(engine: Engine, verb: str) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.verb == verb)) or 0


def test_two_devices_changing_the_same_rating_at_once_one_wins_and_the_other_is_told(
    engine: Engine, team: Team1
) -> None:
    (first,) = save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    entries = [
        RatingEntry(team.child.id, RAG.RED, "From the laptop", 1),
        RatingEntry(team.child.id, RAG.AMBER, None, 1),
    ]

    outcome = _race(engine, team, _write_lock(engine, first.id, team), entries)

    assert outcome.crashed == []
    assert len(outcome.saved) == 1 and len(outcome.refused) == 1
    assert "Your rating of Amy was changed elsewhere" in outcome.refused[0]
    assert "Nothing was saved" in outcome.refused[0]
    assert _ratings(engine, team) == [(outcome.saved[0], 2)]
    assert _audited(engine, "rating.update") == 1


def test_two_devices_making_the_same_new_rating_at_once_one_wins_and_the_other_is_told(
    engine: Engine, team: Team1
) -> None:
    entries = [RatingEntry(team.child.id, RAG.RED), RatingEntry(team.child.id, RAG.GREEN)]

    outcome = _race(engine, team, _write_lock(engine, None, team), entries)

    assert outcome.crashed == []
    assert len(outcome.saved) == 1 and len(outcome.refused) == 1
    assert "Your rating of Amy was changed elsewhere" in outcome.refused[0]
    assert _ratings(engine, team) == [(outcome.saved[0], 1)]
    assert _audited(engine, "rating.create") == 1


def test_a_save_that_waits_out_sqlites_busy_timeout_is_refused_in_words_and_writes_nothing(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite only: PostgreSQL writers wait on row locks without a timeout. Another writer holds the lock for longer
    than the (shortened) busy timeout; the save gets the product's refusal, and once the lock is free it goes in."""
    monkeypatch.setattr(db.session, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "busy.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with transaction(engine) as s:
            team = make_team(s)
        entry = RatingEntry(team.child.id, RAG.RED, None, None)
        with _held(engine, lambda conn: None), pytest.raises(DatabaseBusy, match="nothing was saved"):
            save_ratings(engine, team.social_worker, team.meeting.id, [entry])
        with reading(engine) as s:
            assert s.scalar(select(func.count()).select_from(Rating)) == 0
            assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.verb == "rating.create")) == 0
        assert [r.rag for r in save_ratings(engine, team.social_worker, team.meeting.id, [entry])] == [RAG.RED]
    finally:
        engine.dispose()


def test_a_save_queued_behind_a_writer_of_the_same_app_process_is_refused_in_words_after_the_busy_timeout(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite only: writers of one process take turns before SQLite's lock; a turn that does not come within the
    busy timeout gets the same refusal as a wait on SQLite itself."""
    monkeypatch.setattr(db.session, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "turns.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with transaction(engine) as s:
            team = make_team(s)
        entry = RatingEntry(team.child.id, RAG.AMBER, None, None)
        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            with transaction(engine):
                holding.set()
                release.wait(timeout=10)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert holding.wait(timeout=10)
            with pytest.raises(DatabaseBusy, match="nothing was saved"):
                save_ratings(engine, team.social_worker, team.meeting.id, [entry])
        finally:
            release.set()
            holder.join()
        assert [r.rag for r in save_ratings(engine, team.social_worker, team.meeting.id, [entry])] == [RAG.AMBER]
    finally:
        engine.dispose()
