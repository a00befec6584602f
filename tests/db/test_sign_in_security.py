"""Sign-in and passwords against an attacker: parallel guesses cannot pass the lockout, a refusal never tells
whether an account exists or is locked (same words, same work), a session left open cannot be used to guess the
password, and guessable passwords are refused."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

import db.services.accounts as accounts
from db.access import AccessDenied
from db.errors import InvalidInput
from db.models import AuditEvent, User
from db.services.accounts import (
    MAX_FAILED_SIGN_INS,
    NO_MATCH,
    SignInFailed,
    change_password,
    check_new_password,
    create_user,
    hash_password,
    sign_in,
)
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import Team1, make_team

PASSWORD = "a long enough password"
PARALLEL = 16


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        for person in (team.social_worker, team.manager, team.mental_health):
            s.get_one(User, person.id).password_hash = hash_password(PASSWORD)
        return team


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A light argon2 (16 parallel checks of 64 MB each would crowd a small machine) that records every hash
    it is asked to check a password against."""
    checked: list[str] = []

    class Recording(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            checked.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Recording(time_cost=1, memory_cost=1024, parallelism=1))
    accounts._dummy_hash.cache_clear()
    yield checked
    accounts._dummy_hash.cache_clear()


def _in_parallel(count: int, attempt: Callable[[], Any]) -> list[BaseException | Any]:
    """Run `attempt` in `count` threads released together by a barrier; each thread's result or exception."""
    barrier = threading.Barrier(count)
    results: list[BaseException | Any] = [None] * count

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


def _events(engine: Engine, user_id: int) -> list[tuple[str, str | None]]:
    with reading(engine) as s:
        rows = s.execute(
            select(AuditEvent.verb, AuditEvent.after)
            .where(AuditEvent.entity_id == str(user_id))
            .order_by(AuditEvent.id)
        ).all()
    return [(verb, (after or {}).get("reason")) for verb, after in rows]


def test_parallel_wrong_passwords_check_at_most_five_and_lock_the_account(
    engine: Engine, team: Team1, cheap_hashes: list[str]
) -> None:
    with transaction(engine) as s:  # rehash with the light hasher so its checks can be told from dummy ones
        s.get_one(User, team.social_worker.id).password_hash = accounts._hasher.hash(PASSWORD)
    with reading(engine) as s:
        real_hash = s.get_one(User, team.social_worker.id).password_hash

    results = _in_parallel(PARALLEL, lambda: sign_in(engine, team.social_worker.email, "a wrong guess, long"))

    assert all(isinstance(r, SignInFailed) and str(r) == NO_MATCH for r in results), results
    assert cheap_hashes.count(real_hash) <= MAX_FAILED_SIGN_INS  # the rest were refused unchecked
    with reading(engine) as s:
        locked_until = s.get_one(User, team.social_worker.id).locked_until
    assert locked_until is not None
    events = _events(engine, team.social_worker.id)
    assert len(events) == PARALLEL  # every attempt is in the audit trail
    assert ("auth.lockout", "locked out") in events
    with pytest.raises(SignInFailed):  # and the right password now waits too
        sign_in(engine, team.social_worker.email, PASSWORD)


def test_parallel_right_and_wrong_passwords_leave_a_consistent_count(
    engine: Engine, team: Team1, cheap_hashes: list[str]
) -> None:
    """Fewer wrong guesses than the limit never lock the account, however they interleave."""
    with transaction(engine) as s:
        s.get_one(User, team.social_worker.id).password_hash = accounts._hasher.hash(PASSWORD)
    guesses = iter(["wrong guess number one", "wrong guess number two", PASSWORD, PASSWORD])
    lock = threading.Lock()

    def attempt() -> Any:
        with lock:
            password = next(guesses)
        return sign_in(engine, team.social_worker.email, password)

    results = _in_parallel(4, attempt)
    assert sum(isinstance(r, User) for r in results) == 2
    with reading(engine) as s:
        assert s.get_one(User, team.social_worker.id).locked_until is None


def test_wrong_current_passwords_in_change_password_are_audited_and_lock(engine: Engine, team: Team1) -> None:
    with reading(engine) as s:
        user = s.get_one(User, team.manager.id)
    for attempt in range(1, MAX_FAILED_SIGN_INS + 1):
        with pytest.raises(InvalidInput, match="current password is not right") as refused:
            change_password(engine, user, "not my password at all", "a brand new passphrase here")
        assert ("locked" in str(refused.value)) is (attempt == MAX_FAILED_SIGN_INS)
    with pytest.raises(AccessDenied, match="locked for 15 minutes"):
        change_password(engine, user, PASSWORD, "a brand new passphrase here")  # even the right one waits now
    with pytest.raises(SignInFailed):
        sign_in(engine, team.manager.email, PASSWORD)
    events = _events(engine, team.manager.id)
    assert events[: MAX_FAILED_SIGN_INS + 1] == [
        *[("user.password_change_failed", "wrong current password")] * (MAX_FAILED_SIGN_INS - 1),
        ("auth.lockout", "wrong current password"),
        ("user.password_change_failed", "locked"),
    ]


