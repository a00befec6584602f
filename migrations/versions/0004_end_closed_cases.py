"""data repair: a closed family's children leave their plans and its professionals stop working with it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Before this revision, closing a family (through the caseload import) left its children's current legal status
and its involvements open, so the outcomes framework kept counting those children and the family stayed on
practitioners' lists. For every closed family this ends each child's open plan on the closing day (followed by a
`closed` period; the history is kept) and every open involvement, and writes one audit event per family repaired.
A plan or involvement that started on or after the closing day lasts one day (a period must end after it starts).

Self-contained (no application imports), so it keeps working whatever the models become later.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_DAY = dt.timedelta(days=1)

family = sa.table("family", sa.column("id", sa.Integer), sa.column("closed_on", sa.Date))
child = sa.table(
    "child", sa.column("id", sa.Integer), sa.column("family_id", sa.Integer), sa.column("case_reference", sa.String)
)
legal_status = sa.table(
    "legal_status",
    sa.column("id", sa.Integer),
    sa.column("child_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("started_on", sa.Date),
    sa.column("ended_on", sa.Date),
)
involvement = sa.table(
    "involvement",
    sa.column("id", sa.Integer),
    sa.column("family_id", sa.Integer),
    sa.column("practitioner_id", sa.Integer),
    sa.column("started_on", sa.Date),
    sa.column("ended_on", sa.Date),
)
audit_event = sa.table(
    "audit_event",
    sa.column("occurred_at", sa.DateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("verb", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def upgrade() -> None:
    bind = op.get_bind()
    repaired: dict[int, dict[str, list]] = defaultdict(lambda: {"plans_ended": [], "involvements_ended": []})
    open_plans = bind.execute(
        sa.select(family.c.id, family.c.closed_on, child.c.case_reference, legal_status.c.id, legal_status.c.child_id,
                  legal_status.c.status, legal_status.c.started_on)
        .select_from(legal_status.join(child, child.c.id == legal_status.c.child_id)
                     .join(family, family.c.id == child.c.family_id))
        .where(family.c.closed_on.is_not(None), legal_status.c.ended_on.is_(None), legal_status.c.status != "closed")
        .order_by(family.c.id, child.c.case_reference)
    ).all()
    for family_id, closed_on, child_reference, period_id, child_id, status, started_on in open_plans:
        ended_on = max(closed_on, started_on + ONE_DAY)
        bind.execute(sa.update(legal_status).where(legal_status.c.id == period_id).values(ended_on=ended_on))
        bind.execute(sa.insert(legal_status).values(child_id=child_id, status="closed", started_on=ended_on))
        repaired[family_id]["plans_ended"].append(f"{child_reference}: {status}")
    open_involvements = bind.execute(
        sa.select(family.c.id, family.c.closed_on, involvement.c.id, involvement.c.practitioner_id,
                  involvement.c.started_on)
        .select_from(involvement.join(family, family.c.id == involvement.c.family_id))
        .where(family.c.closed_on.is_not(None), involvement.c.ended_on.is_(None))
        .order_by(family.c.id, involvement.c.practitioner_id)
    ).all()
    for family_id, closed_on, involvement_id, practitioner_id, started_on in open_involvements:
        ended_on = max(closed_on, started_on + ONE_DAY)
        bind.execute(sa.update(involvement).where(involvement.c.id == involvement_id).values(ended_on=ended_on))
        repaired[family_id]["involvements_ended"].append(practitioner_id)
    now = dt.datetime.now(dt.UTC)
    for family_id, ended in sorted(repaired.items()):
        bind.execute(
            sa.insert(audit_event).values(
                occurred_at=now,
                actor_id=None,
                verb="family.repair_close",
                entity_type="family",
                entity_id=str(family_id),
                before=None,
                after={key: value for key, value in ended.items() if value}
                | {"family_id": family_id, "why": "closed before closing ended plans and involvements"},
            )
        )


def downgrade() -> None:
    """Nothing to undo: the repaired rows are the correct record, and the audit trail keeps what was done."""
