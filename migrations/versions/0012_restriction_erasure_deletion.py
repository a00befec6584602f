"""family.restricted_at, the deletion rule, and ids that are never reused once a record is erased

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25

- `family.restricted_at`: set while a family is restricted (UK GDPR Art 18); NULL for every existing family.
- `deletion_rule`: whether (and how many years after anonymising) an anonymised family is deleted; no row means
  never, as before.
- Erasing a family or a child deletes its rows, and the audit trail keeps events naming those rows by id. PostgreSQL's
  sequences never hand out an id twice; SQLite gives a new row the largest id plus one, so erasing the newest
  family would hand its id to the next one and its audit events would read as the new family's. The tables whose
  ids the trail names (family, child, rating, involvement, action) are rebuilt on SQLite with AUTOINCREMENT, which
  never reuses an id (their rows and ids are copied as they are). PostgreSQL needs no change for that.

Self-contained (no application imports), so it keeps working whatever the models become later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMED_BY_THE_TRAIL = ("family", "child", "rating", "involvement", "action")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "deletion_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("years_after_anonymisation", sa.Integer(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "years_after_anonymisation IS NULL OR years_after_anonymisation BETWEEN 1 AND 100",
            name=op.f("ck_deletion_rule_sensible_years"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_deletion_rule_set_by_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_rule")),
    )
    if _sqlite():
        for table in NAMED_BY_THE_TRAIL:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass


def downgrade() -> None:
    if _sqlite():
        for table in NAMED_BY_THE_TRAIL:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
                pass
    op.drop_table("deletion_rule")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("restricted_at")
