"""Searching the audit trail (administrators): by person, family, entity, verb and date, newest first, filtered in
SQL so a county's years of events are never loaded to be searched.

Administrators see no ratings, and the trail does not let them: events that carry rating colours, rationales,
correction reasons, stored scores, or what an update or a decision chose (`WITHHELD_VERBS`) come out of the
database with their before and after values replaced by NULL in the SQL itself, keeping only who, what, when, which
record and its version. Nobody reads those values through the audit search; the team reads its own ratings,
corrections and scores on its case pages.
An export is recorded in the trail as a download.

A family's or a child's case reference finds the events about them as subject access and the retention rule see
them (db/queries/audit_about.py): the same events the information governance officer would disclose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Row, Select, case, func, null, or_, select
from sqlalchemy.orm import Session

from db.access import require_admin
from db.models import AuditEvent, Child, Family, User
from db.queries.audit_about import child_subject, events_about, family_subject
from db.services.supervision import DECISION_VERBS, UPDATE_VERBS
from db.session import reading

PAGE_SIZE = 200
WITHHELD_VERBS = (
    "rating.create",
    "rating.update",
    "rating.correct",
    "scores.store",
    "meeting.close",
    *UPDATE_VERBS,
    *DECISION_VERBS,
)
"""Events whose before/after values hold ratings, rationales, correction reasons or scores, or say what the
professionals' updates and the chair's decisions chose (their text is never in the trail)."""
WITHHELD = "values withheld (ratings are for the team)"
EXPORT_LIMIT = 100_000
COLUMNS = ["Event", "When (UTC)", "Who", "What", "Entity", "Before", "After", "Session", "From"]


@dataclass(frozen=True)
class AuditQuery:
    person: str = ""
    """part of the acting person's name or email"""
    case_reference: str = ""
    """a family's case reference: every event about the family (its own records, its part of events about many
    families, the events that name it)"""
    child_reference: str = ""
    """a child's case reference: every event about the child"""
    entity_type: str = ""
    entity_id: str = ""
    verb: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    """inclusive"""
    session_id: str = ""
    """one dashboard session: everything done in it, from sign-in to sign-out"""


def verbs(engine: Engine, actor: User | None) -> list[str]:
    require_admin(actor)
    with reading(engine) as session:
        return list(session.scalars(select(AuditEvent.verb).distinct().order_by(AuditEvent.verb)))


def entity_types(engine: Engine, actor: User | None) -> list[str]:
    require_admin(actor)
    with reading(engine) as session:
        return list(session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)))


def search(engine: Engine, actor: User | None, query: AuditQuery, page: int = 0) -> tuple[pd.DataFrame, int]:
    """One page (PAGE_SIZE events, newest first) of the matching events as a table, and how many match in all."""
    require_admin(actor)
    with reading(engine) as session:
        filtered = _filtered(session, query)
        total = session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
        rows = session.execute(
            _newest_first(_matching(filtered)).limit(PAGE_SIZE).offset(max(page, 0) * PAGE_SIZE)
        ).all()
        return _table(rows), total


def export(engine: Engine, actor: User | None, query: AuditQuery) -> pd.DataFrame:
    """Every matching event (up to EXPORT_LIMIT, newest first) in the same columns as `search`, for a CSV."""
    require_admin(actor)
    with reading(engine) as session:
        matching = _matching(_filtered(session, query))
        return _table(session.execute(_newest_first(matching).limit(EXPORT_LIMIT)).all())


def _matching(filtered: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """The matching events, with the values of withheld events replaced by NULL in the database's answer."""
    withheld = AuditEvent.verb.in_(WITHHELD_VERBS)
    return filtered.with_only_columns(
        AuditEvent.id,
        AuditEvent.occurred_at,
        AuditEvent.verb,
        AuditEvent.entity_type,
        AuditEvent.entity_id,
        case((withheld, null()), else_=AuditEvent.before).label("before"),
        case((withheld, null()), else_=AuditEvent.after).label("after"),
        case((withheld, AuditEvent.after["version"].as_string()), else_=null()).label("version"),
        withheld.label("withheld"),
        AuditEvent.session_id,
        AuditEvent.source_address,
        User.display_name,
        User.email,
        maintain_column_froms=True,
    )


def _filtered(session: Session, query: AuditQuery) -> Select[*tuple[Any, ...]]:
    conditions: list[ColumnElement[bool]] = []
    if query.person.strip():
        needle = f"%{query.person.strip().lower()}%"
        conditions.append(or_(func.lower(User.display_name).like(needle), func.lower(User.email).like(needle)))
    if reference := query.case_reference.strip():
        families = select(Family.id).where(func.lower(Family.case_reference) == reference.lower())
        conditions.append(events_about(session, family_subject(session, session.scalars(families))).where())
    if reference := query.child_reference.strip():
        children = select(Child.id).where(func.lower(Child.case_reference) == reference.lower())
        conditions.append(events_about(session, child_subject(session, session.scalars(children))).where())
    if query.entity_type:
        conditions.append(AuditEvent.entity_type == query.entity_type)
    if query.entity_id.strip():
        conditions.append(AuditEvent.entity_id == query.entity_id.strip())
    if query.verb:
        conditions.append(AuditEvent.verb == query.verb)
    if query.session_id.strip():
        conditions.append(AuditEvent.session_id == query.session_id.strip())
    if query.since:
        conditions.append(AuditEvent.occurred_at >= dt.datetime.combine(query.since, dt.time(), dt.UTC))
    if query.until:
        end = dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        conditions.append(AuditEvent.occurred_at < end)
    return (
        select(AuditEvent, User.display_name, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*conditions)
    )


def _newest_first(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def _table(rows: Sequence[Row[*tuple[Any, ...]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Event": row.id,
                "When (UTC)": f"{row.occurred_at:%d/%m/%Y %H:%M:%S}",
                "Who": f"{row.display_name} <{row.email}>" if row.display_name else "system",
                "What": row.verb,
                "Entity": f"{row.entity_type} {row.entity_id or ''}".strip(),
                "Before": WITHHELD if row.withheld else _details(row.before),
                "After": (WITHHELD + (f", version {row.version}" if row.version else ""))
                if row.withheld
                else _details(row.after),
                "Session": row.session_id or "",
                "From": row.source_address or "",
            }
            for row in rows
        ],
        columns=COLUMNS,
    )


def _details(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    return ", ".join(f"{key}: {item}" for key, item in value.items())
