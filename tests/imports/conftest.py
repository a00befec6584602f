"""Import fixtures: a small team built with the factories, an administrator, and a way to write import files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from db.imports.columns import COLUMN_NAMES
from db.models import AuditEvent, Child, Family, Involvement, LegalStatusPeriod, Office, Team, User
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import Team1, make_team

TODAY = dt.date(2026, 10, 20)


@dataclass
class Service:
    team: Team1
    admin: User


@pytest.fixture
def service(engine: Engine) -> Service:
    with transaction(engine) as s:
        team = make_team(s)
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
        s.flush()
        return Service(team, admin)


@pytest.fixture
def admin(engine: Engine) -> User:
    """An administrator alone, for imports into an empty service (an SSD extract brings its own teams)."""
    with transaction(engine) as s:
        user = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(user)
        s.flush()
        return user


def row(**overrides: Any) -> dict[str, Any]:
    """A good row for the factory team's family F-1 and its child F-1-1; override any column."""
    base = {
        "family_reference": "F-1",
        "team": "Stevenage A",
        "opened_on": "05/01/2026",
        "allocated_social_worker_email": "sw.stevenage-a@example.org",
        "child_reference": "F-1-1",
        "child_first_name": "Amy",
        "date_of_birth": "02/03/2018",
        "legal_status": "cp",
        "legal_status_from": "2026-01-05",
        "involved_practitioner_emails": "sw.stevenage-a@example.org; mh.stevenage-a@example.org",
        "family_closed_on": "",
        "display_name": "",
    }
    return base | overrides


def csv_bytes(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = columns or list(COLUMN_NAMES)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def database_picture(engine: Engine, today: dt.date = TODAY) -> dict[str, Any]:
    """Everything an import may change, as plain values: equal pictures mean equal caseloads."""
    with reading(engine) as s:
        teams = dict(s.execute(select(Team.id, Team.name)).all())
        emails = dict(s.execute(select(User.id, User.email)).all())
        families = {
            f.case_reference: (
                teams[f.team_id],
                f.opened_on,
                f.closed_on,
                emails.get(f.social_worker_id),
                f.display_name,
            )
            for f in s.scalars(select(Family))
        }
        refs = dict(s.execute(select(Family.id, Family.case_reference)).all())
        children = {
            c.case_reference: (refs[c.family_id], c.first_name, c.date_of_birth) for c in s.scalars(select(Child))
        }
        child_refs = dict(s.execute(select(Child.id, Child.case_reference)).all())
        latest: dict[str, tuple[str, dt.date]] = {}
        for p in s.scalars(select(LegalStatusPeriod).order_by(LegalStatusPeriod.started_on)):
            latest[child_refs[p.child_id]] = (p.status.value, p.started_on)
        involved: dict[str, set[str]] = {}
        for i in s.scalars(select(Involvement)):
            if i.ended_on is None or i.ended_on > today:
                involved.setdefault(refs[i.family_id], set()).add(emails[i.practitioner_id])
        return {
            "families": families,
            "children": children,
            "legal_status": latest,
            "involvement": involved,
            "periods": s.scalar(select(func.count()).select_from(LegalStatusPeriod)),
            "involvements": s.scalar(select(func.count()).select_from(Involvement)),
            "audit": s.scalar(select(func.count()).select_from(AuditEvent)),
        }


def copy_people(source: Engine, target: Engine) -> None:
    """The offices, teams and accounts of `source` into an empty `target`: the service an import arrives in."""
    with reading(source) as s:
        offices = s.scalars(select(Office)).all()
        teams = [(t.name, t.office.name) for t in s.scalars(select(Team))]
        people = [
            (
                u.display_name,
                u.email,
                u.role,
                u.team.name if u.team else None,
                u.office.name if u.office else None,
                u.active,
            )
            for u in s.scalars(select(User))
        ]
        office_names = [o.name for o in offices]
    with transaction(target) as s:
        new_offices = {name: Office(name=name) for name in office_names}
        new_teams = {name: Team(name=name, office=new_offices[office]) for name, office in teams}
        s.add_all([*new_offices.values(), *new_teams.values()])
        for name, email, role, team, office, active in people:
            s.add(
                User(
                    display_name=name,
                    email=email,
                    role=role,
                    team=new_teams[team] if team else None,
                    office=new_offices[office] if office else None,
                    active=active,
                )
            )
