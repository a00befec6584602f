"""The service's offices, teams and accounts as an import needs them: by lower-case name and email.

Read with three queries whatever the input's size. A reader that checks its input against the people and teams
(the caseload spreadsheet names them) gets this snapshot; the writer reads it again in its own transaction, to find
ids and, when the input was checked against it, to refuse if it changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Office, Team, User
from risk.vocabulary import Role


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    office_id: int
    office: str


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    role: Role
    team_id: int | None
    office_id: int | None
    active: bool

    def works_in(self, team: TeamInfo) -> bool:
        """A member of the team, or an office's psychologist (who serves every team of the office)."""
        if self.team_id is not None:
            return self.team_id == team.id
        return self.role is Role.PSYCHOLOGIST and self.office_id == team.office_id


@dataclass(frozen=True)
class Directory:
    offices: Mapping[str, int]
    """Office id by lower-case name."""
    teams: Mapping[str, TeamInfo]
    """By lower-case name."""
    people: Mapping[str, Person]
    """Every account, by lower-case email."""


def read_directory(session: Session) -> Directory:
    offices = dict(session.execute(select(Office.id, Office.name)).all())
    teams = {
        name.lower(): TeamInfo(team_id, name, office_id, offices[office_id])
        for team_id, name, office_id in session.execute(select(Team.id, Team.name, Team.office_id))
    }
    people = {
        row.email.lower(): Person(row.id, row.email, row.role, row.team_id, row.office_id, row.active)
        for row in session.execute(select(User.id, User.email, User.role, User.team_id, User.office_id, User.active))
    }
    return Directory({name.lower(): office_id for office_id, name in offices.items()}, teams, people)
