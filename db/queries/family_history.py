"""One family's history for the Family page: every rating per child per professional per meeting, the stored
scores, the legal status periods, actions, each change made to its ratings, and month by month each professional's
update and the chair's decision. Only this family's rows are read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, Row, select
from sqlalchemy.orm import Session, aliased

from db.access import require_case_team, visible_families
from db.errors import NotFound
from db.models import (
    Action,
    AuditEvent,
    Family,
    FamilyDecision,
    FamilyRiskScore,
    LegalStatusPeriod,
    Meeting,
    Rating,
    SupervisionUpdate,
    User,
)
from db.queries.family_card import CardDecision, CardUpdate, family_decisions, supervision_updates
from db.session import reading
from risk.presentation import family_label
from risk.vocabulary import RAG, Band, LegalStatus, Role

# a family's ratings as family_history reads them: id, meeting day, child id, professional, role, rag, rationale
_RatingRow = Row[int, dt.date, int, str, Role, RAG, str | None]


@dataclass(frozen=True)
class FamilyRef:
    id: int
    case_reference: str
    closed_on: dt.date | None
    display_name: str | None = None

    @property
    def label(self) -> str:
        """The family as its team sees it (risk.presentation.family_label)."""
        return family_label(self.case_reference, self.display_name)


@dataclass(frozen=True)
class RatingPoint:
    held_on: dt.date
    child: str
    professional: str
    role: Role
    rag: RAG
    rationale: str | None


@dataclass(frozen=True)
class ScorePoint:
    held_on: dt.date
    band: Band
    score: float | None


@dataclass(frozen=True)
class StatusSpan:
    child: str
    status: LegalStatus
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(frozen=True)
class ActionRow:
    raised_on: dt.date | None
    text: str
    owner: str | None
    due_on: dt.date | None
    completed_on: dt.date | None


@dataclass(frozen=True)
class RatingChange:
    """A saved rating changed by its author (while the meeting was open) or corrected by the manager after."""

    at: dt.datetime
    by: str | None
    kind: str
    child: str
    professional: str
    before: str | None
    after: str | None
    reason: str | None


@dataclass(frozen=True)
class SupervisionMonth:
    """One meeting's record of the family beyond the ratings: each professional's update and the decision."""

    held_on: dt.date
    updates: tuple[CardUpdate, ...]
    decision: CardDecision | None


@dataclass(frozen=True)
class FamilyHistory:
    family_id: int
    case_reference: str
    team: str
    social_worker: str | None
    opened_on: dt.date
    closed_on: dt.date | None
    children: tuple[str, ...]
    ratings: tuple[RatingPoint, ...]
    scores: tuple[ScorePoint, ...]
    statuses: tuple[StatusSpan, ...]
    actions: tuple[ActionRow, ...]
    changes: tuple[RatingChange, ...]
    months: tuple[SupervisionMonth, ...] = ()
    """Each meeting with an update or a decision for the family, the latest first."""
    display_name: str | None = None

    @property
    def label(self) -> str:
        """The family as its team sees it (risk.presentation.family_label)."""
        return family_label(self.case_reference, self.display_name)


def team_families(engine: Engine, actor: User | None, team_id: int) -> list[FamilyRef]:
    """The team's families, open ones first, by case reference."""
    with reading(engine) as session:
        require_case_team(session, actor, team_id)
        rows = session.execute(
            select(Family.id, Family.case_reference, Family.closed_on, Family.display_name)
            .where(Family.team_id == team_id, visible_families())
            .order_by(Family.closed_on.is_not(None), Family.case_reference)
        )
        return [FamilyRef(*row) for row in rows]


