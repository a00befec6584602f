"""One family at one meeting, as the chair discusses it: who rated which child what, beside last month, what each
professional did with the family since the last meeting, and the chair's decision.

The grid is what makes disagreement visible (a mental health practitioner's red beside a social worker's green is a
prompt to talk, not noise). An open meeting is assessed live with the same rules as the ranking; a closed meeting
shows the band, score and explanation stored when it closed, so the record reads as it did on the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased

from db.errors import NotFound
from db.models import (
    Action,
    Child,
    ChoiceItem,
    Family,
    FamilyDecision,
    FamilyRiskScore,
    Meeting,
    Rating,
    SupervisionUpdate,
    Team,
    User,
)
from db.queries.caseload import get_meeting
from db.queries.live_meeting import shared_while_open
from db.queries.meeting_inputs import families_at_meeting, previous_scored_meeting, team_policy
from db.queries.rating_form import age_on
from db.queries.schedules import next_review_default
from db.session import reading
from risk.inputs import FamilyAtMeeting
from risk.presentation import family_label
from risk.ranking import assess_family
from risk.vocabulary import RAG, Band, LegalStatus, MeetingStatus, Role


@dataclass(frozen=True)
class CardProfessional:
    """A column of the grid. `involved` is False for someone who rated but no longer works with the family on
    the meeting date (their rating still counts and is shown; they are not offered as an action owner)."""

    practitioner_id: int
    name: str
    role: Role
    involved: bool


@dataclass(frozen=True)
class CardChild:
    """A row of the grid. `rating` is the child's rating under the policy (None until someone rates)."""

    child_id: int
    first_name: str
    age: int
    legal_status: LegalStatus | None
    rating: RAG | None


@dataclass(frozen=True)
class CardRating:
    rag: RAG
    rationale: str | None


@dataclass(frozen=True)
class CardAction:
    """An open action. `overdue` is judged at the meeting date, as the explanation's overdue count is."""

    action_id: int
    text: str
    owner_id: int | None
    owner: str | None
    owner_role: Role | None
    due_on: dt.date | None
    agreed_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class CardUpdate:
    """One professional's update for the family at this meeting, as written (role as on the day)."""

    update_id: int
    author_id: int
    author: str
    role: Role
    work_kind: str | None
    text: str | None
    version: int
    correction_reason: str | None
    work_kind_id: int | None = None


@dataclass(frozen=True)
class CardDecision:
    """The chair's decision for the family at this meeting; `version` is what a change must name."""

    decision_id: int
    text: str
    outcome_id: int
    outcome: str
    next_review_on: dt.date | None
    chair: str
    version: int
    correction_reason: str | None


@dataclass(frozen=True)
class FamilyCard:
    meeting_id: int
    held_on: dt.date
    meeting_open: bool
    previous_held_on: dt.date | None
    family_id: int
    case_reference: str
    social_worker: str | None
    band: Band
    score: float | None
    trend: str
    previous_band: Band | None
    explanation: str
    children: tuple[CardChild, ...]
    professionals: tuple[CardProfessional, ...]
    ratings: dict[tuple[int, int], CardRating] = field(default_factory=dict)
    """This meeting's ratings by (child_id, practitioner_id)."""
    last_month: dict[tuple[int, int], RAG] = field(default_factory=dict)
    """The previous scored meeting's ratings by (child_id, practitioner_id)."""
    open_actions: tuple[CardAction, ...] = ()
    persistent_disagreement: bool = False
    """The same split between professionals at most of the family's recent meetings; the explanation says which."""
    updates: tuple[CardUpdate, ...] = ()
    """Each professional's update for supervision, in the order of the grid's columns."""
    decision: CardDecision | None = None
    next_review_default: dt.date | None = None
    """The team's next meeting after this one (or four weeks on): the decision form's next review unless changed."""
    display_name: str | None = None
    """The family's name as the case system holds it (risk.presentation.family_label shows it)."""
    presentation_initials: bool = False
    """The team shows families' names as initials only in Presentation mode."""

    def label(self, presentation: bool = False) -> str:
        """The family as its team sees it: reference and name, or initials on a shared screen if the team says so."""
        return family_label(self.case_reference, self.display_name, presentation and self.presentation_initials)

    @property
    def action_owners(self) -> tuple[CardProfessional, ...]:
        """Who can be given an action: the professionals working with the family on the meeting date."""
        return tuple(p for p in self.professionals if p.involved)


