"""One plan, one writer: the spreadsheet's reader and the SSD's read the same family into the same plan, the writer
applies any reader's plan all or nothing, and a child's change is audited in one shape whatever the input."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from db.imports import ImportRefused, import_caseload
from db.imports.directory import Directory, Person, TeamInfo
from db.imports.plan import InputKind, Place, Plan, PlannedChild, PlannedFamily, PlannedTeam, Scope
from db.imports.reading import read_table
from db.imports.ssd import import_ssd
from db.imports.ssd.building import build_plan
from db.imports.validation import check_rows
from db.imports.writer import Source, apply_plan
from db.models import AuditEvent, Family, User
from db.session import reading
from risk.vocabulary import LegalStatus, Role
from tests.imports.conftest import TODAY, Service, csv_bytes, database_picture, row
from tests.imports.ssd_extracts import base, extract, mapping
from tests.imports.test_import_service import _periods

D = dt.date
SAM, MO = "sam.khan@example.org", "mo.reid@example.org"
OAK = PlannedTeam("Oak team", "North office")


def _directory() -> Directory:
    """Oak team of North office, with the two professionals of the SSD fixtures' family as accounts."""
    oak = TeamInfo(1, "Oak team", 1, "North office")
    return Directory(
        offices={"north office": 1},
        teams={"oak team": oak},
        people={
            SAM: Person(10, SAM, Role.SOCIAL_WORKER, oak.id, oak.office_id, True),
            MO: Person(11, MO, Role.MENTAL_HEALTH_PRACTITIONER, oak.id, oak.office_id, True),
        },
    )


def test_a_spreadsheet_and_an_ssd_extract_of_the_same_family_give_the_same_plan(tmp_path: Path) -> None:
    """F1: Amy (00123) on a CP plan since the case opened on 5 January, Sam her social worker, Mo working with
    her parent; once from the spreadsheet, once from the SSD tables."""
    sheet = read_table(
        "caseload.csv",
        csv_bytes(
            [
                row(
                    family_reference="F1",
                    team="Oak team",
                    opened_on="05/01/2026",
                    allocated_social_worker_email="Sam.Khan@example.org",
                    child_reference="00123",
                    child_first_name="Amy",
                    date_of_birth="02/03/2018",
                    legal_status="Child Protection plan",
                    legal_status_from="05/01/2026",
                    involved_practitioner_emails=f"{SAM}; {MO}",
                    display_name="Smith",
                )
            ]
        ),
    )
    tables = base()
    del tables["ssd_cin_episodes"]
    tables["ssd_cp_plans"][0]["cppl_cp_plan_start_date"] = "2026-01-05"
    tables["ssd_involvements"][1]["invo_involvement_start_date"] = "2026-01-05"

    from_sheet = check_rows(sheet, _directory(), TODAY)
    from_ssd = build_plan(extract(tmp_path, tables), mapping(), TODAY)

    assert from_sheet.problems == () and from_ssd.problems == ()
    assert from_sheet.families == from_ssd.families
    (family,) = from_ssd.families
    assert (family.reference, family.team, family.opened_on, family.closed_on, family.social_worker) == (
        "F1",
        OAK,
        D(2026, 1, 5),
        None,
        SAM,
    )
    assert family.children[0].periods == ((LegalStatus.CP, D(2026, 1, 5), None),)
    assert family.involvements == {SAM: ((D(2026, 1, 5), None),), MO: ((D(2026, 1, 5), None),)}
    assert from_sheet.teams == from_ssd.teams == (OAK,)
    # what differs is only what each input can know: the sheet says how things stand today, the SSD the history
    assert (from_sheet.scope, from_ssd.scope) == (Scope.TODAY, Scope.HISTORY)


def _source() -> Source:
    return Source(InputKind("test_input", "the input", "test import", "not in the input"), "hand-made", "0" * 64, 1)


def _child(reference: str, periods: tuple[tuple[LegalStatus, dt.date, dt.date | None], ...]) -> PlannedChild:
    where = Place(reference, None, "children")
    return PlannedChild(reference, "Cara", D(2019, 4, 3), periods, family_place=where, status_place=where)


