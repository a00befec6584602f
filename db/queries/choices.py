"""The administrator's short lists as the forms offer them (risk.supervision.ChoiceKind)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from db.access import require_active
from db.models import ChoiceItem, User
from db.session import reading
from risk.supervision import ChoiceKind


@dataclass(frozen=True)
class Choice:
    choice_id: int
    label: str
    retired: bool


def choice_list(engine: Engine, actor: User | None, kind: ChoiceKind, *, with_retired: bool = False) -> list[Choice]:
    """The entries of the list `kind` in their order: those on offer, or (for the Admin page and for showing old
    records) every one, the retired ones marked. The words are the service's, not case data: anyone signed in."""
    require_active(actor)
    with reading(engine) as session:
        query = select(ChoiceItem).where(ChoiceItem.kind == ChoiceKind(kind))
        if not with_retired:
            query = query.where(ChoiceItem.retired_at.is_(None))
        return [
            Choice(item.id, item.label, item.retired_at is not None)
            for item in session.scalars(query.order_by(ChoiceItem.position, ChoiceItem.id))
        ]
