"""Applying an SSD extract: all or nothing, administrators only, accounts matched by the mapping's emails (created
inactive only when asked), histories replaced with before and after in the audit trail, families closed only with
close_missing, and nothing deleted. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.imports.ssd import ExtractRefused, import_ssd
from db.models import AuditEvent, Child, Family, Involvement, LegalStatusPeriod, Office, Team, User
from db.session import make_engine, reading, transaction
from risk.vocabulary import LegalStatus, Role
from tests.imports.ssd_extracts import TODAY, base, extract, mapping

D = dt.date


def count(engine: Engine, model: type) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def periods(engine: Engine, child: str) -> list[tuple[LegalStatus, dt.date, dt.date | None]]:
    with reading(engine) as s:
        query = (
            select(LegalStatusPeriod.status, LegalStatusPeriod.started_on, LegalStatusPeriod.ended_on)
            .join(Child, Child.id == LegalStatusPeriod.child_id)
            .where(Child.case_reference == child)
            .order_by(LegalStatusPeriod.started_on)
        )
        return [tuple(r) for r in s.execute(query)]  # type: ignore[misc]


def involvements(engine: Engine, family: str) -> list[tuple[str, dt.date, dt.date | None]]:
    with reading(engine) as s:
        query = (
            select(User.email, Involvement.started_on, Involvement.ended_on)
            .join(User, User.id == Involvement.practitioner_id)
            .join(Family, Family.id == Involvement.family_id)
            .where(Family.case_reference == family)
            .order_by(User.email, Involvement.started_on)
        )
        return [tuple(r) for r in s.execute(query)]  # type: ignore[misc]


def test_an_extract_with_a_problem_writes_nothing_at_all(engine: Engine, admin: User, tmp_path: Path) -> None:
    tables = base()
    tables["ssd_involvements"][0]["invo_involvement_end_date"] = "2025-12-31"
    with pytest.raises(ExtractRefused) as refused:
        import_ssd(engine, admin, extract(tmp_path, tables), mapping(), create_accounts=True, today=TODAY)
    assert [str(p) for p in refused.value.problems] == [
        "ssd_involvements 4711, invo_involvement_end_date: 31/12/2025 is before the involvement started (05/01/2026)"
    ]
    assert str(refused.value).startswith("Nothing was imported: the extract has 1 problem to fix first")
    assert [count(engine, m) for m in (Family, Child, Team, Office, AuditEvent)] == [0, 0, 0, 0, 0]
    assert count(engine, User) == 1


def test_only_an_administrator_imports(engine: Engine, admin: User, tmp_path: Path) -> None:
    with transaction(engine) as s:
        worker = User(display_name="Sam", email="sam@example.org", role=Role.SOCIAL_WORKER)
        s.add(worker)
    with pytest.raises(AccessDenied):
        import_ssd(engine, worker, extract(tmp_path), mapping(), today=TODAY)
    assert count(engine, Family) == 0


def test_professionals_without_an_account_are_listed_and_created_inactive_only_when_asked(
    engine: Engine, admin: User, tmp_path: Path
) -> None:
    source = extract(tmp_path)
    preview = import_ssd(engine, admin, source, mapping(), dry_run=True, today=TODAY)
    assert [(a.professional_id, a.email, a.role, a.team) for a in preview.accounts_to_create] == [
        ("007", "sam.khan@example.org", "social_worker", "Oak team"),
        ("008", "mo.reid@example.org", "mental_health_practitioner", "Oak team"),
    ]
    assert "2 professionals have no account yet" in " ".join(preview.sentences())
    assert preview.teams_created == ["Oak team"] and preview.offices_created == ["North office"]
    assert count(engine, Team) == 0  # a dry run writes nothing

    import_ssd(engine, admin, source, mapping(), today=TODAY)
    assert involvements(engine, "F1") == []  # left out, and said so: nobody to link them to yet
    assert count(engine, User) == 1

    done = import_ssd(engine, admin, source, mapping(), create_accounts=True, today=TODAY)
    assert done.accounts_created == 2
    with reading(engine) as s:
        created = s.scalars(select(User).where(User.role != Role.ADMINISTRATOR).order_by(User.email)).all()
        assert [(u.email, u.display_name, u.active, u.password_hash) for u in created] == [
            ("mo.reid@example.org", "Mo Reid", False, None),
            ("sam.khan@example.org", "Sam Khan", False, None),
        ]
        assert s.scalar(select(Family.social_worker_id)) == next(u.id for u in created if u.email.startswith("sam"))
    assert involvements(engine, "F1") == [
        ("mo.reid@example.org", D(2026, 1, 10), None),
        ("sam.khan@example.org", D(2026, 1, 5), None),
    ]


def test_an_existing_account_is_matched_by_the_email_the_mapping_gives(
    engine: Engine, admin: User, tmp_path: Path
) -> None:
    with transaction(engine) as s:
        s.add(User(display_name="Sam Khan", email="Sam.Khan@example.org", role=Role.SOCIAL_WORKER))
    summary = import_ssd(engine, admin, extract(tmp_path), mapping(), today=TODAY)
    assert [a.professional_id for a in summary.accounts_to_create] == ["008"]
    assert involvements(engine, "F1") == [("Sam.Khan@example.org", D(2026, 1, 5), None)]


def test_a_changed_history_replaces_the_childs_periods_with_before_and_after_audited(
    engine: Engine, admin: User, tmp_path: Path
) -> None:
    import_ssd(engine, admin, extract(tmp_path / "first"), mapping(), create_accounts=True, today=TODAY)
    tables = base()
    tables["ssd_cp_plans"][0]["cppl_cp_plan_start_date"] = "2026-02-03"  # the case system corrected the date
    tables["ssd_cp_plans"][0]["cppl_cp_plan_end_date"] = "2026-06-01"
    del tables["ssd_involvements"][1]  # the mental health practitioner no longer works with the family

    summary = import_ssd(engine, admin, extract(tmp_path / "second", tables), mapping(), today=TODAY)

    assert summary.legal_statuses.updated == 1 and summary.involvements.closed == 1
    assert periods(engine, "00123") == [
        (LegalStatus.CIN, D(2026, 1, 5), D(2026, 2, 3)),
        (LegalStatus.CP, D(2026, 2, 3), D(2026, 6, 1)),
        (LegalStatus.CIN, D(2026, 6, 1), None),
    ]
    assert involvements(engine, "F1") == [
        ("mo.reid@example.org", D(2026, 1, 10), TODAY),  # ended today, not deleted
        ("sam.khan@example.org", D(2026, 1, 5), None),
    ]
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.update")).one()
    assert event.before["legal_status"]["00123"] == [["cin", "2026-01-05", "2026-02-01"], ["cp", "2026-02-01", None]]
    assert event.after["legal_status"]["00123"][1] == ["cp", "2026-02-03", "2026-06-01"]

    again = import_ssd(engine, admin, extract(tmp_path / "third", tables), mapping(), today=TODAY)
    assert not again.changed


def _second_family(tables: dict) -> None:  # type: ignore[type-arg]
    tables["ssd_person"].append({"pers_person_id": "00456", "pers_forename": "Ben", "pers_dob": "2020-06-06"})
    tables["ssd_family"].append({"fami_table_id": "9", "fami_family_id": "F2", "fami_person_id": "00456"})
    tables["ssd_involvements"].append(
        {"invo_involvements_id": "4800", "invo_professional_id": "007", "invo_professional_role_id": "SW",
         "invo_professional_team": "T1", "invo_person_id": "00456", "invo_involvement_start_date": "2026-03-03"}
    )  # fmt: skip
    tables["ssd_cin_episodes"].append(
        {"cine_referral_id": "R2", "cine_person_id": "00456", "cine_referral_date": "2026-03-03"}
    )


def test_a_family_gone_from_the_extract_is_closed_only_with_close_missing(
    engine: Engine, admin: User, tmp_path: Path
) -> None:
    tables = base()
    _second_family(tables)
    import_ssd(engine, admin, extract(tmp_path / "both", tables), mapping(), create_accounts=True, today=TODAY)
    only_first = extract(tmp_path / "first")

    kept = import_ssd(engine, admin, only_first, mapping(), today=TODAY)
    assert kept.families.closed == 0
    with reading(engine) as s:
        assert s.scalar(select(Family.closed_on).where(Family.case_reference == "F2")) is None

    closed = import_ssd(engine, admin, only_first, mapping(), close_missing=True, today=TODAY)
    assert closed.references["closed"] == ["F2"]
    assert "Oak team: 0 families were added, 0 updated and 1 closed." in closed.sentences()
    with reading(engine) as s:
        assert s.scalar(select(Family.closed_on).where(Family.case_reference == "F2")) == TODAY
        assert count(engine, Child) == 2  # nothing deleted
    assert periods(engine, "00456") == [(LegalStatus.CIN, D(2026, 3, 3), TODAY), (LegalStatus.CLOSED, TODAY, None)]
    assert involvements(engine, "F2") == [("sam.khan@example.org", D(2026, 3, 3), TODAY)]
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.close")).one()
    assert event.after["why"] == "not in the SSD extract" and event.after["plans_ended"] == ["00456: cin"]


def test_a_child_already_held_in_another_family_is_refused(engine: Engine, admin: User, tmp_path: Path) -> None:
    with transaction(engine) as s:
        team = Team(name="Oak team", office=Office(name="North office"))
        family = Family(team=team, case_reference="F-OLD", opened_on=D(2025, 1, 1))
        s.add(Child(family=family, case_reference="00123", first_name="Amy", date_of_birth=D(2018, 3, 2)))
    with pytest.raises(ExtractRefused, match="child 00123 is already recorded in another family"):
        import_ssd(engine, admin, extract(tmp_path), mapping(), create_accounts=True, today=TODAY)
    assert count(engine, Family) == 1 and count(engine, User) == 1


def test_checking_an_extract_never_takes_the_write_lock(sqlite_template: Path, tmp_path: Path) -> None:
    """The page checks every upload with a dry run: on SQLite that must not keep colleagues' saves waiting."""
    path = tmp_path / "service.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # someone is saving ratings right now
    try:
        source = extract(tmp_path)
        summary = import_ssd(engine, None, source, mapping(), dry_run=True, create_accounts=True, today=TODAY)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
    assert (summary.families.created, summary.children.created, summary.accounts_created) == (1, 1, 2)
    assert summary.involvements.created == 2 and summary.teams_created == ["Oak team"]
