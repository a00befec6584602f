"""`fsdash reminders send`: the reminder emails that are due, each sent once (for cron or a systemd timer)."""

from __future__ import annotations

import argparse

from dashboard.cli.common import CommandError, Commands, command_engine, say


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def cmd_reminders_send(args: argparse.Namespace) -> None:
    from db.services.reminders import send_reminders
    from risk.reminders import ReminderKind

    with command_engine() as engine:
        run = send_reminders(engine, None, dry_run=args.dry_run)
    kinds = ", ".join(f"{kind.label}: {run.by_kind[kind]:,}" for kind in ReminderKind if run.by_kind.get(kind))
    if run.before_hours:
        if not args.quiet:
            from db.services.reminders import reminder_settings
            from db.settings import council_now

            settings = reminder_settings()
            say(
                f"It is {council_now():%H:%M} in {settings.time_zone}, before {settings.sending_hour:02d}:00 "
                "(FSDASH_REMINDER_HOUR): nothing is sent until then."
            )
        return
    if args.dry_run:
        say(
            f"{_count(run.planned, 'email is', 'emails are')} due now, before checking what was sent"
            + (f" ({kinds})." if kinds else ".")
        )
        return
    if run.emails or not args.quiet:
        say(f"Sent {_count(run.emails, 'reminder email', 'reminder emails')}" + (f" ({kinds})." if kinds else "."))
    if run.already_sent and not args.quiet:
        say(f"{_count(run.already_sent, 'email was', 'emails were')} already sent (by an earlier run or elsewhere).")
    for account_id, why in run.refused:
        say(f"Not sent to account {account_id}: {why}. Check the account's email address on the Admin page.")
    if run.stopped:
        raise CommandError(
            f"{run.stopped} Nothing that was not sent is marked sent: {_count(run.not_reached, 'email', 'emails')} "
            "will be sent by the next run once this is fixed."
        )
    if run.refused:
        raise CommandError(
            f"{_count(len(run.refused), 'reminder', 'reminders')} could not be sent (listed above); the next run tries "
            "again."
        )


def add_commands(commands: Commands) -> None:
    reminders = commands.add_parser("reminders", help="reminder emails").add_subparsers(
        dest="reminders_command", required=True
    )
    send = reminders.add_parser(
        "send",
        help="send the reminder emails that are due, each once",
        description="Send the reminders that are due now through the mail relay (FSDASH_SMTP_URL): ratings still "
        "to enter (FSDASH_REMINDER_RATING_DAYS before a meeting), actions falling due "
        "(FSDASH_REMINDER_ACTION_DAYS before) and once overdue, and the chair's list on the morning of a meeting. "
        "Each is recorded when sent, so running it again (or on two machines at once) sends nothing twice. "
        "Nothing goes before FSDASH_REMINDER_HOUR. If the relay cannot be reached or refuses, nothing is marked "
        "sent, the exit code is 2 with what to fix, and the next run tries again.",
    )
    send.add_argument("--dry-run", action="store_true", help="only say how many emails are due; send nothing")
    send.add_argument("--quiet", action="store_true", help="print only what was sent and any problem")
    send.set_defaults(func=cmd_reminders_send)
