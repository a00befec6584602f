"""What the administrator's records tools show of one family: its details and its children's, to correct, restrict
or erase it, and the list of restricted families. Administrators only; a restricted family is shown here (they
lift restrictions), never its ratings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from db.access import require_admin
from db.errors import NotFound
from db.models import Child, Family, Team, User
from db.session import reading


@dataclass(frozen=True)
class ChildDetails:
    id: int
    case_reference: str
    first_name: str
    date_of_birth: dt.date


@dataclass(frozen=True)
class FamilyDetails:
    id: int
    case_reference: str
    team_id: int
    team: str
    social_worker_id: int | None
    social_worker: str | None
    opened_on: dt.date
    closed_on: dt.date | None
    restricted_at: dt.datetime | None
    children: tuple[ChildDetails, ...]
    display_name: str | None = None


def family_details(engine: Engine, actor: User | None, case_reference: str) -> FamilyDetails:
    """The family with this case reference (in any capitals), or that of the child with it."""
    require_admin(actor)
    reference = (case_reference or "").strip().lower()
    with reading(engine) as session:
        family = session.scalars(select(Family).where(func.lower(Family.case_reference) == reference)).one_or_none()
        if family is None:
            family = session.scalars(
                select(Family).join(Child).where(func.lower(Child.case_reference) == reference)
            ).one_or_none()
        if family is None:
            raise NotFound(f"No family or child has the case reference {case_reference.strip()!r}.")
        return FamilyDetails(
            id=family.id,
            case_reference=family.case_reference,
            team_id=family.team_id,
            team=family.team.name,
            social_worker_id=family.social_worker_id,
            social_worker=family.social_worker.display_name if family.social_worker else None,
            opened_on=family.opened_on,
            closed_on=family.closed_on,
            restricted_at=family.restricted_at,
            display_name=family.display_name,
            children=tuple(
                ChildDetails(c.id, c.case_reference, c.first_name, c.date_of_birth)
                for c in sorted(family.children, key=lambda c: (c.date_of_birth, c.id))
            ),
        )


@dataclass(frozen=True)
class RestrictedFamily:
    id: int
    case_reference: str
    team: str
    restricted_at: dt.datetime


def restricted_families(engine: Engine, actor: User | None) -> list[RestrictedFamily]:
    """Every restricted family, longest restricted first: a restriction is meant to be temporary."""
    require_admin(actor)
    with reading(engine) as session:
        rows = session.execute(
            select(Family.id, Family.case_reference, Team.name, Family.restricted_at)
            .join(Team, Team.id == Family.team_id)
            .where(Family.restricted_at.is_not(None))
            .order_by(Family.restricted_at, Family.id)
        ).all()
    return [RestrictedFamily(i, ref, team, at) for i, ref, team, at in rows if at is not None]
