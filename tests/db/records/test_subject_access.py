"""Subject access: the export holds every row that references the family (or the child), nothing of another
family, as a .zip of CSV files and a readable PDF; only administrators make it, and making it is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.errors import InvalidInput, NotFound
from db.models import AuditEvent, Base, Rating
from db.queries.audit_search import AuditQuery, export
from db.records.subject_access import (
    SubjectAccessExport,
    find_subject,
    subject_access_export,
    subject_access_zip,
)
from db.records.subject_access_pdf import subject_access_pdf
from db.session import reading
from tests.db.records.conftest import ACTION_TEXT, DECISION_TEXT, RATIONALE, REASON, UPDATE_TEXT, Records

# Where each table that references a family or a child appears in the export (a new table that references them
# fails the test below until the export includes it).
FILE_OF_TABLE = {
    "family": "family",
    "child": "children",
    "legal_status": "legal_status",
    "involvement": "involvement",
    "rating": "ratings",
    "family_risk_score": "scores",
    "action": "actions",
    "family_anonymisation": "family",
    "family_discussion": "discussions",
    "supervision_update": "updates",
    "family_decision": "decisions",
}
# Columns that point at a family without holding anything about it: which card the chair has open right now (a
# pointer for followers' screens, cleared when the meeting closes; the time spent is in family_discussion).
NOT_ABOUT_THE_FAMILY = {("meeting", "focus_family_id")}


def unzip(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tables = {
            name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
            if name.endswith(".csv")
        }
        manifest = json.loads(archive.read("manifest.json"))
    assert {name: len(rows) for name, rows in tables.items()} == {
        name: table["rows"] for name, table in manifest["tables"].items()
    }
    return tables


def rows_referencing(engine: Engine, family_id: int, child_ids: list[int]) -> dict[str, set[str]]:
    """Ids of the rows of every table with a foreign key to the family or to one of the children (found from the
    schema, not from a list), the family's own row included."""
    found: dict[str, set[str]] = {"family": {str(family_id)}}
    with reading(engine) as s:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if target not in {"family", "child"} or (table.name, fk.parent.name) in NOT_ABOUT_THE_FAMILY:
                    continue
                wanted = [family_id] if target == "family" else child_ids
                key = next(iter(table.primary_key.columns))
                ids = s.scalars(select(key).where(fk.parent.in_(wanted))).all()
                file = FILE_OF_TABLE.get(table.name)
                assert file is not None, f"table {table.name} references a {target} but is not in the export"
                if table.name == "family_anonymisation":
                    ids = [family_id] if ids else []
                found.setdefault(file, set()).update(str(i) for i in ids)
    return found


def audit_ids_about(engine: Engine, records: Records) -> set[str]:
    """The events the audit trail page finds for the family's case reference, those storing its meeting's
    scores, and those whose details mention its references."""
    found = export(engine, records.admin, AuditQuery(case_reference="F-77"))
    assert not found.empty
    with reading(engine) as s:
        own = {
            str(event.id)
            for event in s.scalars(select(AuditEvent))
            if "f-77" in json.dumps([event.before, event.after]).lower()
            or (event.verb == "scores.store" and event.entity_id == str(records.subject.meeting.id))
        }
    return own | {str(i) for i in found["Event"]}


def test_the_family_export_holds_every_row_that_references_the_family(engine: Engine, records: Records) -> None:
    about = audit_ids_about(engine, records)
    exported = subject_access_export(engine, records.admin, family_reference="f-77")
    tables = unzip(subject_access_zip(exported))

    child_ids = [records.subject.child.id, records.second_child.id]
    for file, ids in rows_referencing(engine, records.subject.family.id, child_ids).items():
        assert ids <= {row["id"] for row in tables[file]}, file
    assert {row["id"] for row in tables["audit_events"]} >= about
    assert {r["rationale"] for r in tables["ratings"]} >= {RATIONALE}
    assert [a["text"] for a in tables["actions"]] == [ACTION_TEXT]
    assert [(u["text"], u["kind_of_work"], u["role"]) for u in tables["updates"]] == [
        (UPDATE_TEXT, "Home visit", "social worker")
    ]
    assert [(d["decision"], d["outcome"]) for d in tables["decisions"]] == [(DECISION_TEXT, "Continue the plan")]
    assert [(d["meeting_date"], d["discussed"]) for d in tables["discussions"]] == [("2026-10-14", "yes")]
    history = tables["rating_history"]
    assert [h["what"] for h in history].count("rating changed") == 1
    assert any(h["reason"] == REASON for h in history)
    assert all(s["explanation"] for s in tables["scores"])


