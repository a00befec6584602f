"""The team's risk rule beside its other rules at one meeting: for the chair's eyes, computed, never stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.access import AccessDenied
from db.errors import NotFound, ServiceError
from db.models import AuditEvent, Child, Family, FamilyRiskScore, Involvement, Meeting, Team, User
from db.queries.caseload import ranked_caseload
from db.queries.family_card import family_card
from db.queries.policy_comparison import (
    BandMove,
    ComparedFamily,
    RuleView,
    count_moves,
    move_words,
    policy_comparison,
    rules_to_compare,
)
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.scores import rebuild_scores, set_team_policy
from db.session import reading, transaction
from risk.vocabulary import RAG, Band, MeetingStatus, Role
from tests.db.factories import MEETING_DAY, Team1, make_team


@dataclass
class Caseload:
    """Three families rated by three professionals: F-1 split red/amber/green, F-2 all red, F-3 all green."""

    team: Team1
    substance_misuse: User
    children: dict[str, int]


def _add_family(session: Session, team: Team1, ref: str, people: list[User]) -> Child:
    family = Family(team=team.team, case_reference=ref, social_worker=team.social_worker, opened_on=dt.date(2026, 1, 5))
    child = Child(family=family, case_reference=f"{ref}-1", first_name="Ben", date_of_birth=dt.date(2019, 4, 1))
    session.add_all([family, child])
    for person in people:
        session.add(Involvement(family=family, practitioner=person, started_on=dt.date(2026, 1, 5)))
    session.flush()
    return child


def split_caseload(engine: Engine) -> Caseload:
    """The three families, rated at the team's open meeting (the Meeting page tests build on it too)."""
    with transaction(engine) as s:
        team = make_team(s)
        smw = User(display_name="SMW", email="smw@example.org", role=Role.SUBSTANCE_MISUSE_WORKER, team_id=team.team.id)
        s.add(smw)
        s.flush()
        s.add(Involvement(family=team.family, practitioner=smw, started_on=dt.date(2026, 1, 5)))
        people = [team.social_worker, team.mental_health, smw]
        children = {
            "F-1": team.child.id,
            "F-2": _add_family(s, team, "F-2", people).id,
            "F-3": _add_family(s, team, "F-3", people).id,
        }
    given = {"F-1": (RAG.RED, RAG.AMBER, RAG.GREEN), "F-2": (RAG.RED,) * 3, "F-3": (RAG.GREEN,) * 3}
    for i, who in enumerate(people):
        entries = [RatingEntry(children[ref], rags[i]) for ref, rags in given.items()]
        save_ratings(engine, who, team.meeting.id, entries)
    return Caseload(team, smw, children)


@pytest.fixture
def caseload(engine: Engine) -> Caseload:
    return split_caseload(engine)


def test_the_median_moves_a_split_red_family_to_amber_and_leaves_the_others_out(
    engine: Engine, caseload: Caseload
) -> None:
    team = caseload.team
    result = policy_comparison(engine, team.manager, team.meeting.id)

    assert (result.team_policy, result.other_policy, result.stored) == ("worst", "median", False)
    assert result.families_compared == 3
    [moved] = result.differing
    assert moved.case_reference == "F-1"
    assert (moved.team.band, moved.team.rank) == (Band.RED, 2)
    assert (moved.other.band, moved.other.rank) == (Band.AMBER, 2)
    assert moved.team.score is not None and moved.other.score is not None
    assert moved.team.score > moved.other.score
    assert moved.team.explanation.startswith("Red: 1 of 3 professionals rated Amy red")
    assert moved.other.explanation.startswith("Amber: 1 of 3 professionals rated Amy amber")
    assert [m.words for m in result.moves] == ["1 family would move from red to amber"]


def test_the_comparison_writes_nothing(engine: Engine, caseload: Caseload) -> None:
    def counts() -> tuple[int, int]:
        with reading(engine) as s:
            return (
                s.scalar(select(func.count()).select_from(FamilyRiskScore)) or 0,
                s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            )

    before = counts()
    policy_comparison(engine, caseload.team.manager, caseload.team.meeting.id)
    assert counts() == before


