"""An administrator sees no ratings, but can make an account that does: every account given access to a team's
ratings (created with a password or for single sign-on, moved into a team, its password reset by an
administrator) is an `access.ratings_granted` event, and the service lead of that team's office sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.models import AuditEvent, Office, Team, User
from db.queries.ratings_access import ratings_access_grants
from db.services.accounts import create_user
from db.services.admin import reset_password, update_user
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import Team1, make_team

PASSWORD = "correct horse battery staple 42"
SINCE = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture
def world(engine: Engine) -> tuple[Team1, User, User, User]:
    with transaction(engine) as s:
        team = make_team(s)
        other_office = Office(name="South")
        s.add(Team(name="Hitchin B", office=other_office))
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        lead = User(display_name="Lee North", email="lead@example.org", role=Role.SERVICE_LEAD, office=team.team.office)
        south_lead = User(
            display_name="Sam South", email="south@example.org", role=Role.SERVICE_LEAD, office=other_office
        )
        s.add_all([admin, lead, south_lead])
    return team, admin, lead, south_lead


def _grants(engine: Engine) -> list[tuple[int | None, str]]:
    with reading(engine) as s:
        return [
            (e.actor_id, e.after["how"])
            for e in s.scalars(select(AuditEvent).where(AuditEvent.verb == "access.ratings_granted"))
        ]


def test_each_way_an_administrator_gives_access_to_ratings_is_its_own_event_for_the_service_lead(
    engine: Engine, world: tuple[Team1, User, User, User]
) -> None:
    team, admin, lead, south_lead = world
    manager = create_user(
        engine, admin, email="tm2@example.org", display_name="New Manager", role=Role.TEAM_MANAGER,
        team_name="Stevenage A", password=PASSWORD,
    )  # fmt: skip
    create_user(engine, admin, email="sl2@example.org", display_name="Another Lead", role=Role.SERVICE_LEAD)
    update_user(engine, admin, team.mental_health.id, role=Role.PSYCHOLOGIST, team_id=team.team.id, office_id=None,
                active=True)  # fmt: skip
    reset_password(engine, admin, team.social_worker.id, PASSWORD)

    assert _grants(engine) == [
        (admin.id, "a new account with a password"),
        (admin.id, "a role, team or office changed, or the account activated again"),
        (admin.id, "a password reset by an administrator"),
    ]  # the new service lead reads no ratings: no event for it
    seen = ratings_access_grants(engine, lead, SINCE)
    assert [(g.account, g.role, g.team, g.by) for g in seen] == [
        ("SW Stevenage A", Role.SOCIAL_WORKER, "Stevenage A", "Ada Admin"),
        ("MH Stevenage A", Role.PSYCHOLOGIST, "Stevenage A", "Ada Admin"),
        ("New Manager", Role.TEAM_MANAGER, "Stevenage A", "Ada Admin"),
    ]
    assert manager.id and ratings_access_grants(engine, south_lead, SINCE) == []  # another office's lead


@pytest.mark.parametrize("role", ["administrator", "team manager"])
def test_only_a_service_lead_reads_the_list(engine: Engine, world: tuple[Team1, User, User, User], role: str) -> None:
    team, admin, _, _ = world
    with pytest.raises(AccessDenied):
        ratings_access_grants(engine, admin if role == "administrator" else team.manager, SINCE)
