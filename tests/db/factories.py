"""Small builders for database tests: a minimal team with a family, a child and a meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import Child, Family, Involvement, LegalStatusPeriod, Meeting, Office, Team, User
from risk.vocabulary import LegalStatus, MeetingStatus, Role

MEETING_DAY = dt.date(2026, 10, 14)


@dataclass
class Team1:
    team: Team
    manager: User
    social_worker: User
    mental_health: User
    family: Family
    child: Child
    meeting: Meeting


def make_team(session: Session, name: str = "Stevenage A", ref: str = "F-1") -> Team1:
    """One team with a manager, two professionals involved with one family of one child, and an open meeting."""
    office = session.query(Office).filter_by(name="North").one_or_none() or Office(name="North")
    team = Team(name=name, office=office)
    slug = name.lower().replace(" ", "-")
    manager = User(display_name=f"Manager {name}", email=f"tm.{slug}@example.org", role=Role.TEAM_MANAGER, team=team)
    sw = User(display_name=f"SW {name}", email=f"sw.{slug}@example.org", role=Role.SOCIAL_WORKER, team=team)
    mh = User(
        display_name=f"MH {name}", email=f"mh.{slug}@example.org", role=Role.MENTAL_HEALTH_PRACTITIONER, team=team
    )
    family = Family(team=team, case_reference=ref, social_worker=sw, opened_on=dt.date(2026, 1, 5))
    child = Child(family=family, case_reference=f"{ref}-1", first_name="Amy", date_of_birth=dt.date(2018, 3, 2))
    session.add_all([team, manager, sw, mh, family, child])
    session.add(LegalStatusPeriod(child=child, status=LegalStatus.CP, started_on=dt.date(2026, 1, 5)))
    for person in (sw, mh):
        session.add(Involvement(family=family, practitioner=person, started_on=dt.date(2026, 1, 5)))
    meeting = Meeting(team=team, held_on=MEETING_DAY, status=MeetingStatus.OPEN, chair=manager)
    session.add(meeting)
    session.flush()
    return Team1(team, manager, sw, mh, family, child, meeting)
