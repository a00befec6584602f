"""The one way to change what the audit trail's events say: through the permit that migration 0003's triggers
allow. Anonymising under the retention rule and erasing a family or child both go through here.

While a row exists in `audit_pseudonymisation` (inserted first in the caller's transaction, deleted again before
it commits, so no other transaction ever sees it) the triggers let that transaction change an event's `before` and
`after` details, and nothing else: who acted, when, what was done and to which record never change, and no event
is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.orm import Session

from db.models import AuditEvent, AuditPseudonymisation


@contextmanager
def audit_permit(session: Session) -> Iterator[None]:
    """Open the door for the rest of the caller's transaction's work inside the block, and close it after. On an
    error the whole transaction rolls back, the permit with it."""
    permit = AuditPseudonymisation()
    session.add(permit)
    session.flush()
    yield
    session.execute(delete(AuditPseudonymisation).where(AuditPseudonymisation.id == permit.id))
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
