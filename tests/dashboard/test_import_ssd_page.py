"""The Import caseload page, SSD way in: upload the .zip of SSD CSV files and the mapping, see what would change
per team (or every problem by table, row id and column), confirm, and the caseload is loaded."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import Engine, func, select

from db.models import AuditEvent, Family, User
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import PageRunner
from tests.imports.ssd_extracts import MAPPING, Table, base, table_bytes

SSD = "Standard Safeguarding Dataset (SSD) extract"


@pytest.fixture
def administrator(app_engine: Engine) -> User:
    with transaction(app_engine) as s:
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
    return admin


def zipped(tables: dict[str, Table]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, rows in tables.items():
            archive.writestr(f"extract/{name}.csv", table_bytes(name, rows))
    return out.getvalue()


def _families(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(Family)) or 0


def _ssd_page(run_page: PageRunner, user: User):  # type: ignore[no-untyped-def]
    at = run_page("import_caseload.py", user)
    at.radio(key="import-source").set_value(SSD).run()
    return at


def test_an_extract_alone_offers_a_mapping_to_start_from(
    run_page: PageRunner, app_engine: Engine, administrator: User
) -> None:
    at = _ssd_page(run_page, administrator)
    at.file_uploader(key="ssd-zip-0").upload("extract.zip", zipped(base()), "application/zip").run()
    assert any("Add the mapping file" in i.value for i in at.info)
    (button,) = at.get("download_button")
    assert button.proto.label == "Download a mapping file for this extract (.toml)"
    assert _families(app_engine) == 0


def test_a_good_extract_shows_the_changes_per_team_then_imports_on_confirmation(
    run_page: PageRunner, app_engine: Engine, administrator: User
) -> None:
    at = _ssd_page(run_page, administrator)
    at.file_uploader(key="ssd-zip-0").upload("extract.zip", zipped(base()), "application/zip")
    at.file_uploader(key="ssd-mapping-0").upload("mapping.toml", MAPPING.encode(), "application/toml")
    at.checkbox(key="ssd-create-accounts").check().run()
    assert not at.exception

    said = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "Oak team: 1 family would be added, 0 updated and 0 closed." in said
    assert at.dataframe[0].value.values.tolist() == [["Oak team", 1, 0, 0]]
    assert _families(app_engine) == 0  # checking wrote nothing

    at.checkbox(key="ssd-sure").check()
    at.button(key="ssd-button").click().run()

    assert "1 family added, 0 updated, 0 closed; 1 child added" in at.success[0].value.replace("\\", "")
    assert _families(app_engine) == 1
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "import")).one()
    assert event.actor_id == administrator.id and event.after["source"] == "extract.zip"


def test_an_extract_with_problems_lists_them_by_table_row_id_and_column(
    run_page: PageRunner, app_engine: Engine, administrator: User
) -> None:
    tables = base()
    tables["ssd_cp_plans"][0]["cppl_cp_plan_start_date"] = "31/02/2026"
    at = _ssd_page(run_page, administrator)
    at.file_uploader(key="ssd-zip-0").upload("extract.zip", zipped(tables), "application/zip")
    at.file_uploader(key="ssd-mapping-0").upload("mapping.toml", MAPPING.encode(), "application/toml").run()

    assert "the extract has 1 problem" in at.error[0].value
    assert at.dataframe[-1].value.values.tolist() == [
        ["ssd_cp_plans", "CP1", "cppl_cp_plan_start_date", "31/02/2026 is not a date"]
    ]
    assert "Import" not in [b.label for b in at.button]
    assert _families(app_engine) == 0
