"""each professional's update for supervision and the chair's decision for each family

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

Three new tables: `choice_item` (the short lists the administrator keeps: the kinds of work and the outcomes of
supervision, seeded here with the defaults of risk/supervision.py; entries are retired, never deleted),
`supervision_update` (one professional's update for one family at one meeting, saved with their ratings, with an
optimistic lock and the reason of a correction) and `family_decision` (the chair's decision, outcome and next review
for one family at one meeting).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from risk.supervision import default_choice_rows

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('choice_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('work_kind', 'outcome', name='choice_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_choice_item')),
    sa.UniqueConstraint('kind', 'label', name=op.f('uq_choice_item_kind_label'))
    )
    with op.batch_alter_table('choice_item', schema=None) as batch_op:
        batch_op.create_index('ix_choice_item_kind_position', ['kind', 'position'], unique=False)
    choice_item = sa.table(
        'choice_item', sa.column('kind', sa.String), sa.column('label', sa.String), sa.column('position', sa.Integer)
    )
    op.bulk_insert(choice_item, default_choice_rows())

    op.create_table('family_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=2000), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('next_review_on', sa.Date(), nullable=True),
    sa.Column('correction_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['users.id'], name=op.f('fk_family_decision_chair_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_family_decision_family_id_family'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_family_decision_meeting_id_meeting'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['outcome_id'], ['choice_item.id'], name=op.f('fk_family_decision_outcome_id_choice_item'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_decision')),
    sa.UniqueConstraint('meeting_id', 'family_id', name=op.f('uq_family_decision_meeting_id_family_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('family_decision', schema=None) as batch_op:
        batch_op.create_index('ix_family_decision_family_id', ['family_id', 'meeting_id'], unique=False)

    op.create_table('supervision_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('social_worker', 'senior_practitioner', 'team_manager', 'family_support_worker', 'domestic_abuse_practitioner', 'domestic_abuse_officer', 'substance_misuse_worker', 'mental_health_practitioner', 'psychologist', 'education_attainment_officer', 'probation_officer', 'service_lead', 'administrator', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('work_kind_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=2000), nullable=True),
    sa.Column('correction_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_supervision_update_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_supervision_update_family_id_family'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_supervision_update_meeting_id_meeting'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['work_kind_id'], ['choice_item.id'], name=op.f('fk_supervision_update_work_kind_id_choice_item'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_update')),
    sa.UniqueConstraint('meeting_id', 'family_id', 'author_id', name=op.f('uq_supervision_update_meeting_id_family_id_author_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('supervision_update', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_update_family_id', ['family_id', 'meeting_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('supervision_update', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_update_family_id')

    op.drop_table('supervision_update')
    with op.batch_alter_table('family_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_family_decision_family_id')

    op.drop_table('family_decision')
    with op.batch_alter_table('choice_item', schema=None) as batch_op:
        batch_op.drop_index('ix_choice_item_kind_position')

    op.drop_table('choice_item')
