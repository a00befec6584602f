"""Engines and sessions. Every SQLite connection gets WAL, foreign keys and a busy timeout, because SQLite
forgets pragmas per connection and a shared screen plus several practitioners means concurrent writers."""

from __future__ import annotations

import functools
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import DatabaseBusy
from db.settings import database_url, is_sqlite

SQLITE_BUSY_TIMEOUT_MS = 10_000


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


def _on_sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock up front (BEGIN IMMEDIATE), so two writers queue on the busy
    # timeout instead of one failing with "database is locked" half way through. Readers stay concurrent.
    if conn.get_execution_options().get("sqlite_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A new engine for `url` (default: the configured database). SQLite files get their folder created.

    `hide_parameters`: a failed statement's error never quotes its values (names, dates of birth, references),
    so an error that reaches a log carries no personal data from the query."""
    url = url or database_url()
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


@functools.cache
def default_engine() -> Engine:
    """The process-wide engine for the configured database (the app also caches it as a Streamlit resource)."""
    return make_engine()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _is_sqlite_busy(error: OperationalError) -> bool:
    return isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig)


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

    On SQLite a writer that waited out the busy timeout behind other writers gets the product's own "busy"
    refusal (a page shows it and keeps what was typed), not a crash."""
    writer = engine.execution_options(sqlite_immediate=True)
    try:
        with _sqlite_writer_turn(engine), Session(writer, expire_on_commit=False) as session, session.begin():
            yield session
    except OperationalError as error:
        if _is_sqlite_busy(error):
            raise DatabaseBusy() from error
        raise


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work: one consistent snapshot, never holds the write lock."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
