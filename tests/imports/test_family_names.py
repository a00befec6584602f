"""A family's name comes in with the caseload: the import template's optional `display_name` column, or the SSD's
`pers_surname` of the family's members. An input without a name never clears the name held; text a spreadsheet
would run as a formula is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.exports.template import caseload_rows, rows_csv, rows_xlsx
from db.imports import import_caseload
from db.imports.columns import COLUMN_NAMES
from db.imports.problems import ImportRefused
from db.imports.ssd import import_ssd
from db.models import AuditEvent, Family, User
from db.session import reading
from tests.imports import ssd_extracts
from tests.imports.conftest import TODAY, Service, csv_bytes, row


def _name(engine: Engine, reference: str) -> str | None:
    with reading(engine) as s:
        return s.scalars(select(Family.display_name).where(Family.case_reference == reference)).one()


def test_the_template_has_an_optional_display_name_column() -> None:
    assert "display_name" in COLUMN_NAMES


def test_a_name_in_the_file_is_stored_and_audited_as_a_change_of_the_family(engine: Engine, service: Service) -> None:
    data = csv_bytes([row(display_name="  Jones  /  Ahmed ")])

    import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)

    assert _name(engine, "F-1") == "Jones / Ahmed"
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "family.update")).one()
    assert event.before == {"display_name": None}
    assert event.after["display_name"] == "Jones / Ahmed"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_name_survives_export_and_import_back(engine: Engine, service: Service, kind: str) -> None:
    import_caseload(engine, service.admin, "caseload.csv", csv_bytes([row(display_name="Jones / Ahmed")]), today=TODAY)
    rows = caseload_rows(engine, service.admin, today=TODAY)
    assert [r["display_name"] for r in rows] == ["Jones / Ahmed"]
    data = rows_csv(rows) if kind == "csv" else rows_xlsx(rows)

    summary = import_caseload(engine, service.admin, f"caseload.{kind}", data, today=TODAY)

    assert not summary.changed
    assert _name(engine, "F-1") == "Jones / Ahmed"


def test_a_file_without_the_column_or_with_an_empty_cell_keeps_the_name(engine: Engine, service: Service) -> None:
    import_caseload(engine, service.admin, "caseload.csv", csv_bytes([row(display_name="Jones")]), today=TODAY)
    without = [c for c in COLUMN_NAMES if c != "display_name"]

    assert not import_caseload(engine, service.admin, "c.csv", csv_bytes([row()], without), today=TODAY).changed
    assert not import_caseload(engine, service.admin, "c.csv", csv_bytes([row(display_name=" ")]), today=TODAY).changed
    assert _name(engine, "F-1") == "Jones"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ('=HYPERLINK("http://example.org","x")', "which a spreadsheet would run as a formula"),
        ("x" * 121, "is longer than 120 characters"),
        ("Jones\x07", "control character"),
    ],
)
def test_a_name_that_cannot_be_stored_is_refused(engine: Engine, service: Service, name: str, problem: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_caseload(engine, service.admin, "caseload.csv", csv_bytes([row(display_name=name)]), today=TODAY)
    assert any(problem in str(p) for p in refused.value.problems)
    assert _name(engine, "F-1") is None


def test_a_family_names_must_agree_on_every_row(engine: Engine, service: Service) -> None:
    rows = [row(display_name="Jones"), row(child_reference="F-1-2", child_first_name="Bo", display_name="Smith")]
    with pytest.raises(ImportRefused) as refused:
        import_caseload(engine, service.admin, "caseload.csv", csv_bytes(rows), today=TODAY)
    assert any("a family's columns must be the same" in str(p) for p in refused.value.problems)


def test_the_ssd_name_is_the_members_distinct_surnames_in_a_stable_order(
    engine: Engine, admin: User, tmp_path: Path
) -> None:
    tables = ssd_extracts.base()
    tables["ssd_person"][0]["pers_surname"] = "Smith-Ahmed"
    tables["ssd_person"][1]["pers_surname"] = "Jones"
    tables["ssd_person"].append(
        {"pers_person_id": "P2", "pers_forename": "Ali", "pers_surname": "JONES", "pers_dob": "1988-05-05"}
    )
    tables["ssd_family"].append({"fami_table_id": "3", "fami_family_id": "F1", "fami_person_id": "P2"})

    import_ssd(engine, admin, ssd_extracts.extract(tmp_path / "one", tables), ssd_extracts.mapping(), today=TODAY)
    assert _name(engine, "F1") == "Jones / Smith-Ahmed"

    tables["ssd_person"].reverse()  # another day's extract lists the people in another order
    again = import_ssd(
        engine, admin, ssd_extracts.extract(tmp_path / "two", tables), ssd_extracts.mapping(), today=TODAY
    )
    assert _name(engine, "F1") == "Jones / Smith-Ahmed"
    assert not again.changed


def test_an_ssd_extract_without_surnames_keeps_the_name(engine: Engine, admin: User, tmp_path: Path) -> None:
    import_ssd(engine, admin, ssd_extracts.extract(tmp_path / "one"), ssd_extracts.mapping(), today=TODAY)
    assert _name(engine, "F1") == "Smith"
    tables = ssd_extracts.base()
    for person in tables["ssd_person"]:
        person["pers_surname"] = ""

    import_ssd(engine, admin, ssd_extracts.extract(tmp_path / "two", tables), ssd_extracts.mapping(), today=TODAY)

    assert _name(engine, "F1") == "Smith"
