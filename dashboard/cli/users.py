"""`fsdash users create`: an account from the server, e.g. the first administrator of a new installation."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.cli.common import Commands, command_engine, say
from risk.vocabulary import Role


def cmd_users_create(args: argparse.Namespace) -> None:
    from db.services.accounts import create_user

    password = None if args.sso_only else args.password_stdin and sys.stdin.readline().rstrip("\n")
    if not password and not args.sso_only:
        password = getpass.getpass("Password for the new account (at least 12 characters): ")
    with command_engine(upgrade_first=True) as engine:
        user = create_user(
            engine,
            None,
            email=args.email,
            display_name=args.name,
            role=Role(args.role),
            team_name=args.team,
            password=password,
        )
    say(f"Created {user.role.label} account for {user.email}.")


def add_commands(commands: Commands) -> None:
    users = commands.add_parser("users", help="accounts").add_subparsers(dest="users_command", required=True)
    create = users.add_parser(
        "create",
        help="create an account (the first administrator, for instance)",
        description="Create an account from the server, e.g. the first administrator of a new installation (whose "
        "sign-in screen otherwise asks the first person to open it to create one). The password is asked for, or "
        "read from standard input with --password-stdin, and must pass the same checks as one chosen in the app.",
    )
    create.add_argument("--email", required=True, help="the email its owner signs in with")
    create.add_argument("--name", required=True, help="display name")
    create.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        metavar="ROLE",
        help="one of: " + ", ".join(r.value for r in Role),
    )
    create.add_argument("--team", help="team name (required for team roles)")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument(
        "--sso-only", action="store_true", help="no password: the account signs in with single sign-on only"
    )
    create.set_defaults(func=cmd_users_create)
