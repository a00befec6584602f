"""Who may see and do what. Every query and service calls these with the acting user, so scope is enforced on
the server whatever the pages show or hide."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, select
from sqlalchemy.orm import Session

from db.errors import InvalidInput, NotFound, ServiceError
from db.models import Family, Team, User
from db.request_context import note_refusal
from db.session import reading
from risk.vocabulary import CASE_ROLES, MANAGER_ROLES, Role


class AccessDenied(ServiceError):
    """The acting user may not see or change this. Made during a dashboard run, it is noted so the run writes it
    to the audit trail as `access.denied` (db/request_context.py), whatever the page then does with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        note_refusal(message)


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


def command_line_reader(team_id: int) -> User:
    """The command line reading one team's cases as that team's manager would see them, for jobs that take the
    team's records to another system (the supervision records' upload). It exists only in memory and has no id,
    so nothing can be stored or audited in its name: the job's own events are the command line's (no actor)."""
    return User(
        id=None, display_name="the command line", email="", role=Role.TEAM_MANAGER, team_id=team_id, active=True
    )


def require_admin_or_command_line(actor: User | None) -> User | None:
    """No actor is the command line: `fsdash` run on the server by the service account with the database's own
    credentials, which can already change anything, so it is not asked who it is. Anyone signed in must be an
    active administrator. Every service that the command line also calls (imports, exports, score rebuilds,
    records management, creating accounts) decides it here, so the rule cannot differ between them."""
    if actor is None:
        return None
    return require_admin(actor)


def visible_families() -> ColumnElement[bool]:
    """The families a case query may show and a service may change: every family but the restricted ones.

    A restricted family (UK GDPR Art 18: its accuracy is contested, or it must be kept but not used) is seen by
    nobody but the role that lifts the restriction, the administrator, and only through the records tools (its
    details, correcting them, lifting the restriction, subject access, erasure, the audit trail). Every case query
    and service applies this one condition, and the access matrix tries each of them against a restricted family.
    Aggregates (heatmaps, outcome counts) name no family and keep counting it, as they count closed families.
    """
    return Family.restricted_at.is_(None)


def require_visible_family(session: Session, family_id: int) -> Family:
    """The family, if it exists and is not restricted; otherwise the same NotFound as for a family that does not
    exist, so a restriction is not confirmed to anyone who may not see it."""
    family = session.get(Family, family_id)
    if family is None or family.restricted_at is not None:
        raise NotFound("That family does not exist.")
    return family


class FamilyRestricted(InvalidInput):
    """An administrator asked to change a restricted family through an everyday tool (involvement, an import)."""


def require_unrestricted_for_admin(family: Family) -> None:
    """Administrators may see that a family is restricted (they lift restrictions), so they are told why a change
    is refused rather than told it does not exist."""
    if family.restricted_at is not None:
        raise FamilyRestricted(
            f"{family.case_reference} is restricted, so nothing about it can change until the restriction is lifted "
            "(Admin page, Records management)."
        )


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
    """A team's meeting schedule and how its meeting is shown (db.services.team_settings) are kept by an
    administrator, or by the team's own manager for their team."""
    actor = require_active(actor)
    if actor.role is Role.ADMINISTRATOR:
        if session.get(Team, team_id) is None:
            raise AccessDenied("That team does not exist.")
        return actor
    return require_manager_of(session, actor, team_id)


def require_schedule_keeper_or_command_line(session: Session, actor: User | None, team_id: int) -> User | None:
    """As `require_schedule_keeper`, and the command line (no actor) too, as `require_admin_or_command_line` says:
    a team's settings that `fsdash teams …` also sets."""
    if actor is None:
        return None
    return require_schedule_keeper(session, actor, team_id)


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
    generation: int = 0
    """the account's session generation when this session began (see SESSIONS_ENDED)"""
    sso_issued_at: int | None = None
    """for a single sign-on session, its identity's `iat`: ending the session ends that identity too"""
    sso_expires_at: float | None = None
    """for a single sign-on session, the wall-clock time (epoch seconds) after which the provider is asked again"""


SESSIONS_ENDED = {
    "password changed": "Your password was changed, so your other sessions were signed out. Sign in again.",
    "password reset": "An administrator set a new password for your account, so you were signed out. Sign in again.",
    "mfa reset": (
        "An administrator reset your account's two-step sign-in, so you were signed out. Sign in again and set it up "
        "again."
    ),
    "signed out everywhere": "An administrator signed your account out everywhere. Sign in again to continue.",
    "deactivated": "Your account was deactivated, so you were signed out. Ask an administrator if this is unexpected.",
}
"""Why every session of an account ended (users.sessions_ended_reason), in the words the person reads."""


class SessionEnded(AccessDenied):
    """The session may no longer read anything: `reason` for the audit trail, the message for the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def recheck_session(
    engine: Engine,
    signed_in: SignedIn,
    *,
    now: float,
    idle_limit: float,
    same_identity: bool = True,
    wall_now: float | None = None,
) -> User:
    """The signed-in user, reloaded from the database, or SessionEnded: signed out, idle for longer than
    `idle_limit` seconds, a single sign-on older than its limit, deactivated, every session of the account ended
    since this one began (the account's session generation moved on: the reason says why), or (with
    `same_identity`, for a refresh or download built under the old one) now of another role, team or office.
    Called before anything is read, every time, in every app process."""
    if signed_in.ended:
        raise SessionEnded("signed out", "You have signed out. Sign in again to continue.")
    if now - signed_in.last_seen > idle_limit:
        raise SessionEnded("idle", "You were signed out after a period of inactivity. Please sign in again.")
    wall_now = time.time() if wall_now is None else wall_now
    if signed_in.sso_expires_at is not None and wall_now > signed_in.sso_expires_at:
        raise SessionEnded(
            "sso expired", "Your council sign-in has reached its time limit. Sign in with your council account again."
        )
    with reading(engine) as session:
        user = session.get(User, signed_in.user_id)
        if user is None or not user.active:
            raise SessionEnded(
                "inactive", "Your account is no longer active. Ask an administrator if this is unexpected."
            )
        if user.session_generation != signed_in.generation:
            why = user.sessions_ended_reason or "signed out everywhere"
            raise SessionEnded(
                f"ended: {why}", SESSIONS_ENDED.get(why, "Your session was ended. Please sign in again.")
            )
        _ = user.team, user.office  # loaded now, read after the session closes
    if same_identity and (user.role, user.team_id, user.office_id) != (
        signed_in.role,
        signed_in.team_id,
        signed_in.office_id,
    ):
        raise SessionEnded("changed", "Your role or team has changed. Please sign in again.")
    return user
