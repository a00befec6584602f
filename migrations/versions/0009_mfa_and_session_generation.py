"""Two-step sign-in, sessions that end everywhere, SSO identities that end with the session, first passwords

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

- users.totp_secret / totp_enabled_at / totp_last_step: RFC 6238 codes for local accounts; the last step used is
  stored so a code is never accepted twice, whichever app process it reaches.
- mfa_recovery_code: ten one-time recovery codes per account, argon2 hashes only.
- users.session_generation / sessions_ended_reason: moving the generation on ends every older session of the
  account in every process at its next click or refresh, with the reason.
- users.sso_last_iat / sso_ended_before: the provider's issue time of the last identity accepted, and of the last
  one whose dashboard session ended, so an identity cookie is not taken again after a sign-out, idle time-out or
  deactivation.
- users.must_change_password: an administrator-typed password is changed at first sign-in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("sessions_ended_reason", sa.String(40), nullable=True))
        batch.add_column(sa.Column("sso_last_iat", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sso_ended_before", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "mfa_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_recovery_code_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_code")),
    )
    op.create_index(op.f("ix_mfa_recovery_code_user_id"), "mfa_recovery_code", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mfa_recovery_code_user_id"), table_name="mfa_recovery_code")
    op.drop_table("mfa_recovery_code")
    with op.batch_alter_table("users") as batch:
        for column in (
            "must_change_password",
            "sso_ended_before",
            "sso_last_iat",
            "sessions_ended_reason",
            "session_generation",
            "totp_last_step",
            "totp_enabled_at",
            "totp_secret",
        ):
            batch.drop_column(column)
