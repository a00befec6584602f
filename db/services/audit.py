"""The audit trail: one append-only row per change, written in the same transaction as the change itself so a
change without its record (or a record of a change that rolled back) cannot exist.

Each event carries the session, source address and user agent of the dashboard run that made it
(db/request_context.py). Security events (sign-ins, refusals, accounts, downloads and exports, records work) are
also written, once their transaction has committed, as JSON lines to the security log a council's monitoring
collects (db/security_log.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db.models import AuditEvent, User
from db.request_context import USER_AGENT_MAX, current
from db.security_log import log_after_commit


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
    context = current()
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        verb=verb,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        session_id=context.session_id if context else None,
        source_address=context.source_address if context else None,
        user_agent=context.user_agent[:USER_AGENT_MAX] if context and context.user_agent else None,
    )
    session.add(event)
    log_after_commit(session, event)
    return event
