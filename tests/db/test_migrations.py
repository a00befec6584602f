"""pytest-alembic's built-in checks, on SQLite and PostgreSQL: one head, upgrade from empty, up/down
consistency, and the models match what the migrations create."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine

from db.migrate import MIGRATIONS_DIR
from db.session import make_engine
from tests.conftest import DATABASES, _recreate_postgres_database, postgres_url


@pytest.fixture
def alembic_config() -> dict[str, str]:
    return {"script_location": str(MIGRATIONS_DIR), "path_separator": "os"}


@pytest.fixture(params=DATABASES)
def alembic_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'alembic.db'}"
    else:
        url = postgres_url().rsplit("/", 1)[0] + "/fsdash_alembic_test"
        _recreate_postgres_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
