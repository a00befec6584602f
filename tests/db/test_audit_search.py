"""Audit trail search: every filter is applied in SQL, results come newest first, a page at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from db.access import AccessDenied
from db.exports.cell_safety import csv_bytes
from db.models import Action, AuditEvent, Rating, User
from db.queries.audit_search import PAGE_SIZE, AuditQuery, entity_types, export, search, verbs
from db.services.admin import add_involvement, end_involvement
from db.session import transaction
from risk.vocabulary import RAG, Role
from tests.db.factories import Team1, make_team

DAY = dt.datetime(2026, 10, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def trail(engine: Engine) -> tuple[User, Team1, Team1]:
    """Two teams, each family with a rating and an action, and one event of every kind about each of them."""
    with transaction(engine) as s:
        ours, theirs = make_team(s), make_team(s, name="Hitchin B", ref="F-2")
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
        s.flush()
        for n, team in enumerate((ours, theirs)):
            rating = Rating(meeting=team.meeting, child=team.child, practitioner=team.social_worker, rag=RAG.AMBER)
            action = Action(family=team.family, text="Visit", owner=team.social_worker)
            s.add_all([rating, action])
            s.flush()
            events = [
                ("view", "family", team.family.id),
                ("child.update", "child", team.child.id),
                ("rating.create", "rating", rating.id),
                ("action.create", "action", action.id),
                ("meeting.open", "meeting", team.meeting.id),
            ]
            for hours, (verb, kind, entity_id) in enumerate(events):
                s.add(
                    AuditEvent(
                        actor_id=team.social_worker.id,
                        verb=verb,
                        entity_type=kind,
                        entity_id=str(entity_id),
                        occurred_at=DAY + dt.timedelta(days=n, hours=hours),
                    )
                )
    return administrator, ours, theirs


def test_a_case_reference_finds_the_family_its_children_ratings_and_actions_only(
    engine: Engine, trail: tuple[User, Team1, Team1]
) -> None:
    administrator, _, _ = trail
    table, total = search(engine, administrator, AuditQuery(case_reference=" f-1 "))
    assert total == 4
    assert table["What"].tolist() == ["action.create", "rating.create", "child.update", "view"]  # newest first
    assert set(table["Who"]) == {"SW Stevenage A <sw.stevenage-a@example.org>"}
    assert search(engine, administrator, AuditQuery(case_reference="F-404"))[1] == 0


def test_person_verb_entity_and_dates_narrow_the_search(engine: Engine, trail: tuple[User, Team1, Team1]) -> None:
    administrator, ours, _ = trail

    def total(**filters: object) -> int:
        return search(engine, administrator, AuditQuery(**filters))[1]  # type: ignore[arg-type]

    assert total() == 10
    assert total(person="hitchin") == 5
    assert total(person="SW.STEVENAGE-A@") == 5
    assert total(verb="meeting.open") == 2
    assert total(entity_type="meeting", entity_id=str(ours.meeting.id)) == 1
    assert total(since=DAY.date(), until=DAY.date()) == 5  # the until day is included
    assert total(since=DAY.date() + dt.timedelta(days=1)) == 5
    assert total(until=DAY.date() - dt.timedelta(days=1)) == 0
    assert total(person="hitchin", verb="view", case_reference="F-1") == 0
    assert verbs(engine, administrator) == ["action.create", "child.update", "meeting.open", "rating.create", "view"]
    assert entity_types(engine, administrator) == ["action", "child", "family", "meeting", "rating"]


def test_involvement_changes_are_found_under_the_family(engine: Engine, trail: tuple[User, Team1, Team1]) -> None:
    administrator, ours, _ = trail
    added = add_involvement(engine, administrator, ours.family.id, ours.manager.id, dt.date(2026, 3, 1))
    end_involvement(engine, administrator, added.id, dt.date(2026, 4, 1))
    table, _ = search(engine, administrator, AuditQuery(case_reference="F-1", person="admin"))
    assert table["What"].tolist() == ["involvement.end", "involvement.create"]


def test_results_come_a_page_at_a_time_and_the_export_has_them_all(
    engine: Engine, trail: tuple[User, Team1, Team1]
) -> None:
    administrator, _, _ = trail
    with transaction(engine) as s:
        s.add_all(
            AuditEvent(
                actor_id=None,
                verb="bulk",
                entity_type="test",
                entity_id=str(i),
                occurred_at=DAY + dt.timedelta(minutes=i),
            )
            for i in range(PAGE_SIZE + 5)
        )
    first, total = search(engine, administrator, AuditQuery(verb="bulk"))
    second, _ = search(engine, administrator, AuditQuery(verb="bulk"), page=1)
    assert (total, len(first), len(second)) == (PAGE_SIZE + 5, PAGE_SIZE, 5)
    assert first["Entity"].iloc[0] == f"test {PAGE_SIZE + 4}" and second["Entity"].iloc[-1] == "test 0"
    assert set(first["Who"]) == {"system"}
    everything = export(engine, administrator, AuditQuery(verb="bulk"))
    assert len(everything) == PAGE_SIZE + 5 and everything.columns.tolist() == first.columns.tolist()


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_only_administrators_search_the_trail(engine: Engine, trail: tuple[User, Team1, Team1], role: Role) -> None:
    _, ours, _ = trail
    with transaction(engine) as s:
        someone = User(display_name="Someone", email="someone@example.org", role=role, team_id=ours.team.id)
        s.add(someone)
    for call in (search, export):
        with pytest.raises(AccessDenied):
            call(engine, someone, AuditQuery())
    for listing in (verbs, entity_types):
        with pytest.raises(AccessDenied):
            listing(engine, someone)


def test_the_export_neutralises_formula_like_cells(engine: Engine, trail: tuple[User, Team1, Team1]) -> None:
    administrator, _, _ = trail
    with transaction(engine) as s:
        s.add(AuditEvent(actor_id=None, verb="=HYPERLINK(1)", entity_type="test", entity_id="1", occurred_at=DAY))
    text = csv_bytes(export(engine, administrator, AuditQuery(entity_type="test"))).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
