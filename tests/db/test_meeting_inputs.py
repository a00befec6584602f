"""What the risk rules are given about each family at a meeting, and how many statements it takes to gather: a
fixed handful however many families the team holds, so ranking on the shared screen stays quick on a database
across the network."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, event, select

from db.models import (
    Action,
    Child,
    Family,
    FamilyDiscussion,
    FamilyRiskScore,
    Involvement,
    LegalStatusPeriod,
    Meeting,
    Rating,
)
from db.queries.caseload import ranked_caseload
from db.queries.family_card import family_card
from db.queries.meeting_inputs import families_at_meeting
from db.services.meetings import close_meeting
from db.session import reading, transaction
from risk.vocabulary import RAG, Band, LegalStatus, MeetingStatus
from tests.db.factories import MEETING_DAY, Team1, make_team
from tests.db.months_of_ratings import PERSISTENT_WORDS, months_of_disagreement

JULY, AUGUST, SEPTEMBER = dt.date(2026, 7, 15), dt.date(2026, 8, 12), dt.date(2026, 9, 16)
CLOSED_AT = dt.datetime(2026, 9, 30, tzinfo=dt.UTC)


def _history(engine: Engine, extra_families: int = 0) -> Team1:
    """F-1 rated in July and at this (October) meeting, discussed in August, scored amber in September (rated then
    by nobody); one action overdue by the meeting day, one done in time, one not yet due. `extra_families` more,
    unrated."""
    with transaction(engine) as s:
        team = make_team(s)
        closed = {}
        for day in (JULY, AUGUST, SEPTEMBER):
            closed[day] = Meeting(
                team=team.team, held_on=day, status=MeetingStatus.CLOSED, closed_at=dt.datetime(2026, 9, 30)
            )
        s.add_all(closed.values())
        s.add(Rating(meeting=closed[JULY], child=team.child, practitioner=team.social_worker, rag=RAG.GREEN))
        s.add(Rating(meeting=team.meeting, child=team.child, practitioner=team.mental_health, rag=RAG.RED))
        # discussed in August (though nobody rated it then); in September its mark was undone
        s.flush()
        at = dt.datetime(2026, 8, 12, 10, tzinfo=dt.UTC)
        for day, discussed_at in ((AUGUST, at), (SEPTEMBER, None)):
            s.add(
                FamilyDiscussion(
                    meeting_id=closed[day].id, family_id=team.family.id, seconds_spent=60, discussed_at=discussed_at
                )
            )
        s.add(
            FamilyRiskScore(
                meeting=closed[SEPTEMBER],
                family=team.family,
                band=Band.AMBER,
                score=50,
                policy="worst",
                policy_version=1,
                components={},
            )
        )
        for text, due, done in (
            ("Overdue", dt.date(2026, 10, 1), None),
            ("Done in time", dt.date(2026, 10, 1), dt.date(2026, 9, 30)),
            ("Not yet due", dt.date(2026, 10, 30), None),
            ("Done after the meeting", dt.date(2026, 10, 2), dt.date(2026, 10, 20)),
        ):
            s.add(Action(family=team.family, text=text, due_on=due, completed_on=done))
        for n in range(extra_families):
            family = Family(team=team.team, case_reference=f"F-X{n}", opened_on=dt.date(2026, 2, 1))
            child = Child(
                family=family, case_reference=f"F-X{n}-1", first_name="Kit", date_of_birth=dt.date(2019, 1, 1)
            )
            s.add_all([family, child])
            s.add(LegalStatusPeriod(child=child, status=LegalStatus.CIN, started_on=dt.date(2026, 2, 1)))
            s.add(Involvement(family=family, practitioner=team.social_worker, started_on=dt.date(2026, 2, 1)))
    return team


def test_last_rated_discussed_overdue_and_previous_score(engine: Engine) -> None:
    team = _history(engine)
    with reading(engine) as s:
        [family] = families_at_meeting(s, s.get_one(Meeting, team.meeting.id))
    assert (family.last_rated_on, family.last_discussed_on) == (MEETING_DAY, AUGUST)  # today counts as rated only
    assert family.overdue_actions == 2  # overdue, and done only after the meeting day
    assert family.previous is not None
    assert (family.previous.band, family.previous.score, family.previous.held_on) == (Band.AMBER, 50, SEPTEMBER)
    assert [(r.practitioner_id, r.rag) for r in family.ratings] == [(team.mental_health.id, RAG.RED)]


def _statements(engine: Engine, team: Team1) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        _, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert entries
    return len(seen)


def test_ranking_an_open_meeting_takes_eight_statements_however_many_families(engine: Engine) -> None:
    """The meeting with its team and chair; the social workers; the team's rule; families with their last
    discussion and overdue actions; children and plans; who works with them; their ratings at this meeting and
    the earlier meetings of the window, with when each was last rated; last month's scores."""
    assert _statements(engine, _history(engine)) == 8


