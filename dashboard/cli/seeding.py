"""`fsdash seed`: invented demo data (Faker's en_GB names, emails on example.org), with its closed meetings'
scores stored and one shared password for every invented account."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from dashboard.cli.common import CommandError, Commands, command_engine, date_argument, progress_bar, say
from db.settings import database_url

DEMO_PASSWORD = "supervision-demo"  # noqa: S105  (invented demo accounts only)


def cmd_seed(args: argparse.Namespace) -> None:
    from db.migrate import recreate
    from db.queries.accounts import demo_accounts
    from db.services.accounts import set_demo_password
    from db.services.scores import rebuild_scores
    from seed import is_empty, load_seed

    with command_engine(upgrade_first=True) as engine:
        if not is_empty(engine):
            if args.if_empty:
                say("The database already holds data: leaving it as it is.")
                return
            if not args.replace:
                raise CommandError(
                    "The database already holds data. Seeding would mix demo families with it, so nothing was "
                    "changed. Use --replace to delete everything in it and load the demo data instead."
                )
            say("Replacing the existing database (--replace)…")
            engine.dispose()
            recreate(database_url())
        started = time.perf_counter()
        counts = load_seed(engine, args.scale, random_seed=args.random_seed, today=args.today, progress=say)
        say("Storing family risk scores for closed meetings…")
        rebuilt = rebuild_scores(engine, actor=None, progress=progress_bar("closed meetings"))
        elapsed = time.perf_counter() - started
        say(f"Loaded '{args.scale}' data in {elapsed:.1f} s:")
        for table, count in counts.items():
            say(f"  {table:<20} {count:>9,}")
        say(f"  {'family risk scores':<20} {rebuilt.scores:>9,}")
        set_demo_password(engine, DEMO_PASSWORD)
        say(f"Every invented account's password is '{DEMO_PASSWORD}'. Accounts to try:")
        for role, email in demo_accounts(engine):
            say(f"  {role:<28} {email}")


def add_commands(commands: Commands) -> None:
    seed = commands.add_parser(
        "seed",
        help="load synthetic demo data (invented people only)",
        description="Load invented data (names from Faker's en_GB locale, emails on example.org) and store the "
        "scores of its closed meetings; every invented account gets the demo password. A database that already "
        "holds data is refused unless --replace (which deletes everything in it first) or --if-empty (which leaves "
        "it as it is). demo is one office, three teams, about 60 families and a year of monthly meetings (loads in "
        "seconds). county is modelled on Hertfordshire: three offices, 21 teams, about 1,800 children in 900 "
        "families at any one time, and two years of meetings. large is the size of the largest county: six offices, "
        "60 teams, about 5,500 children open at any one time and five years of monthly meetings (3,600 meetings, "
        "779,000 ratings, 146,000 stored scores). The same --random-seed and --today give the same data.",
    )
    seed.add_argument(
        "--scale", choices=["demo", "county", "large"], default="demo", help="demo: 3 teams; county: 21; large: 60"
    )
    seed.add_argument("--random-seed", type=int, default=1, metavar="N", help="same seed, same data (default 1)")
    seed.add_argument(
        "--today",
        type=date_argument,
        default=dt.date.today(),
        metavar="YYYY-MM-DD",
        help="date the data leads up to (default today)",
    )
    what_if_full = seed.add_mutually_exclusive_group()
    what_if_full.add_argument("--replace", action="store_true", help="delete all existing data first")
    what_if_full.add_argument("--if-empty", action="store_true", help="do nothing if the database holds data")
    seed.set_defaults(func=cmd_seed)
