"""The audit trail's one documented door (migration 0003): while an `audit_pseudonymisation` row exists inside a
transaction, that transaction may rewrite events' `before`/`after` details, and nothing else. Plain SQL, both
databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from db.services.audit import record
from db.session import transaction

PERMIT = "INSERT INTO audit_pseudonymisation (started_at) VALUES (CURRENT_TIMESTAMP)"


@pytest.fixture
def event(engine: Engine) -> None:
    with transaction(engine) as s:
        record(s, None, "family.create", "family", 7, after={"case_reference": "F-7"})


def details(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT verb, entity_id, CAST(after AS TEXT) FROM audit_event"))
        return [tuple(row) for row in rows]


def test_without_the_permit_the_details_cannot_be_changed(engine: Engine, event: None) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("""UPDATE audit_event SET after = '{"case_reference": "ANON-1"}'"""))
    assert "F-7" in details(engine)[0][2]


def test_with_the_permit_only_the_details_change_and_the_permit_goes_with_the_transaction(
    engine: Engine, event: None
) -> None:
    with engine.begin() as conn:
        conn.execute(text(PERMIT))
        conn.execute(text("""UPDATE audit_event SET after = '{"case_reference": "ANON-1"}'"""))
        conn.execute(text("DELETE FROM audit_pseudonymisation"))
    [(verb, entity_id, after)] = details(engine)
    assert (verb, entity_id) == ("family.create", "7") and "ANON-1" in after and "F-7" not in after


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET verb = 'forged'",
        "UPDATE audit_event SET entity_id = '8'",
        "UPDATE audit_event SET actor_id = NULL, entity_type = 'child'",
        "UPDATE audit_event SET occurred_at = CURRENT_TIMESTAMP",
        "DELETE FROM audit_event",
    ],
)
def test_even_with_the_permit_who_when_what_and_which_cannot_change_and_nothing_is_deleted(
    engine: Engine, event: None, statement: str
) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(PERMIT))
        conn.execute(text(statement))
    assert details(engine)[0][:2] == ("family.create", "7")


def test_a_permit_rolled_back_leaves_the_door_shut(engine: Engine, event: None) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text(PERMIT))
        raise RuntimeError("the anonymising transaction failed")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("""UPDATE audit_event SET after = '{}'"""))
