"""`fsdash`: the command line for setting up, seeding and running the dashboard.

Every subcommand works on the database named by DATABASE_URL (default: a SQLite file var/fsdash.db), or on the
one given with --database-url, which takes precedence and is passed on to the app that `fsdash run` starts.
Each command group lives in its own module of this package and registers its commands on the parser here; what
they share (the error a user can fix, printing, the engine) is in `dashboard.cli.common`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dashboard.cli import (
    database,
    exports,
    imports,
    meetings,
    records,
    reminders,
    scores,
    seeding,
    server,
    teams,
    users,
)
from dashboard.cli.common import CommandError
from db.errors import ServiceError

COMMAND_GROUPS = (database, seeding, scores, teams, users, meetings, reminders, imports, exports, records, server)
"""In the order `fsdash --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fsdash",
        description="Monthly group supervision RAG risk dashboard for Family Safeguarding teams.",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="database to use (default: $DATABASE_URL, else sqlite file var/fsdash.db); "
        "PostgreSQL as postgresql+psycopg://user@host/dbname",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command. A refusal, the command's own or a service's (whose messages are sentences about the
    user's work), is printed as that sentence with exit code 2 and no traceback; anything else keeps its
    traceback, for a developer."""
    args = build_parser().parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    try:
        args.func(args)
    except (CommandError, ServiceError) as exc:
        print(f"fsdash: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
