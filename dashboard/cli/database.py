"""`fsdash db upgrade`: the schema, only ever from the Alembic migrations."""

from __future__ import annotations

import argparse

from dashboard.cli.common import Commands, say
from db.settings import database_url


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from db.migrate import current_revision, upgrade

    url = database_url()
    upgrade(url)
    say(f"Database is up to date (revision {current_revision(url)}).")


def add_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser(
        "upgrade", help="apply the migrations (creates the SQLite file and its folder if needed)"
    ).set_defaults(func=cmd_db_upgrade)
