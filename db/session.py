"""Engines and sessions. Every SQLite connection gets WAL, foreign keys and a busy timeout, because SQLite
forgets pragmas per connection and a shared screen plus several practitioners means concurrent writers.

Every unit of work (`transaction`, `reading`) also turns the database's own faults into the product's refusals
(db.errors.DatabaseFault): a database that restarts, a connection cut, a statement or a lock wait past the app's
limits, a full or read-only disk. Nothing is written when one happens (the transaction is rolled back or never
began), and the pages show the refusal's sentence instead of a crash, keeping what was typed."""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import (
    DatabaseBusy,
    DatabaseCannotWrite,
    DatabaseFault,
    DatabaseFull,
    DatabaseLocked,
    DatabaseTimedOut,
    DatabaseUnavailable,
)
from db.settings import database_url, is_sqlite

SQLITE_BUSY_TIMEOUT_MS = 10_000
# How long a new PostgreSQL connection may take before the page says the database is not answering (libpq's
# connect_timeout): without it an unreachable server keeps a page waiting for the operating system's two minutes.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10

STATEMENT_TIMEOUT_SETTING = "FSDASH_STATEMENT_TIMEOUT_SECONDS"
LOCK_TIMEOUT_SETTING = "FSDASH_LOCK_TIMEOUT_SECONDS"
DEFAULT_STATEMENT_TIMEOUT_SECONDS = 30.0
DEFAULT_LOCK_TIMEOUT_SECONDS = 10.0
# Tests only: the process kills itself (SIGKILL) right after its first INSERT or UPDATE of this table inside a
# saving transaction, before the next statement, so a test can show that a save is all or nothing.
KILL_AFTER_WRITE_SETTING = "FSDASH_TEST_KILL_AFTER_WRITE_TO"


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """How long one of the app's statements may run, and wait for a lock, before PostgreSQL stops it (seconds;
    0 is no limit). For the app's sessions only: a meeting must never hang behind a stuck query or an
    administrator's long transaction, while the command line (migrations, rebuilds) may legitimately take longer.
    """

    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS

    def postgres_options(self) -> str:
        """The limits as libpq `options`, so they hold from the connection's first statement on."""
        return (
            f"-c statement_timeout={round(self.statement_timeout * 1000)} "
            f"-c lock_timeout={round(self.lock_timeout * 1000)}"
        )


def _seconds_setting(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 24 * 3600:
        raise ValueError(f"{name} must be a number of seconds from 0 (no limit) to 86399, not {raw!r}.")
    return seconds


def app_session_limits() -> SessionLimits:
    """The limits for the app's sessions, from FSDASH_STATEMENT_TIMEOUT_SECONDS and FSDASH_LOCK_TIMEOUT_SECONDS."""
    return SessionLimits(
        statement_timeout=_seconds_setting(STATEMENT_TIMEOUT_SETTING, DEFAULT_STATEMENT_TIMEOUT_SECONDS),
        lock_timeout=_seconds_setting(LOCK_TIMEOUT_SETTING, DEFAULT_LOCK_TIMEOUT_SECONDS),
    )


# The limits each engine was made with, by its pool (shared by the engine and the copies execution_options makes),
# so a refusal can say how long was waited.
_LIMITS: weakref.WeakKeyDictionary[Any, SessionLimits] = weakref.WeakKeyDictionary()


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions (pysqlite's own BEGIN handling would defer locking surprisingly).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The busy timeout comes first, and WAL is switched on only where it is not on yet: asking for WAL on a
    # database in WAL mode still needs the write lock, so a connection opened while a colleague saves would
    # otherwise fail at once with "database is locked".
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_WRITER = "sqlite_immediate"  # the execution option `transaction` sets: this connection is saving


def _on_sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock up front (BEGIN IMMEDIATE), so two writers queue on the busy
    # timeout instead of one failing with "database is locked" half way through. Readers stay concurrent.
    if conn.get_execution_options().get(_WRITER):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _install_kill_after_write(engine: Engine, table: str) -> None:
    """The test hook of KILL_AFTER_WRITE_SETTING: die like a process the operating system kills (no cleanup, no
    rollback sent), between two statements of a save."""
    starts = (f"INSERT INTO {table} ", f"UPDATE {table} ")

    def after_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.get_execution_options().get(_WRITER) and statement.lstrip().startswith(starts):
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(engine, "after_cursor_execute", after_execute)


def make_engine(url: str | None = None, *, limits: SessionLimits | None = None, **kwargs: Any) -> Engine:
    """A new engine for `url` (default: the configured database). SQLite files get their folder created.

    `hide_parameters`: a failed statement's error never quotes its values (names, dates of birth, references),
    so an error that reaches a log carries no personal data from the query. `limits` (the app passes
    `app_session_limits()`) bound every PostgreSQL statement and lock wait; `pool_pre_ping` checks a pooled
    connection before use, so after a restart or a cut connection the next click simply reconnects."""
    url = url or database_url()
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    else:
        connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS, **kwargs.pop("connect_args", {})}
        if limits is not None:
            connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), limits.postgres_options()]))
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args, **kwargs)
    if limits is not None:
        _LIMITS[engine.pool] = limits
    if table := os.environ.get(KILL_AFTER_WRITE_SETTING, "").strip():
        _install_kill_after_write(engine, table)
    return engine


