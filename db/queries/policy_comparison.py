"""The team's risk rule beside another of the rules it could use (risk.policies), at one meeting: which families
the other rule would band or rank differently, and how many would move between bands.

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

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.access import require_manager_of, visible_families
from db.errors import NotFound
from db.models import Family, FamilyRiskScore, Meeting, User
from db.queries.meeting_inputs import families_at_meeting, team_policy
from db.session import reading
from risk.policies import Policy, get_policy, other_policies
from risk.presentation import family_label
from risk.ranking import RankedFamily, rank_caseload
from risk.vocabulary import BAND_PRIORITY, Band, MeetingStatus

_BAND_ORDER = {band: i for i, band in enumerate(BAND_PRIORITY)}


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
    display_name: str | None = None

    def label(self, initials_only: bool = False) -> str:
        """The family as its team sees it (risk.presentation.family_label)."""
        return family_label(self.case_reference, self.display_name, initials_only)

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


@dataclass(frozen=True)
class RulesToCompare:
    """The rule on the team's side at this meeting and the rules it can be compared with, in the registry's order."""

    team_policy: str
    others: list[Policy]


def rules_to_compare(engine: Engine, actor: User | None, meeting_id: int) -> RulesToCompare:
    """What the chair can compare at this meeting: the team's side is the rule of the meeting's stored record once
    it has closed (what the meeting decided), else the team's own rule; the others come from the registry. Two
    indexed look-ups, so the Meeting page can name the choices before anything is ranked."""
    with reading(engine) as session:
        meeting = _meeting_for_the_chair(session, actor, meeting_id)
        rule = _team_side_rule(session, meeting)
    return RulesToCompare(rule, other_policies(rule))


def policy_comparison(
    engine: Engine, actor: User | None, meeting_id: int, other: str | None = None
) -> PolicyComparison:
    """The meeting's families ranked by the team's rule and by `other` (by default the first of the other rules),
    for the team's manager only."""
    if other is not None:
        other = get_policy(other).name
    with reading(engine) as session:
        meeting = _meeting_for_the_chair(session, actor, meeting_id)
        stored = _stored_side(session, meeting) if meeting.status is MeetingStatus.CLOSED else {}
        if stored:
            rule = _most_common(Counter(policy for policy, _, _ in stored.values()))
            # the other rule ranks exactly the families on record, so both ranks count the same families
            inputs = families_at_meeting(session, meeting, family_ids=list(stored))
            team_side = {family_id: view for family_id, (_, _, view) in stored.items()}
            references = {family_id: ref for family_id, (_, ref, _) in stored.items()}
        else:
            rule = team_policy(session, meeting.team_id)
            inputs = families_at_meeting(session, meeting)
            team_side = _views(rank_caseload(inputs, policy=rule))
            references = {f.family_id: f.case_reference for f in inputs}
    other = other or other_policies(rule)[0].name
    other_side = _views(rank_caseload(inputs, policy=other))
    names = {f.family_id: f.display_name for f in inputs}
    differing = sorted(
        (
            ComparedFamily(family_id, references[family_id], team_view, other_side[family_id], names.get(family_id))
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


def _meeting_for_the_chair(session: Session, actor: User | None, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("That meeting does not exist.")
    require_manager_of(session, actor, meeting.team_id)
    return meeting


def _team_side_rule(session: Session, meeting: Meeting) -> str:
    """The rule most of the meeting's stored scores were made with (a closed meeting's record), else the team's."""
    if meeting.status is MeetingStatus.CLOSED:
        stored = session.execute(
            select(FamilyRiskScore.policy, func.count())
            .where(FamilyRiskScore.meeting_id == meeting.id)
            .group_by(FamilyRiskScore.policy)
        ).all()
        if stored:
            return _most_common(Counter(dict(stored)))
    return team_policy(session, meeting.team_id)


def _most_common(counted: Counter[str]) -> str:
    """The most frequent name; a tie goes to the first in alphabetical order, so the answer never depends on the
    order the database returned the rows in."""
    return min(counted, key=lambda name: (-counted[name], name))


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
        .where(FamilyRiskScore.meeting_id == meeting.id, visible_families())
    )
    return {
        row.family_id: (
            row.policy,
            row.case_reference,
            RuleView(Band(row.band), row.score, row.components["rank"], row.components["explanation"]),
        )
        for row in rows
    }