def test_a_closed_meeting_shows_its_stored_record_on_the_teams_side(engine: Engine, caseload: Caseload) -> None:
    team = caseload.team
    close_meeting(engine, team.manager, team.meeting.id)
    with transaction(engine) as s:
        row = s.scalars(
            select(FamilyRiskScore).where(
                FamilyRiskScore.meeting_id == team.meeting.id, FamilyRiskScore.family_id == team.family.id
            )
        ).one()
        # the record as it was kept, whatever today's rules would say about it
        row.components = row.components | {"explanation": "As recorded on the day."}

    result = policy_comparison(engine, team.manager, team.meeting.id)

    assert (result.team_policy, result.stored) == ("worst", True)
    [moved] = result.differing
    assert (moved.team.band, moved.team.rank, moved.team.explanation) == (Band.RED, 2, "As recorded on the day.")
    assert (moved.other.band, moved.other.rank) == (Band.AMBER, 2)
    assert moved.other.explanation.startswith("Amber:")


def test_after_a_rebuild_under_the_median_the_teams_rule_is_the_median(engine: Engine, caseload: Caseload) -> None:
    team = caseload.team
    close_meeting(engine, team.manager, team.meeting.id)
    rebuild_scores(engine, actor=None, policy="median")

    closed = policy_comparison(engine, team.manager, team.meeting.id, other="worst")
    assert (closed.team_policy, closed.other_policy, closed.stored) == ("median", "worst", True)
    assert [m.words for m in closed.moves] == ["1 family would move from amber to red"]
    assert policy_comparison(engine, team.manager, team.meeting.id).other_policy == "worst"  # the team's other rule
    assert policy_comparison(engine, team.manager, team.meeting.id, other="median").differing == []  # itself

    with transaction(engine) as s:  # next month's meeting, open: the team's rule is that of its latest record
        s.add(Meeting(team_id=team.team.id, held_on=MEETING_DAY + dt.timedelta(days=28), status=MeetingStatus.OPEN))
    with reading(engine) as s:
        next_id = s.scalar(select(Meeting.id).where(Meeting.status == MeetingStatus.OPEN))
    assert next_id is not None
    upcoming = policy_comparison(engine, team.manager, next_id, other="worst")
    assert (upcoming.team_policy, upcoming.stored) == ("median", False)


@pytest.mark.parametrize("who", ["social_worker", "other_manager", "service_lead", "administrator"])
def test_only_the_teams_manager_may_compare(engine: Engine, caseload: Caseload, who: str) -> None:
    team = caseload.team
    with transaction(engine) as s:
        if who == "social_worker":
            actor = s.get_one(User, team.social_worker.id)
        elif who == "other_manager":
            actor = make_team(s, name="Other team", ref="O-1").manager
        else:
            role = Role.SERVICE_LEAD if who == "service_lead" else Role.ADMINISTRATOR
            actor = User(display_name=who, email=f"{who}@example.org", role=role)
            s.add(actor)
            s.flush()
    with pytest.raises(AccessDenied) as refused:
        policy_comparison(engine, actor, team.meeting.id)
    assert isinstance(refused.value, ServiceError)


def test_a_meeting_that_does_not_exist_is_not_found(engine: Engine, caseload: Caseload) -> None:
    with pytest.raises(NotFound):
        policy_comparison(engine, caseload.team.manager, caseload.team.meeting.id + 1000)


def test_an_unknown_rule_is_refused_before_anything_is_read(engine: Engine, caseload: Caseload) -> None:
    with pytest.raises(ValueError, match="Unknown risk policy"):
        policy_comparison(engine, caseload.team.manager, caseload.team.meeting.id, other="mean")


# the words, without a database


@pytest.mark.parametrize(
    ("from_band", "to_band", "count", "words"),
    [
        (Band.RED, Band.AMBER, 2, "2 families would move from red to amber"),
        (Band.RED, Band.AMBER, 1, "1 family would move from red to amber"),
        (Band.AMBER, Band.GREEN, 3, "3 families would move from amber to green"),
        (Band.AMBER, Band.RED, 1, "1 family would move from amber to red"),
    ],
)
def test_move_words_read_as_the_chair_would_say_them(from_band: Band, to_band: Band, count: int, words: str) -> None:
    assert move_words(from_band, to_band, count) == words
    assert BandMove(from_band, to_band, count).words == words


