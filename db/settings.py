"""Settings read from the environment, so the app, the CLI and Alembic agree: where the database is, how people
sign in (two-step sign-in, single sign-on's limits, the password form), and the council's time zone, the mail relay
and the reminders. docs/configuration.md lists each one; a value the dashboard cannot use stops it with a sentence
naming the setting."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.errors import ServiceError
from risk.vocabulary import Role

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


class SettingError(ValueError):
    """A setting in the environment that the dashboard cannot use: the message names it and what it accepts."""


MFA_REQUIRED_DEFAULT = "administrator,service_lead"


def mfa_required_roles() -> frozenset[str]:
    """`FSDASH_MFA_REQUIRED`: the roles (their stored values, comma-separated) whose local accounts must use
    two-step sign-in, `all` for every account, or `none`. Default: administrators and service leads, the
    privileged accounts Cyber Essentials and the DSPT name. Every account may switch it on whatever this says."""
    raw = os.environ.get("FSDASH_MFA_REQUIRED", MFA_REQUIRED_DEFAULT).strip().lower()
    if raw == "all":
        return frozenset(role.value for role in Role)
    if raw == "none":
        return frozenset()
    chosen = {part.strip() for part in raw.split(",") if part.strip()}
    known = {role.value for role in Role}
    if not chosen or chosen - known:
        raise SettingError(
            f"FSDASH_MFA_REQUIRED={raw!r} is not understood: give `all`, `none`, or roles from "
            f"{', '.join(sorted(known))}, separated by commas."
        )
    return frozenset(chosen)


def _hours(name: str, default: str) -> float:
    raw = os.environ.get(name, default).strip()
    try:
        hours = float(raw)
    except ValueError:
        hours = -1
    if hours <= 0:
        raise SettingError(f"{name}={raw!r} is not a number of hours above 0.")
    return hours


def sso_max_hours() -> float:
    """`FSDASH_SSO_MAX_HOURS`: how long after the identity provider signed someone in the dashboard accepts that
    sign-in (default 10, a working day); after it the provider is asked again."""
    return _hours("FSDASH_SSO_MAX_HOURS", "10")


def _switch(name: str, default: str) -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise SettingError(f"{name}={raw!r} is not understood: give `on` or `off`.")


def sso_require_mfa() -> bool:
    """`FSDASH_SSO_REQUIRE_MFA`: refuse a single sign-on whose identity does not say the provider used more than
    one factor (`amr` holding `mfa`, or an `acr` listed in `FSDASH_SSO_MFA_ACR`). Default off: MFA for council
    accounts is the identity provider's to enforce."""
    return _switch("FSDASH_SSO_REQUIRE_MFA", "off")


def sso_mfa_acr_values() -> frozenset[str]:
    """`FSDASH_SSO_MFA_ACR`: `acr` values (comma-separated) the council's provider uses for a multi-factor sign-in."""
    raw = os.environ.get("FSDASH_SSO_MFA_ACR", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def password_sign_in() -> bool:
    """`FSDASH_PASSWORD_SIGN_IN`: `off` switches the password form off for everyone but the break-glass accounts
    (a council whose staff all sign in with their council account). Default on."""
    return _switch("FSDASH_PASSWORD_SIGN_IN", "on")


def break_glass_emails() -> frozenset[str]:
    """`FSDASH_BREAK_GLASS`: the emails (comma-separated) that may still sign in with a password and a code when
    the password form is off, for when single sign-on is down. They must use two-step sign-in."""
    raw = os.environ.get("FSDASH_BREAK_GLASS", "")
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


def check_sign_in_settings() -> None:
    """Read every sign-in setting once, so a value the dashboard cannot use is reported when the app starts (a
    SettingError naming it), not at someone's sign-in."""
    mfa_required_roles()
    sso_max_hours()
    sso_require_mfa()
    password_sign_in()


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


def trusted_proxies() -> list[str]:
    """`FSDASH_TRUSTED_PROXIES`: the addresses (or networks, e.g. `10.0.0.0/24`) of the council's own reverse
    proxies, comma-separated. Only a request from one of them has its `X-Forwarded-For` believed for the client's
    address in the audit trail; by default none is, and the peer's own address is recorded."""
    raw = os.environ.get("FSDASH_TRUSTED_PROXIES", "").strip()
    chosen = [part.strip() for part in raw.split(",") if part.strip()]
    for part in chosen:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise SettingError(
                f"FSDASH_TRUSTED_PROXIES holds {part!r}, which is not an address or network (e.g. 127.0.0.1 or "
                "10.0.0.0/24)."
            ) from None
    return chosen
