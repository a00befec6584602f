"""Single sign-on mapping: a verified email becomes an active account, anything else is refused and audited."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import Engine, select, update

from db.models import AuditEvent, User
from db.services.accounts import SignInFailed, end_sessions, record_sign_out
from db.services.sso import AskProviderAgain, sso_session_expires_at, user_for_verified_email
from db.session import reading, transaction
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _events(engine: Engine) -> list[tuple[str, dict]]:
    with reading(engine) as s:
        return [(e.verb, e.after) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


NOW = int(time.time())
VERIFIED = {"email_verified": True, "iat": NOW}


@pytest.mark.parametrize(
    "claims", [{"xms_edov": True, "iat": NOW}, {"email_verified": "true", "iat": NOW}], ids=["entra xms_edov", "text"]
)
def test_entra_ids_verified_domain_claim_also_counts(engine: Engine, team: Team1, claims: dict) -> None:
    assert user_for_verified_email(engine, team.social_worker.email, claims).id == team.social_worker.id


def test_a_verified_email_signs_in_its_account_whatever_the_capitals(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email.upper()
    user = user_for_verified_email(engine, email, {"email": email, **VERIFIED})
    assert user.id == team.social_worker.id
    assert _events(engine) == [("auth.sign_in", {"method": "sso"})]


@pytest.mark.parametrize(
    ("email", "claims", "change", "message", "reason"),
    [
        (
            "someone.else@example.org",
            VERIFIED,
            None,
            "No dashboard account uses someone.else@example.org",
            "unknown email",
        ),
        (None, {}, None, "did not confirm your email", "email not verified"),
        ("sw.stevenage-a@example.org", {"email_verified": False}, None, "did not confirm", "email not verified"),
        # Entra ID leaves email_verified out by default: a missing claim is not a yes
        ("sw.stevenage-a@example.org", {}, None, "did not confirm", "email not verified"),
        ("sw.stevenage-a@example.org", {"email_verified": "false"}, None, "did not confirm", "email not verified"),
        ("sw.stevenage-a@example.org\x00", VERIFIED, None, "cannot use", "unusable email"),
        ("a" * 300 + "@example.org", VERIFIED, None, "cannot use", "unusable email"),
        ("sw.stevenage-a@example.org", VERIFIED, {"active": False}, "no longer active", "inactive"),
        ("sw.stevenage-a@example.org", {"email_verified": True}, None, "did not say when", "no sign-in time"),
    ],
)
def test_refusals_say_why_and_are_audited(
    engine: Engine, team: Team1, email: str | None, claims: dict, change: dict | None, message: str, reason: str
) -> None:
    if change:
        with transaction(engine) as s:
            s.execute(update(User).where(User.id == team.social_worker.id).values(**change))
    with pytest.raises(SignInFailed, match=message):
        user_for_verified_email(engine, email, claims)
    assert _events(engine) == [("auth.sign_in_refused", {"method": "sso", "reason": reason})]


def test_a_local_lockout_never_blocks_single_sign_on(engine: Engine, team: Team1) -> None:
    """Junk typed into the password form must not shut a chair out of single sign-on on the morning of the meeting."""
    with transaction(engine) as s:
        s.execute(
            update(User)
            .where(User.id == team.manager.id)
            .values(locked_until=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), failed_sign_ins=5)
        )
    assert user_for_verified_email(engine, team.manager.email, VERIFIED).id == team.manager.id


def test_an_identity_whose_session_ended_sends_the_browser_to_the_provider_again(engine: Engine, team: Team1) -> None:
    user = user_for_verified_email(engine, team.manager.email, VERIFIED)
    record_sign_out(engine, user.id, "idle", sso_issued_at=NOW)
    with pytest.raises(AskProviderAgain):
        user_for_verified_email(engine, team.manager.email, VERIFIED)  # the same cookie, in a new tab
    assert user_for_verified_email(engine, team.manager.email, {**VERIFIED, "iat": NOW + 30}).id == user.id


def test_an_account_signed_out_everywhere_or_deactivated_ends_its_identities(engine: Engine, team: Team1) -> None:
    user_for_verified_email(engine, team.manager.email, VERIFIED)
    with transaction(engine) as s:
        end_sessions(s.get_one(User, team.manager.id), "signed out everywhere")
    with pytest.raises(AskProviderAgain):
        user_for_verified_email(engine, team.manager.email, VERIFIED)


def test_a_sign_in_older_than_the_limit_asks_the_provider_again(
    engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FSDASH_SSO_MAX_HOURS", "10")
    now = dt.datetime.fromtimestamp(NOW, dt.UTC)
    old = {**VERIFIED, "iat": NOW - 11 * 3600}
    with pytest.raises(AskProviderAgain):
        user_for_verified_email(engine, team.manager.email, old, now=now)
    # a fresh token still carrying an old sign-in: the provider did not ask again, and asking once more would loop
    stale = {**VERIFIED, "iat": NOW - 5, "auth_time": NOW - 11 * 3600}
    with pytest.raises(SignInFailed, match="more than 10 hours old") as refused:
        user_for_verified_email(engine, team.manager.email, stale, now=now)
    assert not isinstance(refused.value, AskProviderAgain)
    fresh = {**VERIFIED, "iat": NOW - 5, "auth_time": NOW - 9 * 3600}
    assert user_for_verified_email(engine, team.manager.email, fresh, now=now).id == team.manager.id
    assert sso_session_expires_at(fresh) == NOW - 9 * 3600 + 10 * 3600  # the session ends when the sign-in is 10 h old


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd"]}, False),
        ({}, False),
        ({"acr": "possessionorinherence"}, True),  # listed in FSDASH_SSO_MFA_ACR below
        ({"acr": "1"}, False),
    ],
)
def test_the_provider_can_be_required_to_say_it_used_mfa(
    engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch, claims: dict, accepted: bool
) -> None:
    monkeypatch.setenv("FSDASH_SSO_REQUIRE_MFA", "on")
    monkeypatch.setenv("FSDASH_SSO_MFA_ACR", "possessionorinherence, 2")
    if accepted:
        assert user_for_verified_email(engine, team.manager.email, {**VERIFIED, **claims}).id == team.manager.id
        return
    with pytest.raises(SignInFailed, match="without a second factor"):
        user_for_verified_email(engine, team.manager.email, {**VERIFIED, **claims})
    assert _events(engine)[-1] == ("auth.sign_in_refused", {"method": "sso", "reason": "no mfa"})


def test_without_the_setting_mfa_is_left_to_the_provider(engine: Engine, team: Team1) -> None:
    assert user_for_verified_email(engine, team.manager.email, {**VERIFIED, "amr": ["pwd"]}).id == team.manager.id
