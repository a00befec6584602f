"""What every `fsdash` command shares: the error a user can fix, how messages, counts and progress are printed,
the date argument, how a refused import lists its problems, and the engine a command works on.

Heavy modules (SQLAlchemy, the services) are imported inside the functions that need them, so `fsdash --help`
and `fsdash run` start without loading the whole application.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeAlias

from db.settings import database_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The `fsdash COMMAND` subparsers, on which each command group registers its commands."""


class CommandError(Exception):
    """A problem the user can fix: printed as one sentence, exit code 2, no traceback."""


def say(message: str) -> None:
    print(message, flush=True)


def print_counts(counts: dict[str, int]) -> None:
    """Rows per table, in table order: what a backup, a restore or a subject access export holds."""
    for table, count in sorted(counts.items()):
        say(f"  {table:<24} {count:>10,}")


def progress_bar(unit: str) -> Callable[[int, int], None]:
    """A one-line progress display for long commands: 'scores: 120/504 meetings (24%)'."""

    def show(done: int, total: int) -> None:
        if total:
            end = "\n" if done >= total else "\r"
            print(f"  {done:,}/{total:,} {unit} ({done * 100 // total}%)", end=end, flush=True)

    return show


def date_argument(value: str) -> dt.date:
    """argparse's `type=` for a date option: a wrong date is a usage error in words, not a traceback."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def import_refused(problems: Sequence[object], what: str) -> CommandError:
    """Every problem of a refused import on standard error, one a line, and the sentence saying nothing was
    imported: an import is all or nothing, so the whole list is what the user needs to fix it."""
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return CommandError(f"Nothing was imported: {what} has {len(problems):,} problem(s), listed above.")


@contextmanager
def command_engine(*, upgrade_first: bool = False) -> Iterator[Engine]:
    """The engine of the configured database for one command, disposed when the command ends, however it ends.

    `upgrade_first` applies the migrations before: the commands that may be the first to touch a new
    installation (seeding it, creating its first administrator) create its schema themselves.
    """
    from db.session import make_engine

    url = database_url()
    if upgrade_first:
        from db.migrate import upgrade

        upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
