"""The data exit: every table the council's data lives in, as CSV, with a Frictionless data package
(`datapackage.json`, https://specs.frictionlessdata.io/) describing each table, its columns, types, keys and
foreign keys, so the data can leave for another system without fsdash.

The description is made here from the SQLAlchemy metadata (the models), so a table or column added later is in the
export and described without anyone remembering to add it. Every table is read in one transaction (a snapshot:
PostgreSQL's REPEATABLE READ, SQLite's read transaction), so the files agree with each other even while people
work. A column whose `info` says it is withheld (db.models.WITHHELD: a password hash) is left out, and the package
says which and why.

Values are written exactly: integers and numbers as they are stored, dates as YYYY-MM-DD, moments as ISO 8601 in
UTC, times of day (the council's clock) as HH:MM:SS, booleans as true/false, JSON columns as JSON text, and an empty
cell is NULL (fsdash stores no empty text). A text cell a spreadsheet would run as a formula (one beginning with =,
+, -, @, a tab or a carriage return) is written with an apostrophe before it, and so is one that begins with an
apostrophe: to read a text cell exactly, remove one leading apostrophe if there is one (`exact_text`). The package
states the rule too (`fsdash:text_cells`).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Enum,
    Integer,
    Numeric,
    String,
    Table,
    Time,
    select,
    text,
)
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line
from db.errors import InvalidInput
from db.exports.cell_safety import FORMULA_STARTS
from db.models import WITHHELD, Base, User
from db.services.audit import record
from db.session import transaction

PACKAGE_FILE = "datapackage.json"
PRIVATE_FILE = 0o600
TEXT_RULE = (
    "A text cell that begins with =, +, -, @, a tab, a carriage return or an apostrophe is written with one "
    "apostrophe before it, so a spreadsheet shows it as text; remove one leading apostrophe from a text cell to "
    "read its exact value. An empty cell is NULL."
)
_BATCH = 5_000


@dataclass(frozen=True)
class ExportedTable:
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class DataExit:
    folder: Path
    revision: str | None
    tables: list[ExportedTable]
    withheld: list[dict[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}


def exact_text(cell: str) -> str:
    """A text cell of the export as it is stored (the inverse of the apostrophe rule)."""
    return cell[1:] if cell.startswith("'") else cell


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith((*FORMULA_STARTS, "'")) else value


def exported_tables() -> list[Table]:
    """Every table of the schema, in an order where a table comes after those it refers to. The permit table of
    the audit trail's one door (always empty outside the transaction that uses it) is left out: it holds no data."""
    return [t for t in Base.metadata.sorted_tables if t.name != "audit_pseudonymisation"]


def _withheld(column: Column[Any]) -> str | None:
    why = column.info.get(WITHHELD)
    return str(why) if why else None


def field_type(column: Column[Any]) -> dict[str, Any]:
    """The Frictionless type (and constraints) of a column."""
    kind = column.type
    out: dict[str, Any]
    if isinstance(kind, Enum):
        out = {"type": "string", "constraints": {"enum": list(kind.enums)}}
    elif isinstance(kind, Boolean):
        out = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
    elif isinstance(kind, Integer):
        out = {"type": "integer"}
    elif isinstance(kind, Numeric):
        out = {"type": "number"}
    elif isinstance(kind, DateTime):
        out = {"type": "datetime", "format": "any"}
    elif isinstance(kind, Date):
        out = {"type": "date"}
    elif isinstance(kind, Time):
        out = {"type": "time"}
    elif isinstance(kind, JSON):
        out = {"type": "object"}
    elif isinstance(kind, String):
        out = {"type": "string"}
        if kind.length:
            out["constraints"] = {"maxLength": kind.length}
    else:
        raise TypeError(f"No data package type for {column.table.name}.{column.name} ({kind!r})")
    constraints = out.setdefault("constraints", {})
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    if not constraints:
        del out["constraints"]
    return out