def test_a_right_current_password_resets_the_count(engine: Engine, team: Team1) -> None:
    with reading(engine) as s:
        user = s.get_one(User, team.manager.id)
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(InvalidInput):
            change_password(engine, user, "not my password at all", "a brand new passphrase here")
    change_password(engine, user, PASSWORD, "a brand new passphrase here")
    assert sign_in(engine, team.manager.email, "a brand new passphrase here").id == user.id


def test_unknown_inactive_locked_and_wrong_password_get_the_same_words_and_the_same_work(
    engine: Engine, team: Team1
) -> None:
    """Timing is compared on medians of many interleaved attempts (never one timed run): an unknown email used to
    answer ~150 times faster than a wrong password, because no hash was checked."""
    with transaction(engine) as s:
        s.get_one(User, team.mental_health.id).active = False
        s.get_one(User, team.manager.id).locked_until = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
        s.add(User(display_name="Sso Only", email="sso.only@example.org", role=Role.TEAM_MANAGER, team_id=team.team.id))
    cases = {
        "unknown": ("nobody.here@example.org", "a wrong guess, long"),
        "inactive": (team.mental_health.email, PASSWORD),
        "locked": (team.manager.email, PASSWORD),
        "wrong password": (team.social_worker.email, "a wrong guess, long"),
        "no password (single sign-on only)": ("sso.only@example.org", "a wrong guess, long"),
    }
    accounts._dummy_hash()  # built once per process, not part of any attempt's cost
    timings: dict[str, list[float]] = {case: [] for case in cases}
    for round_number in range(12):
        for case, (email, password) in cases.items():
            if case == "wrong password" and round_number % 4 == 3:
                with transaction(engine) as s:  # stay under the lockout, which would change the case
                    s.get_one(User, team.social_worker.id).failed_sign_ins = 0
            started = time.perf_counter()
            with pytest.raises(SignInFailed) as refused:
                sign_in(engine, email, password)
            timings[case].append(time.perf_counter() - started)
            assert str(refused.value) == NO_MATCH, case
    medians = {case: statistics.median(times) for case, times in timings.items()}
    assert max(medians.values()) / min(medians.values()) < 2.5, medians


@pytest.mark.parametrize(
    "password",
    [
        "Password1234",  # a common password
        "qwertyuiop123",  # a keyboard walk
        "aaaaaaaaaaaaaaaa",  # one character repeated
        "abcabcabcabcabc",  # a short pattern repeated
        "iloveyou12345",  # from the lists of leaked passwords
        "sw.stevenage-a@example.org",  # the person's email
        "sw.stevenage-a2026!",  # the user part of their email
        "SW Stevenage A is me!",  # their name
    ],
)
def test_guessable_and_personal_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput, match="password"):
        check_new_password(password, email="sw.stevenage-a@example.org", name="SW Stevenage A")


@pytest.mark.parametrize("password", [PASSWORD, "correct horse battery staple", "trellis-omnibus-quietly-7"])
def test_random_passphrases_are_accepted(password: str) -> None:
    check_new_password(password, email="sw.stevenage-a@example.org", name="SW Stevenage A")


def test_account_creation_refuses_a_password_made_of_the_name(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="your email address or your name"):
        create_user(
            engine,
            None,
            email="ada.lovelace@example.org",
            display_name="Ada Lovelace",
            role=Role.ADMINISTRATOR,
            password="lovelace-lovelace-1815",
        )


def test_junk_passwords_never_lock_an_account_that_has_no_password(engine: Engine, team: Team1) -> None:
    """Finding 6: anyone could shut a single sign-on chair out on the morning of the meeting by typing five junk
    passwords. An account without a password counts nothing, and gets the same answer as any wrong password."""
    with transaction(engine) as s:
        s.get_one(User, team.manager.id).password_hash = None
    for _ in range(MAX_FAILED_SIGN_INS * 2):
        with pytest.raises(SignInFailed) as refused:
            sign_in(engine, team.manager.email, "junk typed by someone else")
        assert str(refused.value) == NO_MATCH
    with reading(engine) as s:
        manager = s.get_one(User, team.manager.id)
        assert (manager.failed_sign_ins, manager.locked_until) == (0, None)
    assert set(_events(engine, team.manager.id)) == {("auth.sign_in_failed", "no password")}


def test_with_the_password_form_off_only_break_glass_accounts_sign_in_with_a_password(
    engine: Engine, team: Team1, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FSDASH_PASSWORD_SIGN_IN", "off")
    monkeypatch.setenv("FSDASH_BREAK_GLASS", f"{team.manager.email.upper()}, someone@example.org")
    with pytest.raises(SignInFailed) as refused:
        sign_in(engine, team.social_worker.email, PASSWORD)  # the right password, but not a break-glass account
    assert str(refused.value) == NO_MATCH
    assert _events(engine, team.social_worker.id) == [("auth.sign_in_failed", "password sign-in off")]
    with reading(engine) as s:
        assert s.get_one(User, team.social_worker.id).failed_sign_ins == 0
    assert sign_in(engine, team.manager.email, PASSWORD).id == team.manager.id
