"""A family whose professionals have disagreed about the same child for months: the data behind persistent
disagreement, for query, export and page tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from db.models import Child, Family, LegalStatusPeriod, Meeting, Rating
from db.session import transaction
from risk.vocabulary import RAG, LegalStatus, MeetingStatus
from tests.db.factories import Team1, make_team

CLOSED_AT = dt.datetime(2026, 9, 30, tzinfo=dt.UTC)
PERSISTENT_WORDS = (
    "At 3 of the family's last 4 rated meetings the social worker rated Amy green while the mental health "
    "practitioner rated Amy red: persistent disagreement."
)
EARLIER = [dt.date(2026, month, 10) for month in range(3, 10)]  # March to September, before the October meeting


def months_of_disagreement(engine: Engine, rate_now: bool) -> Team1:
    """F-1's Amy rated at six of the seven earlier meetings (not in June), sw green against mh red in the last
    four of them; her brother Ben's case closed in August (his ratings drop out); a second family F-2 rated at
    every meeting, which must not leak into F-1's history."""
    with transaction(engine) as s:
        team = make_team(s)
        ben = Child(family=team.family, case_reference="F-1-2", first_name="Ben", date_of_birth=dt.date(2016, 1, 1))
        s.add(ben)
        s.add(
            LegalStatusPeriod(
                child=ben, status=LegalStatus.CP, started_on=dt.date(2026, 1, 5), ended_on=dt.date(2026, 8, 1)
            )
        )
        s.add(LegalStatusPeriod(child=ben, status=LegalStatus.CLOSED, started_on=dt.date(2026, 8, 1)))
        other = Family(team=team.team, case_reference="F-2", opened_on=dt.date(2026, 1, 5))
        kit = Child(family=other, case_reference="F-2-1", first_name="Kit", date_of_birth=dt.date(2019, 1, 1))
        s.add_all([other, kit])
        s.add(LegalStatusPeriod(child=kit, status=LegalStatus.CIN, started_on=dt.date(2026, 1, 5)))
        for day in EARLIER:
            meeting = Meeting(team=team.team, held_on=day, status=MeetingStatus.CLOSED, closed_at=CLOSED_AT)
            s.add(meeting)
            s.add(Rating(meeting=meeting, child=kit, practitioner=team.social_worker, rag=RAG.AMBER))
            if day.month == 6:
                continue
            split = day.month >= 5
            s.add(Rating(meeting=meeting, child=team.child, practitioner=team.social_worker, rag=RAG.GREEN))
            s.add(
                Rating(
                    meeting=meeting,
                    child=team.child,
                    practitioner=team.mental_health,
                    rag=RAG.RED if split else RAG.AMBER,
                )
            )
            s.add(Rating(meeting=meeting, child=ben, practitioner=team.social_worker, rag=RAG.RED))
        if rate_now:
            s.add(Rating(meeting=team.meeting, child=team.child, practitioner=team.social_worker, rag=RAG.AMBER))
    return team
