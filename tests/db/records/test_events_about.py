"""The audit events about a family (or a child) are one selection: the audit search, subject access and the
retention rule all take it from db/queries/audit_about.py, so what an administrator finds, what the information
governance officer discloses and what anonymising rewrites cannot drift apart.

The data is a busy month with the SSD's numeric case references: the family's reference is another family's
internal id and its child's reference a third family's, the case in which an export once carried another family's
stored scores and anonymising rewrote other families' events."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from db.models import AuditEvent, Child, Family
from db.queries.audit_about import CHILD, FAMILY, events_about, family_subject, rename_references
from db.queries.audit_search import AuditQuery, export
from db.records.retention import anonymise_due_families
from db.records.subject_access import subject_access_export
from db.services.audit import record
from db.session import reading, transaction
from tests.db.records.busy_month import ACTION_TEXT, RATIONALE, REASON, BusyMonth, build_busy_month

NOT_ABOUT_A_FAMILY = {
    ("office.create", "office"),
    ("team.create", "team"),
    ("team.update", "team"),
    ("user.create", "user"),
    ("access.ratings_granted", "user"),
    ("user.preference", "user"),
    ("auth.sign_in", "user"),
    ("meeting.open", "meeting"),
    ("meeting.length", "meeting"),
    ("meeting.clock", "meeting"),  # the chair's clock; the time spent on a family is in discussion.mark
    ("meeting.close", "meeting"),  # counts only; each family's score is in scores.store
    ("download", "caseload_csv"),  # a meeting's caseload file: who downloaded which meeting's file, with filters
    ("retention.rule", "retention_rule"),
}
"""Kinds of event the busy month writes that concern no family in particular."""

Event = tuple[int, str, str, str | None, Any, Any]
CHILD_LABEL = re.compile(r"Child \d+")
"""What anonymising calls a child (its number is not a reference, whatever the references are)."""


@pytest.fixture
def month(engine: Engine, tmp_path: Path) -> BusyMonth:
    return build_busy_month(engine, tmp_path)


def trail(engine: Engine) -> dict[int, Event]:
    with reading(engine) as s:
        return {
            e.id: (e.id, e.verb, e.entity_type, e.entity_id, e.before, e.after)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        }


def exported_ids(engine: Engine, month: BusyMonth, **reference: str) -> set[int]:
    export_ = subject_access_export(engine, month.admin, **reference)
    return {int(i) for i in export_.tables["audit_events"]["id"]}


def searched_ids(engine: Engine, month: BusyMonth, query: AuditQuery) -> set[int]:
    return {int(i) for i in export(engine, month.admin, query)["Event"]}


def other_families_events(engine: Engine, month: BusyMonth) -> set[int]:
    """Events whose entity is a record of the two other teams' families (their family, child, ratings, actions,
    meetings): found by type and id, independently of the code under test."""
    others = set()
    with reading(engine) as s:
        ids: dict[str, set[str]] = {kind: set() for kind in ("family", "child", "rating", "action", "meeting")}
        for team in (month.first, month.second):
            ids["family"].add(str(team.family.id))
            ids["child"].add(str(team.child.id))
            ids["meeting"].add(str(team.meeting.id))
        for event in s.scalars(select(AuditEvent)):
            after = event.after or {}
            if event.entity_type in ("rating", "action") and after.get("meeting_id") in {
                month.first.meeting.id,
                month.second.meeting.id,
            }:
                ids[event.entity_type].add(str(event.entity_id))
        for event in s.scalars(select(AuditEvent)):
            if event.entity_id in ids.get(event.entity_type, set()):
                others.add(event.id)
    return others


def test_the_references_equal_other_families_internal_ids(month: BusyMonth) -> None:
    assert month.family_reference == str(month.first.family.id)
    assert month.child_reference == str(month.second.family.id)


def test_a_childs_export_holds_no_event_about_another_family(engine: Engine, month: BusyMonth) -> None:
    exported = exported_ids(engine, month, child_reference=month.child_reference)
    assert exported, "the child's own events should be exported"
    assert exported & other_families_events(engine, month) == set()
    verbs = {trail(engine)[i][1] for i in exported}
    assert "scores.store" not in verbs  # a family's scores are the family's events, not one child's


def test_a_familys_export_holds_no_event_about_another_family(engine: Engine, month: BusyMonth) -> None:
    exported = exported_ids(engine, month, family_reference=month.family_reference)
    assert exported & other_families_events(engine, month) == set()


def test_anonymising_the_family_leaves_every_other_familys_event_as_it_was(engine: Engine, month: BusyMonth) -> None:
    before = trail(engine)
    result = anonymise_due_families(engine, month.admin)
    assert result.families == 1
    after = trail(engine)
    untouched = other_families_events(engine, month)
    assert untouched and {i: after[i] for i in untouched} == {i: before[i] for i in untouched}


@pytest.mark.parametrize("subject", ["family", "child"])
def test_subject_access_and_the_audit_search_select_the_same_events(
    engine: Engine, month: BusyMonth, subject: str
) -> None:
    if subject == "family":
        exported = exported_ids(engine, month, family_reference=month.family_reference)
        searched = searched_ids(engine, month, AuditQuery(case_reference=month.family_reference))
    else:
        exported = exported_ids(engine, month, child_reference=month.child_reference)
        searched = searched_ids(engine, month, AuditQuery(child_reference=month.child_reference))
    assert exported and exported == searched - {max(searched)}  # the search also finds this export's own event
    assert trail(engine)[max(searched)][1] == "records.subject_access"


def test_anonymising_rewrites_only_the_events_about_the_family_and_leaves_no_reference_in_them(
    engine: Engine, month: BusyMonth
) -> None:
    about = searched_ids(engine, month, AuditQuery(case_reference=month.family_reference))
    before = trail(engine)
    anonymise_due_families(engine, month.admin)
    after = trail(engine)
    changed = {i for i in before if after[i] != before[i]}
    assert changed and changed <= about
    references = {month.family_reference, month.child_reference, month.sibling.case_reference}
    for i in about:
        text = json.dumps([after[i][4], after[i][5]])
        for secret in (RATIONALE, ACTION_TEXT, REASON, "Amira", "Idris", "2018-03-02"):
            assert secret not in text, (after[i], secret)
        strings = _strings(after[i][4]) | _strings(after[i][5])
        words = {word for s in strings if not CHILD_LABEL.fullmatch(s) for word in s.replace(":", " ").split()}
        assert not words & references, after[i]
    [renamed] = [after[i] for i in about if after[i][1] == "family.update" and "children" in (after[i][4] or {})]
    with reading(engine) as s:
        pseudonym = s.get_one(Child, month.child.id).case_reference
    assert renamed[4]["children"] == {pseudonym: {"first_name": "Child 2"}}  # as on the child's record


def _strings(value: Any) -> set[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        return {str(k) for k in value} | {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return {value} if isinstance(value, str) else set()


def test_every_kind_of_event_about_the_family_is_in_its_selection(engine: Engine, month: BusyMonth) -> None:
    events = trail(engine)
    written = {(verb, kind) for _, verb, kind, *_ in events.values()}
    about = searched_ids(engine, month, AuditQuery(case_reference=month.family_reference))
    selected = {(events[i][1], events[i][2]) for i in about}
    assert selected & NOT_ABOUT_A_FAMILY == set()
    assert written - NOT_ABOUT_A_FAMILY - selected == set(), "a kind of event about families is left out"
    assert {
        ("family.create", "family"),
        ("family.update", "family"),
        ("family.close", "family"),
        ("import", "ssd_extract"),
        ("import", "caseload_file"),
        ("rating.create", "rating"),
        ("rating.update", "rating"),
        ("rating.correct", "rating"),
        ("scores.store", "meeting"),
        ("meeting.focus", "meeting"),
        ("discussion.mark", "family"),
        ("discussion.unmark", "family"),
        ("action.create", "action"),
        ("action.complete", "action"),
        ("involvement.create", "involvement"),
        ("involvement.end", "involvement"),
        ("view", "family"),
        ("records.subject_access", "family"),
        ("records.subject_access", "child"),
        ("download", "subject_access_zip"),
        ("download", "subject_access_pdf"),
        ("download", "audit_csv"),
    } <= selected


def _selected(engine: Engine, family_ids: list[int]) -> set[int]:
    with reading(engine) as s:
        about = events_about(s, family_subject(s, family_ids))
        return set(s.scalars(select(AuditEvent.id).where(about.where())))


def test_many_families_at_once_select_what_each_selects_alone(engine: Engine, month: BusyMonth) -> None:
    """A retention run over many families reads the trail once instead of asking the database to narrow it; the
    events it selects are exactly those each family selects on its own."""
    with transaction(engine) as s:
        families = [
            Family(team_id=month.family.team_id, case_reference=str(10 + n), opened_on=dt.date(2022, 1, 5))
            for n in range(60)
        ]
        s.add_all(families)
        s.add_all(
            Child(family=f, case_reference=str(100 + n), first_name="Kim", date_of_birth=dt.date(2019, 1, 1))
            for n, f in enumerate(families)
        )
        s.flush()
        ids = [f.id for f in families]
        imported = {"created": [f.case_reference for f in families[:20]] + [month.family_reference]}
        record(s, month.admin, "import", "caseload_file", "f" * 64, after={"families": imported, "rows": 51})
        record(s, None, "scores.store", "meeting", month.meeting.id, after={str(i): {"band": "red"} for i in ids[5:]})
        record(s, month.admin, "download", "audit_csv", None, after={"filters": {"child_reference": "105"}})
        record(s, month.admin, "download", "audit_csv", None, after={"filters": {"case_reference": "105"}})
    everyone = [*ids, month.family.id]
    with reading(engine) as s:
        many = family_subject(s, everyone)
    assert len(many.family_ids) > 50 and len(many.references) > 50  # the paths that read the whole trail
    alone = set().union(*(_selected(engine, [i]) for i in everyone))
    assert _selected(engine, everyone) == alone
    with reading(engine) as s:
        others = s.scalars(
            select(AuditEvent.verb).where(AuditEvent.id.in_(alone - _selected(engine, [month.family.id])))
        )
        # the meeting's scores of the others, and the search for child 105; not a search for a family 105
        assert sorted(others) == ["download", "scores.store"]


def test_only_the_places_kept_for_references_are_renamed() -> None:
    details = {
        "rows": 45,
        "at": "2026-10-14T12:45:00",
        "45": {"band": "red", "score": 45.0},
        "families": {"updated": ["45", "F-2"]},
        "subject": "family 45",
        "filters": {"case_reference": " 45 ", "child_reference": "45", "person": "45"},
    }
    assert rename_references(details, {FAMILY: {"45": "ANON-A"}}) == details | {
        "families": {"updated": ["ANON-A", "F-2"]},
        "subject": "family ANON-A",
        "filters": {"case_reference": "ANON-A", "child_reference": "45", "person": "45"},
    }
    assert rename_references(details, {CHILD: {"45": "ANON-B"}})["filters"]["child_reference"] == "ANON-B"
