"""What a professional sees on the Rate page: the children they are expected to rate at one meeting, and their
update for supervision of each family.

Scoped exactly as saving is (db.services.ratings.rateable_family_ids), so the form never offers a child whose
rating would be refused, and the children are those the risk rules count as missing until rated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from db.access import require_active
from db.models import Child, Rating, SupervisionUpdate, User
from db.queries.caseload import get_meeting
from db.queries.meeting_inputs import families_at_meeting, previous_scored_meeting
from db.services.ratings import rateable_family_ids
from db.session import reading
from risk.presentation import family_label
from risk.vocabulary import RAG, LegalStatus


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years on `day`: how a child's age is said in supervision (a birthday on the day counts)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class MyRating:
    """The actor's own saved rating; `version` is what a later save must name so it never overwrites silently."""

    rag: RAG
    rationale: str | None
    version: int


@dataclass(frozen=True)
class ChildToRate:
    child_id: int
    first_name: str
    date_of_birth: dt.date
    age: int
    legal_status: LegalStatus | None
    current: MyRating | None
    """The actor's rating at this meeting, None until they rate."""
    last_month: RAG | None
    """The actor's rating at the team's previous scored meeting: the anchor for "has anything changed?"."""


@dataclass(frozen=True)
class MyUpdate:
    """The actor's own update for the family at this meeting; `version` is what a later save must name."""

    text: str | None
    work_kind_id: int | None
    version: int


@dataclass(frozen=True)
class FamilyToRate:
    family_id: int
    case_reference: str
    children: tuple[ChildToRate, ...]
    my_update: MyUpdate | None = None
    """The actor's update for supervision at this meeting, None until they write one."""
    display_name: str | None = None

    @property
    def label(self) -> str:
        """The family as its team sees it (risk.presentation.family_label)."""
        return family_label(self.case_reference, self.display_name)

    @property
    def rated(self) -> int:
        return sum(child.current is not None for child in self.children)


def rating_form(engine: Engine, actor: User | None, meeting_id: int) -> list[FamilyToRate]:
    """The families the actor works with on the meeting date, by case reference, each with its children
    (oldest first), the actor's rating so far and their rating last month."""
    with reading(engine) as session:
        actor = require_active(actor)
        meeting = get_meeting(session, actor, meeting_id)
        family_ids = rateable_family_ids(session, actor, meeting)
        if not family_ids:
            return []
        families = [f for f in families_at_meeting(session, meeting, sorted(family_ids)) if f.children]
        child_ids = [child.child_id for family in families for child in family.children]
        born = dict(session.execute(select(Child.id, Child.date_of_birth).where(Child.id.in_(child_ids))).all())
        mine = {
            r.child_id: MyRating(r.rag, r.rationale, r.version)
            for r in session.scalars(
                select(Rating).where(
                    Rating.meeting_id == meeting.id,
                    Rating.practitioner_id == actor.id,
                    Rating.child_id.in_(child_ids),
                )
            )
        }
        updates = {
            u.family_id: MyUpdate(u.text, u.work_kind_id, u.version)
            for u in session.scalars(
                select(SupervisionUpdate).where(
                    SupervisionUpdate.meeting_id == meeting.id,
                    SupervisionUpdate.author_id == actor.id,
                    SupervisionUpdate.family_id.in_([f.family_id for f in families]),
                )
            )
        }
        last_month: dict[int, RAG] = {}
        before = previous_scored_meeting(session, meeting)
        if before is not None:
            last_month = dict(
                session.execute(
                    select(Rating.child_id, Rating.rag).where(
                        Rating.meeting_id == before.id,
                        Rating.practitioner_id == actor.id,
                        Rating.child_id.in_(child_ids),
                    )
                ).all()
            )
        return [
            FamilyToRate(
                family_id=family.family_id,
                case_reference=family.case_reference,
                display_name=family.display_name,
                children=tuple(
                    ChildToRate(
                        child_id=child.child_id,
                        first_name=child.first_name,
                        date_of_birth=born[child.child_id],
                        age=age_on(born[child.child_id], meeting.held_on),
                        legal_status=child.legal_status,
                        current=mine.get(child.child_id),
                        last_month=last_month.get(child.child_id),
                    )
                    for child in family.children
                ),
                my_update=updates.get(family.family_id),
            )
            for family in families
        ]
