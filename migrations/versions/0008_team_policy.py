"""team.policy, team.policy_version: the team's risk rule is a setting of the team

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

Until now a team's rule was read from its latest stored score, so rebuilding the scores without naming a rule
moved every team back to the default. Each team now keeps its rule's name and version. Each existing team starts
on the rule its latest stored score was made with (latest meeting, then latest computed), which is the rule it
has been ranked by until now; a team with no stored score, or whose latest score names a rule this revision does
not know, starts on the default `worst` rule (version 1), as it was ranked before. Nothing a team sees changes, so
no audit event is written.

Self-contained (no application imports), so it keeps working whatever the models and the rules become later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN_RULES = ("worst", "median")  # the rules there were when this revision was written
DEFAULT_RULE, DEFAULT_VERSION = "worst", 1

team = sa.table(
    "team", sa.column("id", sa.Integer), sa.column("policy", sa.String), sa.column("policy_version", sa.Integer)
)
meeting = sa.table(
    "meeting", sa.column("id", sa.Integer), sa.column("team_id", sa.Integer), sa.column("held_on", sa.Date)
)
score = sa.table(
    "family_risk_score",
    sa.column("meeting_id", sa.Integer),
    sa.column("policy", sa.String),
    sa.column("policy_version", sa.Integer),
    sa.column("computed_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("policy", sa.String(32), nullable=False, server_default=DEFAULT_RULE))
        batch.add_column(sa.Column("policy_version", sa.Integer(), nullable=False, server_default=str(DEFAULT_VERSION)))

    connection = op.get_bind()
    latest: dict[int, tuple[str, int]] = {}
    rows = connection.execute(
        sa.select(meeting.c.team_id, score.c.policy, score.c.policy_version)
        .join(meeting, meeting.c.id == score.c.meeting_id)
        .order_by(meeting.c.team_id, meeting.c.held_on.desc(), score.c.computed_at.desc())
    )
    for team_id, policy, version in rows:
        latest.setdefault(team_id, (policy, version))
    for team_id, (policy, version) in latest.items():
        if policy in KNOWN_RULES and (policy, version) != (DEFAULT_RULE, DEFAULT_VERSION):
            connection.execute(
                sa.update(team).where(team.c.id == team_id).values(policy=policy, policy_version=version)
            )


def downgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.drop_column("policy_version")
        batch.drop_column("policy")
