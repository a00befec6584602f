"""A small service for the month around a meeting (October 2026, when the clocks go back on Sunday the 25th).

Oak team meets on the last Tuesday of each month at 10:00 (27 October, after the clock change). Its people: the
manager (who chairs), Sam (three children to rate), Mo (two children, and an action due on 28 October), Sol (signs
in only with single sign-on), Otto (has turned reminders off), Gail (deactivated) and Bea (whose address the relay
refuses). Ash team meets on the second Wednesday at 14:00, but its October meeting (the 14th) is cancelled; its
worker owns an action due on 20 October, one due on 2 November, and one done early.

Every name below that is a child's, a family's or a case reference, and every word of the actions and the
rationale, must never appear in an email: CASE_WORDS lists them for the test that reads every message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from db.models import (
    Action,
    Child,
    Family,
    Involvement,
    Meeting,
    MeetingSchedule,
    Office,
    ScheduleChange,
    Team,
    User,
)
from db.services.accounts import hash_password
from db.session import transaction
from risk.schedule import Pattern
from risk.vocabulary import MeetingStatus, Role

PASSWORD = "a long enough password"
CHILDREN = {"F-OAK-1": ["Amelia", "Benedict"], "F-OAK-2": ["Cressida"], "F-OAK-3": ["Dylan"], "F-ASH-1": ["Evangeline"]}
ACTION_TEXT = "Call the headteacher about attendance"
RATIONALE = "Mum disclosed a new partner"
CASE_WORDS = [
    *CHILDREN,
    *(name for names in CHILDREN.values() for name in names),
    "F-OAK",
    "F-ASH",
    ACTION_TEXT,
    "headteacher",
    "attendance",
    RATIONALE,
    "partner",
]
OAK_MEETING = dt.date(2026, 10, 27)


@dataclass(frozen=True)
class Month:
    oak: int
    ash: int
    people: dict[str, int]
    children: dict[str, int]
    families: dict[str, int]

    def email(self, who: str) -> str:
        return f"{who}@example.org"


def build_month(engine: Engine) -> Month:
    with transaction(engine) as s:
        office = Office(name="North Herts")
        oak, ash = Team(name="Oak team", office=office), Team(name="Ash team", office=office)
        password = hash_password(PASSWORD)

        def person(key: str, name: str, role: Role, team: Team, **extra: object) -> User:
            values: dict[str, object] = {"password_hash": password, **extra}
            return User(display_name=name, email=f"{key}@example.org", role=role, team=team, **values)

        people = {
            "manager": person("manager", "Rhys Manager", Role.TEAM_MANAGER, oak),
            "sam": person("sam", "Sam Worker", Role.SOCIAL_WORKER, oak),
            "mo": person("mo", "Mo Health", Role.MENTAL_HEALTH_PRACTITIONER, oak),
            "sol": person("sol", "Sol Signon", Role.FAMILY_SUPPORT_WORKER, oak, password_hash=None),
            "otto": person("otto", "Otto Out", Role.SUBSTANCE_MISUSE_WORKER, oak, reminder_emails=False),
            "gail": person("gail", "Gail Gone", Role.SOCIAL_WORKER, oak, active=False),
            "bea": person("bea", "Bea Bounce", Role.DOMESTIC_ABUSE_PRACTITIONER, oak),
            "ash_manager": person("ash_manager", "Ash Manager", Role.TEAM_MANAGER, ash),
            "ash_worker": person("ash_worker", "Ash Worker", Role.SOCIAL_WORKER, ash),
            "admin": User(
                display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR, password_hash=password
            ),
        }
        s.add_all(people.values())
        families = {
            ref: Family(team=oak if "OAK" in ref else ash, case_reference=ref, opened_on=dt.date(2026, 1, 5))
            for ref in CHILDREN
        }
        children = {
            name: Child(
                family=families[ref], case_reference=f"{ref}-{n}", first_name=name, date_of_birth=dt.date(2016, 5, 1)
            )
            for ref, names in CHILDREN.items()
            for n, name in enumerate(names, 1)
        }
        s.add_all([*families.values(), *children.values()])
        works_with = {
            "sam": ["F-OAK-1", "F-OAK-2"],
            "mo": ["F-OAK-1"],
            "sol": ["F-OAK-2"],
            "otto": ["F-OAK-3"],
            "gail": ["F-OAK-3"],
            "bea": ["F-OAK-3"],
            "ash_worker": ["F-ASH-1"],
        }
        for key, refs in works_with.items():
            for ref in refs:
                s.add(Involvement(family=families[ref], practitioner=people[key], started_on=dt.date(2026, 1, 5)))
        september_oak = Meeting(team=oak, held_on=dt.date(2026, 9, 29), status=MeetingStatus.CLOSED)
        september_ash = Meeting(team=ash, held_on=dt.date(2026, 9, 9), status=MeetingStatus.CLOSED)
        s.add_all([september_oak, september_ash])
        s.add_all(
            [
                MeetingSchedule(
                    team=oak,
                    pattern=Pattern.MONTHLY,
                    weekday=1,
                    nth=-1,
                    starts_on=dt.date(2026, 1, 1),
                    starts_at=dt.time(10),
                    planned_minutes=150,
                    open_days_before=7,
                ),
                MeetingSchedule(
                    team=ash,
                    pattern=Pattern.MONTHLY,
                    weekday=2,
                    nth=2,
                    starts_on=dt.date(2026, 1, 1),
                    starts_at=dt.time(14),
                    planned_minutes=120,
                    open_days_before=7,
                ),
                ScheduleChange(team=ash, scheduled_on=dt.date(2026, 10, 14)),  # cancelled: the manager's leave
            ]
        )
        for due_on, owner, family, done in (
            (dt.date(2026, 10, 20), "ash_worker", "F-ASH-1", None),
            (dt.date(2026, 11, 2), "ash_worker", "F-ASH-1", None),
            (dt.date(2026, 10, 16), "ash_worker", "F-ASH-1", dt.date(2026, 10, 10)),
            (dt.date(2026, 10, 28), "mo", "F-OAK-1", None),
        ):
            s.add(
                Action(
                    family=families[family],
                    text=ACTION_TEXT,
                    owner=people[owner],
                    due_on=due_on,
                    completed_on=done,
                )
            )
        s.flush()
        return Month(
            oak=oak.id,
            ash=ash.id,
            people={key: user.id for key, user in people.items()},
            children={name: child.id for name, child in children.items()},
            families={ref: family.id for ref, family in families.items()},
        )
