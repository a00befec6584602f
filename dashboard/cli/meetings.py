"""`fsdash meetings open-due`: open, for ratings, every meeting a team's schedule says is due (for cron or a
systemd timer: safe to run every few minutes, on any number of machines at once)."""

from __future__ import annotations

import argparse

from dashboard.cli.common import Commands, command_engine, date_argument, say


def cmd_meetings_open_due(args: argparse.Namespace) -> None:
    from db.services.schedules import open_due_meetings

    with command_engine() as engine:
        results = open_due_meetings(engine, None, today=args.today)
    for result in results:
        if result.opened or not args.quiet:
            say(result.words())
    if not results and not args.quiet:
        say("No scheduled meeting is due to open.")


def add_commands(commands: Commands) -> None:
    meetings = commands.add_parser("meetings", help="supervision meetings").add_subparsers(
        dest="meetings_command", required=True
    )
    open_due = meetings.add_parser(
        "open-due",
        help="open every scheduled meeting that is due, and nothing else",
        description="Open, for ratings, every meeting whose team's schedule says it is due: its opening day (by "
        "default 7 days before) has come, its day has not passed, and no meeting stands for it yet. Safe to run "
        "every few minutes from cron or a systemd timer, on any number of machines at once: each team's meeting "
        "is opened once. Prints what it opened, and any due meeting it could not open and why (a team's previous "
        "meeting still open, for instance).",
    )
    open_due.add_argument(
        "--quiet", action="store_true", help="print only the meetings opened (for a cron line that mails its output)"
    )
    open_due.add_argument(
        "--today",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="act as if today were this date (default: today in FSDASH_TIME_ZONE), e.g. to try a new schedule",
    )
    open_due.set_defaults(func=cmd_meetings_open_due)
