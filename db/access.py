"""Who may see and do what. Every query and service calls these with the acting user, so scope is enforced on
the server whatever the pages show or hide."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.risk.vocabulary import Role
from db.errors import ServiceError
from db.models import Team, User

CASE_ROLES = frozenset(r for r in Role if r.rates_children)
MANAGER_ROLES = frozenset({Role.TEAM_MANAGER})


class AccessDenied(ServiceError):
    """The acting user may not see or change this."""


def require_active(actor: User | None) -> User:
    if actor is None or not actor.active:
        raise AccessDenied("You need to sign in with an active account to do that.")
    return actor


def require_admin(actor: User | None) -> User:
    """Offices, teams, accounts, involvement, imports and the audit trail are administrators' alone."""
    actor = require_active(actor)
    if actor.role is not Role.ADMINISTRATOR:
        raise AccessDenied("Only an administrator can do that.")
    return actor


def case_team_ids(session: Session, actor: User | None) -> set[int]:
    """Teams whose cases (families, children, ratings) the actor may see.

    Team professionals see their own team; an office-based psychologist sees the teams of their office.
    Service leads and administrators see no case detail here.
    """
    actor = require_active(actor)
    if actor.role not in CASE_ROLES:
        return set()
    if actor.team_id is not None:
        return {actor.team_id}
    if actor.office_id is not None:
        return set(session.scalars(select(Team.id).where(Team.office_id == actor.office_id)))
    return set()


def require_case_team(session: Session, actor: User | None, team_id: int) -> User:
    actor = require_active(actor)
    if team_id not in case_team_ids(session, actor):
        raise AccessDenied("That team's cases are not open to you.")
    return actor


def require_manager_of(session: Session, actor: User | None, team_id: int) -> User:
    """Chairing, closing meetings and recording actions belong to the team's own manager."""
    actor = require_case_team(session, actor, team_id)
    if actor.role not in MANAGER_ROLES:
        raise AccessDenied("Only the team manager can do that.")
    return actor


def aggregate_team_ids(session: Session, actor: User | None) -> set[int]:
    """Teams whose aggregate figures (heatmaps, outcome counts) the actor may see.

    A service lead tied to an office sees that office's teams; one with no office sees the whole service.
    Team staff see their own team's aggregates. Administrators see none.
    """
    actor = require_active(actor)
    if actor.role is Role.SERVICE_LEAD:
        query = select(Team.id)
        if actor.office_id is not None:
            query = query.where(Team.office_id == actor.office_id)
        return set(session.scalars(query))
    return case_team_ids(session, actor)
