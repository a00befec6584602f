"""Round trip: the demo caseload exported in the import format and imported into an empty service is the same
caseload (families, children, each child's current legal status, who works with each family)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.exports.template import caseload_rows, rows_csv, rows_xlsx
from db.imports import import_caseload
from db.migrate import upgrade
from db.models import User
from db.session import make_engine, reading
from risk.vocabulary import Role
from seed import load_seed
from tests.imports.conftest import TODAY, copy_people, database_picture


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = Path(tmp_path_factory.mktemp("demo")) / "demo.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    load_seed(engine, "demo", random_seed=1, today=TODAY)
    yield engine
    engine.dispose()


def _without_history(picture: dict) -> dict:  # type: ignore[type-arg]
    """The file holds the current plan and current involvement only, not their history or the audit trail."""
    return {k: picture[k] for k in ("families", "children", "legal_status", "involvement")}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_demo_caseload_survives_export_and_import(demo: Engine, engine: Engine, kind: str) -> None:
    rows = caseload_rows(demo, None, today=TODAY)
    data = rows_csv(rows) if kind == "csv" else rows_xlsx(rows)
    copy_people(demo, engine)
    with reading(engine) as s:
        admin = s.scalars(select(User).where(User.role == Role.ADMINISTRATOR)).first()

    summary = import_caseload(engine, admin, f"caseload.{kind}", data, today=TODAY)

    before, after = database_picture(demo), database_picture(engine)
    assert _without_history(after) == _without_history(before)
    assert summary.families.created == len(before["families"])
    assert summary.children.created == len(before["children"])


def test_importing_the_same_file_again_changes_nothing(demo: Engine, engine: Engine) -> None:
    data = rows_csv(caseload_rows(demo, None, today=TODAY))
    copy_people(demo, engine)
    import_caseload(engine, None, "caseload.csv", data, today=TODAY)
    first = database_picture(engine)

    again = import_caseload(engine, None, "caseload.csv", data, today=TODAY)

    assert not again.changed
    assert database_picture(engine) == first | {"audit": first["audit"] + 1}
