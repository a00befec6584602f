"""The audit trail's one documented door (migrations 0003 and 0016): while a transaction holds an unfinished
`audit_pseudonymisation` permit, it may rewrite events' `before`/`after` details, and nothing else. The permit must
name the `audit.pseudonymise` event written for it, is kept once finished, and can be neither deleted nor reused,
so every opening of the door is itself on the trail. Plain SQL, both databases, as someone with the database's
password but not the app would try."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db.services.audit import record
from db.session import transaction

OPENING = (
    "INSERT INTO audit_event (occurred_at, verb, entity_type) "
    "VALUES (CURRENT_TIMESTAMP, 'audit.pseudonymise', 'audit_event')"
)
PERMIT = (
    "INSERT INTO audit_pseudonymisation (started_at, audit_event_id) "
    "SELECT CURRENT_TIMESTAMP, max(id) FROM audit_event WHERE verb = 'audit.pseudonymise'"
)
FINISH = "UPDATE audit_pseudonymisation SET finished_at = CURRENT_TIMESTAMP WHERE finished_at IS NULL"


def _open_door(conn: Connection) -> None:
    conn.execute(text(OPENING))
    conn.execute(text(PERMIT))


@pytest.fixture
def event(engine: Engine) -> None:
    with transaction(engine) as s:
        record(s, None, "family.create", "family", 7, after={"case_reference": "F-7"})


def details(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT verb, entity_id, CAST(after AS TEXT) FROM audit_event WHERE verb <> 'audit.pseudonymise'")
        )
        return [tuple(row) for row in rows]


def test_without_the_permit_the_details_cannot_be_changed(engine: Engine, event: None) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("""UPDATE audit_event SET after = '{"case_reference": "ANON-1"}'"""))
    assert "F-7" in details(engine)[0][2]


def test_with_the_permit_only_the_details_change_and_the_permit_goes_with_the_transaction(
    engine: Engine, event: None
) -> None:
    with engine.begin() as conn:
        _open_door(conn)
        conn.execute(
            text("""UPDATE audit_event SET after = '{"case_reference": "ANON-1"}' WHERE verb = 'family.create'""")
        )
        conn.execute(text(FINISH))
    [(verb, entity_id, after)] = details(engine)
    assert (verb, entity_id) == ("family.create", "7") and "ANON-1" in after and "F-7" not in after
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM audit_pseudonymisation WHERE finished_at IS NOT NULL"))
        assert kept.scalar_one() == 1, "the permit stays on the record"
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("""UPDATE audit_event SET after = '{}' WHERE verb = 'family.create'"""))


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
        _open_door(conn)
        conn.execute(text(statement))
    assert details(engine)[0][:2] == ("family.create", "7")


def test_a_permit_rolled_back_leaves_the_door_shut(engine: Engine, event: None) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        _open_door(conn)
        raise RuntimeError("the anonymising transaction failed")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("""UPDATE audit_event SET after = '{}'"""))


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(["INSERT INTO audit_pseudonymisation (started_at, audit_event_id) SELECT CURRENT_TIMESTAMP, id "
                      "FROM audit_event WHERE verb = 'family.create'"], id="a permit naming some other event"),
        pytest.param([OPENING, PERMIT, FINISH, PERMIT], id="a permit reusing a finished one's event"),
        pytest.param([OPENING, PERMIT, FINISH, "UPDATE audit_pseudonymisation SET finished_at = NULL"],
                     id="a finished permit reopened"),
        pytest.param([OPENING, PERMIT, FINISH, "DELETE FROM audit_pseudonymisation"], id="a permit deleted"),
        pytest.param([OPENING, PERMIT, "UPDATE audit_event SET after = '{}' WHERE verb = 'audit.pseudonymise'"],
                     id="the door's own event rewritten"),
    ],
)  # fmt: skip
def test_the_door_cannot_be_opened_without_leaving_a_trace(engine: Engine, event: None, statements: list[str]) -> None:
    with pytest.raises(DBAPIError, match=r"append-only|audit permit|UNIQUE|unique"), engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    assert "F-7" in details(engine)[0][2]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE; its DELETE is refused
def test_postgresql_refuses_to_truncate_the_trail_or_its_permits(engine: Engine, event: None) -> None:
    for table in ("audit_event", "audit_pseudonymisation"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    assert details(engine)[0][:2] == ("family.create", "7")
