"""`fsdash`: the command line for setting up, seeding and running the dashboard.

Every subcommand works on the database named by DATABASE_URL (default: a SQLite file var/fsdash.db), or on the
one given with --database-url, which takes precedence and is passed on to the app that `fsdash run` starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from db.settings import database_url
from risk.vocabulary import Role

APP_PATH = Path(__file__).resolve().parent / "app.py"
DEMO_PASSWORD = "supervision-demo"  # noqa: S105  (invented demo accounts only)


class CommandError(Exception):
    """A problem the user can fix: printed as one sentence, exit code 2, no traceback."""


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from db.migrate import current_revision, upgrade

    url = database_url()
    upgrade(url)
    _say(f"Database is up to date (revision {current_revision(url)}).")


def cmd_seed(args: argparse.Namespace) -> None:
    from db.migrate import recreate, upgrade
    from db.queries.accounts import demo_accounts
    from db.services.accounts import set_demo_password
    from db.services.scores import rebuild_scores
    from db.session import make_engine
    from seed import is_empty, load_seed

    url = database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        if not is_empty(engine):
            if args.if_empty:
                _say("The database already holds data: leaving it as it is.")
                return
            if not args.replace:
                raise CommandError(
                    "The database already holds data. Seeding would mix demo families with it, so nothing was "
                    "changed. Use --replace to delete everything in it and load the demo data instead."
                )
            _say("Replacing the existing database (--replace)…")
            engine.dispose()
            recreate(url)
        started = time.perf_counter()
        counts = load_seed(engine, args.scale, random_seed=args.random_seed, today=args.today, progress=_say)
        _say("Storing family risk scores for closed meetings…")
        rebuilt = rebuild_scores(engine, actor=None, progress=_progress_bar("closed meetings"))
        elapsed = time.perf_counter() - started
        _say(f"Loaded '{args.scale}' data in {elapsed:.1f} s:")
        for table, count in counts.items():
            _say(f"  {table:<20} {count:>9,}")
        _say(f"  {'family risk scores':<20} {rebuilt.scores:>9,}")
        set_demo_password(engine, DEMO_PASSWORD)
        _say(f"Every invented account's password is '{DEMO_PASSWORD}'. Accounts to try:")
        for role, email in demo_accounts(engine):
            _say(f"  {role:<28} {email}")
    finally:
        engine.dispose()


def cmd_scores_rebuild(args: argparse.Namespace) -> None:
    from db.services.scores import rebuild_scores
    from db.session import make_engine

    engine = make_engine(database_url())
    try:
        result = rebuild_scores(
            engine, actor=None, team=args.team, policy=args.policy, progress=_progress_bar("meetings")
        )
    finally:
        engine.dispose()
    _say(f"Rebuilt {result.scores:,} stored scores for {result.meetings:,} closed meetings ({result.policy} policy).")


def cmd_users_create(args: argparse.Namespace) -> None:
    from db.errors import ServiceError
    from db.migrate import upgrade
    from db.services.accounts import create_user
    from db.session import make_engine

    password = None if args.sso_only else args.password_stdin and sys.stdin.readline().rstrip("\n")
    if not password and not args.sso_only:
        password = getpass.getpass("Password for the new account (at least 12 characters): ")
    url = database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        user = create_user(
            engine,
            None,
            email=args.email,
            display_name=args.name,
            role=Role(args.role),
            team_name=args.team,
            password=password,
        )
    except ServiceError as exc:
        raise CommandError(str(exc)) from None
    finally:
        engine.dispose()
    _say(f"Created {user.role.label} account for {user.email}.")


def cmd_import_caseload(args: argparse.Namespace) -> None:
    from db.errors import ServiceError
    from db.imports import ImportRefused, import_caseload
    from db.session import make_engine

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    engine = make_engine(database_url())
    stages: dict[str, Callable[[int, int], None]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, _progress_bar(stage.lower()))(done, total)

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
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise CommandError(
            f"Nothing was imported: {path.name} has {len(exc.problems):,} problem(s), listed above."
        ) from None
    except ServiceError as exc:
        raise CommandError(str(exc)) from None
    finally:
        engine.dispose()
    _say(f"Dry run of {path.name}: nothing was written. It would give:" if args.dry_run else f"Imported {path.name}:")
    _say(f"  {'':<16}{'created':>9}{'updated':>9}{'closed':>9}")
    for entity, counts in summary.counts().items():
        label = entity.replace("_", " ")
        _say(f"  {label:<16}{counts['created']:>9,}{counts['updated']:>9,}{counts['closed']:>9,}")
    _say(f"  ({summary.rows:,} rows, sha256 {summary.sha256})")


def cmd_import_ssd(args: argparse.Namespace) -> None:
    from db.errors import ServiceError
    from db.imports.ssd import ExtractRefused, draft_mapping, import_ssd, load_mapping, read_source
    from db.session import make_engine

    def progress(stage: str, done: int, total: int) -> None:  # called once per table, or per 500 families
        _say(f"  {stage}: {done:,} of {total:,}")

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
        _say(f"Reading the SSD tables from {args.source if '://' not in args.source else 'the database'}…")
        extract = read_source(args.source, args.schema, progress)
        if args.write_mapping:
            target = mapping_path or Path("ssd-mapping.toml")
            if target.exists():
                target.replace(target.with_name(target.name + ".bak"))
                _say(f"Kept the previous mapping as {target.name}.bak.")
            target.write_text(draft_mapping(extract, mapping), encoding="utf-8")
            _say(
                f"Wrote the mapping {target}: choose the Family Safeguarding teams, check the roles and give each "
                "professional's email, then import with --mapping. See the README, 'Importing from the Standard "
                "Safeguarding Dataset'."
            )
            return
        assert mapping is not None
        engine = make_engine(database_url())
        try:
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
        finally:
            engine.dispose()
    except ExtractRefused as exc:
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise CommandError(
            f"Nothing was imported: the extract has {len(exc.problems):,} problem(s), listed above."
        ) from None
    except ServiceError as exc:
        raise CommandError(str(exc)) from None
    _say(f"Dry run of {extract.source}: nothing was written." if args.dry_run else f"Imported {extract.source}:")
    for sentence in summary.sentences():
        _say(f"  {sentence}")
    _say(f"  ({summary.rows:,} rows read, sha256 {summary.sha256})")


def cmd_run(args: argparse.Namespace) -> None:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
    ]
    _say(f"Starting the dashboard on http://{args.address}:{args.port} (Ctrl+C to stop)…")
    env = {**os.environ, "DATABASE_URL": database_url()}
    try:
        raise SystemExit(subprocess.call(command, env=env, cwd=APP_PATH.parent.parent))
    except KeyboardInterrupt:
        raise SystemExit(0) from None


def _progress_bar(unit: str) -> Callable[[int, int], None]:
    """A one-line progress display for long commands: 'scores: 120/504 meetings (24%)'."""

    def show(done: int, total: int) -> None:
        if total:
            end = "\n" if done >= total else "\r"
            print(f"  {done:,}/{total:,} {unit} ({done * 100 // total}%)", end=end, flush=True)

    return show


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fsdash",
        description="Monthly group supervision RAG risk dashboard for Family Safeguarding teams.",
    )
    parser.add_argument(
        "--database-url",
        help="database to use (default: $DATABASE_URL, else sqlite file var/fsdash.db); "
        "PostgreSQL as postgresql+psycopg://user@host/dbname",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply the migrations (creates the SQLite file if needed)").set_defaults(
        func=cmd_db_upgrade
    )

    seed = commands.add_parser("seed", help="load synthetic demo data (invented people only)")
    seed.add_argument(
        "--scale", choices=["demo", "county", "large"], default="demo", help="demo: 3 teams; county: 21; large: 60"
    )
    seed.add_argument("--random-seed", type=int, default=1, help="same seed, same data (default 1)")
    seed.add_argument("--today", type=_date, default=dt.date.today(), help="date the data leads up to (YYYY-MM-DD)")
    what_if_full = seed.add_mutually_exclusive_group()
    what_if_full.add_argument("--replace", action="store_true", help="delete all existing data first")
    what_if_full.add_argument("--if-empty", action="store_true", help="do nothing if the database holds data")
    seed.set_defaults(func=cmd_seed)

    scores = commands.add_parser("scores", help="stored family risk scores").add_subparsers(
        dest="scores_command", required=True
    )
    rebuild = scores.add_parser("rebuild", help="recompute stored scores for closed meetings")
    rebuild.add_argument("--team", help="only this team (by name)")
    rebuild.add_argument("--policy", default=None, help="scoring policy: worst (default) or median")
    rebuild.set_defaults(func=cmd_scores_rebuild)

    users = commands.add_parser("users", help="accounts").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create an account (the first administrator, for instance)")
    create.add_argument("--email", required=True)
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

    imports = commands.add_parser("import", help="import data from the council's spreadsheets").add_subparsers(
        dest="import_command", required=True
    )
    caseload = imports.add_parser(
        "caseload",
        help="import families, children, legal statuses and involvement from a .csv or .xlsx file (all or nothing)",
        description="Check the whole file first; if any row is wrong, list every problem and change nothing. "
        "Families and children are matched by their case references: known ones are updated, new ones added. "
        "Nothing is ever deleted. The columns are described in the README ('Importing the caseload').",
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
        "list every problem by table, row id and column and change nothing. Nothing is ever deleted. See the README "
        "('Importing from the Standard Safeguarding Dataset').",
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

    from dashboard.records_cli import add_records_commands  # backup, restore, sar, retention

    add_records_commands(commands)

    run = commands.add_parser("run", help="start the dashboard")
    run.add_argument("--port", type=int, default=8501)
    run.add_argument("--address", default="localhost")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    try:
        args.func(args)
    except CommandError as exc:
        print(f"fsdash: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
