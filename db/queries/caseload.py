"""The team's ranked caseload at a meeting, as the chair and the caseload page see it.

An open meeting is ranked live from its ratings so far; a closed meeting is read back from its stored scores, so
the record shows exactly what was decided on the day even if the rules change later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, joinedload

from db.access import require_case_team, visible_families
from db.errors import NotFound
from db.models import Family, FamilyRiskScore, Meeting, User
from db.queries.live_meeting import shared_while_open
from db.queries.meeting_inputs import families_at_meeting, team_policy
from db.services.scores import stored_components
from db.session import reading
from risk.presentation import family_label
from risk.ranking import rank_caseload
from risk.vocabulary import Band, LegalStatus, MeetingStatus


@dataclass(frozen=True)
class CaseloadEntry:
    """One row of the ranked caseload: everything the chair needs to decide what to discuss next."""

    rank: int
    family_id: int
    case_reference: str
    social_worker: str | None
    band: Band
    score: float | None
    trend: str
    disagreement: bool
    persistent_disagreement: bool
    missing_ratings: int
    drifting: bool
    overdue_actions: int
    legal_status: LegalStatus | None
    explanation: str
    display_name: str | None = None

    def label(self, initials_only: bool = False) -> str:
        """The family as its team sees it (risk.presentation.family_label)."""
        return family_label(self.case_reference, self.display_name, initials_only)


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    team_id: int
    team: str
    held_on: dt.date
    status: MeetingStatus
    chair: str | None
    starts_at: dt.time | None = None
    presentation_initials: bool = False
    """The team shows families' names as initials only in Presentation mode."""


def _summary(meeting: Meeting) -> MeetingSummary:
    return MeetingSummary(
        meeting.id,
        meeting.team_id,
        meeting.team.name,
        meeting.held_on,
        meeting.status,
        meeting.chair.display_name if meeting.chair else None,
        meeting.starts_at,
        meeting.team.presentation_initials,
    )


def team_meetings(engine: Engine, actor: User | None, team_id: int) -> list[MeetingSummary]:
    """The team's meetings, newest first."""
    with reading(engine) as session:
        require_case_team(session, actor, team_id)
        meetings = session.scalars(
            select(Meeting).where(Meeting.team_id == team_id).order_by(Meeting.held_on.desc())
        ).all()
        return [_summary(m) for m in meetings]


def get_meeting(session: Session, actor: User | None, meeting_id: int) -> Meeting:
    """The meeting, with its team and chair in the same statement (every page shows them), if the actor may see
    the team's cases."""
    meeting = session.get(Meeting, meeting_id, options=[joinedload(Meeting.team), joinedload(Meeting.chair)])
    if meeting is None:
        raise NotFound("That meeting does not exist.")
    require_case_team(session, actor, meeting.team_id)
    return meeting


def ranked_caseload(
    engine: Engine, actor: User | None, meeting_id: int, policy: str | None = None
) -> tuple[MeetingSummary, list[CaseloadEntry]]:
    """The meeting and its families in rank order (live while open, under the team's rule unless `policy` names
    another; as stored once closed). An open meeting's ranking at its change mark is computed once per process and
    shared by every session allowed to see it (db/queries/live_meeting.py); the access check comes first."""
    with reading(engine) as session:
        meeting = get_meeting(session, actor, meeting_id)
        entries = shared_while_open(meeting, ("ranking", policy), lambda: _ranked(session, meeting, policy))
        return _summary(meeting), list(entries)


def _ranked(session: Session, meeting: Meeting, policy: str | None) -> tuple[CaseloadEntry, ...]:
    """The entries in rank order, with nothing in them that depends on who asked (they may be shared)."""
    workers = _social_workers(session, meeting.team_id)
    if meeting.status is MeetingStatus.OPEN:
        policy = policy or team_policy(session, meeting.team_id)
        families = families_at_meeting(session, meeting)
        names = {f.family_id: f.display_name for f in families}
        ranked = rank_caseload(families, policy=policy)
        rows = [
            (
                stored_components(r),
                r.assessment.score.band,
                r.assessment.score.score,
                r.assessment.family_id,
                r.assessment.case_reference,
            )
            for r in ranked
        ]
    else:
        names = {}
        rows = []
        for score, ref, name in session.execute(
            select(FamilyRiskScore, Family.case_reference, Family.display_name)
            .join(Family, Family.id == FamilyRiskScore.family_id)
            .where(FamilyRiskScore.meeting_id == meeting.id, visible_families())
        ):
            rows.append((score.components, score.band, score.score, score.family_id, ref))
            names[score.family_id] = name
    entries = [
        _entry(c, band, score, family_id, ref, workers.get(family_id), names.get(family_id))
        for c, band, score, family_id, ref in rows
    ]
    return tuple(sorted(entries, key=lambda e: e.rank))


def _entry(
    c: dict[str, Any], band: Band, score: float | None, family_id: int, ref: str, worker: str | None, name: str | None
) -> CaseloadEntry:
    return CaseloadEntry(
        rank=c["rank"],
        family_id=family_id,
        case_reference=ref,
        display_name=name,
        social_worker=worker,
        band=Band(band),
        score=score,
        trend=c["trend"],
        disagreement=c["disagreement"],
        # scores stored before persistent disagreement was a signal have no such key: nothing was flagged then
        persistent_disagreement=c.get("persistent_disagreement", False),
        missing_ratings=c["missing_ratings"],
        drifting=c["drifting"],
        overdue_actions=c["overdue_actions"],
        legal_status=LegalStatus(c["legal_status"]) if c["legal_status"] else None,
        explanation=c["explanation"],
    )


def _social_workers(session: Session, team_id: int) -> dict[int, str]:
    return {
        family_id: name
        for family_id, name in session.execute(
            select(Family.id, User.display_name)
            .join(User, User.id == Family.social_worker_id)
            .where(Family.team_id == team_id, visible_families())
        )
    }
