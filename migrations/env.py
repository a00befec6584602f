"""Alembic environment: the URL comes from the app's settings, SQLite migrates in batch mode."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine

from db.models import Base
from db.session import make_engine
from db.settings import database_url

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or database_url()


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")  # tests pass a connection or an engine
    if isinstance(connectable, Connection):
        _run(connectable)
        return
    engine = connectable if isinstance(connectable, Engine) else make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        if connectable is None:
            engine.dispose()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _no_broken_references(connection)
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite alters a table in batch mode by copying it, dropping the old one and renaming the copy; with foreign
    keys enforced, dropping a table other rows refer to fails (a meeting has ratings). As SQLite's own documentation
    advises, enforcement is off while the migrations run, and the references are checked before they commit.

    Set on the driver's connection: SQLite ignores this pragma inside a transaction, which SQLAlchemy would begin."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")  # type: ignore[union-attr]


def _no_broken_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"The migration left rows referring to missing rows in: {', '.join(tables)}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
