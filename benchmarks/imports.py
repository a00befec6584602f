"""Import timings on county data: the monthly re-import of the whole caseload as a dry run (every check and every
write, then rolled back), from CSV and from .xlsx."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from benchmarks.timing import median_ms, print_table
from db.exports.template import caseload_rows, rows_csv, rows_xlsx
from db.imports import import_caseload
from db.models import User
from db.session import reading
from risk.vocabulary import Role


def run_import_benchmarks(engine: Engine, repeat: int, today: dt.date) -> None:
    with reading(engine) as s:
        admin = s.scalars(select(User).where(User.role == Role.ADMINISTRATOR)).first()
    rows = caseload_rows(engine, admin, today=today)
    files = {"CSV": ("caseload.csv", rows_csv(rows)), ".xlsx": ("caseload.xlsx", rows_xlsx(rows))}
    table = []
    for kind, (name, data) in files.items():
        ms = median_ms(
            lambda name=name, data=data: import_caseload(engine, admin, name, data, dry_run=True, today=today),
            max(3, repeat // 2),
        )
        table.append((f"re-import the county caseload ({kind}, {len(rows):,} rows, dry run)", f"{ms:.0f}"))
    print_table(f"Caseload import on {engine.dialect.name} (median ms)", table, ("what", "ms"))
