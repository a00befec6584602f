"""What the Caseload page shows beside the ranking: when each family was last discussed.

A family the team has not talked about for months is at risk of drift whatever its band, so the chair wants the
date beside the rank. "Discussed" means what the ranking rules mean by it: a meeting before this one at which any
professional rated any of the family's children.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from db.models import Child, Family, Meeting, Rating, User
from db.queries.caseload import get_meeting
from db.session import reading


def last_discussed(engine: Engine, actor: User | None, meeting_id: int) -> dict[int, dt.date]:
    """family id -> the latest earlier meeting day with a rating, for the meeting's team's families.

    Families never discussed before are absent. Scoped like the ranking itself (the team's own staff only).
    """
    with reading(engine) as session:
        meeting = get_meeting(session, actor, meeting_id)
        rows = session.execute(
            select(Child.family_id, func.max(Meeting.held_on))
            .join(Family, Family.id == Child.family_id)
            .join(Rating, Rating.child_id == Child.id)
            .join(Meeting, Meeting.id == Rating.meeting_id)
            .where(Family.team_id == meeting.team_id, Meeting.held_on < meeting.held_on)
            .group_by(Child.family_id)
        )
        return {family_id: day for family_id, day in rows}
