"""Searching the audit trail (administrators): by person, entity, verb and date, newest first, filtered in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, or_, select

from db.access import require_admin
from db.models import AuditEvent, Child, Family, User
from db.session import reading

PAGE_SIZE = 200


@dataclass(frozen=True)
class AuditQuery:
    person: str = ""
    """part of a name or email"""
    case_reference: str = ""
    """a family's case reference: its own events and its children's"""
    verb: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    """inclusive"""


def verbs(engine: Engine, actor: User | None) -> list[str]:
    require_admin(actor)
    with reading(engine) as session:
        return list(session.scalars(select(AuditEvent.verb).distinct().order_by(AuditEvent.verb)))


def search(engine: Engine, actor: User | None, query: AuditQuery, page: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of matching events as a table, and how many match in all."""
    require_admin(actor)
    conditions = []
    if query.person.strip():
        needle = f"%{query.person.strip().lower()}%"
        conditions.append(or_(func.lower(User.display_name).like(needle), func.lower(User.email).like(needle)))
    if query.verb:
        conditions.append(AuditEvent.verb == query.verb)
    if query.since:
        conditions.append(AuditEvent.occurred_at >= dt.datetime.combine(query.since, dt.time(), dt.UTC))
    if query.until:
        conditions.append(
            AuditEvent.occurred_at < dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    with reading(engine) as session:
        if query.case_reference.strip():
            family = session.scalars(
                select(Family).where(func.lower(Family.case_reference) == query.case_reference.strip().lower())
            ).first()
            if family is None:
                return _table([]), 0
            child_ids = [str(i) for i in session.scalars(select(Child.id).where(Child.family_id == family.id))]
            conditions.append(
                or_(
                    (AuditEvent.entity_type == "family") & (AuditEvent.entity_id == str(family.id)),
                    (AuditEvent.entity_type == "child") & AuditEvent.entity_id.in_(child_ids),
                    AuditEvent.after["family_id"].as_string() == str(family.id),
                    AuditEvent.after["child_id"].as_string().in_(child_ids),
                )
            )
        base = select(AuditEvent, User.display_name, User.email).outerjoin(User, User.id == AuditEvent.actor_id)
        base = base.where(*conditions)
        total = session.scalar(select(func.count()).select_from(base.subquery()))
        rows = session.execute(
            base.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(PAGE_SIZE).offset(page * PAGE_SIZE)
        ).all()
        return _table(rows), total or 0


def _table(rows: list) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(
        [
            {
                "When (UTC)": f"{event.occurred_at:%d/%m/%Y %H:%M:%S}",
                "Who": f"{name} <{email}>" if name else "system",
                "What": event.verb,
                "Entity": f"{event.entity_type} {event.entity_id or ''}".strip(),
                "Before": _json(event.before),
                "After": _json(event.after),
            }
            for event, name, email in rows
        ],
        columns=["When (UTC)", "Who", "What", "Entity", "Before", "After"],
    )


def _json(value: dict | None) -> str:  # type: ignore[type-arg]
    if not value:
        return ""
    return ", ".join(f"{k}: {v}" for k, v in value.items())
