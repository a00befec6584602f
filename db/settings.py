"""Settings read from the environment, so the app, the CLI and Alembic agree: where the database is, and how
people sign in (two-step sign-in, single sign-on's limits, the password form). The README's configuration table
lists each one; a value the dashboard cannot use stops it with a sentence naming the setting."""

from __future__ import annotations

import os
from pathlib import Path

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
