"""Teams as the pages need them, scoped by the acting user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.access import aggregate_team_ids, case_team_ids
from db.models import Office, Team, User
from db.session import reading


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    office: str


def _teams(engine: Engine, actor: User | None, scope: Callable[[Session, User | None], set[int]]) -> list[TeamRef]:
    with reading(engine) as session:
        ids = scope(session, actor)
        rows = session.execute(
            select(Team.id, Team.name, Office.name)
            .join(Office)
            .where(Team.id.in_(ids))
            .order_by(Office.name, Team.name)
        )
        return [TeamRef(*row) for row in rows]


def case_teams(engine: Engine, actor: User | None) -> list[TeamRef]:
    """Teams whose cases the actor works on (their own; an office psychologist: the office's)."""
    return _teams(engine, actor, case_team_ids)


def aggregate_teams(engine: Engine, actor: User | None) -> list[TeamRef]:
    """Teams whose aggregate figures the actor may see."""
    return _teams(engine, actor, aggregate_team_ids)
