"""users.table_view: the "Table view" choice is remembered for the account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Someone who reads the dashboard with a screen reader or a keyboard needs plain tables on every page; remembering
the choice spares them switching it on at every sign-in. Off for existing accounts, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("table_view", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("table_view")
