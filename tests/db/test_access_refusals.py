"""Scope on the server: every role of team A (plus service leads and an administrator) tries every query and service
that takes an actor against team B's family, meeting, rating and action, and is refused or sees nothing of B.
Team B's own people doing the same are the positive control, so a check that refuses everyone would fail here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from dashboard.risk.vocabulary import RAG, Role
from db.access import AccessDenied
from db.errors import NotFound
from db.exports.meeting_record import meeting_record_pdf
from db.imports import import_caseload
from db.models import Meeting, Office, User
from db.queries import admin as admin_lists
from db.queries.audit_search import AuditQuery, search
from db.queries.caseload import ranked_caseload, team_meetings
from db.queries.corrections import correctable_ratings
from db.queries.family_card import family_card
from db.queries.family_history import family_history, team_families
from db.queries.rating_form import rating_form
from db.queries.service import legal_status_counts, team_month_scores
from db.queries.teams import aggregate_teams, case_teams
from db.services import admin
from db.services.actions import add_action, complete_action
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from tests.db.factories import MEETING_DAY, Team1, make_team


@dataclass
class World:
    a: Team1
    b: Team1
    closed_meeting_id: int
    rating_id: int
    action_id: int
    people: dict[str, User]


@pytest.fixture
def world(engine: Engine) -> World:
    with transaction(engine) as s:
        a = make_team(s, name="A team", ref="F-A")
        b = make_team(s, name="B team", ref="F-B")
        b.team.office = Office(name="B office")
        people = {
            role.value: User(display_name=role.label, email=f"{role.value}@example.org", role=role, team=a.team)
            for role in Role
            if role.rates_children
        }
        people["psychologist of A's office"] = User(
            display_name="Psy", email="psy.office@example.org", role=Role.PSYCHOLOGIST, office=a.team.office
        )
        people["service lead of A's office"] = User(
            display_name="Lead", email="lead@example.org", role=Role.SERVICE_LEAD, office=a.team.office
        )
        people["administrator"] = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        people["deactivated manager of B"] = User(
            display_name="Gone", email="gone@example.org", role=Role.TEAM_MANAGER, team=b.team, active=False
        )
        s.add_all(people.values())
        earlier = Meeting(
            team=b.team, held_on=MEETING_DAY - dt.timedelta(days=28), status=b.meeting.status, chair=b.manager
        )
        s.add(earlier)
        s.flush()
        earlier_id = earlier.id
    [rating] = save_ratings(engine, b.social_worker, earlier_id, [RatingEntry(b.child.id, RAG.RED)])
    close_meeting(engine, b.manager, earlier_id)
    action = add_action(engine, b.manager, b.meeting.id, b.family.id, "Visit", b.social_worker.id, MEETING_DAY)
    return World(a, b, earlier_id, rating.id, action.id, people)


def _calls(engine: Engine, w: World) -> dict[str, Callable[[User], Any]]:
    b = w.b
    return {
        "team_meetings": lambda u: team_meetings(engine, u, b.team.id),
        "ranked_caseload": lambda u: ranked_caseload(engine, u, b.meeting.id),
        "family_card": lambda u: family_card(engine, u, b.meeting.id, b.family.id),
        "rating_form": lambda u: rating_form(engine, u, b.meeting.id),
        "family_history": lambda u: family_history(engine, u, b.family.id),
        "team_families": lambda u: team_families(engine, u, b.team.id),
        "correctable_ratings": lambda u: correctable_ratings(engine, u, w.closed_meeting_id, b.family.id),
        "meeting_record_pdf": lambda u: meeting_record_pdf(engine, u, b.meeting.id),
        "save_ratings": lambda u: save_ratings(engine, u, b.meeting.id, [RatingEntry(b.child.id, RAG.GREEN)]),
        "open_meeting": lambda u: open_meeting(engine, u, b.team.id, MEETING_DAY + dt.timedelta(days=60)),
        "close_meeting": lambda u: close_meeting(engine, u, b.meeting.id),
        "add_action": lambda u: add_action(engine, u, b.meeting.id, b.family.id, "x", b.social_worker.id, MEETING_DAY),
        "complete_action": lambda u: complete_action(engine, u, w.action_id, MEETING_DAY, today=MEETING_DAY),
        "correct_rating": lambda u: correct_rating(engine, u, w.rating_id, RAG.GREEN, "a good reason", 1),
    }


CASE_CALLS = [
    "team_meetings", "ranked_caseload", "family_card", "rating_form", "family_history", "team_families",
    "correctable_ratings", "meeting_record_pdf", "save_ratings", "open_meeting", "close_meeting", "add_action",
    "complete_action", "correct_rating",
]  # fmt: skip
ACTORS = [r.value for r in Role if r.rates_children] + [
    "psychologist of A's office",
    "service lead of A's office",
    "administrator",
    "deactivated manager of B",
]


@pytest.mark.parametrize("call", CASE_CALLS)
@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_outside_team_b_reaches_its_cases(engine: Engine, world: World, actor: str, call: str) -> None:
    with pytest.raises((AccessDenied, NotFound)):
        _calls(engine, world)[call](world.people[actor])


@pytest.mark.parametrize("call", CASE_CALLS)
def test_team_b_itself_can_positive_control(engine: Engine, world: World, call: str) -> None:
    """The manager of B, or for rating the social worker working with the family."""
    if call == "open_meeting":
        close_meeting(engine, world.b.manager, world.b.meeting.id)  # one open meeting at a time
    _calls(engine, world)[call](world.b.social_worker if call == "save_ratings" else world.b.manager)


@pytest.mark.parametrize("actor", ACTORS)
def test_aggregates_never_include_team_b_for_others(engine: Engine, world: World, actor: str) -> None:
    user = world.people[actor]
    if not user.active:
        with pytest.raises(AccessDenied):
            team_month_scores(engine, user, 12)
        return
    assert "B team" not in set(team_month_scores(engine, user, 12)["team"])
    assert "B team" not in set(legal_status_counts(engine, user, 3, today=MEETING_DAY)["team"])
    assert "B team" not in {t.name for t in case_teams(engine, user) + aggregate_teams(engine, user)}
    head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
    with transaction(engine) as s:
        s.add(head)
    assert "B team" in set(team_month_scores(engine, head, 12)["team"])  # positive control


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "administrator"] + ["team manager of B"])
def test_only_administrators_reach_admin_queries_services_and_imports(engine: Engine, world: World, actor: str) -> None:
    user = world.b.manager if actor == "team manager of B" else world.people[actor]
    b = world.b
    calls = [
        lambda: admin_lists.users(engine, user),
        lambda: admin_lists.teams(engine, user),
        lambda: admin_lists.involvements(engine, user, b.family.id),
        lambda: search(engine, user, AuditQuery()),
        lambda: admin.add_office(engine, user, "Another"),
        lambda: admin.add_involvement(engine, user, b.family.id, b.manager.id, MEETING_DAY),
        lambda: admin.update_user(
            engine, user, user.id, role=Role.ADMINISTRATOR, team_id=None, office_id=None, active=True
        ),
        lambda: import_caseload(engine, user, "caseload.csv", b"family_reference\n"),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    assert admin_lists.users(engine, world.people["administrator"])  # positive control