def _family(reference: str, involvements: dict[str, tuple[tuple[dt.date, dt.date | None], ...]]) -> PlannedFamily:
    return PlannedFamily(
        reference=reference,
        team=PlannedTeam("Stevenage A", "North"),
        opened_on=D(2026, 3, 1),
        closed_on=None,
        social_worker="sw.stevenage-a@example.org",
        children=(_child(f"{reference}-1", ((LegalStatus.CIN, D(2026, 3, 1), None),)),),
        involvements=involvements,
    )


def test_a_third_kind_of_input_needs_only_a_reader(engine: Engine, service: Service) -> None:
    """A plan made by hand, as another case system's reader would make it, goes through the same writer: a new
    team and office, a family with its child and history, audited with the input's own name."""
    plan = Plan(
        Scope.HISTORY,
        (
            PlannedFamily(
                reference="X-1",
                team=PlannedTeam("Elm team", "South office"),
                opened_on=D(2025, 6, 1),
                closed_on=None,
                social_worker=None,
                children=(
                    _child(
                        "X-1-1",
                        ((LegalStatus.CIN, D(2025, 6, 1), D(2025, 9, 1)), (LegalStatus.CP, D(2025, 9, 1), None)),
                    ),
                ),
                involvements={"mh.stevenage-a@example.org": ((D(2025, 6, 1), D(2025, 12, 1)),)},
            ),
        ),
        (PlannedTeam("Elm team", "South office"),),
    )

    summary = apply_plan(engine, None, plan, _source(), today=TODAY)

    assert (summary.teams_created, summary.offices_created) == (["Elm team"], ["South office"])
    assert (summary.families.created, summary.legal_statuses.created, summary.involvements.created) == (1, 2, 1)
    assert _periods(engine, "X-1-1") == [("cin", D(2025, 6, 1), D(2025, 9, 1)), ("cp", D(2025, 9, 1), None)]
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "import")).one()
        assert event.entity_type == "test_input" and event.after is not None
        assert event.after["counts"]["families"] == {"created": 1, "updated": 0, "closed": 0}
        created = s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.create")).one()
        assert created.after is not None and created.after["source"] == "test import"


def test_the_writer_applies_a_plan_all_or_nothing_even_past_its_first_chunk(engine: Engine, service: Service) -> None:
    """600 new families are written in two chunks; the last one's involvement ends before it starts, which the
    database refuses: the first chunk, already flushed, is rolled back with the rest."""
    before = database_picture(engine)
    families = [_family(f"N-{n:03}", {"sw.stevenage-a@example.org": ((D(2026, 3, 1), None),)}) for n in range(599)]
    families.append(_family("N-599", {"sw.stevenage-a@example.org": ((D(2026, 3, 1), D(2026, 2, 1)),)}))
    plan = Plan(Scope.HISTORY, tuple(families), (PlannedTeam("Stevenage A", "North"),))

    with pytest.raises(IntegrityError):
        apply_plan(engine, None, plan, _source(), today=TODAY)

    assert database_picture(engine) == before


def test_a_plan_the_records_held_cannot_take_is_refused_whole(engine: Engine, service: Service) -> None:
    """The first family is fine; the second puts the held child F-1-1 in another family: nothing is written."""
    moved = PlannedChild(
        "F-1-1",
        "Amy",
        D(2018, 3, 2),
        ((LegalStatus.CP, D(2026, 1, 5), None),),
        family_place=Place("F-1-1", "family", "children"),
        status_place=Place("F-1-1", "status", "children"),
    )
    plan = Plan(
        Scope.HISTORY,
        (_family("N-1", {}), replace(_family("N-2", {}), children=(moved,))),
        (PlannedTeam("Stevenage A", "North"),),
    )
    before = database_picture(engine)

    with pytest.raises(ImportRefused) as refused:
        apply_plan(engine, None, plan, _source(), today=TODAY)

    assert [str(p) for p in refused.value.problems] == [
        "children F-1-1, family: child F-1-1 is already recorded in another family; a child cannot move between "
        "families in an import (the input puts them in family N-2)"
    ]
    assert str(refused.value).startswith("Nothing was imported: the input has 1 problem")
    assert database_picture(engine) == before


