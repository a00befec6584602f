"""Sessions that end everywhere: a password change, a password reset, an MFA reset, a deactivation or an
administrator's "sign out everywhere" moves the account's session generation on, and every session begun before
it (in any app process: each re-checks against the database) ends at its next click or refresh with a sentence
saying why. The session that changed its own password carries on."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pyotp
import pytest
from sqlalchemy import Engine, select

from db.access import SESSIONS_ENDED, AccessDenied, SessionEnded, SignedIn, recheck_session
from db.models import AuditEvent, User
from db.services import admin as admin_services
from db.services import mfa
from db.services.accounts import change_password, create_user, hash_password
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import Team1, make_team

PASSWORD = "a long enough password"
NEW_PASSWORD = "another long enough password"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        s.add(User(display_name="Ada Admin", email="ada@example.org", role=Role.ADMINISTRATOR))
        s.flush()
        s.get_one(User, team.manager.id).password_hash = hash_password(PASSWORD)
        return team


def _user(engine: Engine, email: str) -> User:
    with reading(engine) as s:
        return s.scalars(select(User).where(User.email == email)).one()


def _session(user: User) -> SignedIn:
    """A session as it is begun at sign-in: the account's generation at that moment."""
    return SignedIn(
        user.id, user.role, user.team_id, user.office_id, time.monotonic(), generation=user.session_generation
    )


def _recheck(engine: Engine, session: SignedIn) -> User:
    return recheck_session(engine, session, now=time.monotonic(), idle_limit=1800)


def _admin(engine: Engine) -> User:
    return _user(engine, "ada@example.org")


def _deactivate(engine: Engine, team: Team1) -> None:
    manager = _user(engine, team.manager.email)
    admin_services.update_user(
        engine, _admin(engine), manager.id, role=manager.role, team_id=manager.team_id, office_id=None, active=False
    )
    admin_services.update_user(  # and straight back: the old sessions stay ended
        engine, _admin(engine), manager.id, role=manager.role, team_id=manager.team_id, office_id=None, active=True
    )


def _reset_mfa(engine: Engine, team: Team1) -> None:
    now = dt.datetime.now(dt.UTC)
    mfa.enrol(engine, _user(engine, team.manager.email), SECRET, pyotp.TOTP(SECRET).at(now), now=now)
    mfa.reset(engine, _admin(engine), team.manager.id, "a new phone")


ENDINGS: dict[str, Callable[[Engine, Team1], None]] = {
    "password reset": lambda e, t: admin_services.reset_password(e, _admin(e), t.manager.id, NEW_PASSWORD),
    "mfa reset": _reset_mfa,
    "deactivated": _deactivate,
    "signed out everywhere": lambda e, t: admin_services.sign_out_everywhere(e, _admin(e), t.manager.id),
}


@pytest.mark.parametrize("why", list(ENDINGS))
def test_every_session_begun_before_the_change_ends_with_a_sentence_saying_why(
    engine: Engine, team: Team1, why: str
) -> None:
    laptop, meeting_room = _session(_user(engine, team.manager.email)), _session(_user(engine, team.manager.email))
    assert _recheck(engine, laptop).id == team.manager.id
    ENDINGS[why](engine, team)
    for session in (laptop, meeting_room):
        with pytest.raises(SessionEnded) as ended:
            _recheck(engine, session)
        assert ended.value.reason == f"ended: {why}"
        assert str(ended.value) == SESSIONS_ENDED[why]
    fresh = _session(_user(engine, team.manager.email))  # signing in again starts at the new generation
    assert _recheck(engine, fresh).id == team.manager.id


def test_a_password_change_ends_the_other_sessions_and_keeps_the_one_that_made_it(engine: Engine, team: Team1) -> None:
    here, elsewhere = _session(_user(engine, team.manager.email)), _session(_user(engine, team.manager.email))
    here.generation = change_password(engine, _user(engine, team.manager.email), PASSWORD, NEW_PASSWORD)
    assert _recheck(engine, here).id == team.manager.id
    with pytest.raises(SessionEnded, match="Your password was changed"):
        _recheck(engine, elsewhere)


def test_sign_out_everywhere_is_for_administrators_and_audited(engine: Engine, team: Team1) -> None:
    with pytest.raises(AccessDenied):
        admin_services.sign_out_everywhere(engine, _user(engine, team.manager.email), team.manager.id)
    admin_services.sign_out_everywhere(engine, _admin(engine), team.manager.id)
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "user.sign_out_everywhere")).one()
    assert (event.actor_id, event.entity_id) == (_admin(engine).id, str(team.manager.id))


def test_an_administrator_typed_password_must_be_changed_at_first_sign_in(engine: Engine, team: Team1) -> None:
    """ASVS 2.3.1: the administrator knows it; the command line's and the first-run screen's are the person's own."""
    made = create_user(
        engine,
        _admin(engine),
        email="new.sw@example.org",
        display_name="New Worker",
        role=Role.SOCIAL_WORKER,
        team_name=team.team.name,
        password=PASSWORD,
    )
    assert _user(engine, made.email).must_change_password
    change_password(engine, _user(engine, made.email), PASSWORD, NEW_PASSWORD)
    assert not _user(engine, made.email).must_change_password
    admin_services.reset_password(engine, _admin(engine), made.id, PASSWORD)
    assert _user(engine, made.email).must_change_password
    by_cli = create_user(
        engine, None, email="cli@example.org", display_name="Cli Admin", role=Role.ADMINISTRATOR, password=PASSWORD
    )
    assert not _user(engine, by_cli.email).must_change_password


def test_a_single_sign_on_session_ends_when_the_providers_sign_in_is_too_old(engine: Engine, team: Team1) -> None:
    session = _session(_user(engine, team.manager.email))
    session.sso_issued_at, session.sso_expires_at = 1_000, 2_000.0
    assert recheck_session(engine, session, now=time.monotonic(), idle_limit=1800, wall_now=1_999.0).id
    with pytest.raises(SessionEnded, match="council sign-in has reached its time limit") as ended:
        recheck_session(engine, session, now=time.monotonic(), idle_limit=1800, wall_now=2_001.0)
    assert ended.value.reason == "sso expired"
