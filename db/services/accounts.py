"""Local accounts: argon2id password hashes, sign-in with lockout, and deactivation.

Five failed sign-ins (wrong passwords and wrong two-step codes together) lock an account for 15 minutes; a
deactivated account can never sign in. An account without a password (single sign-on only) never counts a
failure, so junk typed into the password form cannot lock its owner out of single sign-on. Every attempt is
written to the audit trail (the email typed for an unknown account is not: it may be a password typed in the
wrong box). The second step, the code, is in db/services/mfa.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, or_, select, text, update
from zxcvbn import zxcvbn

from db.access import AccessDenied, require_active, require_admin_or_command_line
from db.errors import InvalidInput, ServiceError
from db.models import Office, Team, User, utcnow
from db.plain_text import clean_text
from db.services.audit import record
from db.services.ratings_access import CREATED, CREATED_SSO, record_ratings_access
from db.session import reading, transaction
from db.settings import break_glass_emails, password_sign_in
from risk.vocabulary import Role

MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
NAME_MAX = 120
EMAIL_MAX = 254
"""As long as the users table's columns."""
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3
"""zxcvbn's 0–4 scale: 3 is "safely unguessable: moderate protection from offline slow-hash scenario"."""
ZXCVBN_MAX_LENGTH = 72
_SERVICE_WORDS = ("fsdash", "supervision", "safeguarding", "family", "dashboard", "council", "password")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SignInFailed(ServiceError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password an attacker would try early (NCSC: block common passwords, not demand symbols).

    zxcvbn (its lists of common passwords, words, names and keyboard patterns, plus this person's own email and
    name and the service's words as context) must rate it at least 3 of 4; a password holding the person's email,
    its user part or their name is refused outright, whatever its length.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"A password can have at most {MAX_PASSWORD_LENGTH} characters.")
    lowered = " ".join(password.lower().split())
    local_part = email.strip().lower().split("@")[0]
    personal = [email.strip().lower(), local_part, *re.split(r"[\s._-]+", local_part), " ".join(name.lower().split())]
    personal += name.lower().split()
    if any(len(word) >= 3 and word in lowered for word in personal):
        raise InvalidInput("A password must not contain your email address or your name. Choose another.")
    checked = password[:ZXCVBN_MAX_LENGTH]  # zxcvbn refuses longer input; a long prefix that is strong is enough
    strength = zxcvbn(checked, user_inputs=[w for w in personal if w] + list(_SERVICE_WORDS))
    if strength["score"] < MIN_PASSWORD_SCORE:
        hint = strength["feedback"].get("warning") or "It is too easy to guess."
        raise InvalidInput(
            f"That password is too easy to guess: {hint.rstrip('.')}. Try three or four random words together."
        )


NO_MATCH = (
    "That email and password do not match an active account that can sign in now. After five wrong passwords an "
    "account is locked for 15 minutes; ask an administrator if you cannot wait."
)
"""The one refusal everyone gets (unknown email, deactivated, locked or wrong password), so the answer never tells
whether an account exists or is locked."""


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right and the account uses two-step sign-in: nobody is signed in until the code is right
    too (db.services.mfa.sign_in_with_code), which must follow within CODE_STEP_LIMIT."""

    user_id: int
    checked_at: dt.datetime


CODE_STEP_LIMIT = dt.timedelta(minutes=5)


def password_form_open_to(email: str) -> bool:
    """With the password form switched off (FSDASH_PASSWORD_SIGN_IN=off) only the break-glass accounts use it."""
    return password_sign_in() or email.strip().lower() in break_glass_emails()


def sign_in(engine: Engine, email: str, password: str, now: dt.datetime | None = None) -> User | CodeNeeded:
    """The active user with this email and password, or SignInFailed with the same message whatever went wrong;
    for an account with two-step sign-in, CodeNeeded instead of the user (the code is the next step).

    An attempt is counted atomically *before* its password is checked (one UPDATE that refuses a locked or
    deactivated account), so parallel guesses cannot slip past the lockout: at most MAX_FAILED_SIGN_INS passwords
    are ever checked per lockout. Every refusal does one argon2 verification (against a dummy hash when there is
    no password to check), so an unknown email takes as long as a wrong password. Failures are committed (counted
    and audited) before the refusal is raised; the hash is checked outside any transaction, holding no lock.
    An account without a password counts nothing (its UPDATE matches no row), and with the password form switched
    off an account that is not a break-glass one is refused the same way, after the same work.

    A right password followed by a code: the password's own count is taken back, so it is the wrong passwords and
    wrong codes that add up to the lockout, and the count starts again only when the code is right too.
    """
    now = now or utcnow()
    with reading(engine) as session:
        user_id = session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower()))
    if user_id is not None and not password_form_open_to(email):
        _verify(_dummy_hash(), password)
        _record_failure(engine, user_id, "auth.sign_in_failed", "password sign-in off")
        raise SignInFailed(NO_MATCH)
    attempt = _count_attempt(engine, user_id, now) if user_id is not None else None
    if user_id is None or attempt is None:  # (no attempt is counted without an account)
        _verify(_dummy_hash(), password)  # the same work as checking a real password
        reason = "unknown email" if user_id is None else _why_refused(engine, user_id, now)
        _record_failure(engine, user_id, "auth.sign_in_failed", reason)
        raise SignInFailed(NO_MATCH)
    password_hash, attempts = attempt
    if attempts > MAX_FAILED_SIGN_INS:  # parallel attempts beyond the limit are refused unchecked
        _verify(_dummy_hash(), password)
        _lock(engine, user_id, now)
        _record_failure(engine, user_id, "auth.lockout", "locked out")
        raise SignInFailed(NO_MATCH)
    if not _verify(password_hash, password):
        locked = attempts >= MAX_FAILED_SIGN_INS
        if locked:
            _lock(engine, user_id, now)
        _record_failure(
            engine,
            user_id,
            "auth.lockout" if locked else "auth.sign_in_failed",
            "locked out" if locked else "wrong password",
        )
        raise SignInFailed(NO_MATCH)
    with transaction(engine) as session:
        user = session.get_one(User, user_id)
        if _hasher.check_needs_rehash(user.password_hash or ""):
            user.password_hash = hash_password(password)
        if user.has_mfa:
            session.execute(
                update(User)
                .where(User.id == user_id, User.failed_sign_ins > 0)
                .values(failed_sign_ins=User.failed_sign_ins - 1)
                .execution_options(synchronize_session=False)
            )
            record(session, user, "auth.password_accepted", "user", user.id, after={"next": "code"})
            return CodeNeeded(user_id, now)
        user.failed_sign_ins, user.locked_until = 0, None
        record(session, user, "auth.sign_in", "user", user.id, after={"method": "password"})
    return user


def _count_attempt(engine: Engine, user_id: int, now: dt.datetime) -> tuple[str | None, int] | None:
    """Count one attempt on an active, unlocked account that has a password, in a single atomic UPDATE: (password
    hash, attempts so far including this one), or None when the account is deactivated, locked or has no password
    (nothing is counted then: single sign-on accounts cannot be locked from the password form)."""
    with transaction(engine) as session:
        row = session.execute(
            update(User)
            .where(
                User.id == user_id,
                User.active.is_(True),
                User.password_hash.is_not(None),
                or_(User.locked_until.is_(None), User.locked_until <= now),
            )
            .values(failed_sign_ins=User.failed_sign_ins + 1)
            .returning(User.password_hash, User.failed_sign_ins)
            .execution_options(synchronize_session=False)
        ).first()
    return None if row is None else (row[0], row[1])


def _lock(engine: Engine, user_id: int, now: dt.datetime) -> None:
    with transaction(engine) as session:
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(failed_sign_ins=0, locked_until=now + LOCKOUT)
            .execution_options(synchronize_session=False)
        )


def _why_refused(engine: Engine, user_id: int, now: dt.datetime) -> str:
    """For the audit trail only (the person is told nothing more than NO_MATCH)."""
    with reading(engine) as session:
        user = session.get_one(User, user_id)
        return "inactive" if not user.active else ("no password" if not user.password_hash else "locked")


def _record_failure(engine: Engine, user_id: int | None, verb: str, reason: str) -> None:
    with transaction(engine) as session:
        user = session.get(User, user_id) if user_id is not None else None
        record(session, user, verb, "user", user_id, after={"reason": reason})


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, verified when there is no real one so every refusal costs the same."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; an account with no password (single sign-on only) still costs one check."""
    if not password_hash:
        _verify(_dummy_hash(), password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; every time here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def record_sign_out(engine: Engine, user_id: int, reason: str, sso_issued_at: int | None = None) -> None:
    """The end of a session in the audit trail: 'signed out', 'idle', 'inactive', …. For a single sign-on
    session, `sso_issued_at` is its identity's `iat`: that identity (and any older one) is not accepted again, so
    the browser's identity cookie cannot sign it straight back in and the provider is asked."""
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is not None and sso_issued_at is not None:
            user.sso_ended_before = max(user.sso_ended_before or 0, sso_issued_at)
        record(session, user, "auth.sign_out", "user", user_id, after={"reason": reason})


def end_sso_identity(engine: Engine, user_id: int, issued_at: int) -> None:
    """A single sign-on session that went idle: its identity (and any older one) is not accepted again, so a new
    tab cannot be signed straight back in by the browser's identity cookie. The session itself ends, and is
    audited, at its next click."""
    with transaction(engine) as session:
        session.execute(
            update(User)
            .where(User.id == user_id, or_(User.sso_ended_before.is_(None), User.sso_ended_before < issued_at))
            .values(sso_ended_before=issued_at)
            .execution_options(synchronize_session=False)
        )


def end_sessions(user: User, reason: str) -> None:
    """End every session of this account, in every app process, at its next click or refresh: they compare their
    generation with the account's (db.access.recheck_session), and `reason` tells them why. Its single sign-on
    identities end too. Called inside the transaction of the change that is the reason."""
    user.session_generation = (user.session_generation or 0) + 1
    user.sessions_ended_reason = reason
    if user.sso_last_iat is not None:
        user.sso_ended_before = max(user.sso_ended_before or 0, user.sso_last_iat)


def create_user(
    engine: Engine,
    actor: User | None,
    *,
    email: str,
    display_name: str,
    role: Role,
    team_name: str | None = None,
    office_name: str | None = None,
    password: str | None = None,
    only_if_first: bool = False,
) -> User:
    """Create an account. Team roles need a team; a psychologist or service lead may instead be tied to an
    office. Actor None is the command line, or the first-run screen with `only_if_first`, which is refused as soon
    as any account exists (checked under a lock, so two people setting up at once cannot both succeed).

    No password makes a single sign-on only account. A password an administrator typed must be changed by its
    owner at first sign-in (ASVS 2.3.1); the command line's (the service desk setting up) and the first-run
    screen's (typed by the person themselves) need not."""
    email = clean_text(email, what="The email address", limit=EMAIL_MAX)
    if not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an email address.")
    if not display_name.strip():
        raise InvalidInput("A user needs a name.")
    display_name = clean_text(display_name, what="The name", limit=NAME_MAX)
    if password is not None:
        check_new_password(password, email=email, name=display_name)
    with transaction(engine) as session:
        require_admin_or_command_line(actor)
        if only_if_first:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE users IN EXCLUSIVE MODE"))
            if session.scalar(select(func.count()).select_from(User)):
                raise AccessDenied("The dashboard is already set up: sign in, or ask an administrator for an account.")
        if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is not None:
            raise InvalidInput(f"There is already an account for {email}.")
        team = None
        if team_name:
            team = session.scalars(select(Team).where(Team.name == team_name)).first()
            if team is None:
                raise InvalidInput(f"There is no team called {team_name!r}.")
        elif role.rates_children and role is not Role.PSYCHOLOGIST:
            raise InvalidInput(f"A {role.label} belongs to a team: choose one.")
        office = None
        if office_name:
            office = session.scalars(select(Office).where(Office.name == office_name)).first()
            if office is None:
                raise InvalidInput(f"There is no office called {office_name!r}.")
        user = User(
            email=email,
            display_name=display_name.strip(),
            role=role,
            team_id=team.id if team else None,
            office_id=office.id if office else (team.office_id if team else None),
            password_hash=hash_password(password) if password else None,
            must_change_password=bool(password) and actor is not None,
        )
        session.add(user)
        session.flush()
        record(
            session,
            actor,
            "user.create",
            "user",
            user.id,
            after={"email": email, "role": role.value, "team_id": user.team_id, "password": bool(password)},
        )
        record_ratings_access(session, actor, user, CREATED if password else CREATED_SSO)
        return user


def change_password(engine: Engine, actor: User, current: str, new: str, now: dt.datetime | None = None) -> int:
    """Change one's own password, proving the current one first; every other session of the account ends (one
    opened with the old password should not outlive it). Returns the account's new session generation, for the
    session that made the change to carry on with.

    A wrong current password counts towards the same lockout as sign-in (so a session left open cannot be used to
    guess the password) and is written to the audit trail.
    """
    actor = require_active(actor)
    now = now or utcnow()
    check_new_password(new, email=actor.email, name=actor.display_name)
    attempt = _count_attempt(engine, actor.id, now)
    if attempt is None:
        if _why_refused(engine, actor.id, now) == "inactive":
            raise AccessDenied("Your account is no longer active.")
        _verify(_dummy_hash(), current)
        _record_failure(engine, actor.id, "user.password_change_failed", "locked")
        raise AccessDenied(
            "After five wrong passwords your account is locked for 15 minutes, so the password was not changed."
        )
    password_hash, attempts = attempt
    if attempts > MAX_FAILED_SIGN_INS or not _verify(password_hash, current):
        locked = attempts >= MAX_FAILED_SIGN_INS
        if locked:
            _lock(engine, actor.id, now)
        _record_failure(
            engine,
            actor.id,
            "auth.lockout" if locked else "user.password_change_failed",
            "wrong current password",
        )
        raise InvalidInput(
            "Your current password is not right, so it was not changed."
            + (" After five wrong passwords your account is locked for 15 minutes." if locked else "")
        )
    with transaction(engine) as session:
        user = session.get_one(User, actor.id)
        if not user.active:
            raise AccessDenied("Your account is no longer active.")
        user.password_hash = hash_password(new)
        user.failed_sign_ins = 0
        user.must_change_password = False
        end_sessions(user, "password changed")
        record(session, user, "user.password_change", "user", user.id)
        return user.session_generation


OwnPreference = Literal["table_view", "reminder_emails"]


def set_own_preference(engine: Engine, actor: User | None, preference: OwnPreference, on: bool) -> None:
    """One of one's own yes/no choices (plain tables, reminder emails), kept on the account so it is there at every
    sign-in, on every device. Audited, like every change to an account."""
    actor = require_active(actor)
    with transaction(engine) as session:
        user = session.get_one(User, actor.id)
        was = getattr(user, preference)
        if was == on:
            return
        record(session, user, "user.preference", "user", user.id, before={preference: was}, after={preference: on})
        setattr(user, preference, on)


def set_table_view(engine: Engine, actor: User | None, on: bool) -> None:
    """Plain tables instead of canvas grids on every page (a screen reader's user should not have to ask each time)."""
    set_own_preference(engine, actor, "table_view", on)


def set_demo_password(engine: Engine, password: str) -> int:
    """Give every account the same password: for invented demo data only (`fsdash seed`), never real users.

    One hash serves all accounts so that seeding a county's worth of users stays quick.
    """
    with transaction(engine) as session:
        password_hash = hash_password(password)
        users = session.scalars(select(User)).all()
        for user in users:
            user.password_hash = password_hash
        record(session, None, "user.demo_passwords", "user", None, after={"accounts": len(users)})
        return len(users)
