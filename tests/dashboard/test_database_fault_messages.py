"""How the pages show a database fault (dashboard/components/database_faults.py): a calm sentence, never the crash
box, what was chosen kept, and a save pressed once never made twice. The faults themselves, on real databases, are
in tests/db/test_database_faults.py and tests/browser/test_database_faults.py; here the services raise them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

import db.access
import db.services.ratings
from dashboard.components.database_faults import BACK_MESSAGE, MAX_TRIES_WHILE_ANSWERING
from db.errors import DatabaseFault, DatabaseFull, DatabaseTimedOut, DatabaseUnavailable
from db.models import Rating
from db.session import reading, transaction
from risk.vocabulary import RAG
from tests.dashboard.conftest import APP, PageRunner, as_user
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        return make_team(s)


def _failing(fault: DatabaseFault, calls: list[object]) -> Callable[..., Any]:
    def save(*args: object, **_kwargs: object) -> Any:
        calls.append(args)
        raise fault

    return save


def _stored(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(Rating)) or 0


def _choose_red_and_save(at: AppTest, team: Team1) -> AppTest:
    at.radio(key=f"rag-{team.meeting.id}-{team.child.id}").set_value(RAG.RED)
    return at.button(key=f"save-{team.meeting.id}-{team.family.id}").click().run()


def test_a_save_on_a_full_disk_is_refused_calmly_and_the_choice_stays(
    run_page: PageRunner, app_engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("rate.py", team.social_worker)
    calls: list[object] = []
    monkeypatch.setattr(db.services.ratings, "save_family_form", _failing(DatabaseFull(), calls))

    _choose_red_and_save(at, team)

    assert not at.exception
    assert any("disk is full, so nothing was saved" in w.value for w in at.warning)
    assert at.radio(key=f"rag-{team.meeting.id}-{team.child.id}").value == RAG.RED
    assert len(calls) == 1 and _stored(app_engine) == 0


def test_a_save_while_the_database_is_not_answering_waits_for_it_and_is_not_made_twice(
    run_page: PageRunner, app_engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save meets the database gone; the form's part waits for it (here it answers at once) and reruns, which
    says the database is back and asks for the press again: the save is not repeated behind the person's back."""
    at = run_page("rate.py", team.social_worker)
    calls: list[object] = []
    monkeypatch.setattr(db.services.ratings, "save_family_form", _failing(DatabaseUnavailable(), calls))

    _choose_red_and_save(at, team)

    assert not at.exception
    assert [i.value for i in at.info] == [BACK_MESSAGE]
    assert at.radio(key=f"rag-{team.meeting.id}-{team.child.id}").value == RAG.RED
    assert len(calls) == 1 and _stored(app_engine) == 0


def test_a_page_whose_first_read_times_out_says_so_at_the_top_instead_of_crashing(
    app_engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through app.py, as a person gets every page: the user's own re-check at the click is the first read."""

    def slow(*_args: object, **_kwargs: object) -> Any:
        raise DatabaseTimedOut(30)

    at = as_user(AppTest.from_file(str(APP), default_timeout=30), team.social_worker)
    monkeypatch.setattr(db.access, "recheck_session", slow)
    monkeypatch.setattr("dashboard.state.recheck_session", slow)
    at.run()

    assert not at.exception
    assert any("took longer than 30 seconds to answer" in w.value for w in at.warning)


def test_a_read_that_keeps_failing_while_the_database_answers_stops_after_a_few_tries(
    app_engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement that breaks its own connection every time (the database itself answers): the page tries a few
    times, then stops with the sentence instead of trying for ever; the next click tries again."""
    import db.queries.rating_form

    calls: list[object] = []
    monkeypatch.setattr(db.queries.rating_form, "rating_form", _failing(DatabaseUnavailable(), calls))
    at = as_user(AppTest.from_file(str(APP), default_timeout=30), team.social_worker)
    at.run()

    assert not at.exception
    assert any("The database is not answering just now" in w.value for w in at.warning)
    assert len(calls) == 1 + MAX_TRIES_WHILE_ANSWERING
