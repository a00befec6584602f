"""`fsdash db upgrade`: the schema, only ever from the Alembic migrations; `fsdash db grant-app`: the privileges
of the role the app runs as on PostgreSQL (db.app_role)."""

from __future__ import annotations

import argparse

from dashboard.cli.common import Commands, say
from db.settings import database_url


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from db.migrate import current_revision, upgrade

    url = database_url()
    upgrade(url)
    say(f"Database is up to date (revision {current_revision(url)}).")


def cmd_db_grant_app(args: argparse.Namespace) -> None:
    from db.app_role import grant_app_role

    granted = grant_app_role(database_url(), args.role)
    say(
        f"{granted.role} may now read and write the {granted.tables} tables, but never remove events from or empty the "
        "audit trail, nor change the schema or its triggers. Run the app with a DATABASE_URL naming this role; "
        "keep the owner's URL for `fsdash db upgrade`, `fsdash db grant-app` and `fsdash restore`."
    )


def add_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser(
        "upgrade", help="apply the migrations (creates the SQLite file and its folder if needed)"
    ).set_defaults(func=cmd_db_upgrade)
    grant = db.add_parser(
        "grant-app",
        help="give the app's own PostgreSQL role its privileges (run as the owner, after every upgrade)",
        description="Give ROLE (which must exist, own nothing and not be a superuser) the privileges the app needs "
        "and no more: it cannot empty the audit trail, drop or disable its triggers, or change the schema. Run "
        "with DATABASE_URL naming the tables' owner, after `fsdash db upgrade`.",
    )
    grant.add_argument("role", help="the app's role, e.g. fsdash_app")
    grant.set_defaults(func=cmd_db_grant_app)
