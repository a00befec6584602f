"""The team's risk rule beside another, at one meeting: which families the other rule would band or rank
differently, and how many would move between bands.

A window for the team to discuss its rule, never a way to change a score: nothing is written, and the team's side
is what the team actually has. For a closed meeting that is the stored record (band, score, rank and explanation as
kept in FamilyRiskScore), so the comparison shows exactly what was decided; the other rule is applied to the same
meeting's ratings. For an open meeting both sides are ranked live from the same inputs, read once. Only the team's
manager (who chairs supervision) may look, as with every other chair-only view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.access import require_manager_of
from db.errors import NotFound
from db.models import Family, FamilyRiskScore, Meeting, User
from db.queries.meeting_inputs import families_at_meeting, team_policy
from db.session import reading
from risk.ranking import RankedFamily, rank_caseload
from risk.scoring import get_policy
from risk.vocabulary import Band, MeetingStatus

# Most severe first, as the ranking orders bands (an unrated family is an unknown, so it sits above green).
_BAND_ORDER = {Band.RED: 0, Band.AMBER: 1, Band.UNRATED: 2, Band.GREEN: 3}


@dataclass(frozen=True)
class RuleView:
    """One family as one rule sees it at the meeting."""

    band: Band
    score: float | None
    rank: int
    explanation: str


@dataclass(frozen=True)
class ComparedFamily:
    """A family the two rules band or rank differently."""

    family_id: int
    case_reference: str
    team: RuleView
    other: RuleView

    @property
    def band_changes(self) -> bool:
        return self.team.band is not self.other.band


@dataclass(frozen=True)
class BandMove:
    """How many families would move from one band to another under the other rule."""

    from_band: Band
    to_band: Band
    count: int

    @property
    def words(self) -> str:
        return move_words(self.from_band, self.to_band, self.count)


@dataclass(frozen=True)
class PolicyComparison:
    """The meeting's families under the team's rule and under another, keeping only those that differ."""

    meeting_id: int
    team_policy: str
    other_policy: str
    stored: bool
    """True when the team's side was read from the meeting's stored scores (a closed meeting)."""
    families_compared: int
    differing: list[ComparedFamily]
    """Families whose band or rank differ, in the team's rank order."""
    moves: list[BandMove]
    """Counted moves between bands, most severe first."""

    @property
    def reordered_only(self) -> int:
        """Families that keep their band but change place."""
        return sum(1 for f in self.differing if not f.band_changes)


def move_words(from_band: Band, to_band: Band, count: int) -> str:
    """'2 families would move from red to amber': the sentence the chair reads out to the team."""
    families = "1 family" if count == 1 else f"{count} families"
    return f"{families} would move from {from_band.label.lower()} to {to_band.label.lower()}"


def count_moves(families: Iterable[ComparedFamily]) -> list[BandMove]:
    """Band changes counted by (from, to), most severe first: by the team's band, then by the other rule's, as the
    ranking orders bands, so the families the team now treats as most at risk are read out first."""
    counted = Counter((f.team.band, f.other.band) for f in families if f.band_changes)
    ordered = sorted(counted, key=lambda pair: (_BAND_ORDER[pair[0]], _BAND_ORDER[pair[1]]))
    return [BandMove(from_band, to_band, counted[(from_band, to_band)]) for from_band, to_band in ordered]


def policy_comparison(engine: Engine, actor: User | None, meeting_id: int, other: str = "median") -> PolicyComparison:
    """The meeting's families ranked by the team's rule and by `other`, for the team's manager only."""
    other = get_policy(other).name
    with reading(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        require_manager_of(session, actor, meeting.team_id)
        stored = _stored_side(session, meeting) if meeting.status is MeetingStatus.CLOSED else {}
        if stored:
            rule = Counter(policy for policy, _, _ in stored.values()).most_common(1)[0][0]
            # the other rule ranks exactly the families on record, so both ranks count the same families
            inputs = families_at_meeting(session, meeting, family_ids=list(stored))
            team_side = {family_id: view for family_id, (_, _, view) in stored.items()}
            references = {family_id: ref for family_id, (_, ref, _) in stored.items()}
        else:
            rule = team_policy(session, meeting.team_id)
            inputs = families_at_meeting(session, meeting)
            team_side = _views(rank_caseload(inputs, policy=rule))
            references = {f.family_id: f.case_reference for f in inputs}
    other_side = _views(rank_caseload(inputs, policy=other))
    differing = sorted(
        (
            ComparedFamily(family_id, references[family_id], team_view, other_side[family_id])
            for family_id, team_view in team_side.items()
            if family_id in other_side and _differs(team_view, other_side[family_id])
        ),
        key=lambda f: (f.team.rank, f.case_reference),
    )
    return PolicyComparison(
        meeting_id=meeting_id,
        team_policy=rule,
        other_policy=other,
        stored=bool(stored),
        families_compared=len(team_side.keys() & other_side.keys()),
        differing=differing,
        moves=count_moves(differing),
    )


def _differs(team: RuleView, other: RuleView) -> bool:
    return team.band is not other.band or team.rank != other.rank


def _views(ranked: Sequence[RankedFamily]) -> dict[int, RuleView]:
    return {
        r.assessment.family_id: RuleView(
            r.assessment.score.band, r.assessment.score.score, r.rank, r.assessment.explanation
        )
        for r in ranked
    }


def _stored_side(session: Session, meeting: Meeting) -> dict[int, tuple[str, str, RuleView]]:
    """family id → (policy, case reference, the record) from the meeting's stored scores, as the chair saw them."""
    rows = session.execute(
        select(
            FamilyRiskScore.family_id,
            FamilyRiskScore.policy,
            FamilyRiskScore.band,
            FamilyRiskScore.score,
            FamilyRiskScore.components,
            Family.case_reference,
        )
        .join(Family, Family.id == FamilyRiskScore.family_id)
        .where(FamilyRiskScore.meeting_id == meeting.id)
    )
    return {
        row.family_id: (
            row.policy,
            row.case_reference,
            RuleView(Band(row.band), row.score, row.components["rank"], row.components["explanation"]),
        )
        for row in rows
    }
