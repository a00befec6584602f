"""Local accounts: argon2id password hashes, sign-in with lockout, and deactivation.

Five failed sign-ins lock an account for 15 minutes; a deactivated account can never sign in. Every attempt is
written to the audit trail (the email typed for an unknown account is not: it may be a password typed in the
wrong box).
"""

from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select, text

from dashboard.risk.vocabulary import Role
from db.access import AccessDenied, require_active, require_admin
from db.errors import InvalidInput, ServiceError
from db.models import Office, Team, User, utcnow
from db.services.audit import record
from db.session import transaction

MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SignInFailed(ServiceError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def sign_in(engine: Engine, email: str, password: str, now: dt.datetime | None = None) -> User:
    """The active user with this email and password, or SignInFailed with a message safe to show.

    A failed attempt is committed (counted and audited) before the refusal is raised.
    """
    now = now or utcnow()
    with transaction(engine) as session:
        user = session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
        refusal = _refusal(user, password, now)
        if refusal is not None:
            reason = refusal[0]
            if user is not None and reason == "wrong password":
                user.failed_sign_ins += 1
                if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                    user.failed_sign_ins, user.locked_until, reason = 0, now + LOCKOUT, "locked out"
            verb = "auth.lockout" if reason == "locked out" else "auth.sign_in_failed"
            record(session, user, verb, "user", user.id if user else None, after={"reason": reason})
        else:
            assert user is not None
            if _hasher.check_needs_rehash(user.password_hash or ""):
                user.password_hash = hash_password(password)
            user.failed_sign_ins, user.locked_until = 0, None
            record(session, user, "auth.sign_in", "user", user.id)
    if refusal is not None:
        raise SignInFailed(refusal[1])
    return user


def _refusal(user: User | None, password: str, now: dt.datetime) -> tuple[str, str] | None:
    """(reason for the audit trail, message for the person) when this sign-in must be refused."""
    no_match = "That email and password do not match an active account."
    if user is None:
        return "unknown email", no_match
    if not user.active:
        return "inactive", no_match
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        minutes = int((locked_until - now).total_seconds() // 60) + 1
        return "locked", f"This account is locked after repeated failed sign-ins. Try again in {minutes} minutes."
    if not _verify(user.password_hash, password):
        return "wrong password", no_match
    return None


def _verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
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


def record_sign_out(engine: Engine, user_id: int, reason: str) -> None:
    """The end of a session in the audit trail: 'signed out', 'idle' or 'deactivated'."""
    with transaction(engine) as session:
        user = session.get(User, user_id)
        record(session, user, "auth.sign_out", "user", user_id, after={"reason": reason})


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
    as any account exists (checked under a lock, so two people setting up at once cannot both succeed)."""
    email = email.strip()
    if not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an email address.")
    if not display_name.strip():
        raise InvalidInput("A user needs a name.")
    if password is not None:
        check_new_password(password)
    with transaction(engine) as session:
        if actor is not None:
            require_admin(actor)
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
        )
        session.add(user)
        session.flush()
        record(
            session,
            actor,
            "user.create",
            "user",
            user.id,
            after={"email": email, "role": role.value, "team_id": user.team_id},
        )
        return user


def change_password(engine: Engine, actor: User, current: str, new: str) -> None:
    actor = require_active(actor)
    check_new_password(new)
    with transaction(engine) as session:
        user = session.get_one(User, actor.id)
        if not user.active:
            raise AccessDenied("Your account is no longer active.")
        if not _verify(user.password_hash, current):
            raise InvalidInput("Your current password is not right, so it was not changed.")
        user.password_hash = hash_password(new)
        record(session, user, "user.password_change", "user", user.id)


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