def test_more_families_add_no_statements(engine: Engine) -> None:
    assert _statements(engine, _history(engine, extra_families=12)) == 8


def _f1(engine: Engine, team: Team1):  # type: ignore[no-untyped-def]
    with reading(engine) as s:
        return next(
            f for f in families_at_meeting(s, s.get_one(Meeting, team.meeting.id)) if f.family_id == team.family.id
        )


def test_the_history_holds_the_families_last_rated_meetings_before_this_one(engine: Engine) -> None:
    team = months_of_disagreement(engine, rate_now=False)

    family = _f1(engine, team)

    assert sorted(e.held_on for e in family.history) == [dt.date(2026, m, 10) for m in (4, 5, 7, 8, 9)][-4:]
    september = max(family.history, key=lambda e: e.held_on)
    assert sorted((r.child_id, r.practitioner_id, r.practitioner_role, r.rag) for r in september.ratings) == sorted(
        [
            (team.child.id, team.social_worker.id, team.social_worker.role, RAG.GREEN),
            (team.child.id, team.mental_health.id, team.mental_health.role, RAG.RED),
        ]
    )


def test_rated_at_this_meeting_the_history_holds_one_meeting_fewer(engine: Engine) -> None:
    team = months_of_disagreement(engine, rate_now=True)

    family = _f1(engine, team)

    assert sorted(e.held_on for e in family.history) == [dt.date(2026, m, 10) for m in (7, 8, 9)]


def test_persistent_disagreement_reaches_the_ranked_caseload(engine: Engine) -> None:
    team = months_of_disagreement(engine, rate_now=True)

    _, entries = ranked_caseload(engine, team.manager, team.meeting.id)

    [entry] = [e for e in entries if e.family_id == team.family.id]
    assert entry.persistent_disagreement
    assert PERSISTENT_WORDS in entry.explanation
    assert not next(e for e in entries if e.family_id != team.family.id).persistent_disagreement


def test_a_closed_meeting_reads_the_stored_flag_back_on_the_ranking_and_the_card(engine: Engine) -> None:
    team = months_of_disagreement(engine, rate_now=True)
    close_meeting(engine, team.manager, team.meeting.id)
    with transaction(engine) as s:  # the history changes after closing; the record must not
        s.execute(delete(Rating).where(Rating.meeting_id != team.meeting.id))

    _, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    card = family_card(engine, team.manager, team.meeting.id, team.family.id)

    [entry] = [e for e in entries if e.family_id == team.family.id]
    assert entry.persistent_disagreement and card.persistent_disagreement
    assert PERSISTENT_WORDS in entry.explanation and PERSISTENT_WORDS in card.explanation


def test_a_score_stored_before_persistent_disagreement_existed_reads_as_not_flagged(engine: Engine) -> None:
    team = months_of_disagreement(engine, rate_now=True)
    close_meeting(engine, team.manager, team.meeting.id)
    with transaction(engine) as s:
        for stored in s.scalars(select(FamilyRiskScore).where(FamilyRiskScore.meeting_id == team.meeting.id)):
            stored.components = {k: v for k, v in stored.components.items() if k != "persistent_disagreement"}

    _, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    card = family_card(engine, team.manager, team.meeting.id, team.family.id)

    assert not any(e.persistent_disagreement for e in entries)
    assert not card.persistent_disagreement