def family_card(engine: Engine, actor: User | None, meeting_id: int, family_id: int) -> FamilyCard:
    """The card of a family on the meeting's caseload; NotFound if the family was not open with this team then.
    An open meeting's card at its change mark is computed once per process and shared by every session allowed to
    see it (db/queries/live_meeting.py): the access check comes first, and the card holds nothing about who asked."""
    with reading(engine) as session:
        meeting = get_meeting(session, actor, meeting_id)
        return shared_while_open(meeting, ("card", family_id), lambda: _card(session, meeting, family_id))


def _card(session: Session, meeting: Meeting, family_id: int) -> FamilyCard:
    found = families_at_meeting(session, meeting, [family_id])
    if not found:
        raise NotFound("That family is not on this meeting's caseload.")
    family = found[0]
    child_ids = [child.child_id for child in family.children]
    band, score, trend, explanation, child_rating, persistent = _assessment(session, meeting, family)

    ratings = {
        (r.child_id, r.practitioner_id): CardRating(r.rag, r.rationale)
        for r in session.scalars(select(Rating).where(Rating.meeting_id == meeting.id, Rating.child_id.in_(child_ids)))
    }
    before = previous_scored_meeting(session, meeting)
    last_month: dict[tuple[int, int], RAG] = {}
    if before is not None:
        last_month = {
            (child_id, practitioner_id): rag
            for child_id, practitioner_id, rag in session.execute(
                select(Rating.child_id, Rating.practitioner_id, Rating.rag).where(
                    Rating.meeting_id == before.id, Rating.child_id.in_(child_ids)
                )
            )
        }

    updates = supervision_updates(session, meeting.id, [family.family_id]).get(family.family_id, ())
    involved = {p.practitioner_id for p in family.professionals}
    people = involved | {practitioner_id for _, practitioner_id in ratings} | {u.author_id for u in updates}
    professionals = sorted(
        (
            CardProfessional(user.id, user.display_name, user.role, user.id in involved)
            for user in session.scalars(select(User).where(User.id.in_(people)))
        ),
        key=lambda p: (p.role.order, p.name, p.practitioner_id),
    )
    born = dict(session.execute(select(Child.id, Child.date_of_birth).where(Child.id.in_(child_ids))).all())
    worker = session.scalar(
        select(User.display_name).join(Family, Family.social_worker_id == User.id).where(Family.id == family.family_id)
    )
    return FamilyCard(
        meeting_id=meeting.id,
        held_on=meeting.held_on,
        meeting_open=meeting.status is MeetingStatus.OPEN,
        previous_held_on=before.held_on if before else None,
        family_id=family.family_id,
        case_reference=family.case_reference,
        display_name=family.display_name,
        presentation_initials=session.get_one(Team, meeting.team_id).presentation_initials,
        social_worker=worker,
        band=band,
        score=score,
        trend=trend,
        previous_band=family.previous.band if family.previous else None,
        explanation=explanation,
        children=tuple(
            CardChild(
                child.child_id,
                child.first_name,
                age_on(born[child.child_id], meeting.held_on),
                child.legal_status,
                child_rating.get(child.child_id),
            )
            for child in family.children
        ),
        professionals=tuple(professionals),
        ratings=ratings,
        last_month=last_month,
        open_actions=_open_actions(session, family.family_id, meeting.held_on),
        persistent_disagreement=persistent,
        updates=updates,
        decision=family_decisions(session, meeting.id, [family.family_id]).get(family.family_id),
        next_review_default=next_review_default(session, meeting.team_id, meeting.held_on),
    )


