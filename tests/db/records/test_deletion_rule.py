"""Deletion after anonymising, for councils whose policy does not keep even anonymised figures: off until an
administrator sets the years, judged from the day each family was anonymised, and done as erasing is (every row,
the audit trail's details about it), audited; a restricted family is held back. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from db.errors import InvalidInput
from db.models import AuditEvent, Family, FamilyAnonymisation
from db.records.retention import (
    anonymise_due_families,
    delete_due_families,
    deletion_policy,
    families_due_for_deletion,
    set_deletion_policy,
    set_retention_policy,
)
from db.services.restriction import restrict_family
from db.session import reading, transaction
from tests.db.records.conftest import Records
from tests.db.records.test_correction_erasure_restriction import rows_pointing_at
from tests.db.records.test_retention import DUE_DAY

ANONYMISED_ON = dt.date(2025, 7, 1)


@pytest.fixture
def anonymised(engine: Engine, records: Records) -> str:
    """F-77 anonymised (on a day in the past, so its deletion can fall due before today); its pseudonym."""
    set_retention_policy(engine, records.admin, 1)
    [pseudonym] = anonymise_due_families(engine, records.admin, today=DUE_DAY).pseudonyms
    with transaction(engine) as s:
        row = s.get_one(FamilyAnonymisation, records.subject.family.id)
        row.anonymised_at = dt.datetime.combine(ANONYMISED_ON, dt.time(9), tzinfo=dt.UTC)
    return pseudonym


def test_nothing_is_deleted_until_the_rule_is_switched_on(engine: Engine, records: Records, anonymised: str) -> None:
    assert deletion_policy(engine, records.admin).years_after_anonymisation is None
    assert families_due_for_deletion(engine, records.admin)[1] == []
    with pytest.raises(InvalidInput, match="off"):
        delete_due_families(engine, records.admin)
    with reading(engine) as s:
        assert s.get(Family, records.subject.family.id) is not None


def test_a_family_is_due_from_its_anonymising_day_and_deleting_takes_everything(
    engine: Engine, records: Records, anonymised: str
) -> None:
    set_deletion_policy(engine, records.admin, 1)
    [due] = families_due_for_deletion(engine, records.admin, today=dt.date(2026, 7, 1))[1]
    assert (due.case_reference, due.anonymised_on, due.due_on) == (anonymised, ANONYMISED_ON, dt.date(2026, 7, 1))
    assert families_due_for_deletion(engine, records.admin, today=dt.date(2026, 6, 30))[1] == []

    dry = delete_due_families(engine, records.admin, dry_run=True)
    with reading(engine) as s:
        assert s.get(Family, records.subject.family.id) is not None
    done = delete_due_families(engine, records.admin)
    assert (done.families, done.rows, done.pseudonyms) == (dry.families, dry.rows, [anonymised])
    assert done.rows["family"] == 1 and done.rows["family_anonymisation"] == 1
    children = {records.subject.child.id, records.second_child.id}
    assert rows_pointing_at(engine, {records.subject.family.id}, children) == {}
    with reading(engine) as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        erased = s.scalar(select(func.count()).where(AuditEvent.verb == "family.erase"))
    assert last.verb == "retention.delete" and last.after["pseudonyms"] == [anonymised] and erased == 1
    assert families_due_for_deletion(engine, records.admin)[1] == []


def test_a_restricted_family_is_held_back(engine: Engine, records: Records, anonymised: str) -> None:
    set_deletion_policy(engine, records.admin, 1)
    restrict_family(engine, records.admin, records.subject.family.id, "Kept for a claim the family has made")
    assert families_due_for_deletion(engine, records.admin)[1] == []


@pytest.mark.parametrize("years", [0, 101])
def test_a_rule_outside_1_to_100_years_is_refused(engine: Engine, records: Records, years: int) -> None:
    with pytest.raises(InvalidInput):
        set_deletion_policy(engine, records.admin, years)
    assert set_deletion_policy(engine, records.admin, None).years_after_anonymisation is None