@functools.cache
def default_engine() -> Engine:
    """The process-wide engine for the configured database (the app also caches it as a Streamlit resource)."""
    return make_engine()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# SQLite's primary result codes (an extended code's low byte), https://sqlite.org/rescode.html
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 6, 8, 10, 13, 14
# PostgreSQL's SQLSTATEs for a server that is going away or not yet there (class 08 is any connection exception)
_POSTGRES_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300", "53200"}


def _sqlite_fault(error: sqlite3.Error) -> DatabaseFault | None:
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or (primary is None and "locked" in str(error)):
        return DatabaseBusy()
    if primary == _SQLITE_FULL:
        return DatabaseFull()
    if primary in (_SQLITE_READONLY, _SQLITE_IOERR):
        return DatabaseCannotWrite()
    if primary == _SQLITE_CANTOPEN:
        return DatabaseUnavailable()
    return None


def database_fault(error: DBAPIError, limits: SessionLimits | None = None) -> DatabaseFault | None:
    """The refusal a user is shown for a database error that is not their doing, or None for any other error
    (a constraint, a bug), which is left to propagate as it is."""
    if isinstance(error.orig, sqlite3.Error):
        return _sqlite_fault(error.orig)
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == "57014":  # query_canceled: statement_timeout (or an administrator's pg_cancel_backend)
        return DatabaseTimedOut(limits.statement_timeout if limits else None)
    if sqlstate == "55P03":  # lock_not_available: lock_timeout
        return DatabaseLocked(limits.lock_timeout if limits else None)
    if sqlstate in ("40P01", "40001"):  # deadlock or serialisation failure: this one was chosen to give way
        return DatabaseBusy()
    if sqlstate == "53100":
        return DatabaseFull()
    if sqlstate == "25006":  # read_only_sql_transaction: a standby, or default_transaction_read_only
        return DatabaseCannotWrite()
    if error.connection_invalidated or sqlstate in _POSTGRES_UNAVAILABLE or (sqlstate or "").startswith("08"):
        return DatabaseUnavailable()
    if sqlstate is None and isinstance(error, OperationalError):  # no server answered at all: refused, unreachable
        return DatabaseUnavailable()
    return None


@contextmanager
def _faults_refused(engine: Engine) -> Iterator[None]:
    """Let a database fault leave a unit of work as the product's refusal, its cause chained for developers."""
    try:
        yield
    except DBAPIError as error:
        fault = database_fault(error, _LIMITS.get(engine.pool))
        if fault is None:
            raise
        raise fault from error


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


@contextmanager
def _sqlite_writer_turn(engine: Engine) -> Iterator[None]:
    """Writers of one process take turns on a lock before asking SQLite for its write lock. SQLite's own busy
    handler polls, sleeping up to 100 ms between tries, so with thirty saves queued a writer can sleep on after
    the lock is free; a lock in the process hands over at once. Other processes still queue on the busy timeout."""
    if engine.dialect.name != "sqlite":
        yield
        return
    turn = _SQLITE_WRITERS.setdefault(engine, threading.Lock())
    if not turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
        raise DatabaseBusy()
    try:
        yield
    finally:
        turn.release()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work that writes: commits on success, rolls back on any error.

    A database fault (on SQLite a writer that waited out the busy timeout behind other writers, a full or
    read-only disk; on PostgreSQL a restart, a cut connection, a statement or lock wait past the limits) leaves as
    the product's refusal (a page shows it and keeps what was typed), not a crash, and nothing is written."""
    writer = engine.execution_options(**{_WRITER: True})
    with (
        _faults_refused(engine),
        _sqlite_writer_turn(engine),
        Session(writer, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work: one consistent snapshot, never holds the write lock. A database fault leaves as
    the product's refusal, as in `transaction`."""
    with _faults_refused(engine), Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query now: what a page that could not reach it watches for, so it
    carries on by itself once the database is back."""
    try:
        with reading(engine) as session:
            session.execute(text("SELECT 1"))
    except DatabaseFault:
        return False
    return True
