"""The order a team works through its caseload at supervision, and the card shown for each family.

Most urgent first: band (red, amber, then unrated, because a family nobody rated is an unknown and must never hide
among the greens, then green), score, trend, disagreement now, then disagreement persisting over recent months, how
far the state has stepped in, and how long since the family was last discussed; the case reference settles the
rest so the order is the same every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from risk.explain import explain_family
from risk.inputs import FamilyAtMeeting
from risk.policies import DEFAULT_POLICY
from risk.scoring import FamilyScore, score_family
from risk.signals import DEFAULT_DRIFT_DAYS, FamilySignals, Trend, read_signals
from risk.vocabulary import BAND_PRIORITY, LegalStatus

_BAND_ORDER = {band: position for position, band in enumerate(BAND_PRIORITY)}
# Getting worse first, then families the team has not seen rated before, then steady, then getting better.
# NOT_RATED only ever meets other unrated families (they share a band), so its place among these is nominal.
_TREND_ORDER = {
    Trend.DETERIORATED: 0,
    Trend.NEW: 1,
    Trend.NOT_RATED: 2,
    Trend.UNCHANGED: 3,
    Trend.IMPROVED: 4,
}


@dataclass(frozen=True, slots=True)
class FamilyAssessment:
    """One family's card at a meeting: its score, signals and explanation, ready to show or to rank."""

    family_id: int
    case_reference: str
    score: FamilyScore
    signals: FamilySignals
    legal_status: LegalStatus | None
    last_discussed_on: date | None
    explanation: str


@dataclass(frozen=True, slots=True)
class RankedFamily:
    rank: int
    assessment: FamilyAssessment


def most_severe_legal_status(family: FamilyAtMeeting) -> LegalStatus | None:
    statuses = [child.legal_status for child in family.children if child.legal_status is not None]
    return max(statuses, key=lambda status: status.severity, default=None)


def assess_family(
    family: FamilyAtMeeting, policy: str = DEFAULT_POLICY, drift_days: int = DEFAULT_DRIFT_DAYS
) -> FamilyAssessment:
    """Everything about one family, without ranking the rest of the team's caseload."""
    child_ids = {child.child_id for child in family.children}
    rated = {r.child_id for r in family.ratings} | {r.child_id for e in family.history for r in e.ratings}
    strays = sorted(rated - child_ids)
    if strays:
        raise ValueError(f"Family {family.case_reference} has ratings for children not in it: {strays}")
    score = score_family(family.ratings, policy)
    signals = read_signals(family, score, drift_days)
    return FamilyAssessment(
        family_id=family.family_id,
        case_reference=family.case_reference,
        score=score,
        signals=signals,
        legal_status=most_severe_legal_status(family),
        last_discussed_on=family.last_discussed_on,
        explanation=explain_family(family, score, signals),
    )


def _priority(a: FamilyAssessment) -> tuple[object, ...]:
    return (
        _BAND_ORDER[a.score.band],
        -(a.score.score or 0.0),
        _TREND_ORDER[a.signals.trend],
        not a.signals.has_disagreement,
        not a.signals.has_persistent_disagreement,
        -(a.legal_status.severity if a.legal_status else 0),
        a.last_discussed_on or date.min,  # never discussed comes first of all
        a.case_reference,
        a.family_id,
    )


def rank_caseload(
    families: Sequence[FamilyAtMeeting], policy: str = DEFAULT_POLICY, drift_days: int = DEFAULT_DRIFT_DAYS
) -> list[RankedFamily]:
    """The team's families in discussion order, ranked from 1."""
    assessments = sorted((assess_family(f, policy, drift_days) for f in families), key=_priority)
    return [RankedFamily(rank, assessment) for rank, assessment in enumerate(assessments, start=1)]
