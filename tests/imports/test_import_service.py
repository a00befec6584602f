"""The monthly routine: re-importing an updated file updates in place, keeps history, and deletes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.imports import import_caseload
from db.models import AuditEvent, Child, Family, Involvement, LegalStatusPeriod, User
from db.session import reading, transaction
from risk.vocabulary import LegalStatus, Role
from tests.imports.conftest import TODAY, Service, csv_bytes, database_picture, row


def _periods(engine: Engine, child_ref: str) -> list[tuple[str, dt.date, dt.date | None]]:
    with reading(engine) as s:
        return [
            (p.status.value, p.started_on, p.ended_on)
            for p in s.scalars(
                select(LegalStatusPeriod)
                .join(Child)
                .where(Child.case_reference == child_ref)
                .order_by(LegalStatusPeriod.started_on)
            )
        ]


def _involved(engine: Engine, family_ref: str) -> list[tuple[str, dt.date, dt.date | None]]:
    with reading(engine) as s:
        return sorted(
            (u.email, i.started_on, i.ended_on)
            for i, u in s.execute(
                select(Involvement, User)
                .join(User, User.id == Involvement.practitioner_id)
                .join(Family, Family.id == Involvement.family_id)
                .where(Family.case_reference == family_ref)
            )
        )


def test_a_file_matching_the_database_changes_nothing(engine: Engine, service: Service) -> None:
    summary = import_caseload(engine, service.admin, "caseload.csv", csv_bytes([row()]), today=TODAY)
    assert not summary.changed
    assert summary.rows == 1


def test_a_new_plan_ends_the_current_one_and_keeps_its_history(engine: Engine, service: Service) -> None:
    data = csv_bytes([row(legal_status="Child in Need", legal_status_from="01/09/2026")])

    summary = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert _periods(engine, "F-1-1") == [
        ("cp", dt.date(2026, 1, 5), dt.date(2026, 9, 1)),
        ("cin", dt.date(2026, 9, 1), None),
    ]
    assert (summary.legal_statuses.created, summary.legal_statuses.closed) == (1, 1)


def test_a_corrected_start_date_of_the_same_plan_is_updated_in_place(engine: Engine, service: Service) -> None:
    summary = import_caseload(
        engine, service.admin, "caseload.csv", csv_bytes([row(legal_status_from="2026-01-02")]), today=TODAY
    )
    assert _periods(engine, "F-1-1") == [("cp", dt.date(2026, 1, 2), None)]
    assert summary.legal_statuses.updated == 1


def test_new_families_and_children_are_added_with_their_plans_and_practitioners(
    engine: Engine, service: Service
) -> None:
    data = csv_bytes(
        [
            row(),
            row(child_reference="F-1-2", child_first_name="Ben", date_of_birth="2020-06-01", legal_status="CIN"),
            row(
                family_reference="F-2",
                opened_on="01/10/2026",
                child_reference="F-2-1",
                child_first_name="Cara",
                legal_status="Looked After",
                legal_status_from="01/10/2026",
                involved_practitioner_emails="mh.stevenage-a@example.org",
            ),
        ]
    )
    summary = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert (summary.families.created, summary.children.created, summary.legal_statuses.created) == (1, 2, 2)
    assert _periods(engine, "F-2-1") == [("cla", dt.date(2026, 10, 1), None)]
    assert _involved(engine, "F-2") == [("mh.stevenage-a@example.org", dt.date(2026, 10, 1), None)]
    with reading(engine) as s:
        ben = s.scalars(select(Child).where(Child.case_reference == "F-1-2")).one()
        assert (ben.family.case_reference, ben.date_of_birth) == ("F-1", dt.date(2020, 6, 1))


def test_practitioners_no_longer_listed_have_their_involvement_ended_not_deleted(
    engine: Engine, service: Service
) -> None:
    with transaction(engine) as s:
        s.add(
            User(
                display_name="Pat",
                email="fsw@example.org",
                role=Role.FAMILY_SUPPORT_WORKER,
                team_id=service.team.team.id,
            )
        )
    data = csv_bytes([row(involved_practitioner_emails="SW.Stevenage-A@example.org;fsw@example.org")])

    summary = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert _involved(engine, "F-1") == [
        ("fsw@example.org", TODAY, None),
        ("mh.stevenage-a@example.org", dt.date(2026, 1, 5), TODAY),
        ("sw.stevenage-a@example.org", dt.date(2026, 1, 5), None),
    ]
    with reading(engine) as s:  # audited in the one shape of every import: who, from when, until when
        fsw = s.scalars(select(User.id).where(User.email == "fsw@example.org")).one()
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.update")).one()
    assert event.after is not None
    assert event.after["involvements_started"] == [[fsw, TODAY.isoformat(), None]]
    assert event.after["involvements_changed"] == [
        [service.team.mental_health.id, "2026-01-05", None, TODAY.isoformat()]
    ]
    assert (summary.involvements.created, summary.involvements.closed) == (1, 1)


def test_close_missing_closes_absent_open_families_of_the_imported_teams_only(engine: Engine, service: Service) -> None:
    from tests.db.factories import make_team

    with transaction(engine) as s:
        other = make_team(s, "Stevenage B", ref="F-9")
        s.add(Family(team_id=service.team.team.id, case_reference="F-3", opened_on=dt.date(2026, 2, 1)))
    data = csv_bytes([row()])

    without = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)
    with_option = import_caseload(engine, service.admin, "caseload.csv", data, close_missing=True, today=TODAY)

    assert without.families.closed == 0
    assert with_option.families.closed == 1
    assert with_option.references["closed"] == ["F-3"]
    with reading(engine) as s:
        closed = dict(s.execute(select(Family.case_reference, Family.closed_on)).all())
    assert closed == {"F-1": None, "F-3": TODAY, other.family.case_reference: None}


def test_a_dry_run_counts_what_would_change_and_writes_nothing(engine: Engine, service: Service) -> None:
    before = database_picture(engine)
    data = csv_bytes(
        [row(legal_status="cin", legal_status_from="01/09/2026"), row(family_reference="F-2", child_reference="F-2-1")]
    )

    preview = import_caseload(engine, service.admin, "caseload.csv", data, dry_run=True, today=TODAY)
    done = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert preview.dry_run and preview.counts() == done.counts()
    assert preview.families.created == 1
    assert database_picture(engine) != before


def test_only_administrators_import(engine: Engine, service: Service) -> None:
    before = database_picture(engine)
    with pytest.raises(AccessDenied, match="Only an administrator"):
        import_caseload(engine, service.team.manager, "caseload.csv", csv_bytes([row()]), today=TODAY)
    assert database_picture(engine) == before


def test_each_import_is_one_audit_event_with_the_file_checksum_and_counts(engine: Engine, service: Service) -> None:
    data = csv_bytes([row(family_reference="F-2", child_reference="F-2-1")])
    summary = import_caseload(engine, service.admin, "../../secret/caseload.csv", data, today=TODAY)
    with reading(engine) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.verb == "import")).all()
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.entity_type, event.entity_id) == (service.admin.id, "caseload_file", summary.sha256)
    assert event.after is not None
    assert event.after["file_name"] == "caseload.csv"
    assert event.after["counts"]["families"] == {"created": 1, "updated": 0, "closed": 0}
    assert event.after["families"]["created"] == ["F-2"]


def test_workbook_dates_codes_and_labels_are_all_read(engine: Engine, service: Service) -> None:
    import io

    from openpyxl import Workbook

    from db.imports.columns import COLUMN_NAMES

    book = Workbook()
    book.active.append([c.upper().replace("_", " ") for c in COLUMN_NAMES])  # 'FAMILY REFERENCE' is accepted
    values = row(
        family_reference="F-2",
        child_reference="F-2-1",
        date_of_birth=dt.datetime(2019, 4, 3),
        opened_on=dt.datetime(2026, 3, 1),
        legal_status="Pre-proceedings (PLO)",
        legal_status_from=dt.datetime(2026, 3, 1),
    )
    book.active.append([values[c] or None for c in COLUMN_NAMES])
    book.active.append([None] * len(COLUMN_NAMES))  # trailing empty rows are ignored
    out = io.BytesIO()
    book.save(out)

    summary = import_caseload(engine, service.admin, "caseload.xlsx", out.getvalue(), today=TODAY)

    assert summary.families.created == 1
    assert _periods(engine, "F-2-1") == [("plo", dt.date(2026, 3, 1), None)]


def test_five_thousand_rows_import_with_progress(engine: Engine, service: Service) -> None:
    rows = [
        row(family_reference=f"F-{n // 2 + 100}", child_reference=f"C-{n + 100}", legal_status=LegalStatus.CIN.label)
        for n in range(5000)
    ]
    seen: list[tuple[str, int, int]] = []

    summary = import_caseload(
        engine, service.admin, "big.csv", csv_bytes(rows), today=TODAY, progress=lambda *p: seen.append(p)
    )

    assert (summary.families.created, summary.children.created) == (2500, 5000)
    assert seen[-1] == ("Writing families", 2500, 2500)  # how long it takes: `python -m benchmarks imports`
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 5001


def test_each_family_created_or_changed_is_in_the_audit_trail(engine: Engine, service: Service) -> None:
    data = csv_bytes(
        [
            row(legal_status="Child in Need", legal_status_from="01/09/2026"),
            row(family_reference="F-NEW", child_reference="C-NEW", child_first_name="Nia"),
        ]
    )
    import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)
    with reading(engine) as s:
        events = {e.verb: e for e in s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "family"))}
    assert set(events) == {"family.create", "family.update"}
    assert events["family.create"].after["case_reference"] == "F-NEW"
    assert events["family.create"].after["children"] == ["C-NEW"]
    # a child's change has one shape whatever the import: its whole history before and after
    assert events["family.update"].before["legal_status"] == {"F-1-1": [["cp", "2026-01-05", None]]}
    assert events["family.update"].after["legal_status"] == {
        "F-1-1": [["cp", "2026-01-05", "2026-09-01"], ["cin", "2026-09-01", None]]
    }
    assert all(e.actor_id == service.admin.id for e in events.values())
