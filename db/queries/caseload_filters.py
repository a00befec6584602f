"""What the Caseload page shows beside the ranking: when each family was last discussed.

A family the team has not talked about for months is at risk of drift whatever its band, so the chair wants the
date beside the rank. "Discussed" means what the ranking rules mean by it: an earlier meeting whose chair marked
the family discussed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from db.access import visible_families
from db.models import Family, User
from db.queries.caseload import get_meeting
from db.queries.meeting_inputs import last_discussed_before
from db.session import reading


def last_discussed(engine: Engine, actor: User | None, meeting_id: int) -> dict[int, dt.date]:
    """family id -> the latest earlier meeting day at which supervision discussed it, for the meeting's team.

    Families never discussed before are absent. Scoped like the ranking itself (the team's own staff only).
    """
    with reading(engine) as session:
        meeting = get_meeting(session, actor, meeting_id)
        in_team = select(Family.id).where(Family.team_id == meeting.team_id, visible_families())
        return {family_id: day for family_id, day in session.execute(last_discussed_before(meeting.held_on, in_team))}
