"""No personal data in the server's log: a page that fails, a statement that fails and a download that cannot be
made are logged by kind and place only. The failures are triggered for real and everything logged is scanned for
the seeded names and dates of birth."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from streamlit.testing.v1 import AppTest

import db.queries.admin as admin_queries
from dashboard.logs import WITHHELD, keep_personal_data_out_of_logs
from db.models import Child, User
from db.session import transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import APP, as_user
from tests.db.factories import Team1, make_team

NAME = "Quigley"
BORN = dt.date(2017, 4, 9)
SEEDED = (NAME, "2017-04-09", "09/04/2017")


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Everything logged by any logger while the test runs, as Streamlit's own handlers would print it."""
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    keep_personal_data_out_of_logs()
    names = ["", *logging.root.manager.loggerDict]
    loggers = [logging.getLogger(n) for n in names]
    for logger in loggers:
        logger.addHandler(handler)
    yield captured
    for logger in loggers:
        logger.removeHandler(handler)


def _add_a_child_that_clashes(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        s.add(Child(family_id=team.family.id, case_reference="F-1-1", first_name=NAME, date_of_birth=BORN))


def test_a_failed_insert_does_not_quote_its_values(engine: Engine) -> None:
    with transaction(engine) as s:
        team = make_team(s)
    with pytest.raises(IntegrityError) as failed:
        _add_a_child_that_clashes(engine, team)
    assert not any(value in str(failed.value) for value in SEEDED), str(failed.value)


def test_a_page_that_fails_is_logged_without_the_words_of_its_failure(
    app_engine: Engine, monkeypatch: pytest.MonkeyPatch, log: io.StringIO
) -> None:
    with transaction(app_engine) as s:
        team = make_team(s)
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)

    def failing(*args: object, **kwargs: object) -> None:
        try:
            _add_a_child_that_clashes(app_engine, team)  # a real database failure, as the cause
        except IntegrityError as exc:
            raise ValueError(f"cannot show {NAME}, born {BORN:%d/%m/%Y}") from exc

    monkeypatch.setattr(admin_queries, "offices", failing)
    at = as_user(AppTest.from_file(str(APP), default_timeout=30), administrator)
    at.run()
    assert at.exception  # the page did fail
    logged = log.getvalue()
    assert "ValueError from IntegrityError" in logged and WITHHELD in logged
    assert not any(value in logged for value in SEEDED), logged
