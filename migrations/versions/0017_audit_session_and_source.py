"""every audit event says which dashboard session it happened in, from which address and browser

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

Three nullable columns on `audit_event` (`session_id`, indexed, so "everything done in this session" is one search;
`source_address`; `user_agent`), filled by the dashboard for every event of a session (db/request_context.py) and
empty for the command line and for events written before. The append-only triggers are untouched: they compare
who, when, what and which, and refuse every change but the pseudonymising door's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("session_id", sa.String(length=32), nullable=True))
    op.add_column("audit_event", sa.Column("source_address", sa.String(length=45), nullable=True))
    op.add_column("audit_event", sa.Column("user_agent", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_audit_event_session_id"), "audit_event", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_event_session_id"), table_name="audit_event")
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy: copying the table would drop its
    # append-only triggers with the old one
    for column in ("user_agent", "source_address", "session_id"):
        op.drop_column("audit_event", column)
