"""`fsdash import caseload` and `fsdash import ssd`: the caseload from the council's spreadsheet or from its
Standard Safeguarding Dataset tables, all or nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from dashboard.cli.common import CommandError, Commands, command_engine, import_refused, progress_bar, say


def cmd_import_caseload(args: argparse.Namespace) -> None:
    from db.imports import ImportRefused, import_caseload

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    stages: dict[str, Callable[[int, int], None]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, progress_bar(stage.lower()))(done, total)

    with command_engine() as engine:
        try:
            summary = import_caseload(
                engine,
                None,
                path.name,
                data,
                dry_run=args.dry_run,
                close_missing=args.close_missing,
                team=args.team,
                progress=progress,
            )
        except ImportRefused as exc:
            raise import_refused(exc.problems, path.name) from None
    say(f"Dry run of {path.name}: nothing was written. It would give:" if args.dry_run else f"Imported {path.name}:")
    say(f"  {'':<16}{'created':>9}{'updated':>9}{'closed':>9}")
    for entity, counts in summary.counts().items():
        label = entity.replace("_", " ")
        say(f"  {label:<16}{counts['created']:>9,}{counts['updated']:>9,}{counts['closed']:>9,}")
    for what, count in sorted(summary.ignored.items()):
        if count:
            say(f"  Left out: {count:,} {what}.")
    say(f"  ({summary.rows:,} rows, sha256 {summary.sha256})")


def cmd_import_ssd(args: argparse.Namespace) -> None:
    from db.imports.ssd import ExtractRefused, draft_mapping, import_ssd, load_mapping, read_source

    def progress(stage: str, done: int, total: int) -> None:  # called once per table, or per 500 families
        say(f"  {stage}: {done:,} of {total:,}")

    try:
        mapping = None
        mapping_path = Path(args.mapping) if args.mapping else None
        if mapping_path is not None and mapping_path.exists():
            mapping = load_mapping(mapping_path.read_bytes(), mapping_path.name)
        elif not args.write_mapping:
            raise CommandError(
                f"There is no mapping file {mapping_path}. Start one from this extract with --write-mapping."
                if mapping_path
                else "Give the mapping file with --mapping FILE, or start one from this extract with --write-mapping."
            )
        say(f"Reading the SSD tables from {args.source if '://' not in args.source else 'the database'}…")
        extract = read_source(args.source, args.schema, progress)
        if args.write_mapping:
            target = mapping_path or Path("ssd-mapping.toml")
            if target.exists():
                target.replace(target.with_name(target.name + ".bak"))
                say(f"Kept the previous mapping as {target.name}.bak.")
            target.write_text(draft_mapping(extract, mapping), encoding="utf-8")
            say(
                f"Wrote the mapping {target}: choose the Family Safeguarding teams, check the roles and give each "
                "professional's email, then import with --mapping. See docs/ssd-import.md."
            )
            return
        assert mapping is not None
        with command_engine() as engine:
            summary = import_ssd(
                engine,
                None,
                extract,
                mapping,
                dry_run=args.dry_run,
                close_missing=args.close_missing,
                create_accounts=args.create_accounts,
                progress=progress,
            )
    except ExtractRefused as exc:
        raise import_refused(exc.problems, "the extract") from None
    say(f"Dry run of {extract.source}: nothing was written." if args.dry_run else f"Imported {extract.source}:")
    for sentence in summary.sentences():
        say(f"  {sentence}")
    say(f"  ({summary.rows:,} rows read, sha256 {summary.sha256})")


def add_commands(commands: Commands) -> None:
    imports = commands.add_parser("import", help="import data from the council's spreadsheets").add_subparsers(
        dest="import_command", required=True
    )
    caseload = imports.add_parser(
        "caseload",
        help="import families, children, legal statuses and involvement from a .csv or .xlsx file (all or nothing)",
        description="Check the whole file first; if any row is wrong, list every problem and change nothing. "
        "Families and children are matched by their case references: known ones are updated, new ones added. "
        "Nothing is ever deleted. The columns are described in docs/caseload-import.md.",
    )
    caseload.add_argument("file", metavar="FILE", help="the caseload file (.csv or .xlsx, one row per child)")
    caseload.add_argument("--dry-run", action="store_true", help="check the file and show the counts; write nothing")
    caseload.add_argument(
        "--close-missing",
        action="store_true",
        help="close the open families of the imported teams that the file does not list (they are never deleted)",
    )
    caseload.add_argument("--team", help="the file is for this team only (by name): other teams' rows are refused")
    caseload.set_defaults(func=cmd_import_caseload)

    ssd = imports.add_parser(
        "ssd",
        help="import the caseload from Standard Safeguarding Dataset (SSD) tables (all or nothing)",
        description="Read the SSD tables from a folder of CSV files (or a .zip of them) or a database, map them "
        "with the council's mapping file, check everything, then write it in one transaction; if anything is wrong, "
        "list every problem by table, row id and column and change nothing. Nothing is ever deleted. See "
        "docs/ssd-import.md.",
    )
    ssd.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="DIR|URL",
        help="a folder of CSV files named after the SSD tables, a .zip of them, or a SQLAlchemy database URL",
    )
    ssd.add_argument("--schema", help="the database schema holding the SSD tables (with a URL)")
    ssd.add_argument(
        "--mapping", metavar="FILE", help="the mapping file (TOML) that says which teams and roles are ours"
    )
    ssd.add_argument(
        "--dry-run", action="store_true", help="check the extract and say what would change; write nothing"
    )
    ssd.add_argument(
        "--close-missing",
        action="store_true",
        help="close the open families of the mapped teams that the extract no longer has (never deleted)",
    )
    ssd.add_argument(
        "--create-accounts",
        action="store_true",
        help="create the professionals who have no account yet: inactive, without a password",
    )
    ssd.add_argument(
        "--write-mapping",
        action="store_true",
        help="write a mapping file for this extract (to --mapping FILE, default ssd-mapping.toml) and stop; the "
        "choices of an existing file are kept",
    )
    ssd.set_defaults(func=cmd_import_ssd)
