"""Single sign-on: the council's identity provider (e.g. Microsoft Entra ID through Streamlit's OIDC) vouches
for an email; this maps it to an active dashboard account, or refuses with a sentence the person can act on.

The identity provider proves who someone is; the dashboard's own account still decides what they may see, so a
council colleague without an account, or whose account was deactivated, gets nothing.

An identity is accepted only while it is fresh: within FSDASH_SSO_MAX_HOURS of the provider's sign-in
(`auth_time`, else the token's `iat`), and issued after the last identity of the account whose dashboard session
ended (signed out, idle, deactivated, signed out everywhere). Otherwise the provider is asked again
(AskProviderAgain), so the council's own sign-in rules, its MFA included, apply at least once a working day and
after every sign-out. MFA is the provider's; with FSDASH_SSO_REQUIRE_MFA the identity must say it was used.
A local lockout (wrong passwords typed on the password form) never blocks single sign-on.
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
from db.settings import sso_max_hours, sso_mfa_acr_values, sso_require_mfa

NO_ACCOUNT = "No dashboard account uses {email}. Ask your administrator to create one."
INACTIVE = "The dashboard account for {email} is no longer active. Ask your administrator if this is unexpected."
UNVERIFIED = "Your council account did not confirm your email address, so you cannot be signed in with it."
UNUSABLE = "Your council account sent an email address the dashboard cannot use. Ask your administrator."
EMAIL_MAX = 254
NO_MFA = (
    "Your council account signed you in without a second factor (such as the Authenticator app), which this "
    "dashboard requires. Sign out of the council account and sign in again with MFA, or ask the council's IT "
    "service desk."
)
TOO_OLD = (
    "Your council account's sign-in is more than {hours:g} hours old and the council's sign-in page did not ask you "
    "again. Sign out of the council account, then sign in again."
)
NO_TIME = (
    "Your council account did not say when you signed in, so the dashboard cannot accept it. Ask your administrator."
)
FRESH_SECONDS = 600
"""An identity issued this recently comes straight from the provider: if it is still too old, asking again loops."""
MULTI_FACTOR_AMR = "mfa"
"""RFC 8176's `amr` value for a sign-in with more than one factor (Microsoft Entra ID and others send it)."""


class AskProviderAgain(SignInFailed):
    """The browser's identity is no longer enough (its session ended, or it is too old): send it to the provider."""


def claim_seconds(claims: Mapping[str, Any], name: str) -> int | None:
    """A time claim (`iat`, `auth_time`) in epoch seconds; None when missing or not a number."""
    value = claims.get(name)
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def sso_session_expires_at(claims: Mapping[str, Any]) -> float | None:
    """When a dashboard session begun with this identity must end (epoch seconds): FSDASH_SSO_MAX_HOURS after the
    provider's sign-in."""
    signed_in_at = claim_seconds(claims, "auth_time") or claim_seconds(claims, "iat")
    return None if signed_in_at is None else signed_in_at + sso_max_hours() * 3600


def used_multiple_factors(claims: Mapping[str, Any]) -> bool:
    """The provider says it used more than one factor: `amr` holds "mfa", or `acr` is one FSDASH_SSO_MFA_ACR lists."""
    amr = claims.get("amr")
    methods = [amr] if isinstance(amr, str) else list(amr) if isinstance(amr, list | tuple) else []
    if MULTI_FACTOR_AMR in {str(m).lower() for m in methods}:
        return True
    acr = claims.get("acr")
    return acr is not None and str(acr) in sso_mfa_acr_values()


def user_for_verified_email(
    engine: Engine, email: str | None, claims: Mapping[str, Any], now: dt.datetime | None = None
) -> User:
    """The active account whose email (any capitals) the identity provider verified; refusals are audited.
    AskProviderAgain (a SignInFailed) when the identity has ended or is too old and the provider should be asked
    again; any other SignInFailed says in words why nobody is signed in."""
    now = now or utcnow()
    email = (email or "").strip()
    with transaction(engine) as session:
        usable = email and text_problem(email, limit=EMAIL_MAX) is None
        user = session.scalars(select(User).where(func.lower(User.email) == email.lower())).first() if usable else None
        refusal = _refusal(user, email, claims, now)
        if refusal is None:
            assert user is not None
            issued_at = claim_seconds(claims, "iat")
            user.sso_last_iat = max(user.sso_last_iat or 0, issued_at or 0)
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
        if refusal[0] in ("identity ended", "sign-in too old"):
            raise AskProviderAgain(refusal[1])
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
    issued_at = claim_seconds(claims, "iat")
    if issued_at is None:
        return "no sign-in time", NO_TIME
    if user.sso_ended_before is not None and issued_at <= user.sso_ended_before:
        return "identity ended", "Your council sign-in has ended: sign in again."
    expires_at = sso_session_expires_at(claims)
    if expires_at is not None and now.timestamp() > expires_at:
        if now.timestamp() - issued_at > FRESH_SECONDS:
            return "sign-in too old", "Your council sign-in is too old: sign in again."
        return "provider did not ask again", TOO_OLD.format(hours=sso_max_hours())
    if sso_require_mfa() and not used_multiple_factors(claims):
        return "no mfa", NO_MFA
    return None
