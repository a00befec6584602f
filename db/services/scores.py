"""Stored family risk scores: written when a meeting closes, and rebuilt on demand (`fsdash scores rebuild`).

A stored row keeps the band, the score, the policy and its version, and the components behind them (each child's
rating and who gave it, the signals, the rank and the explanation), so a score read next year still explains
itself. Storing is idempotent: the same ratings and policy give the same rows, updated in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line
from db.errors import InvalidInput
from db.models import FamilyRiskScore, Meeting, Team, User
from db.queries.meeting_inputs import families_at_meeting
from db.services.audit import record
from db.session import reading, transaction
from risk.ranking import RankedFamily, rank_caseload
from risk.scoring import DEFAULT_POLICY, get_policy
from risk.vocabulary import MeetingStatus


def stored_components(ranked: RankedFamily) -> dict[str, Any]:
    """What is kept beside a score: the derivation plus the signals and words the chair saw."""
    a = ranked.assessment
    return a.score.components | {
        "rank": ranked.rank,
        "trend": a.signals.trend.value,
        "disagreement": a.signals.has_disagreement,
        "persistent_disagreement": a.signals.has_persistent_disagreement,
        "missing_ratings": a.signals.missing_count,
        "drifting": a.signals.drifting,
        "overdue_actions": a.signals.overdue_actions,
        "legal_status": a.legal_status.value if a.legal_status else None,
        "explanation": a.explanation,
    }


def store_meeting_scores(session: Session, actor: User | None, meeting: Meeting, policy: str = DEFAULT_POLICY) -> int:
    """Compute and store (insert or update in place) a score for every family of the meeting's team.

    Runs inside the caller's transaction. Writes one audit event for the meeting when anything changed.
    Returns the number of families scored.
    """
    ranked = rank_caseload(families_at_meeting(session, meeting), policy=policy)
    existing = {
        row.family_id: row
        for row in session.scalars(select(FamilyRiskScore).where(FamilyRiskScore.meeting_id == meeting.id))
    }
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for item in ranked:
        a = item.assessment
        components = stored_components(item)
        row = existing.pop(a.family_id, None)
        values = {
            "band": a.score.band,
            "score": a.score.score,
            "policy": a.score.policy,
            "policy_version": a.score.policy_version,
            "components": components,
        }
        if row is None:
            session.add(FamilyRiskScore(meeting_id=meeting.id, family_id=a.family_id, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            before[str(a.family_id)] = _summary(row.band, row.score, row.policy)
            for key, value in values.items():
                setattr(row, key, value)
        else:
            continue
        after[str(a.family_id)] = _summary(a.score.band, a.score.score, a.score.policy)
    for gone in existing.values():  # a family no longer open on the meeting date (e.g. its dates were corrected)
        before[str(gone.family_id)] = _summary(gone.band, gone.score, gone.policy)
        session.delete(gone)
    if before or after:
        record(session, actor, "scores.store", "meeting", meeting.id, before=before or None, after=after or None)
    return len(ranked)


def _summary(band: Any, score: float | None, policy: str) -> dict[str, Any]:
    return {"band": str(band), "score": score, "policy": policy}


@dataclass(frozen=True)
class RebuildResult:
    meetings: int
    scores: int
    policy: str


def rebuild_scores(
    engine: Engine,
    actor: User | None,
    team: str | None = None,
    policy: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RebuildResult:
    """Recompute the stored scores of every closed meeting (of one team, if named), oldest first.

    Oldest first matters: each meeting's trend is measured against the previous meeting's stored score.
    One transaction per team, so an interrupted rebuild leaves whole teams either old or new, never a mix.
    Meant for the command line (actor None is the system); it is not exposed to users on pages.
    """
    require_admin_or_command_line(actor)
    policy = get_policy(policy or DEFAULT_POLICY).name
    with reading(engine) as session:
        query = select(Meeting.id, Meeting.team_id).join(Team).where(Meeting.status == MeetingStatus.CLOSED)
        if team is not None:
            query = query.where(Team.name == team)
            if session.scalar(select(Team.id).where(Team.name == team)) is None:
                raise InvalidInput(f"There is no team called {team!r}.")
        meetings = session.execute(query.order_by(Meeting.team_id, Meeting.held_on)).all()
    by_team: dict[int, list[int]] = {}
    for meeting_id, team_id in meetings:
        by_team.setdefault(team_id, []).append(meeting_id)
    done = scores = 0
    for meeting_ids in by_team.values():
        with transaction(engine) as session:
            for meeting_id in meeting_ids:
                meeting = session.get_one(Meeting, meeting_id)
                scores += store_meeting_scores(session, actor, meeting, policy)
                done += 1
                if progress:
                    progress(done, len(meetings))
    return RebuildResult(meetings=done, scores=scores, policy=policy)
