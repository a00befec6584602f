"""What the Admin page lists: offices and teams, accounts, and who works with which family (no ratings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, or_, select

from db.access import require_admin, visible_families
from db.models import Family, Involvement, Office, Team, User, utcnow
from db.session import reading
from risk.vocabulary import CASE_ROLES, Role


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    office_id: int
    office: str
    staff: int
    open_families: int
    policy: str
    """The team's rule for combining ratings (risk.policies), as last set; `policy_version` its version then."""
    policy_version: int
    presentation_initials: bool = False
    """Presentation mode shows the team's families' names as initials only."""


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    role: Role
    team_id: int | None
    team: str | None
    office_id: int | None
    office: str | None
    active: bool
    locked: bool
    mfa: bool = False
    """two-step sign-in is on"""
    password: bool = True
    """False for a single sign-on only account"""


@dataclass(frozen=True)
class InvolvementRow:
    id: int
    name: str
    role: Role
    started_on: dt.date
    ended_on: dt.date | None


def offices(engine: Engine, actor: User | None) -> dict[int, str]:
    require_admin(actor)
    with reading(engine) as session:
        return {row.id: row.name for row in session.execute(select(Office.id, Office.name).order_by(Office.name))}


def teams(engine: Engine, actor: User | None) -> list[TeamRow]:
    require_admin(actor)
    staff = select(func.count(User.id)).where(User.team_id == Team.id, User.active.is_(True)).scalar_subquery()
    open_families = select(func.count(Family.id)).where(Family.team_id == Team.id, Family.closed_on.is_(None))
    with reading(engine) as session:
        rows = session.execute(
            select(
                Team.id,
                Team.name,
                Office.id,
                Office.name,
                staff,
                open_families.scalar_subquery(),
                Team.policy,
                Team.policy_version,
                Team.presentation_initials,
            )
            .join(Office)
            .order_by(Office.name, Team.name)
        )
        return [TeamRow(*row) for row in rows]


ACCOUNT_STATUSES = ("active", "inactive", "locked")


def users(
    engine: Engine,
    actor: User | None,
    *,
    search: str = "",
    role: Role | None = None,
    team_id: int | None = None,
    status: str | None = None,
) -> list[UserRow]:
    """Accounts, optionally narrowed: part of a name or email, a role, a team, or a status from ACCOUNT_STATUSES
    ('locked' means locked out now after repeated failed sign-ins)."""
    require_admin(actor)
    now = utcnow()
    query = (
        select(
            User.id,
            User.display_name,
            User.email,
            User.role,
            User.team_id,
            Team.name,
            User.office_id,
            Office.name,
            User.active,
            User.locked_until,
            User.totp_secret.is_not(None),
            User.password_hash.is_not(None),
        )
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(Office, Office.id == User.office_id)
        .order_by(User.display_name, User.id)
    )
    if search.strip():
        needle = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(User.display_name).like(needle), func.lower(User.email).like(needle)))
    if role is not None:
        query = query.where(User.role == role)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    elif status == "locked":
        query = query.where(User.locked_until > now)
    with reading(engine) as session:
        return [
            UserRow(*row[:9], locked=_after(row[9], now), mfa=bool(row[10]), password=bool(row[11]))
            for row in session.execute(query)
        ]


def _after(moment: dt.datetime | None, now: dt.datetime) -> bool:
    if moment is None:
        return False
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)) > now


def families(engine: Engine, actor: User | None, team_id: int) -> dict[int, str]:
    """Open families of a team, by case reference (administrators see references, never ratings)."""
    require_admin(actor)
    with reading(engine) as session:
        rows = session.execute(
            select(Family.id, Family.case_reference)
            .where(Family.team_id == team_id, Family.closed_on.is_(None), visible_families())
            .order_by(Family.case_reference)
        )
        return {row.id: row.case_reference for row in rows}


def involvements(engine: Engine, actor: User | None, family_id: int) -> list[InvolvementRow]:
    require_admin(actor)
    with reading(engine) as session:
        rows = session.execute(
            select(Involvement.id, User.display_name, User.role, Involvement.started_on, Involvement.ended_on)
            .join(User, User.id == Involvement.practitioner_id)
            .where(Involvement.family_id == family_id)
            .order_by(Involvement.ended_on.is_not(None), Involvement.started_on, User.display_name)
        )
        return [InvolvementRow(*row) for row in rows]


def professionals(engine: Engine, actor: User | None, team_id: int) -> dict[int, str]:
    """Active professionals who can work with this team's families: its own staff and its office's psychologist."""
    require_admin(actor)
    with reading(engine) as session:
        office_id = session.scalar(select(Team.office_id).where(Team.id == team_id))
        rows = session.execute(
            select(User.id, User.display_name, User.role)
            .where(
                User.active.is_(True),
                User.role.in_(CASE_ROLES),
                or_(
                    User.team_id == team_id,
                    and_(User.role == Role.PSYCHOLOGIST, User.team_id.is_(None), User.office_id == office_id),
                ),
            )
            .order_by(User.display_name)
        )
        return {uid: f"{name} ({role.label})" for uid, name, role in rows}
