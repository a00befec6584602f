"""The ratings of one family at a closed meeting, for the chair's correction form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from db.access import require_manager_of, visible_families
from db.errors import NotFound
from db.models import Child, Family, Meeting, Rating, User
from db.session import reading
from risk.vocabulary import RAG, MeetingStatus, Role


@dataclass(frozen=True)
class CorrectableRating:
    rating_id: int
    child: str
    practitioner: str
    role: Role
    rag: RAG
    version: int


def correctable_ratings(engine: Engine, actor: User | None, meeting_id: int, family_id: int) -> list[CorrectableRating]:
    """Empty unless the meeting is closed; refused unless the actor manages the meeting's team."""
    with reading(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        require_manager_of(session, actor, meeting.team_id)
        if meeting.status is not MeetingStatus.CLOSED:
            return []
        rows = session.execute(
            select(Rating.id, Child.first_name, User.display_name, User.role, Rating.rag, Rating.version)
            .join(Child, Child.id == Rating.child_id)
            .join(User, User.id == Rating.practitioner_id)
            .join(Family, Family.id == Child.family_id)
            .where(Rating.meeting_id == meeting_id, Child.family_id == family_id, visible_families())
            .order_by(Child.date_of_birth, Child.id, User.display_name)
        )
        return [CorrectableRating(*row) for row in rows]
