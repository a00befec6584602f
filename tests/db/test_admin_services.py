"""Administrators' changes: validated, audited, and refused to everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from dashboard.risk.vocabulary import Role
from db.access import AccessDenied
from db.errors import InvalidInput
from db.models import AuditEvent, Involvement, Team, User
from db.queries import admin as lists
from db.queries.audit_search import AuditQuery, search
from db.services import admin
from db.services.accounts import create_user, sign_in
from db.session import reading, transaction
from tests.db.factories import Team1, make_team

PASSWORD = "a long enough password"


@pytest.fixture
def setup(engine: Engine) -> tuple[User, Team1]:
    with transaction(engine) as s:
        team = make_team(s)
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
    return administrator, team


def _verbs(engine: Engine) -> list[str]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_offices_teams_and_accounts(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    office = admin.add_office(engine, actor, "  South   office ")
    assert office.name == "South office"
    with pytest.raises(InvalidInput, match="already an office"):
        admin.add_office(engine, actor, "south OFFICE")
    new_team = admin.add_team(engine, actor, "Elm team", office.id)
    with pytest.raises(InvalidInput, match="already a team"):
        admin.update_team(engine, actor, new_team.id, "Stevenage A", office.id)
    admin.update_team(engine, actor, new_team.id, "Elm team", team.team.office_id)
    user = create_user(
        engine,
        actor,
        email="new@example.org",
        display_name="New",
        role=Role.SOCIAL_WORKER,
        team_name="Elm team",
        password=PASSWORD,
    )
    assert user.office_id == team.team.office_id
    with pytest.raises(InvalidInput, match="belongs to a team"):
        create_user(engine, actor, email="x@example.org", display_name="X", role=Role.SOCIAL_WORKER)
    admin.update_user(
        engine, actor, user.id, role=Role.SOCIAL_WORKER, team_id=team.team.id, office_id=None, active=False
    )
    with reading(engine) as s:
        changed = s.get_one(User, user.id)
        assert (changed.team_id, changed.active) == (team.team.id, False)
    assert _verbs(engine) == ["office.create", "team.create", "team.update", "user.create", "user.update"]
    rows = {r.email: r for r in lists.users(engine, actor)}
    assert rows["new@example.org"].active is False


def test_an_administrator_cannot_lock_themselves_out(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, _ = setup
    with pytest.raises(InvalidInput, match="cannot deactivate yourself"):
        admin.update_user(engine, actor, actor.id, role=Role.ADMINISTRATOR, team_id=None, office_id=None, active=False)


def test_a_password_reset_unlocks_the_account(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    with transaction(engine) as s:
        s.get_one(User, team.social_worker.id).locked_until = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    admin.reset_password(engine, actor, team.social_worker.id, PASSWORD)
    assert sign_in(engine, team.social_worker.email, PASSWORD).id == team.social_worker.id


def test_involvement_is_added_and_ended_with_checks(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    with transaction(engine) as s:
        other = make_team(s, name="Other team", ref="F-2")
    with pytest.raises(InvalidInput, match="not an active professional of Stevenage A"):
        admin.add_involvement(engine, actor, team.family.id, other.social_worker.id, dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="already works with"):
        admin.add_involvement(engine, actor, team.family.id, team.social_worker.id, dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="case opened"):
        admin.add_involvement(engine, actor, team.family.id, team.manager.id, dt.date(2025, 3, 1))
    added = admin.add_involvement(engine, actor, team.family.id, team.manager.id, dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="must be after"):
        admin.end_involvement(engine, actor, added.id, dt.date(2026, 3, 1))
    admin.end_involvement(engine, actor, added.id, dt.date(2026, 4, 1))
    with reading(engine) as s:
        assert s.get_one(Involvement, added.id).ended_on == dt.date(2026, 4, 1)
    assert [r.name for r in lists.involvements(engine, actor, team.family.id)][-1] == "Manager Stevenage A"
    table, total = search(engine, actor, AuditQuery(case_reference="F-1"))
    assert total == 2 and set(table["What"]) == {"involvement.create", "involvement.end"}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_everyone_else_is_refused(engine: Engine, setup: tuple[User, Team1], role: Role) -> None:
    _, team = setup
    with transaction(engine) as s:
        someone = User(display_name="Someone", email=f"{role.value}@example.org", role=role, team_id=team.team.id)
        s.add(someone)
    calls = [
        lambda: admin.add_office(engine, someone, "X"),
        lambda: admin.add_team(engine, someone, "X", team.team.office_id),
        lambda: admin.update_team(engine, someone, team.team.id, "X", team.team.office_id),
        lambda: admin.update_user(
            engine, someone, someone.id, role=Role.ADMINISTRATOR, team_id=None, office_id=None, active=True
        ),
        lambda: admin.reset_password(engine, someone, team.manager.id, PASSWORD),
        lambda: admin.add_involvement(engine, someone, team.family.id, someone.id, dt.date(2026, 3, 1)),
        lambda: lists.users(engine, someone),
        lambda: lists.involvements(engine, someone, team.family.id),
        lambda: search(engine, someone, AuditQuery()),
        lambda: create_user(engine, someone, email="y@example.org", display_name="Y", role=Role.ADMINISTRATOR),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    with reading(engine) as s:
        assert s.scalar(select(Team.name).where(Team.id == team.team.id)) == "Stevenage A"
