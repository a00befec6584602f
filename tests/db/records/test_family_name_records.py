"""A family's name is personal data like its reference: subject access discloses it, anonymising clears it from
the family and from every audit event about it, and the data exit carries it (a backup is the whole database:
tests/db/records/test_backup.py restores every table's rows)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from sqlalchemy import Engine

from db.exports.data_exit import exact_text, export_all
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


def test_the_data_exit_carries_the_name_and_the_setting(engine: Engine, records: Records, tmp_path: Path) -> None:
    _named(engine, records)
    export_all(engine, records.admin, tmp_path / "exit")
    with (tmp_path / "exit" / "family.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["case_reference"]: exact_text(row["display_name"]) for row in csv.DictReader(handle)}
    assert names["F-77"] == NAME
    with (tmp_path / "exit" / "team.csv").open(encoding="utf-8", newline="") as handle:
        assert {row["presentation_initials"] for row in csv.DictReader(handle)} == {"false"}