def family_history(engine: Engine, actor: User | None, family_id: int) -> FamilyHistory:
    """Everything the Family page draws. Only the family's team may read it (AccessDenied for anyone else,
    service leads included: they see team-level pictures, never a named family)."""
    with reading(engine) as session:
        family = session.get(Family, family_id)
        if family is None:
            raise NotFound("That family does not exist.")
        require_case_team(session, actor, family.team_id)
        if family.restricted_at is not None:
            raise NotFound("That family does not exist.")
        children = {c.id: c.first_name for c in family.children}
        ratings = session.execute(
            select(
                Rating.id, Meeting.held_on, Rating.child_id, User.display_name, User.role, Rating.rag, Rating.rationale
            )
            .join(Meeting, Meeting.id == Rating.meeting_id)
            .join(User, User.id == Rating.practitioner_id)
            .where(Rating.child_id.in_(children))
            .order_by(Meeting.held_on, Rating.child_id, User.display_name)
        ).all()
        scores = session.execute(
            select(Meeting.held_on, FamilyRiskScore.band, FamilyRiskScore.score)
            .join(Meeting, Meeting.id == FamilyRiskScore.meeting_id)
            .where(FamilyRiskScore.family_id == family_id)
            .order_by(Meeting.held_on)
        ).all()
        statuses = session.execute(
            select(
                LegalStatusPeriod.child_id,
                LegalStatusPeriod.status,
                LegalStatusPeriod.started_on,
                LegalStatusPeriod.ended_on,
            )
            .where(LegalStatusPeriod.child_id.in_(children))
            .order_by(LegalStatusPeriod.child_id, LegalStatusPeriod.started_on)
        ).all()
        raised = aliased(Meeting)
        actions = session.execute(
            select(raised.held_on, Action.text, User.display_name, Action.due_on, Action.completed_on)
            .outerjoin(raised, raised.id == Action.meeting_id)
            .outerjoin(User, User.id == Action.owner_id)
            .where(Action.family_id == family_id)
            .order_by(Action.completed_on.is_not(None), Action.due_on)
        ).all()
        # keyed by AuditEvent.entity_id's type (nullable): the events below are the ones whose id is a key
        rating_ids: dict[str | None, _RatingRow] = {str(r.id): r for r in ratings}
        events = session.execute(
            select(AuditEvent, User.display_name)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(
                AuditEvent.entity_type == "rating",
                AuditEvent.entity_id.in_(rating_ids),
                AuditEvent.verb.in_(("rating.update", "rating.correct")),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        ).all()
        return FamilyHistory(
            family_id=family.id,
            case_reference=family.case_reference,
            display_name=family.display_name,
            team=family.team.name,
            social_worker=family.social_worker.display_name if family.social_worker else None,
            opened_on=family.opened_on,
            closed_on=family.closed_on,
            children=tuple(children.values()),
            ratings=tuple(
                RatingPoint(r.held_on, children[r.child_id], r.display_name, r.role, r.rag, r.rationale)
                for r in ratings
            ),
            scores=tuple(ScorePoint(s.held_on, Band(s.band), s.score) for s in scores),
            statuses=tuple(StatusSpan(children[s.child_id], s.status, s.started_on, s.ended_on) for s in statuses),
            actions=tuple(ActionRow(*a) for a in actions),
            changes=tuple(_change(event, by, rating_ids[event.entity_id], children) for event, by in events),
            months=_months(session, family_id),
        )


def _months(session: Session, family_id: int) -> tuple[SupervisionMonth, ...]:
    """The family's updates and decisions, meeting by meeting, the latest meeting first."""
    meetings = session.execute(
        select(Meeting.id, Meeting.held_on)
        .where(
            Meeting.id.in_(select(SupervisionUpdate.meeting_id).where(SupervisionUpdate.family_id == family_id))
            | Meeting.id.in_(select(FamilyDecision.meeting_id).where(FamilyDecision.family_id == family_id))
        )
        .order_by(Meeting.held_on.desc())
    ).all()
    months = []
    for meeting_id, held_on in meetings:
        updates = supervision_updates(session, meeting_id, [family_id]).get(family_id, ())
        decision = family_decisions(session, meeting_id, [family_id]).get(family_id)
        if updates or decision:
            months.append(SupervisionMonth(held_on, updates, decision))
    return tuple(months)


def _change(event: AuditEvent, by: str | None, rating: _RatingRow, children: dict[int, str]) -> RatingChange:
    return RatingChange(
        at=event.occurred_at,
        by=by,
        kind="corrected" if event.verb == "rating.correct" else "changed",
        child=children[rating.child_id],
        professional=rating.display_name,
        before=(event.before or {}).get("rag"),
        after=(event.after or {}).get("rag"),
        reason=(event.after or {}).get("reason"),
    )
