"""the audit trail's one door leaves a trace: each permit names its own audit event and stays; TRUNCATE refused

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Until now any connection could insert a row into `audit_pseudonymisation` and then rewrite what events say, leaving
nothing behind, and on PostgreSQL `TRUNCATE audit_event` emptied the trail (row triggers do not see it). Now:

- a permit names the `audit.pseudonymise` event written just before it in the same transaction (unique: one permit
  per event), and is kept: closing it sets `finished_at`, and a permit is never deleted or reopened, so every
  rewrite of the trail is itself on the trail;
- the door is open only while the transaction's own permit is unfinished, and never for `audit.pseudonymise`
  events themselves;
- PostgreSQL refuses `TRUNCATE` of the audit trail and of the permits with a statement trigger.
Permits left by earlier versions (there are none outside a running transaction) are removed first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERB = "audit.pseudonymise"
_REFUSED = "the audit trail is append-only: % on audit_event is not allowed"
_PERMIT_REFUSED = "an audit permit must name the audit.pseudonymise event written for it, and is kept as it was"

_PG_APPEND_ONLY = f"""
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND EXISTS (SELECT 1 FROM audit_pseudonymisation WHERE finished_at IS NULL)
        AND OLD.verb <> '{VERB}'
        AND NEW.id = OLD.id
        AND NEW.occurred_at = OLD.occurred_at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.verb = OLD.verb
        AND NEW.entity_type = OLD.entity_type
        AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{_REFUSED}', TG_OP;
END $$
"""

_PG_PERMIT_RULES = f"""
CREATE OR REPLACE FUNCTION audit_permit_is_on_the_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        AND NEW.finished_at IS NULL
        AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.audit_event_id AND verb = '{VERB}')
    THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
        AND OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL
        AND NEW.id = OLD.id AND NEW.audit_event_id = OLD.audit_event_id AND NEW.started_at = OLD.started_at
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{_PERMIT_REFUSED}';
END $$
"""

_PG_NO_TRUNCATE = """
CREATE FUNCTION audit_trail_is_never_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE on % is not allowed', TG_TABLE_NAME;
END $$
"""

_SQLITE_NO_UPDATE = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event {when}"
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on audit_event is not allowed'); END"
)
_SQLITE_UNLESS = (
    "WHEN NOT EXISTS (SELECT 1 FROM audit_pseudonymisation{open}) {verb}"
    "OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.actor_id IS NOT OLD.actor_id "
    "OR NEW.verb IS NOT OLD.verb OR NEW.entity_type IS NOT OLD.entity_type OR NEW.entity_id IS NOT OLD.entity_id "
)
_SQLITE_PERMIT_TRIGGERS = [
    "CREATE TRIGGER audit_permit_on_the_record BEFORE INSERT ON audit_pseudonymisation "
    f"WHEN NEW.finished_at IS NOT NULL OR NOT EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.audit_event_id "
    f"AND verb = '{VERB}') BEGIN SELECT RAISE(ABORT, '{_PERMIT_REFUSED}'); END",
    "CREATE TRIGGER audit_permit_only_closes BEFORE UPDATE ON audit_pseudonymisation "
    "WHEN OLD.finished_at IS NOT NULL OR NEW.finished_at IS NULL OR NEW.id IS NOT OLD.id "
    "OR NEW.audit_event_id IS NOT OLD.audit_event_id OR NEW.started_at IS NOT OLD.started_at "
    f"BEGIN SELECT RAISE(ABORT, '{_PERMIT_REFUSED}'); END",
    "CREATE TRIGGER audit_permit_never_deleted BEFORE DELETE ON audit_pseudonymisation "
    f"BEGIN SELECT RAISE(ABORT, '{_PERMIT_REFUSED}'); END",
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:  # SQLite's batch mode renames a copy of the table, which a trigger naming it would refuse
        op.execute("DROP TRIGGER audit_event_no_update")
    op.execute("DELETE FROM audit_pseudonymisation")
    with op.batch_alter_table("audit_pseudonymisation") as batch:
        batch.add_column(sa.Column("audit_event_id", sa.Integer(), nullable=False))
        batch.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_audit_pseudonymisation_audit_event_id_audit_event"),
            "audit_event",
            ["audit_event_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_unique_constraint(op.f("uq_audit_pseudonymisation_audit_event_id"), ["audit_event_id"])
    if postgres:
        op.execute(_PG_APPEND_ONLY)
        op.execute(_PG_PERMIT_RULES)
        op.execute(
            "CREATE TRIGGER audit_permit_on_the_record BEFORE INSERT OR UPDATE OR DELETE ON audit_pseudonymisation "
            "FOR EACH ROW EXECUTE FUNCTION audit_permit_is_on_the_record()"
        )
        op.execute(_PG_NO_TRUNCATE)
        for table in ("audit_event", "audit_pseudonymisation"):
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_is_never_truncated()"
            )
    else:
        unless = _SQLITE_UNLESS.format(open=" WHERE finished_at IS NULL", verb=f"OR OLD.verb = '{VERB}' ")
        op.execute(_SQLITE_NO_UPDATE.format(when=unless))
        for trigger in _SQLITE_PERMIT_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table in ("audit_event", "audit_pseudonymisation"):
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION audit_trail_is_never_truncated()")
        op.execute("DROP TRIGGER audit_permit_on_the_record ON audit_pseudonymisation")
        op.execute("DROP FUNCTION audit_permit_is_on_the_record()")
    else:
        for name in ("audit_permit_on_the_record", "audit_permit_only_closes", "audit_permit_never_deleted"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TRIGGER audit_event_no_update")
    op.execute("DELETE FROM audit_pseudonymisation")
    with op.batch_alter_table("audit_pseudonymisation") as batch:
        batch.drop_constraint(op.f("uq_audit_pseudonymisation_audit_event_id"), type_="unique")
        batch.drop_constraint(op.f("fk_audit_pseudonymisation_audit_event_id_audit_event"), type_="foreignkey")
        batch.drop_column("finished_at")
        batch.drop_column("audit_event_id")
    if postgres:
        op.execute(_PG_APPEND_ONLY.replace(" WHERE finished_at IS NULL", "").replace(f"        AND OLD.verb <> '{VERB}'\n", ""))
    else:
        op.execute(_SQLITE_NO_UPDATE.format(when=_SQLITE_UNLESS.format(open="", verb="")))
