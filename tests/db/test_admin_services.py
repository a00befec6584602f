"""Administrators' changes: validated, audited, and refused to everyone else."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.errors import InvalidInput, NotFound
from db.models import AuditEvent, Involvement, Team, User
from db.queries import admin as lists
from db.queries.audit_search import AuditQuery, search
from db.services import admin
from db.services.accounts import SignInFailed, create_user, sign_in
from db.session import reading, transaction
from risk.vocabulary import Role
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
    assert _verbs(engine) == [
        "office.create",
        "team.create",
        "team.update",
        "user.create",
        "access.ratings_granted",  # a social worker with a password an administrator knows (then deactivated)
        "user.update",
    ]
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


def _events(engine: Engine, verb: str) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)))


def test_an_office_is_renamed_with_its_old_name_in_the_audit_trail(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    office_id = team.team.office_id
    south = admin.add_office(engine, actor, "South")
    with pytest.raises(InvalidInput, match="already an office called 'South'"):
        admin.rename_office(engine, actor, office_id, "south")
    with pytest.raises(InvalidInput, match="Give the office a name"):
        admin.rename_office(engine, actor, office_id, "   ")
    admin.rename_office(engine, actor, office_id, "North and East")
    admin.rename_office(engine, actor, office_id, "North and East")  # no change, no event
    assert lists.offices(engine, actor) == {office_id: "North and East", south.id: "South"}
    [event] = _events(engine, "office.update")
    assert (event.actor_id, event.before, event.after) == (actor.id, {"name": "North"}, {"name": "North and East"})


def test_a_team_moves_office_and_the_move_is_audited(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    south = admin.add_office(engine, actor, "South")
    admin.update_team(engine, actor, team.team.id, "Stevenage A", south.id)
    with pytest.raises(InvalidInput, match="Choose the office"):
        admin.update_team(engine, actor, team.team.id, "Stevenage A", 999_999)
    [row] = lists.teams(engine, actor)
    assert (row.office, row.staff, row.open_families) == ("South", 3, 1)
    [event] = _events(engine, "team.update")
    assert event.before == {"name": "Stevenage A", "office_id": team.team.office_id}
    assert event.after == {"name": "Stevenage A", "office_id": south.id}


def test_account_changes_explain_what_is_wrong(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    with pytest.raises(InvalidInput, match="already an account for SW"):
        create_user(
            engine, actor, email="SW.STEVENAGE-A@example.org", display_name="Dup", role=Role.SOCIAL_WORKER,
            team_name="Stevenage A",
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        create_user(engine, actor, email="n@example.org", display_name="N", role=Role.SERVICE_LEAD, password="short")
    sw = team.social_worker.id
    with pytest.raises(InvalidInput, match="team manager belongs to a team"):
        admin.update_user(engine, actor, sw, role=Role.TEAM_MANAGER, team_id=None, office_id=None, active=True)
    with pytest.raises(InvalidInput, match="office does not exist"):
        admin.update_user(engine, actor, sw, role=Role.SERVICE_LEAD, team_id=None, office_id=999_999, active=True)
    with pytest.raises(NotFound):
        admin.update_user(engine, actor, 999_999, role=Role.SERVICE_LEAD, team_id=None, office_id=None, active=True)
    assert _events(engine, "user.update") == []


def test_deactivation_ends_sign_in_and_reactivation_restores_it(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    admin.reset_password(engine, actor, team.social_worker.id, PASSWORD)
    keep = {"role": Role.SOCIAL_WORKER, "team_id": team.team.id, "office_id": None}
    admin.update_user(engine, actor, team.social_worker.id, **keep, active=False)
    with pytest.raises(SignInFailed):
        sign_in(engine, team.social_worker.email, PASSWORD)
    assert [r.email for r in lists.users(engine, actor, status="inactive")] == [team.social_worker.email]
    admin.update_user(engine, actor, team.social_worker.id, **keep, active=True)
    assert sign_in(engine, team.social_worker.email, PASSWORD).active
    first, second = _events(engine, "user.update")
    assert (first.before["active"], first.after["active"]) == (True, False)
    assert (second.before["active"], second.after["active"]) == (False, True)
    assert first.after["office_id"] == team.team.office_id  # a team member's office follows the team


def test_a_locked_account_is_unlocked_without_changing_its_password(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    admin.reset_password(engine, actor, team.social_worker.id, PASSWORD)
    for _ in range(5):
        with pytest.raises(SignInFailed):
            sign_in(engine, team.social_worker.email, "not the password")
    with pytest.raises(SignInFailed, match="locked"):
        sign_in(engine, team.social_worker.email, PASSWORD)
    assert [r.email for r in lists.users(engine, actor, status="locked")] == [team.social_worker.email]
    admin.unlock_user(engine, actor, team.social_worker.id)
    assert lists.users(engine, actor, status="locked") == []
    assert sign_in(engine, team.social_worker.email, PASSWORD).id == team.social_worker.id
    with pytest.raises(InvalidInput, match="is not locked"):
        admin.unlock_user(engine, actor, team.social_worker.id)
    [event] = _events(engine, "user.unlock")
    assert event.actor_id == actor.id and event.before["locked_until"] and event.after["locked_until"] is None
    [reset] = _events(engine, "user.password_reset")
    assert reset.actor_id == actor.id and not (reset.after or {}).get("password")


def test_accounts_are_listed_with_filters(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    with transaction(engine) as s:
        make_team(s, name="Hitchin B", ref="F-2")

    def emails(**filters: object) -> list[str]:
        return [r.email for r in lists.users(engine, actor, **filters)]  # type: ignore[arg-type]

    assert len(emails()) == 7
    assert emails(search="hitchin") == [
        "mh.hitchin-b@example.org",
        "tm.hitchin-b@example.org",
        "sw.hitchin-b@example.org",
    ]
    assert emails(role=Role.TEAM_MANAGER) == ["tm.hitchin-b@example.org", "tm.stevenage-a@example.org"]
    assert emails(team_id=team.team.id, role=Role.SOCIAL_WORKER) == ["sw.stevenage-a@example.org"]
    assert emails(status="active", role=Role.ADMINISTRATOR) == ["admin@example.org"]
    assert emails(search="nobody") == []


def test_involvement_changes_keep_before_and_after(engine: Engine, setup: tuple[User, Team1]) -> None:
    actor, team = setup
    with pytest.raises(InvalidInput, match="not an active professional"):
        admin.add_involvement(engine, actor, team.family.id, actor.id, dt.date(2026, 3, 1))
    added = admin.add_involvement(engine, actor, team.family.id, team.manager.id, dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="must be after"):
        admin.end_involvement(engine, actor, added.id, dt.date(2026, 2, 1))
    admin.end_involvement(engine, actor, added.id, dt.date(2026, 4, 1))
    with pytest.raises(InvalidInput, match="already ended"):
        admin.end_involvement(engine, actor, added.id, dt.date(2026, 5, 1))
    [created] = _events(engine, "involvement.create")
    [ended] = _events(engine, "involvement.end")
    assert created.after == {
        "family_id": team.family.id,
        "practitioner_id": team.manager.id,
        "started_on": "2026-03-01",
    }
    assert (ended.before, ended.after["ended_on"]) == ({"ended_on": None}, "2026-04-01")
    assert lists.professionals(engine, actor, team.team.id) == {
        team.manager.id: "Manager Stevenage A (team manager)",
        team.mental_health.id: "MH Stevenage A (mental health practitioner)",
        team.social_worker.id: "SW Stevenage A (social worker)",
    }
    assert lists.families(engine, actor, team.team.id) == {team.family.id: "F-1"}


def test_the_first_administrator_is_created_once(engine: Engine) -> None:
    first = admin.create_first_administrator(engine, "ada@example.org", "Ada", PASSWORD)
    assert first.role is Role.ADMINISTRATOR
    with pytest.raises(AccessDenied, match="already set up"):
        admin.create_first_administrator(engine, "eve@example.org", "Eve", PASSWORD)
    assert sign_in(engine, "ada@example.org", PASSWORD).id == first.id
    [event] = _events(engine, "user.create")
    assert event.after["role"] == "administrator" and event.entity_id == str(first.id)


def test_the_first_administrator_refuses_a_short_password_and_a_bad_email(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        admin.create_first_administrator(engine, "ada@example.org", "Ada", "short")
    with pytest.raises(InvalidInput, match="not an email address"):
        admin.create_first_administrator(engine, "ada", "Ada", PASSWORD)
    assert _events(engine, "user.create") == []


def test_two_people_setting_up_at_once_make_one_administrator(engine: Engine) -> None:
    barrier = threading.Barrier(4)

    def attempt(n: int) -> str:
        barrier.wait()
        try:
            admin.create_first_administrator(engine, f"admin{n}@example.org", f"Admin {n}", PASSWORD)
        except AccessDenied:
            return "refused"
        return "created"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))
    assert outcomes == ["created", "refused", "refused", "refused"]
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_everyone_else_is_refused_the_newer_admin_functions(
    engine: Engine, setup: tuple[User, Team1], role: Role
) -> None:
    _, team = setup
    with transaction(engine) as s:
        someone = User(display_name="Someone", email=f"{role.value}@example.org", role=role, team_id=team.team.id)
        s.add(someone)
    calls = [
        lambda: admin.rename_office(engine, someone, team.team.office_id, "X"),
        lambda: admin.unlock_user(engine, someone, team.manager.id),
        lambda: admin.end_involvement(engine, someone, 1, dt.date(2026, 5, 1)),
        lambda: lists.offices(engine, someone),
        lambda: lists.teams(engine, someone),
        lambda: lists.families(engine, someone, team.team.id),
        lambda: lists.professionals(engine, someone, team.team.id),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    assert _events(engine, "office.update") == []


def test_a_deactivated_administrator_is_refused(engine: Engine) -> None:
    with transaction(engine) as s:
        gone = User(display_name="Gone", email="gone@example.org", role=Role.ADMINISTRATOR, active=False)
        s.add(gone)
    with pytest.raises(AccessDenied, match="active account"):
        admin.add_office(engine, gone, "South")
    with pytest.raises(AccessDenied):
        admin.add_office(engine, None, "South")
