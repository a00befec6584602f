"""the month around the meeting: each team's schedule, meetings that open themselves, reminders by email

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Three new tables: `meeting_schedule` (a team's rule: the Nth weekday of each month or every few weeks on a weekday,
a local time, the planned length and how many days before a meeting opens for ratings), `schedule_change` (one-off
moves and cancellations) and `reminder` (which reminder was sent to whom, for which meeting or action, and when;
never the message). Two new columns: `meeting.starts_at` (the local time a meeting starts, NULL for meetings held
before) and `users.reminder_emails` (on for every existing account, which can turn it off in My account).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meeting_schedule',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('pattern', sa.Enum('monthly', 'weekly', name='schedule_pattern', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('nth', sa.Integer(), nullable=True),
    sa.Column('every_weeks', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('planned_minutes', sa.Integer(), nullable=False),
    sa.Column('open_days_before', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('open_days_before >= 0', name=op.f('ck_meeting_schedule_open_days_before')),
    sa.CheckConstraint('planned_minutes > 0', name=op.f('ck_meeting_schedule_planned_minutes')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_meeting_schedule_weekday')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_meeting_schedule_team_id_team'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_meeting_schedule_updated_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_meeting_schedule'))
    )
    op.create_table('schedule_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_on', sa.Date(), nullable=False),
    sa.Column('moved_to', sa.Date(), nullable=True),
    sa.Column('moved_time', sa.Time(), nullable=True),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_schedule_change_made_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_schedule_change_team_id_team'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_change')),
    sa.UniqueConstraint('team_id', 'scheduled_on', name=op.f('uq_schedule_change_team_id_scheduled_on'))
    )
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('ratings_due', 'action_due', 'action_overdue', 'chair_list', name='reminder_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_reminder_action_id_action'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_reminder_meeting_id_meeting'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_reminder_recipient_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_reminder_dedupe_key'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_reminder_sent_at', ['sent_at'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.Time(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_emails', sa.Boolean(), nullable=False, server_default=sa.true()))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reminder_emails')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('starts_at')

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_sent_at')
        batch_op.drop_index(batch_op.f('ix_reminder_recipient_id'))

    op.drop_table('reminder')
    op.drop_table('schedule_change')
    op.drop_table('meeting_schedule')
