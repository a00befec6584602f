"""Fixtures: every database test runs twice, on SQLite and on PostgreSQL, each time on a freshly migrated,
empty database.

SQLite: the schema is migrated once into a template file that is copied for each test.
PostgreSQL: the schema is migrated once into a dedicated database (TEST_POSTGRES_URL) and every table is
truncated after each test (and the lists the migrations seed are seeded again). When the server cannot be reached
the PostgreSQL half fails with a message saying so; it is only left out when FSDASH_TEST_POSTGRES=off is set,
which CI refuses.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.migrate import upgrade
from db.models import Base, ChoiceItem
from db.queries.live_meeting import SHARED
from db.session import make_engine
from risk.supervision import default_choice_rows

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/fsdash_test"


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)


def scratch_postgres_url(purpose: str) -> str:
    """A second database beside the test database, named after it (`fsdash_test_restored`), so two test runs given
    different TEST_POSTGRES_URLs on one server never drop each other's databases."""
    target = make_url(postgres_url())
    return target.set(database=f"{target.database}_{purpose}").render_as_string(hide_password=False)


def postgres_wanted() -> bool:
    off = os.environ.get("FSDASH_TEST_POSTGRES", "").lower() == "off"
    if off and os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError("FSDASH_TEST_POSTGRES=off is not allowed in CI: the PostgreSQL suite must run.")
    return not off


DATABASES = ["sqlite", "postgresql"] if postgres_wanted() else ["sqlite"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _recreate_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    except Exception as exc:  # the cause is kept; the message tells a developer what to do
        pytest.fail(
            f"PostgreSQL is not reachable at {target.render_as_string(hide_password=True)} ({exc.__class__.__name__})."
            " Start it (see README, 'Quick start') or set TEST_POSTGRES_URL.",
            pytrace=False,
        )
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    url = postgres_url()
    _recreate_postgres_database(url)
    upgrade(url)
    return url


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated database of each kind. The results an app process shares between its sessions
    (db/queries/live_meeting.py) are forgotten first: a process serves one database, a test run many."""
    SHARED.clear()
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    yield url
    empty_postgres(url)


def empty_postgres(url: str) -> None:
    """Make the migrated PostgreSQL test database as a fresh migration leaves it, faster than migrating again:
    every table truncated, and the lists the migrations seed (risk.supervision.DEFAULT_CHOICES) seeded again, as
    on SQLite's migrated template. The audit trail refuses TRUNCATE (migration 0016), as it should for everyone
    else: the test run, as the cluster's superuser, lets no trigger fire."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            conn.execute(ChoiceItem.__table__.insert(), default_choice_rows())
    finally:
        engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: a suite that quietly skips (no PostgreSQL, no browser) proves nothing."""
    if os.environ.get("CI", "").lower() != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI: {skipped} test(s) were skipped; in CI every suite must run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
