"""A closed case ends its children's plans and its professionals' involvement on the closing day, so the outcomes
framework stops counting the children and the family leaves practitioners' lists; the history stays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from db.imports import import_caseload
from db.models import AuditEvent, Family, User
from db.queries.service import legal_status_counts
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import make_team
from tests.imports.conftest import TODAY, Service, csv_bytes, row
from tests.imports.test_import_service import _involved, _periods

CLOSED = dt.date(2026, 9, 30)


def _family_events(engine: Engine, verb: str) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)))


def test_closing_a_family_in_the_file_ends_its_childrens_plans_and_involvements(
    engine: Engine, service: Service
) -> None:
    data = csv_bytes([row(family_closed_on=CLOSED.isoformat())])

    summary = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert summary.families.closed == 1
    assert _periods(engine, "F-1-1") == [("cp", dt.date(2026, 1, 5), CLOSED), ("closed", CLOSED, None)]
    assert _involved(engine, "F-1") == [
        ("mh.stevenage-a@example.org", dt.date(2026, 1, 5), CLOSED),
        ("sw.stevenage-a@example.org", dt.date(2026, 1, 5), CLOSED),
    ]
    (event,) = _family_events(engine, "family.update")
    assert event.after["closed_on"] == CLOSED.isoformat()
    assert event.after["plans_ended"] == ["F-1-1: cp"]
    assert sorted(event.after["involvements_ended"]) == sorted(
        [service.team.social_worker.id, service.team.mental_health.id]
    )


def test_re_importing_a_closed_case_changes_nothing(engine: Engine, service: Service) -> None:
    data = csv_bytes([row(family_closed_on=CLOSED.isoformat())])
    import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    again = import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert not again.changed
    assert _periods(engine, "F-1-1") == [("cp", dt.date(2026, 1, 5), CLOSED), ("closed", CLOSED, None)]


def test_a_family_created_closed_has_no_open_plan_or_involvement(engine: Engine, service: Service) -> None:
    data = csv_bytes(
        [
            row(),
            row(
                family_reference="F-2",
                opened_on="01/03/2026",
                child_reference="F-2-1",
                child_first_name="Cara",
                legal_status="CIN",
                legal_status_from="01/03/2026",
                family_closed_on="15/08/2026",
            ),
        ]
    )

    import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    closed = dt.date(2026, 8, 15)
    assert _periods(engine, "F-2-1") == [("cin", dt.date(2026, 3, 1), closed), ("closed", closed, None)]
    assert all(ended == closed for _, _, ended in _involved(engine, "F-2"))
    (event,) = _family_events(engine, "family.create")
    assert event.after["plans_ended"] == ["F-2-1: cin"]


def test_close_missing_ends_the_closed_familys_plans_and_involvements_too(engine: Engine, service: Service) -> None:
    with transaction(engine) as s:
        make_team(s, "Stevenage A2", ref="F-3")
        s.execute(Family.__table__.update().where(Family.case_reference == "F-3").values(team_id=service.team.team.id))

    import_caseload(engine, service.admin, "caseload.csv", csv_bytes([row()]), close_missing=True, today=TODAY)

    assert _periods(engine, "F-3-1") == [("cp", dt.date(2026, 1, 5), TODAY), ("closed", TODAY, None)]
    assert [ended for _, _, ended in _involved(engine, "F-3")] == [TODAY, TODAY]
    (event,) = _family_events(engine, "family.close")
    assert event.after["plans_ended"] == ["F-3-1: cp"]


def test_outcomes_never_count_a_child_of_a_family_closed_by_that_day(engine: Engine, service: Service) -> None:
    """Even where the legal status table still shows a plan (rows written before closing ended plans)."""
    with transaction(engine) as s:
        s.get_one(Family, service.team.family.id).closed_on = CLOSED
        lead = User(display_name="Head of Service", email="hos@example.org", role=Role.SERVICE_LEAD)
        s.add(lead)

    counts = legal_status_counts(engine, lead, months=3, today=TODAY)

    months = {row.month: row.children for row in counts.itertuples()}
    assert months == {dt.date(2026, 8, 1): 1}, "counted in August, not at the end of September or in October"