def _cell(column: Column[Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(column.type, Boolean):
        return "true" if value else "false"
    if isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite keeps UTC without the zone
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _safe_text(value)
    return str(value)


def _description(table: Table) -> str:
    """The model's docstring, first paragraph: what the table holds, in the words of the code."""
    for mapper in Base.registry.mappers:
        if mapper.local_table is table and mapper.class_.__doc__:
            return " ".join(mapper.class_.__doc__.split("\n\n")[0].split())
    return ""


def _resource(table: Table, exported: ExportedTable) -> dict[str, Any]:
    columns = [c for c in table.columns if _withheld(c) is None]
    schema: dict[str, Any] = {
        "fields": [{"name": c.name, **field_type(c)} for c in columns],
        "primaryKey": [c.name for c in table.primary_key.columns],
        "missingValues": [""],
    }
    foreign = [
        {"fields": [fk.parent.name], "reference": {"resource": fk.column.table.name, "fields": [fk.column.name]}}
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": _description(table),
        "bytes": exported.bytes,
        "hash": f"sha256:{exported.sha256}",
        "fsdash:rows": exported.rows,
        "dialect": {"delimiter": ",", "header": True, "doubleQuote": True, "lineTerminator": "\r\n"},
        "schema": schema,
    }


def _private_new_file(path: Path) -> Any:
    return os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "w", encoding="utf-8", newline=""
    )


def _write_table(session: Session, table: Table, folder: Path) -> ExportedTable:
    columns = [c for c in table.columns if _withheld(c) is None]
    path = folder / f"{table.name}.csv"
    rows = 0
    with _private_new_file(path) as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in columns])
        result = session.execute(
            select(*columns).order_by(*table.primary_key.columns).execution_options(yield_per=_BATCH)
        )
        for row in result:
            writer.writerow([_cell(c, v) for c, v in zip(columns, row, strict=True)])
            rows += 1
    data = path.read_bytes()
    return ExportedTable(table.name, rows, len(data), hashlib.sha256(data).hexdigest())


def export_all(engine: Engine, actor: User | None, folder: Path) -> DataExit:
    """Write every table and `datapackage.json` into `folder` (new, or empty), files readable by this account
    only; administrators or the command line only, audited with the counts and checksums (never the data)."""
    require_admin_or_command_line(actor)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(f"{folder} is not an empty folder: the export goes into a new or empty one.")
    if not folder.parent.is_dir():
        raise InvalidInput(f"The folder {folder.parent} does not exist.")
    folder.mkdir(mode=0o700, exist_ok=True)
    snapshot = (
        engine.execution_options(isolation_level="REPEATABLE READ") if engine.dialect.name != "sqlite" else engine
    )
    with Session(snapshot) as session, session.begin():
        revision = session.scalar(text("SELECT version_num FROM alembic_version"))
        exported = [_write_table(session, table, folder) for table in exported_tables()]
    withheld = [
        {"table": table.name, "column": column.name, "why": why}
        for table in exported_tables()
        for column in table.columns
        if (why := _withheld(column)) is not None
    ]
    package = {
        "profile": "tabular-data-package",
        "name": "fsdash-data-exit",
        "title": "fsdash: every table of the council's data",
        "created": dt.datetime.now(dt.UTC).isoformat(),
        "fsdash:schema_revision": revision,
        "fsdash:text_cells": TEXT_RULE,
        "fsdash:withheld": withheld,
        "resources": [_resource(table, done) for table, done in zip(exported_tables(), exported, strict=True)],
    }
    with _private_new_file(folder / PACKAGE_FILE) as handle:
        json.dump(package, handle, indent=2, ensure_ascii=False)
    result = DataExit(folder, revision, exported, withheld)
    with transaction(engine) as session:
        record(
            session,
            actor,
            "export.all",
            "data_exit",
            None,
            after={
                "folder": folder.name,
                "schema_revision": revision,
                "rows": result.counts(),
                "sha256": {t.name: t.sha256 for t in exported},
                "withheld": [f"{w['table']}.{w['column']}" for w in withheld],
            },
        )
    return result
