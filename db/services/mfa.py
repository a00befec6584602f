"""Two-step sign-in for local accounts (RFC 6238 time-based codes, through pyotp): enrolment, the code after a right
password, recovery codes, and an administrator's reset.

Why each rule:
- A code is accepted for the time step before, at and after now (±30 s of clock drift on a phone) and never twice:
  the last step used is stored and only moves forward, in one UPDATE that matches no row for a replayed code, so
  two app processes given the same code cannot both accept it.
- Every code is counted before it is checked, in the same atomic count as wrong passwords
  (db.services.accounts), so five wrong passwords or codes lock the account, however they are sent.
- Recovery codes (ten, shown once) are for a lost phone: only their argon2 hashes are kept, and each is spent in an
  UPDATE that matches no row once it has been used.
- Single sign-on accounts are not asked for a code: the council's identity provider owns their MFA
  (FSDASH_SSO_REQUIRE_MFA makes the dashboard insist that the provider says it used it).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Row, delete, func, or_, select, update
from sqlalchemy.orm import Session

from db.access import AccessDenied, require_active, require_admin
from db.errors import InvalidInput, NotFound
from db.models import RecoveryCode, User, utcnow
from db.plain_text import clean_text
from db.services.accounts import (
    CODE_STEP_LIMIT,
    MAX_FAILED_SIGN_INS,
    CodeNeeded,
    SignInFailed,
    _count_attempt,
    _lock,
    _record_failure,
    end_sessions,
)
from db.services.audit import record
from db.session import reading, transaction
from db.settings import break_glass_emails, mfa_required_roles, password_sign_in

ISSUER = "Supervision dashboard"
"""The name the authenticator app shows beside the account."""
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread from paper
_RECOVERY_LENGTH = 12
# A recovery code is 12 random characters (about 59 bits), so it needs no slow stretching against guessing:
# OWASP's minimum argon2id settings keep checking all ten quick.
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
REASON_MAX = 200

WRONG_CODE = (
    "That code is not right. Type the 6-digit code your authenticator app shows now, or one of your recovery codes."
)
USED_CODE = "That code has already been used. Wait for your authenticator app to show the next code, and type that."
TOO_SLOW = "That took too long after your password. Sign in with your password again."
LOCKED = (
    "After five wrong passwords or codes the account is locked for 15 minutes. Ask an administrator if you cannot wait."
)


def new_secret() -> str:
    """A fresh base32 secret (160 bits, as RFC 4226 recommends) for an enrolment that is not yet confirmed."""
    return pyotp.random_base32(length=32)


def provisioning_uri(email: str, secret: str) -> str:
    """The otpauth:// address the QR code holds: authenticator apps read the account, issuer and secret from it."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def mfa_required(user: User) -> bool:
    """Whether this account must use two-step sign-in when it signs in with a password: its role is named in
    FSDASH_MFA_REQUIRED, or it is a break-glass account while the password form is off for everyone else."""
    if user.role.value in mfa_required_roles():
        return True
    return not password_sign_in() and user.email.lower() in break_glass_emails()


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step (before, at or after now) whose code this is, or None; compared in constant time."""
    totp = pyotp.TOTP(secret)
    found = None
    for offset in (-1, 0, 1):
        moment = now + dt.timedelta(seconds=offset * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            found = totp.timecode(moment)
    return found


def _normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def enrol(engine: Engine, actor: User | None, secret: str, code: str, now: dt.datetime | None = None) -> list[str]:
    """Switch two-step sign-in on for one's own account, once a code from the new secret proves the authenticator
    has it. Returns the ten recovery codes, which exist in words only here: they are kept as hashes."""
    actor = require_active(actor)
    now = now or utcnow()
    with reading(engine) as session:
        if not session.get_one(User, actor.id).password_hash:
            raise InvalidInput("Your account signs in with your council account, whose own sign-in asks for MFA.")
    step = _matching_step(secret, _normalised(code), now) if _normalised(code).isdigit() else None
    if step is None:
        _record_failure(engine, actor.id, "mfa.enrol_failed", "wrong code")
        raise InvalidInput(
            "That code is not right. Check that the app shows the code for the account just added, and type the "
            "6 digits it shows now."
        )
    with transaction(engine) as session:
        user = session.get_one(User, actor.id)
        if user.has_mfa:
            raise InvalidInput("Two-step sign-in is already on for your account.")
        codes = _new_recovery_codes()
        user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        session.add_all(
            RecoveryCode(user_id=user.id, code_hash=_recovery_hasher.hash(c), created_at=now) for c in codes
        )
        record(session, user, "mfa.enrol", "user", user.id, after={"recovery_codes": len(codes)})
    return codes


def remove_own(engine: Engine, actor: User | None, code: str, now: dt.datetime | None = None) -> None:
    """Switch one's own two-step sign-in off, proving it with a current code; refused when the account must use it
    (then only an administrator's reset, followed by a new enrolment, changes it)."""
    actor = require_active(actor)
    now = now or utcnow()
    with reading(engine) as session:
        user = session.get_one(User, actor.id)
    if mfa_required(user):
        raise AccessDenied(
            "Your role must use two-step sign-in, so it cannot be switched off. If you have lost your phone, ask an "
            "administrator to reset it and set it up again."
        )
    if not user.has_mfa:
        raise InvalidInput("Two-step sign-in is not on for your account.")
    step = _matching_step(user.totp_secret or "", _normalised(code), now)
    with transaction(engine) as session:
        removed = step is not None and _spend_step(session, user.id, step)
        if removed:
            _switch_off(session, user.id)
            record(session, user, "mfa.remove", "user", user.id)
    if not removed:
        _record_failure(engine, user.id, "mfa.remove_failed", "wrong code")
        raise InvalidInput("That code is not right (or was used already). Type the code your app shows now.")


def reset(engine: Engine, actor: User | None, user_id: int, reason: str) -> None:
    """An administrator switches off another account's two-step sign-in (a lost or replaced phone), with the
    reason for the audit trail. Every session of the account ends, and at its next sign-in it must enrol again
    if its role requires it. Nobody resets their own: that would let a stolen password remove the second step."""
    actor = require_admin(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Say why two-step sign-in is being reset (for example: a new phone, confirmed by phone).")
    reason = clean_text(reason, what="The reason", limit=REASON_MAX)
    if user_id == actor.id:
        raise AccessDenied("Nobody can reset their own two-step sign-in: ask another administrator.")
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        if not user.has_mfa:
            raise InvalidInput(f"{user.display_name} has no two-step sign-in to reset.")
        _switch_off(session, user.id)
        end_sessions(user, "mfa reset")
        record(session, actor, "mfa.reset", "user", user.id, after={"reason": reason})


def _switch_off(session: Session, user_id: int) -> None:
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(totp_secret=None, totp_enabled_at=None, totp_last_step=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.expire_all()


def _spend_step(session: Session, user_id: int, step: int) -> bool:
    """Move the account's last used step forward to `step`, atomically; False when it is already there or beyond
    (the code was used before, here or in another app process)."""
    result = session.execute(
        update(User)
        .where(User.id == user_id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    # an UPDATE's result is a CursorResult, which SQLAlchemy's types do not say (as in db/records/retention.py)
    updated: int = result.rowcount  # type: ignore[attr-defined]
    return updated == 1


def recovery_codes_left(engine: Engine, actor: User | None) -> int:
    actor = require_active(actor)
    with reading(engine) as session:
        return _codes_left(session, actor.id)


def _codes_left(session: Session, user_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0
    )


@dataclass(frozen=True)
class CodeAccepted:
    """Signed in with password and code. `recovery_codes_left` is set when a recovery code was the second step."""

    user: User
    recovery_codes_left: int | None = None


def sign_in_with_code(engine: Engine, pending: CodeNeeded, code: str, now: dt.datetime | None = None) -> CodeAccepted:
    """The second step of a password sign-in: a code from the authenticator (±1 step, never one used before) or
    an unused recovery code. Counted before it is checked, with the wrong passwords, towards the lockout; a wrong,
    replayed or late code is refused in words and audited."""
    now = now or utcnow()
    if now - pending.checked_at > CODE_STEP_LIMIT:
        _record_failure(engine, pending.user_id, "auth.mfa_failed", "too slow")
        raise SignInFailed(TOO_SLOW)
    attempt = _count_attempt(engine, pending.user_id, now)
    if attempt is None:
        _record_failure(engine, pending.user_id, "auth.mfa_failed", "locked or inactive")
        raise SignInFailed(LOCKED)
    attempts = attempt[1]
    if attempts > MAX_FAILED_SIGN_INS:  # parallel attempts beyond the limit are refused unchecked
        _lock(engine, pending.user_id, now)
        _record_failure(engine, pending.user_id, "auth.lockout", "locked out")
        raise SignInFailed(LOCKED)
    typed = _normalised(code)
    with reading(engine) as session:
        secret = session.get_one(User, pending.user_id).totp_secret
        unused = session.execute(
            select(RecoveryCode.id, RecoveryCode.code_hash).where(
                RecoveryCode.user_id == pending.user_id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    if secret is None:  # reset by an administrator between the two steps
        _record_failure(engine, pending.user_id, "auth.mfa_failed", "no longer enrolled")
        raise SignInFailed(TOO_SLOW)
    failure = "wrong code"
    recovery_id = None
    step = None
    if len(typed) == 6 and typed.isdigit():
        step = _matching_step(secret, typed, now)
    elif len(typed) == _RECOVERY_LENGTH:
        failure = "wrong recovery code"
        recovery_id = _matching_recovery_code(unused, typed)
    with transaction(engine) as session:
        user = session.get_one(User, pending.user_id)
        accepted = False
        if step is not None:
            accepted = _spend_step(session, user.id, step)
            failure = "wrong code" if accepted else "replayed code"
        elif recovery_id is not None:
            spent = session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == recovery_id, RecoveryCode.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            accepted = spent.rowcount == 1  # type: ignore[attr-defined]
        if accepted:
            user.failed_sign_ins, user.locked_until = 0, None
            left = None
            if recovery_id is not None:
                left = _codes_left(session, user.id)
                record(session, user, "mfa.recovery_code_used", "user", user.id, after={"left": left})
            method = "password+recovery code" if recovery_id is not None else "password+code"
            record(session, user, "auth.sign_in", "user", user.id, after={"method": method})
            return CodeAccepted(user, left)
    locked = attempts >= MAX_FAILED_SIGN_INS
    if locked:
        _lock(engine, pending.user_id, now)
    _record_failure(engine, pending.user_id, "auth.lockout" if locked else "auth.mfa_failed", failure)
    if locked:
        raise SignInFailed(LOCKED)
    raise SignInFailed(USED_CODE if failure == "replayed code" else WRONG_CODE)


def _matching_recovery_code(unused: Sequence[Row[int, str]], typed: str) -> int | None:
    """Every unused code is checked (not only up to the match), so the time taken does not say which one it was."""
    formatted = f"{typed[:4]}-{typed[4:8]}-{typed[8:]}"
    found = None
    for code_id, code_hash in unused:
        try:
            if _recovery_hasher.verify(code_hash, formatted):
                found = code_id
        except (VerificationError, InvalidHashError):
            continue
    return found
