"""`python -m benchmarks [risk|pages|imports|all] [--database-url URL]`: timings on county-sized data, as tables.

Without --database-url a temporary SQLite file is migrated and seeded with `county` data first (the seed time is
printed too). With a URL of an empty database (e.g. a scratch PostgreSQL database) that database is seeded; with
one that already holds county data it is used as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.migrate import upgrade
from db.session import make_engine

TODAY = dt.date(2026, 11, 20)


def prepare_database(url: str | None) -> tuple[str, Path | None]:
    """A database holding county data: the given one, or a new temporary SQLite file."""
    from seed import is_empty, load_seed

    scratch = None
    if url is None:
        scratch = Path(tempfile.mkdtemp(prefix="fsdash-bench-"))
        url = f"sqlite:///{scratch / 'county.db'}"
    if url.startswith("postgresql"):
        _recreate_if_empty(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        if is_empty(engine):
            from db.services.scores import rebuild_scores

            print(f"Seeding county data into {make_url(url).render_as_string(hide_password=True)} …", flush=True)
            started = time.perf_counter()
            load_seed(engine, "county", random_seed=1, today=TODAY)
            loaded = time.perf_counter() - started
            rebuild_scores(engine, actor=None)
            print(f"  seed {loaded:.1f} s, then scores {time.perf_counter() - started - loaded:.1f} s", flush=True)
    finally:
        engine.dispose()
    return url, scratch


def _recreate_if_empty(url: str) -> None:
    """Create the scratch PostgreSQL database if it does not exist yet."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suite", nargs="?", default="all", choices=["risk", "pages", "imports", "all"])
    parser.add_argument("--database-url", help="database holding (or to receive) county data")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url, scratch = prepare_database(args.database_url)
    engine: Engine = make_engine(url)
    try:
        if args.suite in ("risk", "all"):
            from benchmarks.risk import run_risk_benchmarks

            run_risk_benchmarks(engine, args.repeat)
        if args.suite in ("pages", "all"):
            from benchmarks.pages import run_page_benchmarks

            os.environ["DATABASE_URL"] = url
            run_page_benchmarks(engine, args.repeat)
        if args.suite in ("imports", "all"):
            from benchmarks.imports import run_import_benchmarks

            run_import_benchmarks(engine, args.repeat, TODAY)
    finally:
        engine.dispose()
        if scratch is not None:
            for file in scratch.iterdir():
                file.unlink()
            scratch.rmdir()


if __name__ == "__main__":
    main()
