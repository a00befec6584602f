"""Faults a council's service desk will see, at the database: each leaves a save all or nothing, is refused in words
(db.errors.DatabaseFault) rather than as the driver's error, and the next save after it works.

The app's pages are driven through the same faults in tests/browser/test_database_faults.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from db.errors import (
    DatabaseBusy,
    DatabaseCannotWrite,
    DatabaseFull,
    DatabaseLocked,
    DatabaseTimedOut,
    DatabaseUnavailable,
)
from db.models import AuditEvent, Child, Rating
from db.queries.rating_form import rating_form
from db.services.ratings import RatingEntry, save_ratings
from db.session import (
    KILL_AFTER_WRITE_SETTING,
    LOCK_TIMEOUT_SETTING,
    STATEMENT_TIMEOUT_SETTING,
    SessionLimits,
    app_session_limits,
    database_answers,
    database_fault,
    make_engine,
    reading,
    transaction,
)
from risk.vocabulary import RAG
from tests.conftest import empty_postgres
from tests.db.factories import Team1, make_team
from tests.faults import private_postgres, small_disk

ROOT = Path(__file__).resolve().parents[2]


def _team_of_two_children(engine: Engine) -> Team1:
    """The factory's team, its family given a second child, so a save is several statements."""
    with transaction(engine) as s:
        team = make_team(s)
        s.add(
            Child(family=team.family, case_reference="F-1-2", first_name="Ben", date_of_birth=team.child.date_of_birth)
        )
    return team


def _children(engine: Engine, team: Team1) -> list[int]:
    with reading(engine) as s:
        return list(s.scalars(select(Child.id).where(Child.family_id == team.family.id).order_by(Child.id)))


def _saved(engine: Engine) -> list[tuple[int, RAG, int]]:
    """Every rating in the database, and how many rating events the audit trail holds, compared after a fault."""
    with reading(engine) as s:
        return [(r.child_id, r.rag, r.version) for r in s.scalars(select(Rating).order_by(Rating.child_id))]


def _audited_ratings(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.verb.like("rating.%"))) or 0


def _entries(children: list[int], rag: RAG = RAG.RED) -> list[RatingEntry]:
    return [RatingEntry(child, rag) for child in children]


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The PostgreSQL test database (this run's own, on the shared cluster), emptied after the test."""
    url: str = request.getfixturevalue("postgres_migrated")
    yield url
    empty_postgres(url)


def _admin(url: str) -> Engine:
    return create_engine(make_url(url), isolation_level="AUTOCOMMIT")


def _terminate_backends(url: str, *, only_pid: int | None = None) -> int:
    """pg_terminate_backend on this database's other connections (or one of them): what an administrator, a
    failover or a network device cutting idle connections does."""
    admin = _admin(url)
    try:
        with admin.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND (CAST(:pid AS int) IS NULL OR pid = :pid)"
                    ),
                    {"pid": only_pid},
                ).all()
            )
    finally:
        admin.dispose()


