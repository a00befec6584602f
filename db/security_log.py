"""Security events as JSON lines, for the council's monitoring (its SIEM), not for fsdash to alert on.

`FSDASH_SECURITY_LOG` says where: `stdout`, a file path (appended to), or unset/`off` for none. One line per event,
written only after the transaction that recorded the event has committed (a sign-in that rolled back never
happened). The fields are fixed and documented (docs/security.md): when, the event's name, the actor's account
id, the entity's type and id, the session, source address and user agent, and for a refusal what was asked for.
Never a child's name, a rating colour or any free text: the event's before and after values are not logged.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from db.models import AuditEvent

SECURITY_PREFIXES = ("auth.", "access.", "user.", "mfa.", "records.", "export.", "retention.", "audit.")
SECURITY_VERBS = frozenset({"download", "view.audit"})
_PENDING = "fsdash_security_events"

logger = logging.getLogger("fsdash.security")
logger.propagate = False
_configured_for: str | None = None


def is_security_event(verb: str) -> bool:
    return verb.startswith(SECURITY_PREFIXES) or verb in SECURITY_VERBS


def log_after_commit(session: Session, audit_event: AuditEvent) -> None:
    if _destination() and is_security_event(audit_event.verb):
        session.info.setdefault(_PENDING, []).append(audit_event)


def line(audit_event: AuditEvent) -> dict[str, Any]:
    """The documented fields of one event's line."""
    fields: dict[str, Any] = {
        "time": audit_event.occurred_at.isoformat() if audit_event.occurred_at else None,
        "event": audit_event.verb,
        "actor_id": audit_event.actor_id,
        "entity_type": audit_event.entity_type,
        "entity_id": audit_event.entity_id,
        "session_id": audit_event.session_id,
        "source_address": audit_event.source_address,
        "user_agent": audit_event.user_agent,
        "audit_event_id": audit_event.id,
    }
    if audit_event.verb == "access.denied" and audit_event.after:
        fields["asked_for"] = audit_event.after.get("asked_for")
    return fields


def _destination() -> str | None:
    raw = os.environ.get("FSDASH_SECURITY_LOG", "").strip()
    return None if raw.lower() in ("", "off") else raw


def _handler_for(destination: str) -> None:
    global _configured_for
    if _configured_for == destination:
        return
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    handler: logging.Handler
    handler = logging.StreamHandler(sys.stdout) if destination == "stdout" else logging.FileHandler(destination)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _configured_for = destination


@event.listens_for(Session, "after_commit")
def _write_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    destination = _destination()
    if not pending or not destination:
        return
    _handler_for(destination)
    for audit_event in pending:
        logger.info(json.dumps(line(audit_event), ensure_ascii=False, sort_keys=True))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
