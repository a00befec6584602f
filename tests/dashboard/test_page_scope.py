"""Every page run as every kind of user of team A: it renders, and nothing of team B's caseload appears on it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.models import User
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from risk.vocabulary import RAG, Role
from tests.dashboard.conftest import PAGES, PageRunner
from tests.db.factories import make_team

B_SECRETS = ("F-SECRET", "Zebedee")
PAGE_FILES = sorted(p.name for p in PAGES.glob("*.py") if p.name != "__init__.py")
ACTORS = [r for r in Role]


def _text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (at.markdown, at.caption, at.title, at.subheader, at.info, at.error, at.success, at.warning)
        for e in kind
    ]
    parts += [str(w.options) + str(w.label) for kind in (at.selectbox, at.radio, at.multiselect) for w in kind]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


@pytest.fixture
def users(app_engine: Engine) -> dict[Role, User]:
    with transaction(app_engine) as s:
        a = make_team(s, name="A team", ref="F-A")
        b = make_team(s, name="B team", ref="F-SECRET")
        b.child.first_name = "Zebedee"
        people = {
            role: User(
                display_name=role.label,
                email=f"{role.value}@example.org",
                role=role,
                team=a.team if role.rates_children else None,
            )
            for role in Role
        }
        s.add_all(people.values())
    save_ratings(app_engine, b.social_worker, b.meeting.id, [RatingEntry(b.child.id, RAG.RED)])
    return people


@pytest.mark.parametrize("page", PAGE_FILES)
@pytest.mark.parametrize("role", ACTORS, ids=lambda r: r.value)
def test_no_page_shows_another_teams_cases(
    run_page: PageRunner, users: dict[Role, User], page: str, role: Role
) -> None:
    at = run_page(page, users[role])
    shown = _text(at)
    for secret in B_SECRETS:
        assert secret not in shown, f"{page} shows {secret} to a {role.label}"
    if page in ("caseload.py", "meeting.py") and role.rates_children:
        assert "F-A" in shown  # the same check sees their own team's family: it can fail


@pytest.mark.parametrize("page", PAGE_FILES)
def test_no_page_shows_anything_without_signing_in(run_page: PageRunner, users: dict[Role, User], page: str) -> None:
    at = run_page(page, None)
    assert [w.value for w in at.warning] == ["Please sign in to use the dashboard."]
    assert not at.dataframe and not at.selectbox and not at.button