# --- PostgreSQL: connections cut ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_connections_cut_while_the_meeting_waits_are_replaced_without_a_word(pg_url: str) -> None:
    """pg_terminate_backend on every idle connection of the app's pool: the next save checks its connection first
    (pool pre-ping), finds it dead, opens a new one and goes in, with no refusal at all."""
    engine = make_engine(pg_url, limits=SessionLimits())
    try:
        team = _team_of_two_children(engine)
        children = _children(engine, team)
        assert _terminate_backends(pg_url) >= 1  # the pool's idle connection

        saved = save_ratings(engine, team.social_worker, team.meeting.id, _entries(children[:1]))

        assert [r.rag for r in saved] == [RAG.RED]
        assert _saved(engine) == [(children[0], RAG.RED, 1)]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_connection_cut_in_the_middle_of_a_save_writes_nothing_and_the_next_save_goes_in(pg_url: str) -> None:
    """The connection is cut between two statements of a family's save (after the first child's rating went in,
    before the second's): the save is refused as the database not answering, nothing of it is in the database,
    and the practitioner's next save of the same family goes in whole, once."""
    engine = make_engine(pg_url, limits=SessionLimits())
    try:
        team = _team_of_two_children(engine)
        children = _children(engine, team)
        cut: list[int] = []

        def cut_after_first_rating(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not cut and statement.startswith("INSERT INTO rating "):
                pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
                cut.append(_terminate_backends(pg_url, only_pid=pid))

        event.listen(engine, "after_cursor_execute", cut_after_first_rating)
        with pytest.raises(DatabaseUnavailable, match="not answering") as refused:
            save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
        event.remove(engine, "after_cursor_execute", cut_after_first_rating)

        assert cut == [1]
        assert isinstance(refused.value.__cause__, DBAPIError)  # the driver's error is kept for developers
        assert _saved(engine) == [] and _audited_ratings(engine) == 0
        save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
        assert _saved(engine) == [(children[0], RAG.RED, 1), (children[1], RAG.RED, 1)]
        assert _audited_ratings(engine) == 2
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_restarted_server_is_refused_in_words_while_down_and_used_again_once_back() -> None:
    """A PostgreSQL server of the test's own (never the machine's shared cluster) is stopped and started again
    while the app's engine holds pooled connections: while it is down, reading and saving are refused as the
    database not answering; once it is back, both work on the same engine, with nothing lost or doubled."""
    from db.migrate import upgrade

    with private_postgres() as server:
        url = server.create_database("fsdash_restart")
        upgrade(url)
        engine = make_engine(url, limits=SessionLimits())
        try:
            team = _team_of_two_children(engine)
            children = _children(engine, team)
            save_ratings(engine, team.social_worker, team.meeting.id, _entries(children[:1]))

            server.stop()
            assert not database_answers(engine)
            with pytest.raises(DatabaseUnavailable):
                rating_form(engine, team.mental_health, team.meeting.id)
            with pytest.raises(DatabaseUnavailable, match="nothing was saved"):
                save_ratings(engine, team.mental_health, team.meeting.id, _entries(children, RAG.AMBER))

            server.start()
            assert database_answers(engine)
            save_ratings(engine, team.mental_health, team.meeting.id, _entries(children, RAG.AMBER))
            with reading(engine) as s:
                rows = s.execute(select(Rating.practitioner_id, Rating.child_id, Rating.rag, Rating.version)).all()
            assert sorted(rows) == sorted(
                [
                    (team.social_worker.id, children[0], RAG.RED, 1),
                    (team.mental_health.id, children[0], RAG.AMBER, 1),
                    (team.mental_health.id, children[1], RAG.AMBER, 1),
                ]
            )
            assert _audited_ratings(engine) == 3

            server.restart()  # a quick restart between two clicks is not even noticed
            assert [r.rag for r in save_ratings(engine, team.social_worker, team.meeting.id, _entries(children[1:]))]
        finally:
            engine.dispose()


# --- PostgreSQL: slow and locked -----------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_apps_sessions_carry_the_statement_and_lock_timeouts_and_the_command_lines_do_not(pg_url: str) -> None:
    app = make_engine(pg_url, limits=app_session_limits())
    command_line = make_engine(pg_url)
    try:
        with app.connect() as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar_one() == "30s"
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "10s"
        with command_line.connect() as conn:  # a migration or a rebuild may take longer: the server's own default
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar_one() == "0"
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "0"
    finally:
        app.dispose()
        command_line.dispose()


@pytest.mark.postgres
def test_a_stuck_query_is_stopped_at_the_statement_timeout_and_says_so(pg_url: str) -> None:
    engine = make_engine(pg_url, limits=SessionLimits(statement_timeout=0.3, lock_timeout=0.2))
    try:
        with pytest.raises(DatabaseTimedOut, match=r"longer than 0\.3 seconds to answer"), reading(engine) as s:
            s.execute(text("SELECT pg_sleep(30)"))
        assert database_answers(engine)  # the connection it ran on is fine for the next click
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_save_behind_an_administrators_long_transaction_stops_waiting_says_why_and_goes_in_later(
    pg_url: str,
) -> None:
    """An administrator left a transaction open holding the rating table (say, a hand-made correction in psql):
    the save waits no longer than the lock timeout, is refused in words with nothing written, and goes in once the
    administrator's transaction ends."""
    engine = make_engine(pg_url, limits=SessionLimits(statement_timeout=5, lock_timeout=0.5))
    admin = _admin(pg_url)
    try:
        team = _team_of_two_children(engine)
        children = _children(engine, team)
        with admin.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("LOCK TABLE rating IN EXCLUSIVE MODE")  # reads go on; writes wait
            assert [f.family_id for f in rating_form(engine, team.social_worker, team.meeting.id)] == [team.family.id]
            with pytest.raises(DatabaseLocked, match=r"for longer than 0\.5 seconds, so this stopped waiting"):
                save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
            conn.exec_driver_sql("ROLLBACK")
        assert _saved(engine) == [] and _audited_ratings(engine) == 0
        save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
        assert _saved(engine) == [(children[0], RAG.RED, 1), (children[1], RAG.RED, 1)]
    finally:
        engine.dispose()
        admin.dispose()


def test_the_limits_are_settings_with_defaults_and_a_wrong_value_is_refused_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(STATEMENT_TIMEOUT_SETTING, raising=False)
    monkeypatch.delenv(LOCK_TIMEOUT_SETTING, raising=False)
    assert app_session_limits() == SessionLimits(statement_timeout=30, lock_timeout=10)
    monkeypatch.setenv(STATEMENT_TIMEOUT_SETTING, "12.5")
    monkeypatch.setenv(LOCK_TIMEOUT_SETTING, "0")
    assert app_session_limits() == SessionLimits(statement_timeout=12.5, lock_timeout=0)
    monkeypatch.setenv(LOCK_TIMEOUT_SETTING, "ten")
    with pytest.raises(ValueError, match="FSDASH_LOCK_TIMEOUT_SECONDS must be a number of seconds"):
        app_session_limits()


class _Driver(Exception):
    """A stand-in driver error carrying a SQLSTATE, as psycopg's do."""

    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "refusal"),
    [
        ("57014", DatabaseTimedOut),  # statement_timeout
        ("55P03", DatabaseLocked),  # lock_timeout
        ("40P01", DatabaseBusy),  # deadlock: this save was chosen to give way
        ("40001", DatabaseBusy),  # serialisation failure
        ("53100", DatabaseFull),  # the server's disk is full
        ("25006", DatabaseCannotWrite),  # a read-only standby after a failover
        ("57P01", DatabaseUnavailable),  # terminating connection due to administrator command
        ("57P03", DatabaseUnavailable),  # the server is starting up
        ("08006", DatabaseUnavailable),  # connection failure
        (None, DatabaseUnavailable),  # no server answered at all
    ],
)
def test_each_postgresql_fault_has_its_own_refusal(sqlstate: str | None, refusal: type[Exception]) -> None:
    fault = database_fault(OperationalError("SELECT 1", {}, _Driver(sqlstate)), SessionLimits(3, 2))
    assert isinstance(fault, refusal)
    assert "nothing was saved" in str(fault)


