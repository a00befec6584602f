"""the meeting's own record of discussion: which families were discussed and for how long, and what the chair has open

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

A new table `family_discussion` (one row per meeting and family: seconds spent, when it was marked discussed, by
whom), and three meeting columns: the family the chair has open and since when (others follow it) and the planned
length of the meeting. Nothing existing is rewritten: meetings held before this revision have no discussion record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "family_discussion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("seconds_spent", sa.Integer(), nullable=False),
        sa.Column("discussed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("seconds_spent >= 0", name=op.f("ck_family_discussion_seconds_spent")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_family_discussion_family_id_family"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["users.id"], name=op.f("fk_family_discussion_marked_by_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_family_discussion_meeting_id_meeting"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_discussion")),
        sa.UniqueConstraint("meeting_id", "family_id", name=op.f("uq_family_discussion_meeting_id_family_id")),
    )
    op.create_index("ix_family_discussion_family_id", "family_discussion", ["family_id", "discussed_at"])
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("focus_family_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("focus_opened_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("planned_minutes", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_meeting_focus_family_id_family"), "family", ["focus_family_id"], ["id"], ondelete="RESTRICT"
        )
        batch.create_check_constraint(op.f("ck_meeting_planned_minutes"), "planned_minutes > 0")


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_constraint(op.f("ck_meeting_planned_minutes"), type_="check")
        batch.drop_constraint(op.f("fk_meeting_focus_family_id_family"), type_="foreignkey")
        batch.drop_column("planned_minutes")
        batch.drop_column("focus_opened_at")
        batch.drop_column("focus_family_id")
    op.drop_index("ix_family_discussion_family_id", table_name="family_discussion")
    op.drop_table("family_discussion")