def _family(ref: str, team: tuple[Band, int], other: tuple[Band, int]) -> ComparedFamily:
    return ComparedFamily(0, ref, RuleView(team[0], 50.0, team[1], ""), RuleView(other[0], 40.0, other[1], ""))


def test_moves_are_counted_most_severe_first_and_a_change_of_place_alone_is_not_a_move() -> None:
    families = [
        _family("A", (Band.AMBER, 5), (Band.GREEN, 6)),
        _family("B", (Band.RED, 1), (Band.AMBER, 3)),
        _family("C", (Band.RED, 2), (Band.GREEN, 7)),
        _family("D", (Band.RED, 3), (Band.AMBER, 4)),
        _family("E", (Band.AMBER, 4), (Band.AMBER, 2)),
    ]
    assert [m.words for m in count_moves(families)] == [
        "2 families would move from red to amber",
        "1 family would move from red to green",
        "1 family would move from amber to green",
    ]


def test_the_teams_rule_is_followed_by_its_live_ranking_its_cards_and_its_next_closing(
    engine: Engine, caseload: Caseload
) -> None:
    team = caseload.team
    close_meeting(engine, team.manager, team.meeting.id)
    set_team_policy(engine, None, team.team.id, "median")  # the administrator moves the team to the median rule
    next_month = open_meeting(engine, team.manager, team.team.id, MEETING_DAY + dt.timedelta(days=28)).id
    for who, rag in zip((team.social_worker, team.mental_health, caseload.substance_misuse), RAG, strict=True):
        save_ratings(engine, who, next_month, [RatingEntry(caseload.children["F-1"], rag)])

    live = {e.case_reference: e.band for e in ranked_caseload(engine, team.manager, next_month)[1]}
    assert live["F-1"] is Band.AMBER  # red, amber and green: the median's amber, not the worst rule's red
    assert family_card(engine, team.manager, next_month, team.family.id).band is Band.AMBER
    close_meeting(engine, team.manager, next_month)
    with reading(engine) as s:
        stored = s.scalars(select(FamilyRiskScore.policy).where(FamilyRiskScore.meeting_id == next_month)).all()
    assert stored and set(stored) == {"median"}


def test_a_rule_this_version_does_not_know_leaves_the_team_on_the_default(engine: Engine, caseload: Caseload) -> None:
    team = caseload.team
    with transaction(engine) as s:  # as if a later version had set the team to a rule since rolled back
        s.get_one(Team, team.team.id).policy = "retired"
    assert policy_comparison(engine, team.manager, team.meeting.id).team_policy == "worst"
    assert ranked_caseload(engine, team.manager, team.meeting.id)[1]  # the meeting still ranks
    close_meeting(engine, team.manager, team.meeting.id)
    with reading(engine) as s:
        assert set(s.scalars(select(FamilyRiskScore.policy))) == {"worst"}
        assert s.get_one(Team, team.team.id).policy == "retired"  # the setting keeps the name it was given


def test_the_chair_is_offered_the_teams_other_rules_from_the_registry(engine: Engine, caseload: Caseload) -> None:
    team = caseload.team

    def offered(meeting_id: int) -> tuple[str, list[str]]:
        rules = rules_to_compare(engine, team.manager, meeting_id)
        return rules.team_policy, [p.name for p in rules.others]

    assert offered(team.meeting.id) == ("worst", ["median"])
    set_team_policy(engine, None, team.team.id, "median")
    assert offered(team.meeting.id) == ("median", ["worst"])

    close_meeting(engine, team.manager, team.meeting.id)  # stored under median
    set_team_policy(engine, None, team.team.id, "worst")  # moved back, without rebuilding
    assert offered(team.meeting.id) == ("median", ["worst"])  # a closed meeting's side is its stored record
    next_month = open_meeting(engine, team.manager, team.team.id, MEETING_DAY + dt.timedelta(days=28)).id
    assert offered(next_month) == ("worst", ["median"])
    with pytest.raises(AccessDenied):
        rules_to_compare(engine, team.social_worker, team.meeting.id)
