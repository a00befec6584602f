"""`fsdash export --all DIR`: the data exit, every table as CSV with a Frictionless `datapackage.json` (see
docs/deployment.md, "End of contract"). Runs as the system, like every `fsdash` command, and is audited."""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard.cli.common import CommandError, Commands, command_engine, print_counts, say


def cmd_export(args: argparse.Namespace) -> None:
    from db.exports.data_exit import PACKAGE_FILE, export_all

    if not args.all:
        raise CommandError("Say what to export: --all DIR writes every table (the data exit).")
    with command_engine() as engine:
        result = export_all(engine, None, Path(args.all))
    say(f"Exported every table to {result.folder} (schema revision {result.revision}), described in {PACKAGE_FILE}:")
    print_counts(result.counts())
    for withheld in result.withheld:
        say(f"  left out: {withheld['table']}.{withheld['column']} ({withheld['why']})")


def add_commands(commands: Commands) -> None:
    export = commands.add_parser(
        "export",
        help="the data exit: every table as CSV with a Frictionless datapackage.json (audited)",
        description="Writes every table the council's data lives in, read in one consistent snapshot, into a new "
        "or empty folder (files readable by this account only), with datapackage.json describing every table, "
        "column, key and foreign key, and each file's row count and SHA-256. Credentials (password hashes) are "
        "left out. Text cells a spreadsheet would run as formulas get one leading apostrophe (see the package).",
    )
    export.add_argument("--all", metavar="DIR", help="export every table into DIR (new, or empty)")
    export.set_defaults(func=cmd_export)
