"""Page tests with Streamlit's AppTest: each test gets its own migrated SQLite database (DATABASE_URL points at
it and the cached engine is dropped) and runs a page script as a signed-in user."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboard.state import LAST_SEEN_KEY, USER_KEY
from db.models import User
from db.session import make_engine

PAGES = Path(__file__).resolve().parents[2] / "dashboard" / "pages"
APP = PAGES.parent / "app.py"

PageRunner = Callable[..., AppTest]


@pytest.fixture
def app_engine(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    path = tmp_path / "app.db"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def as_user(at: AppTest, user: User | None) -> AppTest:
    if user is not None:
        at.session_state[USER_KEY] = user.id
        at.session_state[LAST_SEEN_KEY] = time.monotonic()
    return at


@pytest.fixture
def run_page(app_engine: Engine) -> PageRunner:
    """run_page("rate.py", user) -> the AppTest after its first run (raises if the script raised)."""

    def run(page: str, user: User | None, timeout: float = 30) -> AppTest:
        at = as_user(AppTest.from_file(str(PAGES / page), default_timeout=timeout), user)
        at.run()
        if at.exception:
            raise AssertionError(f"{page} raised: {[e.message for e in at.exception]}")
        return at

    return run
