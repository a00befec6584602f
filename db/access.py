"""Who may see and do what. Every query and service calls these with the acting user, so scope is enforced on
the server whatever the pages show or hide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.errors import ServiceError
from db.models import Team, User
from db.session import reading
from risk.vocabulary import Role

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


def require_schedule_keeper(session: Session, actor: User | None, team_id: int) -> User:
    """A team's meeting schedule is kept by an administrator, or by the team's own manager for their team."""
    actor = require_active(actor)
    if actor.role is Role.ADMINISTRATOR:
        if session.get(Team, team_id) is None:
            raise AccessDenied("That team does not exist.")
        return actor
    return require_manager_of(session, actor, team_id)


def require_admin_or_command_line(actor: User | None) -> None:
    """No actor is the command line, run with the database's own credentials by the service account (a cron job
    opening meetings or sending reminders); a signed-in person doing the same must be an administrator."""
    if actor is not None:
        require_admin(actor)


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


def scoped_team_ids(session: Session, actor: User | None, office_id: int | None) -> set[int]:
    """The actor's aggregate scope, narrowed to one office when asked. Narrowing never widens: an office outside
    the actor's scope gives no teams."""
    team_ids = aggregate_team_ids(session, actor)
    if office_id is None or not team_ids:
        return team_ids
    return set(session.scalars(select(Team.id).where(Team.office_id == office_id, Team.id.in_(team_ids))))


@dataclass
class SignedIn:
    """What the server remembers of one signed-in browser session: who signed in, as what, and when they last did
    something. Live refreshes and downloads run outside a page run (a download's file is made on the server when
    the button is pressed), so they carry this rather than the user of the last page load."""

    user_id: int
    role: Role
    team_id: int | None
    office_id: int | None
    last_seen: float
    """a monotonic clock reading: the session's last click"""
    ended: bool = False


class SessionEnded(AccessDenied):
    """The session may no longer read anything: `reason` for the audit trail, the message for the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def recheck_session(
    engine: Engine, signed_in: SignedIn, *, now: float, idle_limit: float, same_identity: bool = True
) -> User:
    """The signed-in user, reloaded from the database, or SessionEnded: signed out, idle for longer than
    `idle_limit` seconds, deactivated, or (with `same_identity`, for a refresh or download built under the old
    one) now of another role, team or office. Called before anything is read, every time."""
    if signed_in.ended:
        raise SessionEnded("signed out", "You have signed out. Sign in again to continue.")
    if now - signed_in.last_seen > idle_limit:
        raise SessionEnded("idle", "You were signed out after a period of inactivity. Please sign in again.")
    with reading(engine) as session:
        user = session.get(User, signed_in.user_id)
        if user is None or not user.active:
            raise SessionEnded(
                "inactive", "Your account is no longer active. Ask an administrator if this is unexpected."
            )
        _ = user.team, user.office  # loaded now, read after the session closes
    if same_identity and (user.role, user.team_id, user.office_id) != (
        signed_in.role,
        signed_in.team_id,
        signed_in.office_id,
    ):
        raise SessionEnded("changed", "Your role or team has changed. Please sign in again.")
    return user
