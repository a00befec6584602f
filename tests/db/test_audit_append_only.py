"""The audit trail cannot be edited or deleted, even with plain SQL, on either database."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from db.services.audit import record
from db.session import transaction


def test_audit_rows_can_be_added_but_never_changed_or_deleted(engine: Engine) -> None:
    with transaction(engine) as s:
        record(s, None, "meeting.open", "meeting", 1, after={"status": "open"})
    for statement in ("UPDATE audit_event SET verb = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT verb FROM audit_event")).scalars().all() == ["meeting.open"]
