"""Correcting, erasing and restricting a family or a child (UK GDPR Art 16, 17, 18), on SQLite and PostgreSQL.

Erasing leaves no row that refers to what was erased (found from the schema), nothing identifying in any text
column (the audit trail included), the other family exactly as it was, and one event saying what kind of record
was erased, by whom and why, naming nobody. A correction keeps the old and new values with the reason, and the
references a record had before stay linked to it, so anonymising later leaves none of them behind.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, func, select

from db.access import FamilyRestricted
from db.errors import InvalidInput, NotFound
from db.models import AuditEvent, Base, Child, Family, FamilyRiskScore, Involvement, LegalStatusPeriod, Rating
from db.queries.audit_search import AuditQuery, export
from db.queries.family_history import family_history
from db.records.retention import anonymise_due_families, families_due, set_retention_policy
from db.records.subject_access import subject_access_export
from db.services.admin import add_involvement
from db.services.erasure import erase_child, erase_family
from db.services.family_details import correct_child, correct_family
from db.services.restriction import lift_restriction, restrict_family
from db.session import reading, transaction
from tests.db.records.conftest import IDENTIFYING, Records
from tests.db.records.test_retention import DUE_DAY, text_containing

WHY = "Imported into this team by mistake at set-up"


def rows_pointing_at(engine: Engine, family_ids: set[int], child_ids: set[int]) -> dict[str, int]:
    """Rows of every table whose foreign key points at one of the families or children (from the schema)."""
    found = {}
    with reading(engine) as s:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                target = fk.column.table.name
                wanted = family_ids if target == "family" else child_ids if target == "child" else None
                if not wanted:
                    continue
                n = s.scalar(select(func.count()).select_from(table).where(fk.parent.in_(sorted(wanted))))
                if n:
                    found[f"{table.name}.{fk.parent.name}"] = n
        if s.scalar(select(func.count()).select_from(Family).where(Family.id.in_(family_ids))):
            found["family"] = 1
    return found


def other_family(engine: Engine, records: Records) -> dict[str, object]:
    with reading(engine) as s:
        family = records.other.family.id
        return {
            "family": s.execute(select(Family.__table__).where(Family.id == family)).all(),
            "children": s.execute(select(Child.__table__).where(Child.family_id == family)).all(),
            "ratings": s.execute(select(Rating.__table__).where(Rating.child_id == records.other.child.id)).all(),
            "scores": s.execute(select(FamilyRiskScore.__table__).where(FamilyRiskScore.family_id == family)).all(),
        }


def test_erasing_a_family_takes_every_row_and_detail_and_leaves_one_event_naming_nobody(
    engine: Engine, records: Records
) -> None:
    family, children = records.subject.family.id, {records.subject.child.id, records.second_child.id}
    assert rows_pointing_at(engine, {family}, children)
    for needle in IDENTIFYING:
        assert text_containing(engine, needle), needle
    untouched = other_family(engine, records)
    with reading(engine) as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))

    result = erase_family(engine, records.admin, family, reason="duplicate", explanation=WHY, confirm_reference="f-77")

    assert rows_pointing_at(engine, {family}, children) == {}
    assert {needle: text_containing(engine, needle) for needle in IDENTIFYING} == {n: [] for n in IDENTIFYING}
    assert other_family(engine, records) == untouched
    assert result.rows["family"] == 1 and result.rows["child"] == 2 and result.rows["rating"] == 3
    assert result.meetings_rescored == 1 and result.audit_events_rewritten > 0
    with reading(engine) as s:
        trail = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert len(trail) > events  # none deleted: the rescoring and the erasure's own event are added
    erased = trail[-1]
    assert (erased.verb, erased.entity_type, erased.entity_id) == ("family.erase", "family", str(family))
    assert erased.actor_id == records.admin.id
    assert erased.after["reason"] == "duplicate" and erased.after["explanation"] == WHY
    assert erased.after["erased_as"] == result.token and result.token.startswith("ERASED-")
    assert "F-77" not in json.dumps(erased.after) and "Zebedee" not in json.dumps(erased.after)
    imported = next(e for e in trail if e.verb == "import")
    assert imported.after["families"] == {"updated": [result.token, "F-78"]}


def test_erasing_one_child_remakes_the_familys_scores_without_it(engine: Engine, records: Records) -> None:
    second = records.second_child.id
    with transaction(engine) as s:  # open on its meeting's day again, as it was when the meeting closed
        family = s.get_one(Family, records.subject.family.id)
        family.opened_on, family.closed_on = dt.date(2026, 1, 5), None
    result = erase_child(
        engine, records.admin, second, reason="not_our_case", explanation=WHY, confirm_reference="F-77-2"
    )
    assert result.meetings_rescored == 1 and result.rows == {"child": 1, "legal_status": 1, "rating": 2}
    assert rows_pointing_at(engine, set(), {second}) == {}
    for needle in ("F-77-2", "Worried about Ottoline", "2015-09-30"):
        assert text_containing(engine, needle) == [], needle
    # the sibling's rationale and the family's action name her: they are the family's words, shown for review
    assert result.mentions_left == 2
    with reading(engine) as s:
        family = s.get_one(Family, records.subject.family.id)
        assert [c.first_name for c in family.children] == ["Zebedee"]
        [score] = s.scalars(select(FamilyRiskScore).where(FamilyRiskScore.family_id == family.id)).all()
        assert [c["child_id"] for c in score.components["children"]] == [records.subject.child.id]
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (last.verb, last.entity_type, last.entity_id) == ("child.erase", "family", str(family.id))
    assert text_containing(engine, "Zebedee")  # the sibling stays


@pytest.mark.parametrize(
    ("explanation", "confirm"),
    [
        ("Zebedee was entered twice by the import", "F-77"),  # names a child
        ("Duplicate of the family entered as F-77 in error", "F-77"),  # a reference
        ("Child born 2018-03-02 belongs elsewhere", "F-77"),  # a date of birth
        (WHY, "F-78"),  # confirms another family
        ("Too short", "F-77"),
    ],
)
def test_an_erasure_that_would_name_someone_or_is_not_confirmed_is_refused_and_erases_nothing(
    engine: Engine, records: Records, explanation: str, confirm: str
) -> None:
    before = rows_pointing_at(engine, {records.subject.family.id}, {records.subject.child.id})
    with pytest.raises(InvalidInput):
        erase_family(
            engine,
            records.admin,
            records.subject.family.id,
            reason="duplicate",
            explanation=explanation,
            confirm_reference=confirm,
        )
    assert rows_pointing_at(engine, {records.subject.family.id}, {records.subject.child.id}) == before


def test_an_erased_records_ids_are_never_given_to_a_new_one(engine: Engine, records: Records) -> None:
    with transaction(engine) as s:
        newest = Family(team_id=records.other.team.id, case_reference="F-99", opened_on=dt.date(2026, 1, 5))
        s.add(newest)
        s.flush()
        newest_id = newest.id
        child = Child(family=newest, case_reference="F-99-1", first_name="Pip", date_of_birth=dt.date(2019, 1, 1))
        s.add(child)
        s.flush()
        child_id = child.id
    erase_family(engine, records.admin, newest_id, reason="test_data", explanation=WHY, confirm_reference="F-99")
    with transaction(engine) as s:
        again = Family(team_id=records.other.team.id, case_reference="F-100", opened_on=dt.date(2026, 1, 5))
        s.add(again)
        s.flush()
        s.add(Child(family=again, case_reference="F-100-1", first_name="Pat", date_of_birth=dt.date(2019, 1, 1)))
        s.flush()
        assert again.id > newest_id and again.children[0].id > child_id


def test_a_correction_keeps_before_after_and_reason_and_anonymising_leaves_no_old_detail(
    engine: Engine, records: Records
) -> None:
    correct_child(
        engine,
        records.admin,
        records.second_child.id,
        case_reference="F-77-9",
        first_name="Ottilie",
        date_of_birth=dt.date(2015, 10, 30),
        reason="The case system spells her name Ottilie",
    )
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert s.get_one(Child, records.second_child.id).first_name == "Ottilie"
    assert (event.verb, event.entity_type) == ("family.correct", "family")
    assert event.before == {
        "children": {
            "F-77-2": {"child_id": records.second_child.id, "case_reference": "F-77-2", "first_name": "Ottoline"}
            | {"date_of_birth": "2015-09-30"}
        }
    }
    assert event.after["children"]["F-77-9"]["first_name"] == "Ottilie"
    # the old reference still finds the events that named the child by it (the import named the family only)
    exported = subject_access_export(engine, records.admin, child_reference="F-77-9")
    assert event.id in set(exported.tables["audit_events"]["id"])

    set_retention_policy(engine, records.admin, 1)
    anonymise_due_families(engine, records.admin, today=DUE_DAY)
    for needle in (*IDENTIFYING, "Ottilie", "F-77-9", "2015-10-30", "spells her name"):
        assert text_containing(engine, needle) == [], needle


def test_moving_a_family_to_another_team_ends_the_old_teams_involvement(engine: Engine, records: Records) -> None:
    family = records.subject.family.id
    changed = correct_family(
        engine,
        records.admin,
        family,
        case_reference="F-77",
        team_id=records.other.team.id,
        social_worker_id=records.other.social_worker.id,
        opened_on=dt.date(2022, 1, 5),
        reason=WHY,
    )
    assert changed["team_id"] == records.other.team.id
    assert set(changed["involvements_ended"]) == {records.subject.social_worker.id, records.subject.mental_health.id}
    with reading(engine) as s:
        open_now = s.scalars(
            select(Involvement).where(Involvement.family_id == family, Involvement.ended_on > dt.date.today())
        ).all()
        assert open_now == []
    with pytest.raises(InvalidInput, match="already held"):
        correct_family(
            engine,
            records.admin,
            family,
            case_reference="F-77",
            team_id=records.other.team.id,
            social_worker_id=records.other.social_worker.id,
            opened_on=dt.date(2022, 1, 5),
            reason=WHY,
        )


def test_a_reference_another_family_has_is_refused(engine: Engine, records: Records) -> None:
    with pytest.raises(InvalidInput, match="Another family"):
        correct_family(
            engine,
            records.admin,
            records.subject.family.id,
            case_reference="f-78",
            team_id=records.subject.team.id,
            social_worker_id=None,
            opened_on=dt.date(2022, 1, 5),
            reason=WHY,
        )


def test_a_restricted_family_is_hidden_held_back_and_lifting_is_audited(engine: Engine, records: Records) -> None:
    family = records.subject.family.id
    set_retention_policy(engine, records.admin, 1)
    assert [d.family_id for d in families_due(engine, records.admin, today=DUE_DAY)[1]] == [family]
    restrict_family(engine, records.admin, family, "Accuracy contested by the parent")
    with pytest.raises(NotFound):
        family_history(engine, records.subject.social_worker, family)
    assert families_due(engine, records.admin, today=DUE_DAY)[1] == []
    with pytest.raises(FamilyRestricted):
        add_involvement(engine, records.admin, family, records.subject.manager.id, dt.date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="already restricted"):
        restrict_family(engine, records.admin, family, "Accuracy contested by the parent")

    lift_restriction(engine, records.admin, family, "The parent's concern was resolved")
    assert family_history(engine, records.subject.social_worker, family).family_id == family
    found = export(engine, records.admin, AuditQuery(case_reference="F-77"))
    assert {"family.restrict", "family.unrestrict"} <= set(found["What"])


def test_a_restricted_familys_stored_scores_are_kept_when_its_meeting_is_rescored(
    engine: Engine, records: Records
) -> None:
    with reading(engine) as s:
        before = s.execute(select(FamilyRiskScore.__table__).order_by(FamilyRiskScore.id)).all()
    restrict_family(engine, records.admin, records.subject.family.id, "Accuracy contested by the parent")
    erase_family(
        engine, records.admin, records.other.family.id, reason="wrong_team", explanation=WHY, confirm_reference="F-78"
    )
    with reading(engine) as s:
        after = s.execute(select(FamilyRiskScore.__table__).order_by(FamilyRiskScore.id)).all()
    assert [r for r in before if r.family_id == records.subject.family.id] == after


def test_erasing_a_child_of_a_restricted_family_waits_for_the_lift(engine: Engine, records: Records) -> None:
    restrict_family(engine, records.admin, records.subject.family.id, "Accuracy contested by the parent")
    with pytest.raises(InvalidInput, match="restricted"):
        erase_child(
            engine,
            records.admin,
            records.second_child.id,
            reason="duplicate",
            explanation=WHY,
            confirm_reference="F-77-2",
        )
    with reading(engine) as s:
        assert s.get(Child, records.second_child.id) is not None
        assert s.scalars(select(LegalStatusPeriod).where(LegalStatusPeriod.child_id == records.second_child.id)).all()