def test_the_export_discloses_nothing_of_another_family(engine: Engine, records: Records) -> None:
    data = subject_access_zip(subject_access_export(engine, records.admin, family_reference="F-77"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = " ".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert "F-78" not in everything and "Amy is fine" not in everything
    imported = [row for row in unzip(data)["audit_events"] if row["verb"] == "import"]
    assert [json.loads(row["after"]) for row in imported] == [{"families": {"updated": ["F-77"]}}]


def test_a_childs_export_holds_that_childs_rows_and_not_a_siblings(engine: Engine, records: Records) -> None:
    tables = unzip(subject_access_zip(subject_access_export(engine, records.admin, child_reference="F-77-2")))
    assert [c["first_name"] for c in tables["children"]] == ["Ottoline"]
    # the family's updates and decisions are about the child too
    assert [u["text"] for u in tables["updates"]] == [UPDATE_TEXT]
    assert [d["decision"] for d in tables["decisions"]] == [DECISION_TEXT]
    with reading(engine) as s:
        ratings = {str(i) for i in s.scalars(select(Rating.id).where(Rating.child_id == records.second_child.id))}
    assert {r["id"] for r in tables["ratings"]} == ratings
    assert {r["child"] for r in tables["legal_status"]} == {"Ottoline"}
    assert all("F-77-1" not in row["after"] for row in tables["audit_events"])


def test_the_pdf_reads_in_words_dates_and_roles(engine: Engine, records: Records) -> None:
    exported = subject_access_export(engine, records.admin, family_reference="F-77")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(subject_access_pdf(exported))).pages)
    text = " ".join(text.split())
    for expected in ("Subject access export", "family F-77", "Zebedee", "Ottoline", "Child Protection plan", "Red"):
        assert expected in text
    assert "SW Stevenage A (social worker)" in text
    assert "14/10/2026" in text  # the meeting date, as dd/mm/yyyy


def test_making_an_export_is_audited_with_its_counts(engine: Engine, records: Records) -> None:
    exported = subject_access_export(engine, records.admin, child_reference="F-77-1")
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "records.subject_access")).one()
    assert (event.actor_id, event.entity_type, event.entity_id) == (
        records.admin.id,
        "child",
        str(records.subject.child.id),
    )
    assert event.after == {"subject": "child F-77-1", "counts": exported.counts()}


def test_only_administrators_make_exports_and_unknown_references_are_said(engine: Engine, records: Records) -> None:
    for person in (records.subject.manager, records.head_of_service):
        with pytest.raises(AccessDenied):
            subject_access_export(engine, person, family_reference="F-77")
    with pytest.raises(NotFound, match="No family has the case reference F-99"):
        subject_access_export(engine, records.admin, family_reference="F-99")
    with pytest.raises(InvalidInput):
        subject_access_export(engine, records.admin, family_reference="F-77", child_reference="F-77-1")
    with reading(engine) as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.verb == "records.subject_access")).all() == []


def test_file_names_hold_only_letters_digits_and_dashes_whatever_the_reference() -> None:
    made = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    export = SubjectAccessExport("family ../../etc/F 1", made, "Ada", {})
    assert export.file_stem == "subject-access-family-etc-F-1-20261123"


def test_a_reference_is_checked_before_the_files_are_offered_without_disclosing_or_recording_anything(
    engine: Engine, records: Records
) -> None:
    assert find_subject(engine, records.admin, family_reference=" f-77 ") == "family F-77"
    assert find_subject(engine, records.admin, child_reference="F-77-2") == "child F-77-2"
    with pytest.raises(NotFound, match="No family has the case reference F-77-2"):
        find_subject(engine, records.admin, family_reference="F-77-2")
    with pytest.raises(InvalidInput, match="not both and not neither"):
        find_subject(engine, records.admin, family_reference="  ", child_reference="")
    with reading(engine) as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.verb.like("records.%"))).all() == []
