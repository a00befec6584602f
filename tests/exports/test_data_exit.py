"""The data exit, on SQLite and PostgreSQL: every table the database holds is exported (a table added later fails
here until the export includes it), every row count and every foreign key of the files matches the database,
every value reads back exactly, credentials stay behind, and only administrators or the command line export."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Engine, Integer, Numeric, Time, func, inspect, select

from db.access import AccessDenied
from db.errors import InvalidInput
from db.exports.data_exit import PACKAGE_FILE, exact_text, export_all, exported_tables
from db.models import WITHHELD, AuditEvent, Base, Rating
from db.session import reading, transaction
from tests.db.records.conftest import Records, build_records

NOT_DATA = {"alembic_version", "audit_pseudonymisation"}
"""The migration tool's own table, and the audit trail's permit table (empty outside the one transaction)."""
SECRET = re.compile(r"password|secret|token|totp|recovery|otp_|_hash$", re.IGNORECASE)
# Columns whose names look like a credential's but hold facts about one, which the council keeps (a reviewer asks
# whether an account has two-step sign-in and must change its password); each is exported.
NOT_CREDENTIALS = {
    ("users", "must_change_password"): "whether the first password must be changed",
    ("users", "totp_enabled_at"): "when two-step sign-in was turned on",
    ("users", "totp_last_step"): "the last time step a code was accepted for (a counter, not the secret)",
}


@pytest.fixture
def records(engine: Engine) -> Records:
    built = build_records(engine)
    with transaction(engine) as s:  # text a spreadsheet would run, and text that begins with the apostrophe itself
        ratings = s.scalars(select(Rating).order_by(Rating.id)).all()
        ratings[0].rationale = '=HYPERLINK("http://example.org")'
        ratings[1].rationale = "'quoted, and Zoë's"
    return built


def read(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def back(column: Any, cell: str) -> Any:
    """A cell read back to the value the database holds, by the rule the package states."""
    if cell == "":
        return None
    kind = column.type
    if isinstance(kind, Boolean):
        return cell == "true"
    if isinstance(kind, Integer):
        return int(cell)
    if isinstance(kind, Numeric):
        return float(cell)
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(cell)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(cell)
    if isinstance(kind, Time):
        return dt.time.fromisoformat(cell)
    if isinstance(kind, JSON):
        return json.loads(cell)
    return exact_text(cell)


def stored(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value  # an enum member
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return value


def test_every_table_row_and_foreign_key_of_the_database_is_in_the_export(
    engine: Engine, records: Records, tmp_path: Path
) -> None:
    folder = tmp_path / "exit"
    result = export_all(engine, records.admin, folder)
    package = json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    with reading(engine) as s:
        in_database = set(inspect(s.connection()).get_table_names()) - NOT_DATA
        assert in_database == set(resources), "a table of the database is not in the data exit"
        for table in exported_tables():
            rows = read(folder, table.name)
            count = s.scalar(select(func.count()).select_from(table)) - (table.name == "audit_event")  # its own
            assert len(rows) == count == resources[table.name]["fsdash:rows"] == result.counts()[table.name]
            assert list(rows[0]) if rows else True
            for fk in table.foreign_keys:
                held = {v for v in s.scalars(select(fk.parent)) if v is not None}
                exported = {int(r[fk.parent.name]) for r in rows if r[fk.parent.name]}
                assert exported == held, f"{table.name}.{fk.parent.name}"
                targets = {int(r[fk.column.name]) for r in read(folder, fk.column.table.name)}
                assert exported <= targets, f"{table.name}.{fk.parent.name} points outside the export"
                declared = {
                    (f["fields"][0], f["reference"]["resource"], f["reference"]["fields"][0])
                    for f in resources[table.name]["schema"].get("foreignKeys", [])
                }
                assert (fk.parent.name, fk.column.table.name, fk.column.name) in declared
    assert sum(result.counts().values()) > 0 and result.counts()["rating"] >= 4


def test_every_value_reads_back_exactly(engine: Engine, records: Records, tmp_path: Path) -> None:
    folder = tmp_path / "exit"
    export_all(engine, records.admin, folder)
    raw = (folder / "rating.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw and "''quoted" in raw  # formula-safe for a spreadsheet
    with reading(engine) as s:
        for table in exported_tables():
            columns = [c for c in table.columns if c.name in (read(folder, table.name) or [{}])[0]] or [
                c for c in table.columns if WITHHELD not in c.info
            ]
            held = [
                tuple(stored(v) for v in row)
                for row in s.execute(select(*columns).order_by(*table.primary_key.columns))
            ]
            exported = [tuple(back(c, r[c.name]) for c in columns) for r in read(folder, table.name)]
            if table.name == "audit_event":
                held = held[:-1]  # the export's own event is written after it
            assert exported == held, table.name
    rationales = {r["rationale"] for r in read(folder, "rating")}
    assert {exact_text(r) for r in rationales} >= {'=HYPERLINK("http://example.org")', "'quoted, and Zoë's"}


def test_credentials_stay_behind_and_the_package_says_so(engine: Engine, records: Records, tmp_path: Path) -> None:
    folder = tmp_path / "exit"
    export_all(engine, records.admin, folder)
    package = json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))
    withheld = {(w["table"], w["column"]) for w in package["fsdash:withheld"]}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if SECRET.search(column.name) and (table.name, column.name) not in NOT_CREDENTIALS:
                assert (table.name, column.name) in withheld, f"{table.name}.{column.name} looks like a secret"
    assert withheld >= {("users", "password_hash"), ("users", "totp_secret"), ("mfa_recovery_code", "code_hash")}
    assert not withheld & NOT_CREDENTIALS.keys()
    assert "password_hash" not in (folder / "users.csv").read_text(encoding="utf-8").splitlines()[0]
    assert all((folder / f).stat().st_mode & 0o077 == 0 for f in ("users.csv", PACKAGE_FILE))


def test_only_an_administrator_or_the_command_line_exports_and_it_is_audited(
    engine: Engine, records: Records, tmp_path: Path
) -> None:
    with pytest.raises(AccessDenied):
        export_all(engine, records.head_of_service, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    export_all(engine, None, tmp_path / "exit")
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.verb, event.entity_type, event.actor_id) == ("export.all", "data_exit", None)
    assert event.after["rows"]["family"] == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(InvalidInput, match="empty folder"):
        export_all(engine, records.admin, tmp_path / "full")
