"""Settings read from the environment, so the app, the CLI and Alembic agree: where the database is, and (below)
the council's time zone, the mail relay and the reminders."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.errors import ServiceError

DEFAULT_SQLITE_PATH = Path("var") / "fsdash.db"


def database_url() -> str:
    """`DATABASE_URL` if set, else a SQLite file `var/fsdash.db` under the current directory.

    A relative SQLite path is made absolute here so that the app started by `fsdash run` and the CLI that
    started it open the same file whatever directory Streamlit later runs in.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{(Path.cwd() / DEFAULT_SQLITE_PATH).resolve()}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        return f"sqlite:///{Path(url.removeprefix('sqlite:///')).resolve()}"
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# --- the month around the meeting: schedules, reminders, mail ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment setting: its name, its default (as written in the environment) and what it means. The
    table below is what docs/configuration.md lists; tests/test_settings_docs.py fails when one is missing there."""

    name: str
    default: str
    meaning: str

    def value(self) -> str:
        return os.environ.get(self.name, "").strip() or self.default


TIME_ZONE = Setting("FSDASH_TIME_ZONE", "Europe/London", "the council's time zone: what 'today' and meeting times are")
SMTP_URL = Setting(
    "FSDASH_SMTP_URL",
    "",
    "the council's mail relay for reminders: smtp://user:password@host:587 (STARTTLS), smtps://host:465 (implicit "
    "TLS), smtp+insecure://localhost:25 (no encryption, loopback only); the login is optional",
)
SMTP_CA_FILE = Setting(
    "FSDASH_SMTP_CA_FILE", "", "a PEM file of the certificate authority the relay's certificate is checked against"
)
MAIL_FROM = Setting(
    "FSDASH_MAIL_FROM", "", "the sender address of reminders, e.g. supervision-dashboard@council.gov.uk"
)
PUBLIC_URL = Setting(
    "FSDASH_PUBLIC_URL", "", "the dashboard's address as staff reach it, for the links in reminders (https://…)"
)
REMINDER_RATING_DAYS = Setting(
    "FSDASH_REMINDER_RATING_DAYS", "3,1", "days before a meeting that ratings still to enter are reminded"
)
REMINDER_ACTION_DAYS = Setting(
    "FSDASH_REMINDER_ACTION_DAYS", "2", "days before an action's due date that its owner is reminded"
)
REMINDER_HOUR = Setting("FSDASH_REMINDER_HOUR", "7", "no reminder is sent before this hour of the council's day")

SETTINGS = (
    TIME_ZONE,
    SMTP_URL,
    SMTP_CA_FILE,
    MAIL_FROM,
    PUBLIC_URL,
    REMINDER_RATING_DAYS,
    REMINDER_ACTION_DAYS,
    REMINDER_HOUR,
)
"""The settings of the schedule and the reminders (the older ones are listed in docs/configuration.md by hand)."""


class SettingProblem(ServiceError):
    """A setting holds something unusable; the message names the setting and says what to write instead."""


def time_zone() -> ZoneInfo:
    name = TIME_ZONE.value()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingProblem(
            f"{TIME_ZONE.name}={name!r} is not a time zone; write one such as Europe/London."
        ) from None


def council_now(now: dt.datetime | None = None) -> dt.datetime:
    """`now` (default: this moment) on the council's wall clock."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(time_zone())


def council_today(now: dt.datetime | None = None) -> dt.date:
    """The council's date: a run at 23:30 UTC in summer is already tomorrow in London."""
    return council_now(now).date()
