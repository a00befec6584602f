"""Two-step sign-in with the clock frozen: codes at the edges of the ±1 step window, a code never accepted twice
(in parallel too), wrong codes in the same lockout as wrong passwords, recovery codes used up one by one, and an
administrator's reset (never one's own). Every outcome is in the audit trail."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.errors import InvalidInput
from db.models import AuditEvent, RecoveryCode, User
from db.services import mfa
from db.services.accounts import NO_MATCH, CodeNeeded, SignInFailed, hash_password, sign_in
from db.session import reading, transaction
from db.settings import SettingError
from risk.vocabulary import Role
from tests.db.factories import Team1, make_team

PASSWORD = "a long enough password"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STEP = 30
START = dt.datetime(2026, 12, 4, 9, 0, 0, tzinfo=dt.UTC)  # a step boundary: 09:00:00 is a multiple of 30 s


def code_at(moment: dt.datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        admin = User(display_name="Ada Admin", email="ada@example.org", role=Role.ADMINISTRATOR, team=None)
        other = User(display_name="Bo Admin", email="bo@example.org", role=Role.ADMINISTRATOR, team=None)
        s.add_all([admin, other])
        s.flush()
        for person in (team.social_worker, team.manager, admin, other):
            s.get_one(User, person.id).password_hash = hash_password(PASSWORD)
        return team


def _user(engine: Engine, email: str) -> User:
    with reading(engine) as s:
        return s.scalars(select(User).where(User.email == email)).one()


def _enrolled(engine: Engine, email: str, at: dt.datetime = START - dt.timedelta(minutes=10)) -> list[str]:
    return mfa.enrol(engine, _user(engine, email), SECRET, code_at(at), now=at)


def _password(engine: Engine, email: str, now: dt.datetime) -> CodeNeeded:
    result = sign_in(engine, email, PASSWORD, now=now)
    assert isinstance(result, CodeNeeded), "an account with two-step sign-in is asked for its code"
    return result


def _events(engine: Engine, email: str) -> list[tuple[str, Any]]:
    user_id = _user(engine, email).id
    with reading(engine) as s:
        rows = s.execute(
            select(AuditEvent.verb, AuditEvent.after)
            .where(AuditEvent.entity_id == str(user_id))
            .order_by(AuditEvent.id)
        ).all()
    return [(verb, (after or {}).get("reason")) for verb, after in rows]


def test_enrolment_needs_a_right_code_and_keeps_only_hashes_of_ten_recovery_codes(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email
    with pytest.raises(InvalidInput, match="not right"):
        mfa.enrol(engine, _user(engine, email), SECRET, "000000" if code_at(START) != "000000" else "111111", now=START)
    assert not _user(engine, email).has_mfa
    codes = mfa.enrol(engine, _user(engine, email), SECRET, code_at(START), now=START)
    assert len(codes) == 10 == len(set(codes))
    with reading(engine) as s:
        stored = s.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == team.social_worker.id)).all()
    assert len(stored) == 10
    assert not any(code in text for code in codes for text in stored), "only hashes are kept"
    assert all(text.startswith("$argon2") for text in stored)
    assert _user(engine, email).has_mfa
    assert [v for v, _ in _events(engine, email)] == ["mfa.enrol_failed", "mfa.enrol"]
    with pytest.raises(InvalidInput, match="already on"):
        mfa.enrol(engine, _user(engine, email), SECRET, code_at(START + dt.timedelta(seconds=STEP)), now=START)


def test_a_right_password_alone_signs_nobody_in(engine: Engine, team: Team1) -> None:
    _enrolled(engine, team.social_worker.email)
    pending = _password(engine, team.social_worker.email, START)
    assert pending.user_id == team.social_worker.id
    assert [v for v, _ in _events(engine, team.social_worker.email)][-1] == "auth.password_accepted"


@pytest.mark.parametrize(
    ("now", "code_time", "accepted"),
    [
        (START, START, True),
        (START, START - dt.timedelta(seconds=1), True),  # the step before, at its last second
        (START, START - dt.timedelta(seconds=STEP + 1), False),  # two steps before
        (START + dt.timedelta(seconds=29), START + dt.timedelta(seconds=30), True),  # the step after
        (START + dt.timedelta(seconds=29), START + dt.timedelta(seconds=60), False),  # two steps after
        (START + dt.timedelta(seconds=30), START - dt.timedelta(seconds=1), False),  # now two steps after it
    ],
    ids=["now", "one before", "two before", "one after", "two after", "aged out"],
)
def test_a_code_is_accepted_one_step_either_side_of_now_and_no_further(
    engine: Engine, team: Team1, now: dt.datetime, code_time: dt.datetime, accepted: bool
) -> None:
    _enrolled(engine, team.social_worker.email)
    pending = _password(engine, team.social_worker.email, now)
    if accepted:
        assert mfa.sign_in_with_code(engine, pending, code_at(code_time), now=now).user.id == team.social_worker.id
        assert _events(engine, team.social_worker.email)[-1] == ("auth.sign_in", None)
    else:
        with pytest.raises(SignInFailed, match="not right"):
            mfa.sign_in_with_code(engine, pending, code_at(code_time), now=now)
        assert _events(engine, team.social_worker.email)[-1] == ("auth.mfa_failed", "wrong code")


def test_a_code_is_never_accepted_twice_nor_an_older_one_after_it(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email
    _enrolled(engine, email)
    code = code_at(START)
    mfa.sign_in_with_code(engine, _password(engine, email, START), code, now=START)
    later = START + dt.timedelta(seconds=20)  # the same step: the code still shows on the phone
    with pytest.raises(SignInFailed, match="already been used"):
        mfa.sign_in_with_code(engine, _password(engine, email, later), f" {code[:3]} {code[3:]} ", now=later)
    assert _events(engine, email)[-1] == ("auth.mfa_failed", "replayed code")
    mfa.sign_in_with_code(
        engine, _password(engine, email, later), code_at(START + dt.timedelta(seconds=STEP)), now=later
    )
    with pytest.raises(SignInFailed, match="already been used"):  # the step before the one used last
        mfa.sign_in_with_code(
            engine, _password(engine, email, later), code_at(START - dt.timedelta(seconds=1)), now=later
        )


def _in_parallel(count: int, attempt: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = attempt()
        except BaseException as exc:  # kept for the assertions
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_same_code_sent_at_once_is_accepted_once(engine: Engine, team: Team1) -> None:
    """Two app processes given the same code at the same moment: the step moves forward in one UPDATE, so one wins."""
    email = team.social_worker.email
    _enrolled(engine, email)
    pendings = [_password(engine, email, START) for _ in range(4)]
    code = code_at(START)
    results = _in_parallel(4, lambda: mfa.sign_in_with_code(engine, pendings.pop(), code, now=START))
    assert sum(isinstance(r, mfa.CodeAccepted) for r in results) == 1, results
    assert all(isinstance(r, mfa.CodeAccepted | SignInFailed) for r in results), results


def test_five_wrong_codes_lock_the_account_with_the_wrong_passwords(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email
    _enrolled(engine, email)
    wrong = "000000" if code_at(START) != "000000" else "111111"
    for _ in range(2):
        with pytest.raises(SignInFailed, match="do not match"):
            sign_in(engine, email, "not the password, long", now=START)
    pending = _password(engine, email, START)  # a right password does not count
    for attempt in range(1, 4):
        with pytest.raises(SignInFailed) as refused:
            mfa.sign_in_with_code(engine, pending, wrong, now=START)
        assert ("locked" in str(refused.value)) is (attempt == 3)
    with pytest.raises(SignInFailed, match="locked for 15 minutes"):
        mfa.sign_in_with_code(engine, pending, code_at(START), now=START)  # even the right code waits now
    with pytest.raises(SignInFailed, match="do not match"):
        sign_in(engine, email, PASSWORD, now=START)
    assert ("auth.lockout", "wrong code") in _events(engine, email)


def test_a_right_code_clears_the_count(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email
    _enrolled(engine, email)
    pending = _password(engine, email, START)
    for _ in range(4):
        with pytest.raises(SignInFailed):
            mfa.sign_in_with_code(engine, pending, "not a code", now=START)
    mfa.sign_in_with_code(engine, pending, code_at(START), now=START)
    assert _user(engine, email).failed_sign_ins == 0


def test_the_code_must_follow_the_password_within_five_minutes(engine: Engine, team: Team1) -> None:
    _enrolled(engine, team.social_worker.email)
    pending = _password(engine, team.social_worker.email, START)
    late = START + dt.timedelta(minutes=5, seconds=1)
    with pytest.raises(SignInFailed, match="took too long"):
        mfa.sign_in_with_code(engine, pending, code_at(late), now=late)


def test_each_recovery_code_works_once_and_says_how_many_are_left(engine: Engine, team: Team1) -> None:
    email = team.social_worker.email
    codes = _enrolled(engine, email)
    first = mfa.sign_in_with_code(engine, _password(engine, email, START), codes[0].upper(), now=START)
    assert first.recovery_codes_left == 9
    with pytest.raises(SignInFailed, match="not right"):
        mfa.sign_in_with_code(engine, _password(engine, email, START), codes[0], now=START)
    assert _events(engine, email)[-1] == ("auth.mfa_failed", "wrong recovery code")
    lefts = []
    for code in codes[1:]:
        pending = _password(engine, email, START)
        lefts.append(mfa.sign_in_with_code(engine, pending, code.replace("-", ""), now=START).recovery_codes_left)
    assert lefts == list(range(8, -1, -1))
    assert mfa.recovery_codes_left(engine, _user(engine, email)) == 0
    verbs = [v for v, _ in _events(engine, email)]
    assert verbs.count("mfa.recovery_code_used") == 10
    # used up: the phone's code still works
    assert mfa.sign_in_with_code(engine, _password(engine, email, START), code_at(START), now=START).user


def test_an_administrator_resets_anothers_mfa_with_a_reason_and_their_sessions_end(engine: Engine, team: Team1) -> None:
    email = team.manager.email
    _enrolled(engine, email)
    before = _user(engine, email).session_generation
    ada = _user(engine, "ada@example.org")
    with pytest.raises(InvalidInput, match="Say why"):
        mfa.reset(engine, ada, team.manager.id, "  ")
    with pytest.raises(AccessDenied, match="administrator"):
        mfa.reset(engine, _user(engine, team.social_worker.email), team.manager.id, "new phone")
    mfa.reset(engine, ada, team.manager.id, "new phone, confirmed by a call")
    after = _user(engine, email)
    assert not after.has_mfa and after.totp_last_step is None
    assert after.session_generation == before + 1 and after.sessions_ended_reason == "mfa reset"
    with reading(engine) as s:
        assert not s.scalars(select(RecoveryCode).where(RecoveryCode.user_id == team.manager.id)).all()
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "mfa.reset")).one()
    assert event.actor_id == ada.id and event.after == {"reason": "new phone, confirmed by a call"}
    assert isinstance(sign_in(engine, email, PASSWORD, now=START), User), "no code asked until enrolled again"


def test_nobody_resets_their_own_mfa(engine: Engine, team: Team1) -> None:
    _enrolled(engine, "ada@example.org")
    with pytest.raises(AccessDenied, match="own"):
        mfa.reset(engine, _user(engine, "ada@example.org"), _user(engine, "ada@example.org").id, "lost my phone")
    assert _user(engine, "ada@example.org").has_mfa


def test_a_required_account_cannot_switch_its_own_off_and_an_optional_one_can(
    engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FSDASH_MFA_REQUIRED", raising=False)
    _enrolled(engine, "ada@example.org")
    with pytest.raises(AccessDenied, match="must use"):
        mfa.remove_own(engine, _user(engine, "ada@example.org"), code_at(START), now=START)
    email = team.social_worker.email
    _enrolled(engine, email)
    with pytest.raises(InvalidInput, match="not right"):
        mfa.remove_own(engine, _user(engine, email), "123", now=START)
    mfa.remove_own(engine, _user(engine, email), code_at(START), now=START)
    assert not _user(engine, email).has_mfa
    assert [v for v, _ in _events(engine, email)][-2:] == ["mfa.remove_failed", "mfa.remove"]


@pytest.mark.parametrize(
    ("setting", "required"),
    [
        (None, {Role.ADMINISTRATOR, Role.SERVICE_LEAD}),
        ("all", set(Role)),
        ("none", set()),
        ("team_manager, administrator", {Role.TEAM_MANAGER, Role.ADMINISTRATOR}),
    ],
)
def test_which_roles_must_use_it_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, required: set[Role]
) -> None:
    if setting is None:
        monkeypatch.delenv("FSDASH_MFA_REQUIRED", raising=False)
    else:
        monkeypatch.setenv("FSDASH_MFA_REQUIRED", setting)
    for role in Role:
        person = User(display_name="X", email="x@example.org", role=role)
        assert mfa.mfa_required(person) is (role in required), role


def test_a_setting_it_cannot_read_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSDASH_MFA_REQUIRED", "admins")
    with pytest.raises(SettingError, match="FSDASH_MFA_REQUIRED"):
        mfa.mfa_required(User(display_name="X", email="x@example.org", role=Role.ADMINISTRATOR))


def test_break_glass_accounts_must_use_it_when_the_password_form_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSDASH_MFA_REQUIRED", "none")
    monkeypatch.setenv("FSDASH_PASSWORD_SIGN_IN", "off")
    monkeypatch.setenv("FSDASH_BREAK_GLASS", "Glass@Example.org")
    assert mfa.mfa_required(User(display_name="G", email="glass@example.org", role=Role.SOCIAL_WORKER))
    assert not mfa.mfa_required(User(display_name="X", email="x@example.org", role=Role.SOCIAL_WORKER))


def test_wrong_passwords_never_reach_the_code(engine: Engine, team: Team1) -> None:
    _enrolled(engine, team.social_worker.email)
    with pytest.raises(SignInFailed) as refused:
        sign_in(engine, team.social_worker.email, "not the password, long", now=START)
    assert str(refused.value) == NO_MATCH
