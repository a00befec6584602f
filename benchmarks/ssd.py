"""SSD import timings: the whole county service exported as Standard Safeguarding Dataset CSV files (about 1,800
open children with two years of history; by the test-only writer) and loaded into an empty service, dry run and
real import, then the monthly re-sync of the same extract, on SQLite and (given a PostgreSQL URL) PostgreSQL.

Each timed run gets a freshly migrated, empty database (a SQLite file; on PostgreSQL a scratch database
`fsdash_bench_ssd` on the server of --database-url, dropped again afterwards)."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.timing import print_table
from db.imports import ImportSummary
from db.imports.ssd import import_ssd, load_mapping, read_folder
from db.migrate import upgrade
from db.session import make_engine
from seed.scales import SCALES
from seed.simulate import ServiceSimulation
from tests.imports.ssd_writer import mapping_toml, ssd_tables, write_csv_folder

SCRATCH = "fsdash_bench_ssd"


def _seconds(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU of this process) seconds: on a shared machine the wall time includes waiting for a core, so the
    CPU time is printed beside it (PostgreSQL's own work is in the wall time only)."""
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - started, time.process_time() - cpu


def _median(times: list[tuple[float, float]]) -> tuple[str, str]:
    return f"{statistics.median(t[0] for t in times):.2f}", f"{statistics.median(t[1] for t in times):.2f}"


def _fresh_sqlite(folder: Path, n: int) -> str:
    url = f"sqlite:///{folder / f'target-{n}.db'}"
    upgrade(url)
    return url


def _fresh_postgres(server: str) -> str:
    url = make_url(server).set(database=SCRATCH)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{SCRATCH}"'))
    admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    return rendered


def _drop_postgres(server: str) -> None:
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
    admin.dispose()


def run_ssd_benchmarks(database_url: str | None, repeat: int, today: dt.date) -> None:
    runs = max(1, min(3, repeat))
    scratch = Path(tempfile.mkdtemp(prefix="fsdash-bench-ssd-"))
    print("Exporting the county service as SSD CSV files …", flush=True)
    rows = ServiceSimulation(SCALES["county"], 1, today).run().tables
    folder = write_csv_folder(ssd_tables(rows), scratch / "extract")
    mapping = load_mapping(mapping_toml(rows))
    read_times = [_seconds(lambda: read_folder(folder)) for _ in range(runs)]
    extract = read_folder(folder)
    targets: list[tuple[str, Callable[[int], str]]] = [("sqlite", lambda n: _fresh_sqlite(scratch, n))]
    if database_url and database_url.startswith("postgresql"):
        targets.append(("postgresql", lambda _n: _fresh_postgres(database_url)))
    else:
        print("  (PostgreSQL left out: give --database-url postgresql+psycopg://… to time it too)")
    table = [(f"read the extract ({extract.row_count:,} rows, CSV)", "", *_median(read_times))]
    summaries: list[ImportSummary] = []

    def load(engine: Engine, *, dry_run: bool = False) -> None:
        summary = import_ssd(engine, None, extract, mapping, dry_run=dry_run, create_accounts=True, today=today)
        summaries.append(summary)

    try:
        for name, fresh in targets:
            dry: list[tuple[float, float]] = []
            real: list[tuple[float, float]] = []
            again: list[tuple[float, float]] = []
            for n in range(runs):
                engine: Engine = make_engine(fresh(n))
                try:  # a dry run rolls back, so the real import that follows also starts from an empty service
                    dry.append(_seconds(lambda e=engine: load(e, dry_run=True)))
                    real.append(_seconds(lambda e=engine: load(e)))
                    again.append(_seconds(lambda e=engine: load(e)))
                finally:
                    engine.dispose()
            summary = summaries[0]
            loaded = f"{len(summary.families_by_team)} teams, {summary.families.created:,} families"
            table += [
                (f"dry run, empty service ({loaded})", name, *_median(dry)),
                (f"import, empty service ({loaded})", name, *_median(real)),
                ("re-sync the same extract (nothing changes)", name, *_median(again)),
            ]
    finally:
        if len(targets) > 1 and database_url:
            _drop_postgres(database_url)
        for file in sorted(scratch.rglob("*"), reverse=True):
            file.rmdir() if file.is_dir() else file.unlink()
        scratch.rmdir()
    busy = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    title = f"SSD import of the county service (median of {runs}, seconds; load average now {busy})"
    print_table(title, table, ("what", "database", "wall s", "cpu s"))
