"""meeting.changes: a counter bumped with every change a meeting's screens show

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

A screen watching an open meeting asks every few seconds whether anything changed; reading one integer from the
meeting's own row answers that, and the ranking and family cards computed at a given count are shared by every
session of the app process. Existing meetings start at 0.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("changes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("changes")
