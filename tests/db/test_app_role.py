"""On PostgreSQL the app runs as a role that owns nothing (db.app_role): it saves ratings and opens the audit
trail's one door as the app does, and cannot empty the trail, delete from it, or drop or disable its triggers.
Tried as that role over a real connection, as an intruder holding the app's database password would."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError

from db.app_role import grant_app_role
from db.errors import InvalidInput
from db.models import AuditEvent
from db.records.audit_rewrite import audit_permit, rewrite_details
from db.services.ratings import RatingEntry, save_ratings
from db.session import make_engine, reading, transaction
from risk.vocabulary import RAG
from tests.db.factories import Team1, make_team

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def app_url(db_url: str) -> Iterator[str]:
    """A fresh login role with the app's privileges; dropped afterwards (roles belong to the whole cluster)."""
    role = f"fsdash_app_{secrets.token_hex(3)}"
    owner = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    try:
        grant_app_role(db_url, role)
        yield make_url(db_url).set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with owner.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def test_the_app_role_does_the_apps_work(app_url: str, team: Team1) -> None:
    app = make_engine(app_url)
    try:
        [rating] = save_ratings(app, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER)])
        with transaction(app) as s, audit_permit(s, None, "retention"):
            event_id = s.scalars(select(AuditEvent.id).where(AuditEvent.entity_type == "rating")).one()
            rewrite_details(s, [(event_id, None, {"rag": "amber", "note": "rewritten"})])
        with reading(app) as s:
            assert s.get_one(AuditEvent, event_id).after == {"rag": "amber", "note": "rewritten"}
            assert rating.version == 1
    finally:
        app.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_event",
        "TRUNCATE audit_pseudonymisation",
        "DELETE FROM audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER USER",
        "DROP TRIGGER audit_event_append_only ON audit_event",
        "DROP TABLE rating",
        "UPDATE alembic_version SET version_num = '0001'",
        "CREATE TABLE copied (rationale text)",
    ],
)
def test_the_app_role_cannot_undo_the_trails_protection_or_the_schema(
    app_url: str, team: Team1, statement: str
) -> None:
    app = create_engine(app_url)
    try:
        with pytest.raises(DBAPIError, match=r"permission denied|must be owner|append-only"), app.begin() as conn:
            conn.execute(text(statement))
    finally:
        app.dispose()


def test_a_superuser_an_owner_or_a_missing_role_is_refused_in_words(db_url: str) -> None:
    owner = make_url(db_url).username or "postgres"
    with pytest.raises(InvalidInput, match=r"superuser|owns the tables"):
        grant_app_role(db_url, owner)
    with pytest.raises(InvalidInput, match="There is no role nobody_here"):
        grant_app_role(db_url, "nobody_here")
    with pytest.raises(InvalidInput, match="not a plain PostgreSQL role name"):
        grant_app_role(db_url, "app; DROP TABLE rating")
