"""Stored family risk scores and the team's rule they are made by.

Scores are written when a meeting closes, when a rating of a closed meeting is corrected, and rebuilt on demand
(`fsdash scores rebuild`, which stores the meetings' summaries for the Service overview again too,
db/services/meeting_summaries.py); every one of them under the team's own rule, which an administrator sets
(`set_team_policy`, from the Admin page or `fsdash teams set-policy`). A stored row keeps the band, the score, the
policy and its version, and the components behind them (each child's rating and who gave it, the signals, the
rank and the explanation), so a score read next year still explains itself. Storing is idempotent: the same
ratings and rule give the same rows, updated in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line, visible_families
from db.errors import InvalidInput, NotFound
from db.models import Family, FamilyRiskScore, Meeting, Team, User
from db.queries.meeting_inputs import families_at_meeting, team_policy
from db.services.audit import record
from db.services.meeting_changes import bump_open_meetings
from db.services.meeting_summaries import store_meeting_summaries
from db.session import reading, transaction
from risk.policies import POLICIES, Policy
from risk.ranking import RankedFamily, rank_caseload
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


def store_meeting_scores(session: Session, actor: User | None, meeting: Meeting) -> int:
    """Compute and store (insert or update in place) a score for every family of the meeting's team, under the
    team's own rule.

    A restricted family is left as it is: not scored, and its stored scores kept. Runs inside the caller's
    transaction. Writes one audit event for the meeting when anything changed.
    Returns the number of families scored.
    """
    policy = team_policy(session, meeting.team_id)
    ranked = rank_caseload(families_at_meeting(session, meeting), policy=policy)
    existing = {
        row.family_id: row
        for row in session.scalars(
            select(FamilyRiskScore)
            .join(Family, Family.id == FamilyRiskScore.family_id)
            .where(FamilyRiskScore.meeting_id == meeting.id, visible_families())
        )
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
    policies: tuple[str, ...]
    """The rules the rebuilt teams' scores were made by, by name (each team's own)."""


def rebuild_scores(
    engine: Engine,
    actor: User | None,
    team: str | None = None,
    policy: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RebuildResult:
    """Recompute the stored scores of every closed meeting (of one team, if named), oldest first, each team under
    its own rule; with `policy`, each team is first moved to that rule (audited, as `set_team_policy` does).

    Oldest first matters: each meeting's trend is measured against the previous meeting's stored score.
    One transaction per team, so an interrupted rebuild leaves whole teams either old or new, never a mix.
    Meant for the command line (actor None is the system); it is not exposed to users on pages.
    """
    require_admin_or_command_line(actor)
    rule = _rule(policy) if policy is not None else None
    with reading(engine) as session:
        teams = select(Team.id).order_by(Team.id)
        if team is not None:
            teams = teams.where(Team.name == team)
        team_ids = list(session.scalars(teams))
        if team is not None and not team_ids:
            raise InvalidInput(f"There is no team called {team!r}.")
        total = session.scalar(
            select(func.count()).where(Meeting.team_id.in_(team_ids), Meeting.status == MeetingStatus.CLOSED)
        )
    done = scores = 0
    used: set[str] = set()

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total or 0)

    for team_id in team_ids:
        with transaction(engine) as session:
            if rule is not None:
                _move_team(session, actor, session.get_one(Team, team_id, with_for_update=True), rule)
            meetings, stored = _store_closed_meetings(session, actor, team_id, tick)
            scores += stored
            if meetings or rule is not None:
                used.add(team_policy(session, team_id))
    return RebuildResult(meetings=done, scores=scores, policies=tuple(sorted(used)))


@dataclass(frozen=True)
class PolicyChange:
    """What `set_team_policy` did: the team's rule now, whether that was a change, and what was rebuilt."""

    team: str
    policy: str
    version: int
    changed: bool
    meetings_rebuilt: int
    scores_rebuilt: int


def set_team_policy(
    engine: Engine, actor: User | None, team: int | str, policy: str, *, rebuild: bool = False
) -> PolicyChange:
    """Move a team (by id, or by name from the command line) to another rule: administrators only.

    From then on the team's live ranking, its family cards and every meeting it closes follow the new rule. Its
    closed meetings keep the scores they were stored with (the record of what each meeting saw) unless `rebuild`
    asks for them to be remade under the new rule, in the same transaction: do that when the trends should compare
    like with like, since the first meeting under the new rule otherwise measures its trend against scores stored
    under the old one. Audited, with the rule before and after; setting the rule a team already has changes nothing
    (and, with `rebuild`, only remakes its scores).
    """
    require_admin_or_command_line(actor)
    rule = _rule(policy)
    with transaction(engine) as session:
        where = Team.id == team if isinstance(team, int) else Team.name == team
        found = session.scalars(select(Team).where(where).with_for_update()).one_or_none()
        if found is None:
            raise NotFound(
                f"There is no team called {team!r}." if isinstance(team, str) else "That team does not exist."
            )
        changed = _move_team(session, actor, found, rule)
        meetings, scores = _store_closed_meetings(session, actor, found.id) if rebuild else (0, 0)
        return PolicyChange(found.name, rule.name, rule.version, changed, meetings, scores)


def _rule(name: str) -> Policy:
    try:
        return POLICIES[name]
    except KeyError:
        raise InvalidInput(f"There is no risk rule called {name!r}. The rules are: {', '.join(POLICIES)}.") from None


def _move_team(session: Session, actor: User | None, team: Team, rule: Policy) -> bool:
    """Set the team's rule inside the caller's transaction, audited; False when it already had it."""
    before = {"policy": team.policy, "version": team.policy_version}
    after = {"policy": rule.name, "version": rule.version}
    if before == after:
        return False
    team.policy, team.policy_version = rule.name, rule.version
    record(session, actor, "team.policy", "team", team.id, before=before, after=after)
    bump_open_meetings(session, [team.id])  # its live ranking and cards follow the rule
    return True


def _store_closed_meetings(
    session: Session, actor: User | None, team_id: int, each: Callable[[], None] | None = None
) -> tuple[int, int]:
    """Store again the scores of every closed meeting of the team under its rule, oldest first (each meeting's trend
    is measured against the previous meeting's stored score), inside the caller's transaction; `each` is called
    after every meeting. Returns (meetings, scores)."""
    closed = session.scalars(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.CLOSED)
        .order_by(Meeting.held_on, Meeting.id)
    ).all()
    scores = 0
    for meeting in closed:
        scores += store_meeting_scores(session, actor, meeting)
        if each is not None:
            each()
    store_meeting_summaries(session, [meeting.id for meeting in closed])  # the overview's groups, in one pass
    if closed:
        bump_open_meetings(session, [team_id])  # the open meeting's trend is measured against the latest of them
    return len(closed), scores
