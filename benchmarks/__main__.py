"""`python -m benchmarks [risk|pages|imports|ssd|meeting-day|all] [--scale county|large] [--database-url URL]`:
timings on county-sized (or `large`) data, as tables. `meeting-day` (not part of `all`) starts the app and drives
it with a chair and `--practitioners` sessions at once (over Streamlit's protocol, or `--client browser`).

Without --database-url a temporary SQLite file is migrated and seeded with the scale's data first (the seed time is
printed too). With a URL of an empty database (e.g. a scratch PostgreSQL database) that database is seeded; with
one that already holds data it is used as it is.
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


def prepare_database(url: str | None, scale: str = "county") -> tuple[str, Path | None]:
    """A database holding `scale` data: the given one, or a new temporary SQLite file."""
    from seed import is_empty, load_seed

    scratch = None
    if url is None:
        scratch = Path(tempfile.mkdtemp(prefix="fsdash-bench-"))
        url = f"sqlite:///{scratch / f'{scale}.db'}"
    if url.startswith("postgresql"):
        _recreate_if_empty(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        if is_empty(engine):
            from db.services.scores import rebuild_scores

            print(f"Seeding {scale} data into {make_url(url).render_as_string(hide_password=True)} …", flush=True)
            started = time.perf_counter()
            load_seed(engine, scale, random_seed=1, today=TODAY)
            loaded = time.perf_counter() - started
            rebuild_scores(engine, actor=None)
            print(f"  seed {loaded:.1f} s, then scores {time.perf_counter() - started - loaded:.1f} s", flush=True)
            if engine.dialect.name == "postgresql":
                _vacuum(engine)
    finally:
        engine.dispose()
    return url, scratch


def _vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE after the bulk load, as autovacuum would do in a running service before long: until then
    PostgreSQL cannot answer from an index alone (its visibility map is empty) and plans on old statistics."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


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
    suites = ["risk", "pages", "imports", "ssd", "meeting-day", "all"]
    parser.add_argument("suite", nargs="?", default="all", choices=suites)
    parser.add_argument("--scale", choices=["county", "large"], default="county", help="data to seed (default county)")
    parser.add_argument("--database-url", help="database holding (or to receive) the scale's data")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rebuilds", type=int, default=3, help="full score rebuilds to time (0: none)")
    parser.add_argument(
        "--practitioners", type=int, nargs="+", default=[10, 30], help="meeting-day: practitioners saving at once"
    )
    parser.add_argument(
        "--watch-seconds",
        type=float,
        default=60,
        help="meeting-day: how long the chair and 30 others watch the Meeting page first (0: not at all)",
    )
    parser.add_argument(
        "--client",
        choices=["protocol", "browser"],
        default="protocol",
        help="meeting-day: sessions over Streamlit's protocol (the server alone, default) or Chromium sessions",
    )
    args = parser.parse_args()
    if args.suite == "ssd":  # loads the county into empty databases of its own: no seeded database to prepare
        from benchmarks.ssd import run_ssd_benchmarks

        run_ssd_benchmarks(args.database_url, args.repeat, TODAY)
        return
    url, scratch = prepare_database(args.database_url, args.scale)
    engine: Engine = make_engine(url)
    try:
        if args.suite == "meeting-day":  # not in "all": it starts the app and thirty sessions
            from benchmarks.meeting_day import run_meeting_day

            run_meeting_day(url, args.practitioners, args.client, args.watch_seconds)
        if args.suite in ("risk", "all"):
            from benchmarks.risk import run_risk_benchmarks

            run_risk_benchmarks(engine, args.repeat, TODAY, args.rebuilds)
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
