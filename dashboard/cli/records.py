"""`fsdash backup`, `restore`, `sar` and `retention` (deletion after anonymising too): the records management
commands (see docs/records.md).
They run as the system, with the database's own credentials, like every other `fsdash` command; each is recorded
in the audit trail. Output names no family, child or person beyond what was asked for."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.cli.common import CommandError, Commands, command_engine, date_argument, print_counts, say
from db.settings import database_url

if TYPE_CHECKING:
    from db.records.retention import RetentionPolicy


def cmd_backup(args: argparse.Namespace) -> None:
    from db.records.backup import backup_database

    result = backup_database(database_url(), None, Path(args.file))
    say(f"Backed up to {result.path} ({result.size:,} bytes, sha256 {result.sha256}). Checked:")
    for check in result.checks:
        say(f"  - {check}")
    say(f"It holds ({result.snapshot.rows:,} rows):")
    print_counts(result.snapshot.counts)


def cmd_restore(args: argparse.Namespace) -> None:
    from db.records.backup import restore_database

    result = restore_database(database_url(), None, Path(args.file), replace=args.replace)
    if result.replaced_backup:
        say(f"What the database held before was backed up first to {result.replaced_backup}.")
    say(
        f"Restored {Path(args.file).name} (made at revision {result.restored_revision}; the database is now at "
        f"{result.snapshot.revision}). It holds ({result.snapshot.rows:,} rows):"
    )
    print_counts(result.snapshot.counts)
    repair = result.schema_repair
    if repair.changed:
        say(
            "The backup's own rules differed from this version's, so they were put right (recorded in the audit "
            "trail): "
            + "; ".join(
                part
                for part in (
                    f"removed {', '.join(repair.removed)}" if repair.removed else "",
                    f"made again {', '.join(repair.recreated)}" if repair.recreated else "",
                )
                if part
            )
            + "."
        )


def cmd_sar(args: argparse.Namespace) -> None:
    from db.records.subject_access import subject_access_export, subject_access_zip
    from db.records.subject_access_pdf import subject_access_pdf

    folder = Path(args.output)
    if not folder.is_dir():
        raise CommandError(f"The folder {folder} does not exist.")
    with command_engine() as engine:
        export = subject_access_export(engine, None, family_reference=args.family, child_reference=args.child)
    written = []
    for suffix, content in ((".pdf", subject_access_pdf(export)), (".zip", subject_access_zip(export))):
        path = folder / f"{export.file_stem}{suffix}"
        try:  # a new file only, readable by this account alone: it holds special-category data
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} already exists: move it away or choose another --output folder.") from None
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        written.append(path)
    say(f"Subject access export for {export.subject}:")
    for path in written:
        say(f"  {path}")
    print_counts(export.counts())


def cmd_retention_show(args: argparse.Namespace) -> None:
    from db.records.retention import retention_policy

    with command_engine() as engine:
        policy = retention_policy(engine, None)
    say(_policy_words(policy))


def _years(count: int) -> str:
    return f"{count} year" if count == 1 else f"{count} years"


def _policy_words(policy: RetentionPolicy) -> str:
    if not policy.is_set:
        return (
            f"No retention rule has been set: the default of {policy.years_after_closure} years after closure is "
            "shown, and nothing can be anonymised until the council's own figure is set."
        )
    return (
        f"Closed families are kept {_years(policy.years_after_closure)} after closure "
        f"(set {policy.set_at:%d/%m/%Y} by {policy.set_by})."
    )


def cmd_retention_set(args: argparse.Namespace) -> None:
    from db.records.retention import set_retention_policy

    with command_engine() as engine:
        policy = set_retention_policy(engine, None, args.years)
    say(_policy_words(policy))


def cmd_retention_review(args: argparse.Namespace) -> None:
    from db.records.retention import families_due

    with command_engine() as engine:
        policy, due = families_due(engine, None, today=args.today)
    say(_policy_words(policy))
    if not due:
        say("No closed family is due for anonymising.")
        return
    say(f"{'1 closed family is' if len(due) == 1 else f'{len(due):,} closed families are'} due for anonymising:")
    say(f"  {'case reference':<16} {'team':<24} {'closed':<10} {'due':<10} {'children':>8}")
    for d in due:
        say(f"  {d.case_reference:<16} {d.team:<24} {d.closed_on:%d/%m/%Y} {d.due_on:%d/%m/%Y} {d.children:>8}")


def cmd_retention_apply(args: argparse.Namespace) -> None:
    from db.records.retention import anonymise_due_families

    with command_engine() as engine:
        result = anonymise_due_families(engine, None, dry_run=args.dry_run, today=args.today)
    if args.dry_run:
        say(f"Dry run ({_years(result.years_after_closure)} after closure): nothing was changed. It would anonymise:")
    else:
        say(f"Anonymised under the retention rule ({_years(result.years_after_closure)} after closure):")
    for what, count in result.counts().items():
        say(f"  {what.replace('_', ' '):<28} {count:>8,}")


def _deletion_words(years: int | None) -> str:
    if years is None:
        return "Anonymised families are kept: deletion after anonymising is off."
    return f"Anonymised families are deleted {_years(years)} after they were anonymised."


def cmd_retention_set_deletion(args: argparse.Namespace) -> None:
    from db.records.retention import set_deletion_policy

    with command_engine() as engine:
        policy = set_deletion_policy(engine, None, None if args.never else args.years)
    say(_deletion_words(policy.years_after_anonymisation))


def cmd_retention_delete(args: argparse.Namespace) -> None:
    from db.records.retention import delete_due_families, families_due_for_deletion

    with command_engine() as engine:
        policy, due = families_due_for_deletion(engine, None, today=args.today)
        say(_deletion_words(policy.years_after_anonymisation))
        for d in due:
            say(f"  {d.case_reference:<20} {d.team:<24} anonymised {d.anonymised_on:%d/%m/%Y}, due {d.due_on:%d/%m/%Y}")
        result = delete_due_families(engine, None, dry_run=args.dry_run, today=args.today)
    verb = "Dry run: nothing was changed. It would delete" if args.dry_run else "Deleted"
    say(f"{verb} {result.families:,} anonymised families ({sum(result.rows.values()):,} rows):")
    print_counts(result.rows)


def cmd_records_supervision(args: argparse.Namespace) -> None:
    from db.exports.supervision_records import write_supervision_records

    folder = Path(args.to)
    if not folder.is_dir():
        raise CommandError(f"The folder {folder} does not exist.")
    with command_engine() as engine:
        written = write_supervision_records(engine, None, args.meeting, folder)
    families = sum(path.suffix == ".pdf" for path in written)
    whose = "1 family's" if families == 1 else f"{families} families'"
    say(f"Wrote {whose} supervision records and the manifest to {folder}:")
    for path in written:
        say(f"  {path.name}")


def add_commands(commands: Commands) -> None:
    backup = commands.add_parser(
        "backup",
        help="back up the database to a new file, verified (SQLite online backup, or pg_dump for PostgreSQL)",
        description="A consistent copy while the app is running. SQLite: the online backup API, then "
        "integrity check, migration revision and row counts. PostgreSQL: pg_dump (custom format), then the dump "
        "is listed and counted with pg_restore. Never overwrites a file.",
    )
    backup.add_argument("file", metavar="FILE", help="the new backup file")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup made by `fsdash backup` into an empty database",
        description="Checks the backup, restores it, upgrades it if it is from an older version, and prints the "
        "counts. Refuses a database that holds data unless --replace, which backs that data up first.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup file")
    restore.add_argument(
        "--replace",
        action="store_true",
        help="replace a database that holds data (it is backed up first, beside FILE)",
    )
    restore.set_defaults(func=cmd_restore)

    records = commands.add_parser("records", help="records that go to other systems").add_subparsers(
        dest="records_command", required=True
    )
    supervision = records.add_parser(
        "supervision",
        help="each family's supervision record of a closed meeting, with a manifest, for the case system's upload",
        description="Writes one PDF per family of the meeting (named by case reference, holding that family "
        "alone) and manifest.csv and manifest.json (case reference, children's references, meeting date, file "
        "name, SHA-256) into an existing folder, as new files readable by this account only. Audited.",
    )
    supervision.add_argument("--meeting", type=int, required=True, metavar="ID", help="the meeting's id")
    supervision.add_argument("--to", required=True, metavar="DIR", help="the folder to write the files into")
    supervision.set_defaults(func=cmd_records_supervision)

    sar = commands.add_parser(
        "sar",
        help="subject access: everything held about one family or child, as a PDF and a .zip of CSV files",
    )
    who = sar.add_mutually_exclusive_group(required=True)
    who.add_argument("--family", metavar="REF", help="the family's case reference")
    who.add_argument("--child", metavar="REF", help="the child's case reference")
    sar.add_argument("--output", default=".", metavar="DIR", help="folder to write the two files to (default: here)")
    sar.set_defaults(func=cmd_sar)

    retention = commands.add_parser(
        "retention", help="the retention rule: how long closed families are kept"
    ).add_subparsers(dest="retention_command", required=True)
    retention.add_parser("show", help="the rule in force").set_defaults(func=cmd_retention_show)
    set_rule = retention.add_parser("set", help="set the years a closed family is kept (from the council's schedule)")
    set_rule.add_argument(
        "--years", type=int, required=True, metavar="N", help="whole years after the family's case closed"
    )
    set_rule.set_defaults(func=cmd_retention_set)
    today: dict[str, Any] = {
        "type": date_argument,
        "default": None,
        "metavar": "YYYY-MM-DD",
        "help": "judge what is due as of this date (YYYY-MM-DD; default today; only a review or a dry run may look "
        "ahead)",
    }
    review = retention.add_parser("review", help="list the closed families due for anonymising")
    review.add_argument("--today", **today)
    review.set_defaults(func=cmd_retention_review)
    apply = retention.add_parser(
        "apply",
        help="anonymise the families due, in one transaction (audited)",
        description="Replaces case references by pseudonyms, children's names and dates of birth (to the year), "
        "rationales and action texts; keeps ratings' colours, scores and legal status history so figures do not "
        "change; pseudonymises the audit trail's mentions of them the same way.",
    )
    apply.add_argument("--dry-run", action="store_true", help="show the counts; change nothing")
    apply.add_argument("--today", **today)
    apply.set_defaults(func=cmd_retention_apply)
    set_deletion = retention.add_parser(
        "set-deletion",
        help="delete anonymised families a number of years after anonymising, or never (the default)",
        description="For councils whose policy does not keep even the anonymised figures. Audited.",
    )
    when = set_deletion.add_mutually_exclusive_group(required=True)
    when.add_argument("--years", type=int, metavar="N", help="whole years after each family was anonymised")
    when.add_argument("--never", action="store_true", help="keep anonymised families (switch deletion off)")
    set_deletion.set_defaults(func=cmd_retention_set_deletion)
    delete = retention.add_parser(
        "delete",
        help="delete the anonymised families the deletion rule has come for, in one transaction (audited)",
        description="Deletes them as erasing a family does: every row, the scores of the meetings affected stored "
        "again, and the audit trail's details about them; one event records the run. Restricted families wait.",
    )
    delete.add_argument("--dry-run", action="store_true", help="show what would go; change nothing")
    delete.add_argument("--today", **today)
    delete.set_defaults(func=cmd_retention_delete)
