"""records management: the retention rule, anonymised families, and the audit trail's pseudonymisation door

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

The audit trail stays append-only. The one exception is the retention rule's anonymisation: inside its
transaction a row in `audit_pseudonymisation` exists (inserted first, deleted before commit, so no other
transaction ever sees it), and while it exists the triggers allow an UPDATE that changes only an event's
`before` and `after` details. DELETE is always refused; so is any change to who, when, what or which entity.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSED = "the audit trail is append-only: % on audit_event is not allowed"

_PG_APPEND_ONLY = f"""
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_REFUSED}', TG_OP;
END $$
"""

_PG_WITH_PSEUDONYMISATION = f"""
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND EXISTS (SELECT 1 FROM audit_pseudonymisation)
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

_SQLITE_NO_UPDATE = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event {when}"
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on audit_event is not allowed'); END"
)

_SQLITE_UNLESS_PSEUDONYMISING = (
    "WHEN NOT EXISTS (SELECT 1 FROM audit_pseudonymisation) "
    "OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.actor_id IS NOT OLD.actor_id "
    "OR NEW.verb IS NOT OLD.verb OR NEW.entity_type IS NOT OLD.entity_type OR NEW.entity_id IS NOT OLD.entity_id "
)


def upgrade() -> None:
    op.create_table(
        "retention_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("years_after_closure", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("years_after_closure BETWEEN 1 AND 100", name=op.f("ck_retention_rule_sensible_years")),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_retention_rule_set_by_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rule")),
    )
    op.create_table(
        "family_anonymisation",
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("years_after_closure", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_family_anonymisation_actor_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_family_anonymisation_family_id_family"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("family_id", name=op.f("pk_family_anonymisation")),
    )
    op.create_table(
        "audit_pseudonymisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pseudonymisation")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_WITH_PSEUDONYMISATION)
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute(_SQLITE_NO_UPDATE.format(when=_SQLITE_UNLESS_PSEUDONYMISING))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute(_SQLITE_NO_UPDATE.format(when=""))
    op.drop_table("audit_pseudonymisation")
    op.drop_table("family_anonymisation")
    op.drop_table("retention_rule")
