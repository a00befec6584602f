"""Single sign-on mapping: a verified email becomes an active account, anything else is refused and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, update

from db.models import AuditEvent, User
from db.services.accounts import SignInFailed
from db.services.sso import user_for_verified_email
from db.session import reading, transaction
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _events(engine: Engine) -> list[tuple[str, dict]]:
    with reading(engine) as s:
        return [(e.verb, e.after) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


VERIFIED = {"email_verified": True}


@pytest.mark.parametrize("claims", [{"xms_edov": True}, {"email_verified": "true"}], ids=["entra xms_edov", "text"])
def test_entra_ids_verified_domain_claim_also_counts(engine: Engine, team: Team1, claims: dict) -> None:
    assert user_for_verified_email(engine, team.social_worker.email, claims).id == team.social_worker.id


def test_a_verified_email_signs_in_its_account_whatever_the_capitals(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email.upper()
    user = user_for_verified_email(engine, email, {"email": email, "email_verified": True})
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
        (
            "sw.stevenage-a@example.org",
            VERIFIED,
            {"locked_until": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)},
            "is locked",
            "locked",
        ),
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
