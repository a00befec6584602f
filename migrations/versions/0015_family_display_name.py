"""family.display_name, team.presentation_initials: families' names beside their case references

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

A family may hold its name as the case system has it (the surname or surnames, "Jones / Ahmed"), shown beside its
case reference; NULL for every existing family until the next import or a correction gives one. A team may show
those names as initials only in Presentation mode (off for every existing team, so nothing changes until its
manager or an administrator turns it on).

Self-contained (no application imports), so it keeps working whatever the models become later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("display_name", sa.String(120), nullable=True))
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("presentation_initials", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.drop_column("presentation_initials")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("display_name")