def _update_events(engine: Engine) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.update").order_by(AuditEvent.id)))


def test_a_childs_change_is_audited_in_one_shape_whatever_the_input(
    engine: Engine, service: Service, tmp_path: Path
) -> None:
    """A new name and a new plan, once from the spreadsheet and once from the SSD (in another database's family):
    the same keys, the child's details and whole history before and after, by the child's reference."""
    data = csv_bytes([row(child_first_name="Amelia", legal_status="cin", legal_status_from="01/09/2026")])
    import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    import_ssd(engine, service.admin, extract(tmp_path / "first"), mapping(), create_accounts=True, today=TODAY)
    tables = base()
    tables["ssd_person"][0]["pers_forename"] = "Amelia"
    tables["ssd_cp_plans"][0]["cppl_cp_plan_end_date"] = "2026-06-01"
    import_ssd(engine, service.admin, extract(tmp_path / "second", tables), mapping(), today=TODAY)
    sheet, ssd = _update_events(engine)

    assert sheet.before is not None and sheet.after is not None and ssd.before is not None and ssd.after is not None
    assert set(sheet.before) == set(ssd.before) == {"children", "legal_status"}
    assert set(sheet.after) == set(ssd.after) == {"children", "legal_status", "family_id"}
    assert (sheet.before["children"], sheet.after["children"]) == (
        {"F-1-1": {"first_name": "Amy"}},
        {"F-1-1": {"first_name": "Amelia"}},
    )
    assert (ssd.before["children"], ssd.after["children"]) == (
        {"00123": {"first_name": "Amy"}},
        {"00123": {"first_name": "Amelia"}},
    )
    assert sheet.after["legal_status"] == {"F-1-1": [["cp", "2026-01-05", "2026-09-01"], ["cin", "2026-09-01", None]]}
    assert ssd.after["legal_status"] == {
        "00123": [["cin", "2026-01-05", "2026-02-01"], ["cp", "2026-02-01", "2026-06-01"], ["cin", "2026-06-01", None]]
    }


def test_a_family_whose_children_alone_changed_counts_as_updated(engine: Engine, service: Service) -> None:
    """Both inputs count a family as updated when anything about it changed, its children's plans included."""
    data = csv_bytes([row(legal_status="cin", legal_status_from="01/09/2026")])
    summary = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)
    assert summary.families.updated == 1 and summary.references["updated"] == ["F-1"]


def test_a_family_the_extract_closes_ends_what_is_still_open_like_every_closing(
    engine: Engine, admin: User, tmp_path: Path
) -> None:
    """The SSD closes F1 (every episode and involvement ended); Ben, held in F1 but gone from the extract's
    family, still had a plan open: closing ends it, as closing a family anywhere else does."""
    first = base()
    first["ssd_person"].append({"pers_person_id": "00124", "pers_forename": "Ben", "pers_dob": "2020-06-06"})
    first["ssd_family"].append({"fami_table_id": "3", "fami_family_id": "F1", "fami_person_id": "00124"})
    first["ssd_cin_episodes"].append(
        {"cine_referral_id": "R2", "cine_person_id": "00124", "cine_referral_date": "2026-03-03"}
    )
    import_ssd(engine, admin, extract(tmp_path / "first", first), mapping(), create_accounts=True, today=TODAY)
    closed = base()
    closed["ssd_cin_episodes"][0]["cine_close_date"] = "2026-08-01"
    closed["ssd_cp_plans"][0]["cppl_cp_plan_end_date"] = "2026-07-01"
    for involvement in closed["ssd_involvements"]:
        involvement["invo_involvement_end_date"] = "2026-08-02"

    summary = import_ssd(engine, admin, extract(tmp_path / "closed", closed), mapping(), today=TODAY)

    assert summary.families.closed == 1
    with reading(engine) as s:
        assert s.scalar(select(Family.closed_on).where(Family.case_reference == "F1")) == D(2026, 8, 2)
    assert _periods(engine, "00124") == [("cin", D(2026, 3, 3), D(2026, 8, 2)), ("closed", D(2026, 8, 2), None)]
    (event,) = _update_events(engine)
    assert event.after is not None and event.after["plans_ended"] == ["00124: cin"]