def supervision_updates(session: Session, meeting_id: int, family_ids: list[int]) -> dict[int, tuple[CardUpdate, ...]]:
    """The professionals' updates of these families at one meeting, by family, in the order people are listed
    (role, then name). An update with neither text nor kind of work is left out. Scoped by the caller."""
    kind = aliased(ChoiceItem)
    rows = session.execute(
        select(SupervisionUpdate, User.display_name, kind.label)
        .join(User, User.id == SupervisionUpdate.author_id)
        .outerjoin(kind, kind.id == SupervisionUpdate.work_kind_id)
        .where(SupervisionUpdate.meeting_id == meeting_id, SupervisionUpdate.family_id.in_(family_ids))
    ).all()
    found: dict[int, list[CardUpdate]] = {}
    for update, name, label in rows:
        if update.text is None and label is None:
            continue
        found.setdefault(update.family_id, []).append(
            CardUpdate(
                update.id,
                update.author_id,
                name,
                update.role,
                label,
                update.text,
                update.version,
                update.correction_reason,
                update.work_kind_id,
            )
        )
    return {
        family_id: tuple(sorted(items, key=lambda u: (u.role.order, u.author, u.author_id)))
        for family_id, items in found.items()
    }


def family_decisions(session: Session, meeting_id: int, family_ids: list[int]) -> dict[int, CardDecision]:
    """The chair's decisions for these families at one meeting, by family. Scoped by the caller."""
    rows = session.execute(
        select(FamilyDecision, ChoiceItem.label, User.display_name)
        .join(ChoiceItem, ChoiceItem.id == FamilyDecision.outcome_id)
        .join(User, User.id == FamilyDecision.chair_id)
        .where(FamilyDecision.meeting_id == meeting_id, FamilyDecision.family_id.in_(family_ids))
    ).all()
    return {
        d.family_id: CardDecision(
            d.id, d.text, d.outcome_id, label, d.next_review_on, chair, d.version, d.correction_reason
        )
        for d, label, chair in rows
    }


def _assessment(
    session: Session, meeting: Meeting, family: FamilyAtMeeting
) -> tuple[Band, float | None, str, str, dict[int, RAG], bool]:
    """(band, score, trend, explanation, each child's rating, persistent disagreement): live while open, as stored
    once closed (a score stored before persistent disagreement was a signal flagged none)."""
    if meeting.status is MeetingStatus.CLOSED:
        stored = session.scalars(
            select(FamilyRiskScore).where(
                FamilyRiskScore.meeting_id == meeting.id, FamilyRiskScore.family_id == family.family_id
            )
        ).one_or_none()
        if stored is not None:
            c = stored.components
            children = {child["child_id"]: RAG(child["rating"]) for child in c["children"]}
            persistent = c.get("persistent_disagreement", False)
            return Band(stored.band), stored.score, c["trend"], c["explanation"], children, persistent
        # A closed meeting without a stored score for this family (its dates were corrected since): assess it.
    a = assess_family(family, policy=team_policy(session, meeting.team_id))
    children = {child.child_id: child.rating for child in a.score.children}
    persistent = a.signals.has_persistent_disagreement
    return a.score.band, a.score.score, a.signals.trend.value, a.explanation, children, persistent


def _open_actions(session: Session, family_id: int, day: dt.date) -> tuple[CardAction, ...]:
    owner = aliased(User)
    rows = session.execute(
        select(Action, owner.display_name, owner.role, Meeting.held_on)
        .outerjoin(owner, owner.id == Action.owner_id)
        .outerjoin(Meeting, Meeting.id == Action.meeting_id)
        .where(Action.family_id == family_id, Action.completed_on.is_(None))
        .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    )
    return tuple(
        CardAction(
            action_id=action.id,
            text=action.text,
            owner_id=action.owner_id,
            owner=name,
            owner_role=role,
            due_on=action.due_on,
            agreed_on=held_on or action.created_at.date(),
            overdue=action.due_on is not None and action.due_on < day,
        )
        for action, name, role, held_on in rows
    )
