"""pytest-alembic's built-in checks, on SQLite and PostgreSQL: one head, upgrade from empty, up/down
consistency, and the models match what the migrations create."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, text

from db.migrate import MIGRATIONS_DIR, upgrade
from db.migrate import alembic_config as db_alembic_config
from db.services.scores import rebuild_scores
from db.session import make_engine
from seed import load_seed
from tests.conftest import DATABASES, _recreate_postgres_database, scratch_postgres_url


@pytest.fixture
def alembic_config() -> dict[str, str]:
    return {"script_location": str(MIGRATIONS_DIR), "path_separator": "os"}


@pytest.fixture(params=DATABASES)
def alembic_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'alembic.db'}"
    else:
        url = scratch_postgres_url("alembic")
        _recreate_postgres_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("database", DATABASES)
def test_every_later_revision_upgrades_a_database_that_holds_data(database: str, tmp_path: Path) -> None:
    """An existing service upgrades with its data: on SQLite an altered table is rebuilt while other tables'
    rows still refer to it (a meeting has ratings, an account has ratings and families)."""
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'service.db'}"
    else:
        url = scratch_postgres_url("upgrade_with_data")
        _recreate_postgres_database(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        load_seed(engine, "demo", today=dt.date(2026, 11, 20))
        rebuild_scores(engine, None)
        before = _counts(engine)
        engine.dispose()
        config = db_alembic_config(url)
        command.downgrade(config, FIRST_REVISION_WITH_DATA)
        upgrade(url)
        assert _counts(engine) == before
    finally:
        engine.dispose()


FIRST_REVISION_WITH_DATA = "0002"  # every revision after this one must upgrade a database that holds data


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in ("office", "team", "users", "family", "child", "meeting", "rating", "family_risk_score")
        }
