"""For the service lead: the accounts given access to their teams' ratings lately, by whom and how
(db/services/ratings_access.py writes them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, String, cast, select
from sqlalchemy.orm import aliased

from db.access import AccessDenied, aggregate_team_ids, require_active
from db.models import AuditEvent, Team, User
from db.services.ratings_access import VERB
from db.session import reading
from risk.vocabulary import Role


@dataclass(frozen=True)
class RatingsAccessGrant:
    on: dt.datetime
    account: str
    role: Role
    team: str | None
    by: str
    how: str


def ratings_access_grants(engine: Engine, actor: User | None, since: dt.date) -> list[RatingsAccessGrant]:
    """Newest first, since `since`: every account given access to the ratings of a team in the service lead's
    scope (their office's teams, or the whole service's)."""
    actor = require_active(actor)
    if actor.role is not Role.SERVICE_LEAD:
        raise AccessDenied("Only a service lead sees who was given access to ratings.")
    with reading(engine) as session:
        teams = aggregate_team_ids(session, actor)
        offices = set(session.scalars(select(Team.office_id).where(Team.id.in_(teams))))
        names = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(teams))).all())
        account, admin = aliased(User), aliased(User)
        rows = session.execute(
            select(AuditEvent, account.display_name, admin.display_name)
            .join(account, AuditEvent.entity_id == cast(account.id, String))  # never cast the ids the other way
            .outerjoin(admin, admin.id == AuditEvent.actor_id)
            .where(
                AuditEvent.verb == VERB,
                AuditEvent.occurred_at >= dt.datetime.combine(since, dt.time(), dt.UTC),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        ).all()
    grants = []
    for event, name, by in rows:
        after = event.after or {}
        team_id, office_id = after.get("team_id"), after.get("office_id")
        if team_id not in teams and not (team_id is None and office_id in offices):
            continue
        grants.append(
            RatingsAccessGrant(
                on=event.occurred_at,
                account=name,
                role=Role(after["role"]),
                team=names.get(team_id) if team_id is not None else None,
                by=by or "the command line",
                how=str(after.get("how", "")),
            )
        )
    return grants