def test_an_error_that_is_not_the_databases_fault_is_left_as_it_is() -> None:
    from sqlalchemy.exc import IntegrityError

    assert database_fault(IntegrityError("INSERT", {}, _Driver("23505"))) is None  # a unique constraint: a bug


# --- An app process killed in the middle of a save --------------------------------------------------------------

_SAVE_IN_A_CHILD = """
import sys
from db.services.ratings import RatingEntry, save_ratings
from db.models import User
from db.session import make_engine, reading
from risk.vocabulary import RAG
url, user_id, meeting_id, *children = sys.argv[1:]
engine = make_engine(url)
with reading(engine) as s:
    user = s.get(User, int(user_id))
save_ratings(engine, user, int(meeting_id), [RatingEntry(int(c), RAG.AMBER) for c in children])
print("the save finished: the process should have died before this")
"""


def test_an_app_process_killed_between_the_statements_of_a_save_leaves_nothing_half_written(
    db_url: str, engine: Engine
) -> None:
    """Another process saves a family's two ratings and is killed (SIGKILL, as the out-of-memory killer or a
    `kill -9` does) after the first rating's INSERT, before the rest: none of the save is in the database, this
    process goes on serving, and the practitioner's next save of the family goes in whole."""
    team = _team_of_two_children(engine)
    children = _children(engine, team)
    save_ratings(engine, team.mental_health, team.meeting.id, _entries(children[:1], RAG.GREEN))
    before = _saved(engine)

    env = {**os.environ, KILL_AFTER_WRITE_SETTING: "rating"}
    args = [db_url, str(team.social_worker.id), str(team.meeting.id), *map(str, children)]
    died = subprocess.run(
        [sys.executable, "-c", _SAVE_IN_A_CHILD, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert died.returncode == -signal.SIGKILL, died.stdout + died.stderr
    assert _saved(engine) == before and _audited_ratings(engine) == 1
    assert [f.family_id for f in rating_form(engine, team.manager, team.meeting.id)] == []  # still serving reads
    save_ratings(engine, team.social_worker, team.meeting.id, _entries(children, RAG.AMBER))
    with reading(engine) as s:
        mine = s.scalars(select(Rating.rag).where(Rating.practitioner_id == team.social_worker.id)).all()
    assert mine == [RAG.AMBER, RAG.AMBER]
    assert _audited_ratings(engine) == 3


# --- SQLite: a full or read-only disk ---------------------------------------------------------------------------


@pytest.fixture
def sqlite_on_a_small_disk(sqlite_template: Path) -> Iterator[tuple[Engine, Any]]:
    with small_disk() as disk:
        path = disk.path / "fsdash.db"
        shutil.copyfile(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine, disk
        finally:
            engine.dispose()


def _integrity(engine: Engine) -> str:
    with reading(engine) as s:
        return str(s.execute(text("PRAGMA integrity_check")).scalar_one())


def test_a_save_on_a_full_disk_is_refused_whole_reading_goes_on_and_saving_works_once_there_is_room(
    sqlite_on_a_small_disk: tuple[Engine, Any],
) -> None:
    engine, disk = sqlite_on_a_small_disk
    team = _team_of_two_children(engine)
    children = _children(engine, team)
    save_ratings(engine, team.mental_health, team.meeting.id, _entries(children[:1], RAG.GREEN))
    before = _saved(engine)

    disk.fill()
    with pytest.raises(DatabaseFull, match="disk is full, so nothing was saved"):
        save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
    assert _saved(engine) == before
    assert [f.family_id for f in rating_form(engine, team.social_worker, team.meeting.id)] == [team.family.id]
    assert _integrity(engine) == "ok"

    disk.make_room()
    save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
    assert len(_saved(engine)) == 3 and _integrity(engine) == "ok"


def test_a_save_on_a_disk_gone_read_only_is_refused_whole_and_everything_saved_can_still_be_read(
    sqlite_on_a_small_disk: tuple[Engine, Any],
) -> None:
    """The disk fails and the kernel makes it read-only under the running app: a connection already open and a
    new one both refuse the save in words, and both still read everything saved before."""
    engine, disk = sqlite_on_a_small_disk
    team = _team_of_two_children(engine)
    children = _children(engine, team)
    save_ratings(engine, team.mental_health, team.meeting.id, _entries(children, RAG.GREEN))
    before = _saved(engine)

    disk.fail()
    with pytest.raises(DatabaseCannotWrite, match="can be read but not written"):
        save_ratings(engine, team.social_worker, team.meeting.id, _entries(children))
    fresh = make_engine(str(engine.url))
    try:
        with pytest.raises(DatabaseCannotWrite, match="can be read but not written"):
            save_ratings(fresh, team.social_worker, team.meeting.id, _entries(children))
        for reader in (engine, fresh):
            assert _saved(reader) == before
            assert [f.family_id for f in rating_form(reader, team.social_worker, team.meeting.id)] == [team.family.id]
    finally:
        fresh.dispose()
