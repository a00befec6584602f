"""The short lists the administrator keeps (risk.supervision.ChoiceKind): the kinds of work a professional's update
names and the outcomes of the chair's decision. An entry is added at the end of its list, and retired rather than
deleted, so the records that chose it still say what they chose; a retired entry can be offered again."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from db.access import require_admin
from db.errors import InvalidInput, NotFound
from db.models import ChoiceItem, User, utcnow
from db.plain_text import clean_text
from db.services.audit import record
from db.session import transaction
from risk.supervision import CHOICE_LABEL_MAX, ChoiceKind


def add_choice(engine: Engine, actor: User | None, kind: ChoiceKind, label: str) -> ChoiceItem:
    """Add an entry at the end of the list `kind`; a retired entry of the same words is offered again instead."""
    kind = ChoiceKind(kind)
    label = clean_text(" ".join((label or "").split()), what="The entry", limit=CHOICE_LABEL_MAX)
    with transaction(engine) as session:
        actor = require_admin(actor)
        same = session.scalars(
            select(ChoiceItem).where(ChoiceItem.kind == kind, func.lower(ChoiceItem.label) == label.lower())
        ).one_or_none()
        if same is not None:
            if same.retired_at is None:
                raise InvalidInput(f"{kind.label} already has {same.label!r}.")
            same.retired_at = None
            record(session, actor, "choice.restore", "choice_item", same.id, after={"kind": kind.value})
            return same
        last = session.scalar(select(func.max(ChoiceItem.position)).where(ChoiceItem.kind == kind)) or 0
        item = ChoiceItem(kind=kind, label=label, position=last + 1)
        session.add(item)
        session.flush()
        record(session, actor, "choice.add", "choice_item", item.id, after={"kind": kind.value, "label": label})
        return item


def retire_choice(engine: Engine, actor: User | None, choice_id: int, retired: bool = True) -> None:
    """Stop offering an entry (or, with `retired` False, offer it again). Records that chose it keep it."""
    with transaction(engine) as session:
        actor = require_admin(actor)
        item = session.get(ChoiceItem, choice_id)
        if item is None:
            raise NotFound("That entry does not exist.")
        if (item.retired_at is not None) == retired:
            return
        if retired:
            offered = session.scalar(
                select(func.count()).where(ChoiceItem.kind == item.kind, ChoiceItem.retired_at.is_(None))
            )
            if offered == 1:
                raise InvalidInput(f"{item.kind.label} needs at least one entry on offer: add another first.")
        item.retired_at = utcnow() if retired else None
        record(
            session,
            actor,
            "choice.retire" if retired else "choice.restore",
            "choice_item",
            item.id,
            after={"kind": item.kind.value},
        )
