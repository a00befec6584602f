"""The one way to change what the audit trail's events say: through the permit that migration 0003's triggers
allow. Anonymising under the retention rule and erasing a family or child both go through here.

While the caller's transaction holds an unfinished `audit_pseudonymisation` permit (inserted first, finished before
it commits, so no other transaction ever sees it open) the triggers let that transaction change an event's `before`
and `after` details, and nothing else: who acted, when, what was done and to which record never change, and no
event is ever deleted. The door leaves its own trace (migration 0016): each permit names the `audit.pseudonymise`
event written for it, which itself can never be rewritten, and the permit is kept for good.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from db.models import AuditEvent, AuditPseudonymisation, User, utcnow
from db.services.audit import record

PSEUDONYMISE = "audit.pseudonymise"


@contextmanager
def audit_permit(session: Session, actor: User | None, purpose: str) -> Iterator[None]:
    """Open the door for the rest of the caller's transaction's work inside the block, and close it after; the
    opening is audited with `purpose` ("retention", "erasure"). On an error the whole transaction rolls back, the
    event and the permit with it."""
    event = record(session, actor, PSEUDONYMISE, "audit_event", None, after={"purpose": purpose})
    session.flush()
    permit = AuditPseudonymisation(audit_event_id=event.id)
    session.add(permit)
    session.flush()
    yield
    session.execute(
        update(AuditPseudonymisation).where(AuditPseudonymisation.id == permit.id).values(finished_at=utcnow())
    )
    session.flush()


def rewrite_details(session: Session, changes: Sequence[tuple[int, Any, Any]]) -> int:
    """Give each event (id, new before, new after); inside `audit_permit` only. Returns how many were given."""
    if not changes:
        return 0
    table = AuditEvent.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("event_id"))
        .values(before=bindparam("new_before"), after=bindparam("new_after"))
    )
    session.execute(
        statement, [{"event_id": i, "new_before": before, "new_after": after} for i, before, after in changes]
    )
    return len(changes)
