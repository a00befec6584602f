"""A family's name is personal data like its reference: subject access discloses it, anonymising clears it from
the family and from every audit event about it, and the data exit carries it."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import Engine

from db.models import Family
from db.records.retention import anonymise_due_families, set_retention_policy
from db.records.subject_access import subject_access_export, subject_access_zip
from db.services.family_details import correct_family_name
from db.session import reading, transaction
from tests.db.records.conftest import Records
from tests.db.records.test_retention import DUE_DAY, text_containing

NAME = "Quillfeather / Zanzibarre"
"""Invented surnames, so any trace of them anywhere is found."""


def _named(engine: Engine, records: Records) -> None:
    with transaction(engine) as s:
        s.get_one(Family, records.subject.family.id).display_name = "Quillfeather"
    correct_family_name(
        engine, records.admin, records.subject.family.id, NAME, held="Quillfeather", reason="As the case system has it"
    )


def test_subject_access_discloses_the_familys_name(engine: Engine, records: Records) -> None:
    _named(engine, records)
    exported = subject_access_export(engine, records.admin, family_reference="F-77")
    with zipfile.ZipFile(io.BytesIO(subject_access_zip(exported))) as archive:
        name = next(n for n in archive.namelist() if n.endswith("family.csv"))
        [family] = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert family["display_name"] == NAME


def test_anonymising_clears_the_name_from_the_family_and_the_audit_trail(engine: Engine, records: Records) -> None:
    _named(engine, records)
    assert sorted(text_containing(engine, "Zanzibarre")) == ["audit_event.after", "family.display_name"]

    set_retention_policy(engine, records.admin, 1)
    anonymise_due_families(engine, records.admin, today=DUE_DAY)

    with reading(engine) as s:
        assert s.get_one(Family, records.subject.family.id).display_name is None
    assert text_containing(engine, "Quillfeather") == []
    assert text_containing(engine, "Zanzibarre") == []
