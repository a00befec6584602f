"""Closing a case. A closed family's children leave their plans and its professionals stop working with it on the
closing day, in the same transaction as the closing itself: otherwise the outcomes framework keeps counting the
children under CIN, CP, ... every month after the case closed, and the family stays on practitioners' lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Child, Family, Involvement, LegalStatusPeriod
from risk.vocabulary import LegalStatus

ONE_DAY = dt.timedelta(days=1)


def end_case_records(session: Session, family: Family) -> dict[str, Any]:
    """End what is still open of a family closed on `family.closed_on`: each child's current plan (followed by a
    `closed` period from that day; the history is kept) and every open involvement.

    Returns what it ended, for the caller's audit event. A plan or involvement that started on or after the
    closing day lasts one day (a period must end after it starts).
    """
    closed_on = family.closed_on
    if closed_on is None:
        raise ValueError("end_case_records is for a family that has a closing date")
    if family.id is None:
        session.flush()  # a family created closed (by an import) needs its id and children in the database
    plans_ended: list[str] = []
    for child_reference, period in session.execute(
        select(Child.case_reference, LegalStatusPeriod)
        .join(LegalStatusPeriod, LegalStatusPeriod.child_id == Child.id)
        .where(Child.family_id == family.id, LegalStatusPeriod.ended_on.is_(None))
        .order_by(Child.case_reference)
    ).all():
        if period.status is LegalStatus.CLOSED:
            continue
        period.ended_on = max(closed_on, period.started_on + ONE_DAY)
        session.add(LegalStatusPeriod(child_id=period.child_id, status=LegalStatus.CLOSED, started_on=period.ended_on))
        plans_ended.append(f"{child_reference}: {period.status.value}")
    involvements_ended: list[int] = []
    for involvement in session.scalars(
        select(Involvement)
        .where(Involvement.family_id == family.id, Involvement.ended_on.is_(None))
        .order_by(Involvement.practitioner_id)
    ):
        involvement.ended_on = max(closed_on, involvement.started_on + ONE_DAY)
        involvements_ended.append(involvement.practitioner_id)
    ended: dict[str, Any] = {}
    if plans_ended:
        ended["plans_ended"] = plans_ended
    if involvements_ended:
        ended["involvements_ended"] = involvements_ended
    return ended
