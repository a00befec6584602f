"""The audit trail: one append-only row per change, written in the same transaction as the change itself so a
change without its record (or a record of a change that rolled back) cannot exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db.models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    verb: str,
    entity_type: str,
    entity_id: int | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event. `actor` None means the system itself (a command-line job)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        verb=verb,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
    )
    session.add(event)
    return event
