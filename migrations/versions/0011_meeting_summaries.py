"""meeting_rating_mix, meeting_role_comparison: what the Service overview groups from the ratings, stored at close

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

The raters' agreement and each role beside its colleagues were grouped from every rating of the months shown
each time the overview's figures were computed: seconds on the largest county. A closed meeting's ratings are
locked (a correction stores its summaries again), so their groups are stored when it closes and the overview adds
up a few rows per meeting. The tables start empty: `fsdash scores rebuild` fills them for the meetings closed
before this version.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RAG = sa.Enum("green", "amber", "red", name="rag", native_enum=False, create_constraint=True, length=32)
ROLES = (
    "social_worker",
    "senior_practitioner",
    "team_manager",
    "family_support_worker",
    "domestic_abuse_practitioner",
    "domestic_abuse_officer",
    "substance_misuse_worker",
    "mental_health_practitioner",
    "psychologist",
    "education_attainment_officer",
    "probation_officer",
    "service_lead",
    "administrator",
)


def upgrade() -> None:
    op.create_table(
        "meeting_rating_mix",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("greens", sa.Integer(), nullable=False),
        sa.Column("ambers", sa.Integer(), nullable=False),
        sa.Column("reds", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name="fk_meeting_rating_mix_meeting_id_meeting", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "greens", "ambers", "reds", name="pk_meeting_rating_mix"),
    )
    op.create_table(
        "meeting_role_comparison",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("rag", RAG, nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("greens", sa.Integer(), nullable=False),
        sa.Column("ambers", sa.Integer(), nullable=False),
        sa.Column("reds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name="fk_meeting_role_comparison_meeting_id_meeting", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "role", "rag", name="pk_meeting_role_comparison"),
    )


def downgrade() -> None:
    op.drop_table("meeting_role_comparison")
    op.drop_table("meeting_rating_mix")
