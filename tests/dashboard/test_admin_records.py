"""Admin page, Records management tab: an administrator prepares a subject access export, sets the retention rule
and anonymises the families due, each through the form, audited; nothing is anonymised without the confirmation."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, Family
from db.records.retention import retention_policy
from db.session import reading, transaction
from tests.dashboard.conftest import PageRunner
from tests.dashboard.made_files import made_files_fixture  # noqa: F401 (a fixture)
from tests.db.records.conftest import Records, build_records


@pytest.fixture
def records(app_engine: Engine) -> Records:
    built = build_records(app_engine)
    with transaction(app_engine) as s:  # a case closed long enough ago to be due under a one-year rule
        family = s.get_one(Family, built.subject.family.id)
        family.opened_on, family.closed_on = dt.date(2018, 1, 5), dt.date(2019, 6, 30)
    return built


def press(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def verbs(engine: Engine) -> list[str]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent.verb).where(AuditEvent.verb.like("re%")).order_by(AuditEvent.id)))


def test_a_subject_access_export_is_made_when_pressed_and_audited(
    run_page: PageRunner, app_engine: Engine, records: Records, made_files: dict[str, Callable[[], bytes]]
) -> None:
    at = run_page("admin.py", records.admin)
    at.text_input(key="sar-reference").input("f-77")
    at = press(at, "Prepare the export")
    assert not at.exception
    assert any("the files for family F\\-77" in s.value for s in at.success)
    assert verbs(app_engine) == []  # checking the reference discloses nothing, so nothing is recorded yet

    pdf = made_files["subject_access_pdf"]()  # pressing the button: the server gathers, makes and audits
    archive = made_files["subject_access_zip"]()
    assert pdf.startswith(b"%PDF")
    assert "ratings.csv" in zipfile.ZipFile(io.BytesIO(archive)).namelist()
    with reading(app_engine) as s:
        events = s.execute(
            select(AuditEvent.verb, AuditEvent.entity_type, AuditEvent.after).where(AuditEvent.verb != "view")
        ).all()
    made = [(verb, kind) for verb, kind, _ in events if verb in {"records.subject_access", "download"}]
    assert made[-4:] == [
        ("records.subject_access", "family"),
        ("download", "subject_access_pdf"),
        ("records.subject_access", "family"),
        ("download", "subject_access_zip"),
    ]
    # nothing of the export is shown on the page itself
    assert not any("Zebedee" in str(m.value) for m in at.markdown)


def test_an_unknown_reference_is_said_and_nothing_is_recorded(
    run_page: PageRunner, app_engine: Engine, records: Records
) -> None:
    at = run_page("admin.py", records.admin)
    at.radio(key="sar-kind").set_value("Child")
    at.text_input(key="sar-reference").input("C-404")
    at = press(at, "Prepare the export")
    assert [e.value for e in at.error] == [
        "No child has the case reference C\\-404\\. \\(A family anonymised under "
        "the retention rule no longer has its old reference\\.\\)"
    ]
    assert "records.subject_access" not in verbs(app_engine)


def test_the_rule_is_set_and_the_family_due_is_anonymised_only_once_confirmed(
    run_page: PageRunner, app_engine: Engine, records: Records
) -> None:
    at = run_page("admin.py", records.admin)
    assert not any(b.label.startswith("Anonymise") for b in at.button)  # not before the council's rule is set
    at.number_input(key="retention-years").set_value(1)
    at = press(at, "Set the rule")
    assert retention_policy(app_engine, records.admin).years_after_closure == 1

    at = press(at, "Anonymise 1 family")
    assert [e.value for e in at.error] == ["Tick the box to confirm the list was checked: nothing was anonymised."]
    with reading(app_engine) as s:
        assert s.get_one(Family, records.subject.family.id).case_reference == "F-77"

    at.checkbox(key="retention-checked").check()
    at = press(at, "Anonymise 1 family")
    assert any("Anonymised 1 family \\(2 children\\)" in s.value for s in at.success)
    with reading(app_engine) as s:
        assert s.get_one(Family, records.subject.family.id).case_reference.startswith("ANON-")
    assert verbs(app_engine)[-2:] == ["retention.rule", "retention.apply"]


def test_the_page_refuses_anyone_but_an_administrator(run_page: PageRunner, records: Records) -> None:
    at = run_page("admin.py", records.subject.manager)
    assert [e.value for e in at.error] == ["Only administrators can use this page."]
    assert not at.text_input
