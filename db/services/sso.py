"""Single sign-on: the council's identity provider (e.g. Microsoft Entra ID through Streamlit's OIDC) vouches
for an email; this maps it to an active dashboard account, or refuses with a sentence the person can act on.

The identity provider proves who someone is; the dashboard's own account still decides what they may see, so a
council colleague without an account, or whose account was deactivated, gets nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, func, select

from db.models import User, utcnow
from db.plain_text import text_problem
from db.services.accounts import SignInFailed
from db.services.audit import record
from db.session import transaction

NO_ACCOUNT = "No dashboard account uses {email}. Ask your administrator to create one."
INACTIVE = "The dashboard account for {email} is no longer active. Ask your administrator if this is unexpected."
UNVERIFIED = "Your council account did not confirm your email address, so you cannot be signed in with it."
UNUSABLE = "Your council account sent an email address the dashboard cannot use. Ask your administrator."
EMAIL_MAX = 254
LOCKED = "The dashboard account for {email} is locked for a few minutes after repeated failed sign-ins."


def user_for_verified_email(
    engine: Engine, email: str | None, claims: Mapping[str, Any], now: dt.datetime | None = None
) -> User:
    """The active account whose email (any capitals) the identity provider verified; refusals are audited."""
    now = now or utcnow()
    email = (email or "").strip()
    with transaction(engine) as session:
        usable = email and text_problem(email, limit=EMAIL_MAX) is None
        user = session.scalars(select(User).where(func.lower(User.email) == email.lower())).first() if usable else None
        refusal = _refusal(user, email, claims, now)
        if refusal is None:
            assert user is not None
            record(session, user, "auth.sign_in", "user", user.id, after={"method": "sso"})
        else:
            record(
                session,
                user,
                "auth.sign_in_refused",
                "user",
                user.id if user else None,
                after={"method": "sso", "reason": refusal[0]},
            )
    if refusal is not None:
        raise SignInFailed(refusal[1])
    assert user is not None  # _refusal refuses an email with no account
    return user


def email_verified(claims: Mapping[str, Any]) -> bool:
    """True only when the provider says so: OpenID Connect's `email_verified`, or Microsoft Entra ID's optional
    `xms_edov` claim (the email's domain is verified by the tenant that owns it). A missing claim is not a yes:
    Entra ID leaves `email_verified` out, and an unverified email could be anyone's (docs/single-sign-on.md)."""
    return any(claims.get(name) in (True, "true", "True", 1) for name in ("email_verified", "xms_edov"))


def _refusal(user: User | None, email: str, claims: Mapping[str, Any], now: dt.datetime) -> tuple[str, str] | None:
    if email and text_problem(email, limit=EMAIL_MAX) is not None:
        return "unusable email", UNUSABLE
    if not email or not email_verified(claims):
        return "email not verified", UNVERIFIED
    if user is None:
        return "unknown email", NO_ACCOUNT.format(email=email)
    if not user.active:
        return "inactive", INACTIVE.format(email=email)
    locked = user.locked_until
    if locked is not None and (locked if locked.tzinfo else locked.replace(tzinfo=dt.UTC)) > now:
        return "locked", LOCKED.format(email=email)
    return None
